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

__all__ = ["ACTIVATION_FUNCTIONS", "Group", "Plan", "Prepared", "compile_plan"]


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
Op = Callable[[Values, Products, "Prepared"], None]


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

    @property
    def tiled(self) -> bool:
        """Whether the carried biases cover the rows in order, so they are just concatenated."""
        return tuple((a, b) for _, a, b in self.carried) == tuple(
            zip(self.offsets, self.offsets[1:], strict=False))


@dataclass(frozen=True)
class Prepared:
    """Weights checked and laid out for a plan (``Cell.prepare``): a stacked matrix and bias row
    per group, and the parameters the plan reads directly (diagonal weights, biases no product
    carries). Pass it to step or run in place of the weights dict to skip that work per call;
    it holds copies, so later changes to the dict's arrays do not reach it."""

    cell: Cell
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
    node in topological order. Built once per cell (``Cell.plan``), used for every call.
    ``biases`` names each dense node's bias parameters; ``uncarried`` the dense nodes whose
    biases no group product adds; ``diags`` the element-wise weights the instructions read."""

    cell: Cell
    groups: tuple[Group, ...]
    ops: tuple[Op, ...]
    hidden: str
    shapes: dict[str, tuple[int, ...]]
    biases: dict[str, tuple[str, ...]]
    uncarried: tuple[str, ...]
    diags: tuple[str, ...]
    products: int

    @property
    def graph(self) -> CellGraph:
        return self.cell.graph

    def bind(self, weights: Mapping[str, Any]) -> Prepared:
        """Check the weights (names, shapes, one dtype, finite) and lay them out for the plan."""
        arrays = check_weights(self.shapes, weights, self.graph.name)
        dtype = next(iter(arrays.values())).dtype if arrays else np.dtype(np.float64)
        matrices: list[Array] = []
        biases: list[Array | None] = []
        for group in self.groups:
            parts = [arrays[p] for p in group.params]
            matrices.append(parts[0] if len(parts) == 1 else np.concatenate(parts))
            bias: Array | None = None
            if group.carried:
                totals = [self._bias_sum(arrays, node) for node, _, _ in group.carried]
                if group.tiled:
                    bias = totals[0] if len(totals) == 1 else np.concatenate(totals)
                else:
                    bias = np.zeros(group.offsets[-1], dtype)
                    for (_, start, stop), total in zip(group.carried, totals, strict=True):
                        bias[start:stop] = total
            biases.append(bias)
        direct = {p: arrays[p] for p in self.diags}
        for node in self.uncarried:
            direct[f"{node}.bias"] = self._bias_sum(arrays, node)
        stacked = [*matrices, *(b for b in biases if b is not None), *direct.values()]
        if not all(np.isfinite(a).all() for a in stacked):
            for name, array in arrays.items():
                check_finite(f"weight {name!r}", array)
        return Prepared(self.cell, dtype, tuple(matrices), tuple(biases), direct)

    def _bias_sum(self, arrays: Mapping[str, Array], node: str) -> Array:
        first, *rest = self.biases[node]
        total = arrays[first]
        for p in rest:
            total = total + arrays[p]
        return total

    def read(self, group: Group, values: Values) -> Array:
        """A group's source vector through the group's activation."""
        fn = ACTIVATION_FUNCTIONS[group.activation]
        value = values[group.source]
        return value if fn is None else fn(value)


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
    dense = [n for n in graph.nodes if n.kind == "dense"]
    blocks, member = _blocks(dense, where, len(groups))
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
            if node.id in member and member[node.id][1] == 0:
                ops.append(_block_op(member[node.id][0], blocks[member[node.id][0]]))
            slots = [member[node.id]] if node.id in member else [
                where[(node.id, o.param)] for o in node.operands if o.role == "matrix" and o.param]
            ops.append(_dense_op(node, slots, node.id in carrier, bool(biases[node.id]),
                                 graph.nodes[0].id, shapes))
        elif node.kind == "pointwise":
            ops.append(_pointwise_op(node))
        elif node.kind in ("vector", "output"):
            ops.append(_vector_op(node))
    states = graph.states or graph.outputs
    hidden = "h" if "h" in graph.states else states[0]
    uncarried = tuple(n for n, b in biases.items() if b and n not in carrier)
    diags = tuple(p.name for p in graph.params if p.role == "diag")
    return Plan(cell, groups, tuple(ops), hidden, shapes, biases, uncarried, diags,
                len(groups) + len(blocks))


Slot = tuple[int, int, int]  # product index, first row, row after the last


def _blocks(
    dense: list[Node], where: Mapping[tuple[str, str], Slot], first_index: int
) -> tuple[dict[int, tuple[Slot, ...]], dict[str, Slot]]:
    """Runs of dense nodes that add the same group products over rows that follow on in every
    group (an LSTM's four gates): each run is summed once, as one block, and its nodes read
    slices of it. Returns the blocks (product index -> the group slices summed) and, for each
    node in a block, its slice of the block."""
    blocks: dict[int, tuple[Slot, ...]] = {}
    member: dict[str, Slot] = {}
    run: list[tuple[str, list[Slot]]] = []

    def close() -> None:
        if run:
            index = first_index + len(blocks)
            first, last = run[0][1], run[-1][1]
            blocks[index] = tuple((k, a, b) for (k, a, _), (_, _, b) in zip(first, last,
                                                                            strict=True))
            start = first[0][1]
            for nid, slots in run:
                member[nid] = (index, slots[0][1] - start, slots[0][2] - start)
            run.clear()

    for node in dense:
        slots = sorted(where[(node.id, o.param)] for o in node.operands
                       if o.role == "matrix" and o.param)
        groups = [k for k, _, _ in slots]
        if len(slots) < 2 or len(set(groups)) != len(groups):
            close()
            continue
        if run and [k for k, _, _ in run[-1][1]] == groups and all(
            a == prev_b for (_, a, _), (_, _, prev_b) in zip(slots, run[-1][1], strict=True)
        ):
            run.append((node.id, slots))
            continue
        close()
        run.append((node.id, slots))
    close()
    return blocks, member


def _project_op(k: int, group: Group) -> Op:
    read = _reader(group.source, group.activation)

    def op(v: Values, g: Products, w: Prepared) -> None:
        g[k] = w.project(k, read(v))

    return op


def _block_op(index: int, slices: tuple[Slot, ...]) -> Op:
    def op(v: Values, g: Products, w: Prepared) -> None:
        acc: Array | None = None
        for k, a, b in slices:
            product = g[k]
            part = product if a == 0 and b == product.shape[-1] else product[..., a:b]
            acc = part if acc is None else acc + part
        assert acc is not None
        g[index] = acc

    return op


def _dense_op(
    node: Node,
    slices: list[Slot],
    carried: bool,
    has_bias: bool,
    first: str,
    shapes: Mapping[str, tuple[int, ...]],
) -> Op:
    nid = node.id
    diags = [(o.param, _reader(o.source, o.activation)) for o in node.operands
             if o.role == "diag" and o.param and o.source]
    bias_key = f"{nid}.bias" if has_bias and not carried else None
    rows = next(iter(shapes[o.param][0] for o in node.operands if o.param))

    def op(v: Values, g: Products, w: Prepared) -> None:
        acc: Array | None = None
        for k, a, b in slices:
            product = g[k]
            part = product if a == 0 and b == product.shape[-1] else product[..., a:b]
            acc = part if acc is None else acc + part
        for param, read in diags:
            term = w.direct[param] * read(v)
            acc = term if acc is None else acc + term
        if bias_key is not None:
            bias = w.direct[bias_key]
            acc = np.zeros((*v[first].shape[:-1], rows), w.dtype) + bias if acc is None \
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

        def op2(v: Values, g: Products, w: Prepared) -> None:
            v[nid] = binary(left(v), right(v))

        return op2
    unary = _UNARY[node.op]
    (only,) = reads

    def op1(v: Values, g: Products, w: Prepared) -> None:
        v[nid] = unary(only(v))

    return op1


def _vector_op(node: Node) -> Op:
    nid = node.id
    (operand,) = node.operands
    assert operand.source is not None
    read = _reader(operand.source, operand.activation)

    def op(v: Values, g: Products, w: Prepared) -> None:
        v[nid] = read(v)

    return op
