"""The compiled plan of a cell: activations, stacked matrix groups, one instruction per node."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .checks import Array, check_finite, check_weights
from .errors import EvaluationError
from .graph import POINTWISE_OPS, CellGraph, Node

if TYPE_CHECKING:
    from .cell import Cell

__all__ = ["ACTIVATION_FUNCTIONS", "Bound", "Group", "Plan", "compile_plan"]


def _sigmoid(x: Array) -> Array:
    # 1/2 + tanh(x/2)/2 is the logistic function exactly, and unlike 1/(1 + exp(-x)) it cannot
    # overflow: no warnings for large negative pre-activations, one temporary array.
    out: Array = x * 0.5
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _hard_sigmoid(x: Array) -> Array:
    # relu6(x + 3) / 6, as PyTorch's hardsigmoid and Keras 3 write it.
    out: Array = x + 3.0
    np.clip(out, 0.0, 6.0, out=out)
    out /= 6.0
    return out


def _softsign(x: Array) -> Array:
    result: Array = x / (1.0 + np.abs(x))
    return result


def _relu(x: Array) -> Array:
    result: Array = np.maximum(x, 0.0)
    return result


#: The one place activations are computed, keyed by the names in graph.ACTIVATIONS.
#: Identity is None: the evaluator reads the vector itself.
ACTIVATION_FUNCTIONS: dict[str, Callable[[Array], Array] | None] = {
    "identity": None,
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "relu": _relu,
    "hard_sigmoid": _hard_sigmoid,
    "softsign": _softsign,
}

_BINARY: dict[str, Callable[[Array, Array], Array]] = {
    "mul": np.multiply,
    "add": np.add,
    "sub": np.subtract,
}
_UNARY: dict[str, Callable[[Array], Array]] = {
    "neg": np.negative,
    "one_minus": lambda a: 1.0 - a,
}

Values = dict[str, Array]
Products = list[Array]
#: One instruction of a plan: reads and writes node values, reads group products and weights.
Op = Callable[[Values, Products, "Bound"], None]


@dataclass(frozen=True)
class Group:
    """Matrix terms that read the same vector through the same activation, stacked row-wise
    into one matrix so that one product serves them all. ``offsets`` bound each term's rows."""

    source: str
    activation: str
    params: tuple[str, ...]
    offsets: tuple[int, ...]
    from_input: bool
    carried: tuple[tuple[str, int, int], ...]  # dense nodes whose biases this product adds


@dataclass(frozen=True)
class Bound:
    """Weights checked and laid out for a plan: a stacked matrix and bias row per group, and
    the parameters the plan reads directly (diagonal weights, biases no product carries)."""

    dtype: np.dtype[Any]
    matrices: tuple[Array, ...]
    biases: tuple[Array | None, ...]
    direct: dict[str, Array]

    def project(self, group: int, value: Array) -> Array:
        """One group's product for a batch of (activated) source vectors, biases included."""
        out: Array = value @ self.matrices[group].T
        bias = self.biases[group]
        if bias is not None:
            out += bias
        return out


def _reader(source: str, activation: str) -> Callable[[Values], Array]:
    fn = ACTIVATION_FUNCTIONS[activation]
    if fn is None:
        return lambda v: v[source]
    return lambda v: fn(v[source])


@dataclass(frozen=True)
class Plan:
    """A cell compiled for evaluation: groups of stacked matrix terms and one instruction per
    node in topological order. Built once per cell (``Cell.plan``), used for every call."""

    cell: Cell
    groups: tuple[Group, ...]
    ops: tuple[Op, ...]
    hidden: str

    @property
    def graph(self) -> CellGraph:
        return self.cell.graph

    def bind(self, weights: Mapping[str, Any]) -> Bound:
        """Check the weights (names, shapes, one dtype, finite) and lay them out for the plan."""
        shapes = self.cell.param_shapes()
        arrays = check_weights(shapes, weights, self.graph.name)
        dtype = next(iter(arrays.values())).dtype if arrays else np.dtype(np.float64)
        matrices: list[Array] = []
        biases: list[Array | None] = []
        for group in self.groups:
            parts = [arrays[p] for p in group.params]
            matrices.append(parts[0] if len(parts) == 1 else np.concatenate(parts))
            bias: Array | None = None
            if group.carried:
                bias = np.zeros(group.offsets[-1], dtype)
                for node, start, stop in group.carried:
                    for p in self._biases[node]:
                        bias[start:stop] += arrays[p]
            biases.append(bias)
        direct = {p: arrays[p] for p in self._direct_params}
        for node in self._uncarried:
            total = np.zeros(shapes[self._biases[node][0]], dtype)
            for p in self._biases[node]:
                total += arrays[p]
            direct[f"{node}.bias"] = total
        stacked = [*matrices, *(b for b in biases if b is not None), *direct.values()]
        if not all(np.isfinite(a).all() for a in stacked):
            for name, array in arrays.items():
                check_finite(f"weight {name!r}", array)
        return Bound(dtype, tuple(matrices), tuple(biases), direct)

    def read(self, group: Group, values: Values) -> Array:
        """A group's source vector through the group's activation."""
        fn = ACTIVATION_FUNCTIONS[group.activation]
        value = values[group.source]
        return value if fn is None else fn(value)

    @property
    def _biases(self) -> dict[str, tuple[str, ...]]:
        return _dense_biases(self.graph)

    @property
    def _direct_params(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.graph.params if p.role == "diag")

    @property
    def _uncarried(self) -> tuple[str, ...]:
        carried = {node for g in self.groups for node, _, _ in g.carried}
        return tuple(n for n, b in self._biases.items() if b and n not in carried)


