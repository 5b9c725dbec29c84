"""The numpy side of a plan: activation functions, laid-out weights, and the instructions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..graph import Node
from ..record import record
from .checks import Array

if TYPE_CHECKING:
    from ..cell import Cell

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "Op",
    "Prepared",
    "Slot",
    "block_op",
    "dense_op",
    "fused_activation_op",
    "pointwise_op",
    "project_op",
    "reader",
    "vector_op",
]


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
#: One instruction of a plan: reads and writes node values, reads and writes products (group
#: products, block sums, shared activations) and reads the prepared weights.
Op = Callable[[Values, Products, "Prepared"], None]
#: A product index, its first row and the row after its last.
Slot = tuple[int, int, int]


@record
class Prepared:
    """Weights checked and laid out for a plan (``Cell.prepare``): a stacked matrix and bias row
    per group, and the parameters the plan reads directly (diagonal weights, biases no product
    carries). Pass it to step or run in place of the weights dict to skip that work per call.
    It may share memory with the dict's arrays: prepare again after changing them."""

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


def reader(source: str, activation: str) -> Callable[[Values], Array]:
    """A function of the node values: ``source`` through ``activation``."""
    fn = ACTIVATION_FUNCTIONS[activation]
    if fn is None:
        return lambda v: v[source]
    return lambda v: fn(v[source])


def _part(g: Products, k: int, a: int, b: int) -> Array:
    product = g[k]
    return product if a == 0 and b == product.shape[-1] else product[..., a:b]


def _sum(g: Products, slots: Sequence[Slot]) -> Array | None:
    acc: Array | None = None
    for k, a, b in slots:
        part = _part(g, k, a, b)
        acc = part if acc is None else acc + part
    return acc


def project_op(k: int, source: str, activation: str) -> Op:
    """Take group k's product of its source vector."""
    read = reader(source, activation)

    def op(v: Values, g: Products, w: Prepared) -> None:
        g[k] = w.project(k, read(v))

    return op


def block_op(index: int, slots: tuple[Slot, ...]) -> Op:
    """Sum the group products of a block of dense nodes once, for all of them."""

    def op(v: Values, g: Products, w: Prepared) -> None:
        acc = _sum(g, slots)
        assert acc is not None
        g[index] = acc

    return op


def dense_op(node: Node, slots: list[Slot], bias_key: str | None, first: str, rows: int) -> Op:
    """A dense node: its slices of products, then its element-wise terms, then the bias that
    no product carried (``bias_key`` in the prepared weights)."""
    nid = node.id
    diags = [(o.param, reader(o.source, o.activation)) for o in node.operands
             if o.role == "diag" and o.param and o.source]

    def op(v: Values, g: Products, w: Prepared) -> None:
        acc = _sum(g, slots)
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


def pointwise_op(node: Node) -> Op:
    """A pointwise node: its operation over its (activated) operands."""
    nid = node.id
    assert node.op is not None
    reads = [reader(o.source, o.activation) for o in node.operands if o.source]
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


def vector_op(node: Node) -> Op:
    """A vector or output node: its one operand through its activation."""
    nid = node.id
    (operand,) = node.operands
    assert operand.source is not None
    read = reader(operand.source, operand.activation)

    def op(v: Values, g: Products, w: Prepared) -> None:
        v[nid] = read(v)

    return op


def fused_activation_op(node: Node, shared: int, block: Slot, part: tuple[int, int],
                        first: bool) -> Op:
    """A vector node whose activation is taken once for a run of neighbouring rows of a block
    (an LSTM's i and f gates): the first such node computes it into product ``shared``, each
    takes its rows ``part``."""
    nid = node.id
    fn = ACTIVATION_FUNCTIONS[node.operands[0].activation]
    assert fn is not None
    k, a, b = block
    lo, hi = part

    def op(v: Values, g: Products, w: Prepared) -> None:
        if first:
            g[shared] = fn(_part(g, k, a, b))
        v[nid] = g[shared][..., lo:hi]

    return op