def _dense_biases(graph: CellGraph) -> dict[str, tuple[str, ...]]:
    return {
        node.id: tuple(o.param for o in node.operands if o.role == "bias" and o.param)
        for node in graph.nodes
        if node.kind == "dense"
    }


def compile_plan(cell: Cell) -> Plan:
    """Compile a cell: group the matrix terms by the vector they read, fold each dense node's
    biases into one group's product (an input group's when it can, so that ``run`` adds them
    for all time steps at once), and make one instruction per node in topological order."""
    graph = cell.graph
    for node in graph.nodes:
        for operand in node.operands:
            if operand.activation not in ACTIVATION_FUNCTIONS:
                raise EvaluationError(
                    f"node {node.id!r} uses activation {operand.activation!r}, which the "
                    f"evaluator does not know ({', '.join(ACTIVATION_FUNCTIONS)})"
                )
    inputs = set(graph.inputs)
    shapes = cell.param_shapes()
    terms: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (source, act) -> (param, node)
    for node in graph.nodes:
        for o in node.operands:
            if node.kind == "dense" and o.role == "matrix" and o.source and o.param:
                terms.setdefault((o.source, o.activation), []).append((o.param, node.id))
    keys = list(terms)
    where: dict[tuple[str, str], tuple[int, int, int]] = {}  # (node, param) -> group, rows
    offsets_of: list[tuple[int, ...]] = []
    for k, key in enumerate(keys):
        offsets = [0]
        for param, node_id in terms[key]:
            where[(node_id, param)] = (k, offsets[-1], offsets[-1] + shapes[param][0])
            offsets.append(offsets[-1] + shapes[param][0])
        offsets_of.append(tuple(offsets))
    biases = _dense_biases(graph)
    carried: list[list[tuple[str, int, int]]] = [[] for _ in keys]
    carrier: dict[str, int] = {}
    for node in graph.nodes:
        if node.kind != "dense" or not biases[node.id]:
            continue
        slots = [where[(node.id, o.param)] for o in node.operands
                 if o.role == "matrix" and o.param]
        slots.sort(key=lambda s: keys[s[0]][0] not in inputs)
        if slots:
            carried[slots[0][0]].append((node.id, slots[0][1], slots[0][2]))
            carrier[node.id] = slots[0][0]
    groups = tuple(
        Group(src, act, tuple(p for p, _ in terms[(src, act)]), offsets_of[k], src in inputs,
              tuple(carried[k]))
        for k, (src, act) in enumerate(keys)
    )
    ops: list[Op] = []
    projected: set[int] = {k for k, g in enumerate(groups) if g.from_input}
    for node in graph.nodes:
        if node.kind == "dense":
            for o in node.operands:
                if o.role == "matrix" and o.param:
                    k = where[(node.id, o.param)][0]
                    if k not in projected:
                        projected.add(k)
                        ops.append(_project_op(k, groups[k]))
            ops.append(_dense_op(node, where, node.id in carrier, bool(biases[node.id]),
                                 graph.nodes[0].id, shapes))
        elif node.kind == "pointwise":
            ops.append(_pointwise_op(node))
        elif node.kind in ("vector", "output"):
            ops.append(_vector_op(node))
    states = graph.states or graph.outputs
    hidden = "h" if "h" in graph.states else states[0]
    return Plan(cell, groups, tuple(ops), hidden)


def _project_op(k: int, group: Group) -> Op:
    read = _reader(group.source, group.activation)

    def op(v: Values, g: Products, w: Bound) -> None:
        g[k] = w.project(k, read(v))

    return op


def _dense_op(
    node: Node,
    where: Mapping[tuple[str, str], tuple[int, int, int]],
    carried: bool,
    has_bias: bool,
    first: str,
    shapes: Mapping[str, tuple[int, ...]],
) -> Op:
    nid = node.id
    slices = [where[(nid, o.param)] for o in node.operands if o.role == "matrix" and o.param]
    whole = [(k, a, b) for k, a, b in slices]
    diags = [(o.param, _reader(o.source, o.activation)) for o in node.operands
             if o.role == "diag" and o.param and o.source]
    bias_key = f"{nid}.bias" if has_bias and not carried else None
    rows = next(iter(shapes[o.param][0] for o in node.operands if o.param))

    def op(v: Values, g: Products, w: Bound) -> None:
        acc: Array | None = None
        for k, a, b in whole:
            product = g[k]
            part = product if b - a == product.shape[1] else product[:, a:b]
            acc = part if acc is None else acc + part
        for param, read in diags:
            term = w.direct[param] * read(v)
            acc = term if acc is None else acc + term
        if bias_key is not None:
            bias = w.direct[bias_key]
            acc = np.zeros((v[first].shape[0], rows), w.dtype) + bias if acc is None \
                else acc + bias
        assert acc is not None
        v[nid] = acc

    return op


def _pointwise_op(node: Node) -> Op:
    nid = node.id
    assert node.op in POINTWISE_OPS
    reads = [_reader(o.source, o.activation) for o in node.operands if o.source]
    if len(reads) == 2:
        binary = _BINARY[node.op]
        left, right = reads

        def op2(v: Values, g: Products, w: Bound) -> None:
            v[nid] = binary(left(v), right(v))

        return op2
    unary = _UNARY[node.op]
    (only,) = reads

    def op1(v: Values, g: Products, w: Bound) -> None:
        v[nid] = unary(only(v))

    return op1


def _vector_op(node: Node) -> Op:
    nid = node.id
    (operand,) = node.operands
    assert operand.source is not None
    read = _reader(operand.source, operand.activation)

    def op(v: Values, g: Products, w: Bound) -> None:
        v[nid] = read(v)

    return op
