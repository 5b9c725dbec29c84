"""Vector-Jacobian products of a plan's nodes: one backward instruction per node, in reverse.

Each instruction reads one step's forward values and the adjoints gathered so far (``d``, node
id -> ∂L/∂value) and adds its operands' share. A dense node's matrix terms are not multiplied
here: its adjoint is written into the rows of its group products in a buffer that holds every
step (``rows``), so that the weight gradients and the input gradients are taken after the loop
as one matrix product over all steps; only a product that reads a vector of the same step (the
state at t-1) is multiplied back at each step, just before its source's own instruction.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..graph import Node
from ..record import record
from .checks import Array
from .ops import Prepared, reader
from .plan import EvalPlan

__all__ = ["DERIVATIVES", "BackOp", "BackPlan", "add", "batch_sum", "compile_backward"]


def _sigmoid_grad(y: Array) -> Array:
    out: Array = y * (1.0 - y)
    return out


def _tanh_grad(y: Array) -> Array:
    out: Array = 1.0 - y * y
    return out


def _relu_grad(y: Array) -> Array:
    out: Array = (y > 0).astype(y.dtype)
    return out


def _hard_sigmoid_grad(y: Array) -> Array:
    # Flat (0) where relu6(x + 3) / 6 is clipped, x ≤ -3 or x ≥ 3, as PyTorch has it.
    out: Array = ((y > 0) & (y < 1)).astype(y.dtype) / 6.0
    return out


def _softsign_grad(y: Array) -> Array:
    # d/dx x / (1 + |x|) = 1 / (1 + |x|)², and 1 - |y| = 1 / (1 + |x|).
    out: Array = 1.0 - np.abs(y)
    out *= out
    return out


#: Each activation's derivative written in terms of its output y = f(x), which the forward
#: pass has already computed; identity is None (the gradient passes unchanged).
DERIVATIVES: dict[str, Callable[[Array], Array] | None] = {
    "identity": None,
    "sigmoid": _sigmoid_grad,
    "tanh": _tanh_grad,
    "relu": _relu_grad,
    "hard_sigmoid": _hard_sigmoid_grad,
    "softsign": _softsign_grad,
}

Values = dict[str, Array]
Adjoints = dict[str, Array]
#: One backward instruction: a step's values, its adjoints, the buffer rows of this step, the
#: weights, and this step's share of the gradients that are gathered per step (by parameter).
BackOp = Callable[[Values, Adjoints, list[Array], Prepared, dict[str, Array]], None]


def add(d: dict[str, Array], key: str, g: Array) -> None:
    """Add a gradient to ``d[key]``, never in place: one array may be the adjoint of several
    nodes (an addition hands its gradient to both operands)."""
    d[key] = g if key not in d else d[key] + g


def batch_sum(g: Array) -> Array:
    """Sum over every leading (batch) axis: (B, n) -> (n,)."""
    return g if g.ndim == 1 else g.reshape(-1, g.shape[-1]).sum(axis=0)


@record
class BackPlan:
    """A plan's backward pass. ``ops`` in reverse node order; ``buffers`` gives each group's
    buffer (groups whose rows belong to the same dense nodes share one, as an LSTM's input and
    recurrent products do), ``widths`` each buffer's rows; ``biases`` the dense nodes whose
    biases are read off a buffer: node, bias parameters, buffer, rows; ``needs`` the nodes
    whose forward values the backward pass reads (the forward pass keeps only these)."""

    plan: EvalPlan
    ops: tuple[BackOp, ...]
    buffers: tuple[int, ...]
    widths: tuple[int, ...]
    biases: tuple[tuple[str, tuple[str, ...], int, int, int], ...]
    needs: tuple[str, ...]


def compile_backward(plan: EvalPlan) -> BackPlan:
    """The backward instructions of a compiled plan."""
    graph = plan.graph
    layouts: dict[tuple[tuple[int, int, str], ...], int] = {}
    buffers: list[int] = []
    widths: list[int] = []
    for k, group in enumerate(plan.groups):
        rows = tuple(sorted((a, b, node) for node, slots in plan.slots.items()
                            for kk, a, b in slots if kk == k))
        if rows not in layouts:
            layouts[rows] = len(widths)
            widths.append(group.offsets[-1])
        buffers.append(layouts[rows])
    by_source: dict[str, list[int]] = {}
    for k, group in enumerate(plan.groups):
        if not group.from_input:
            by_source.setdefault(group.source, []).append(k)
    ops: list[BackOp] = []
    biases = []
    for node in reversed(graph.nodes):
        ops += [_product_back(k, plan.groups[k].source, plan.groups[k].activation, buffers[k])
                for k in by_source.get(node.id, ())]
        if node.kind == "dense":
            writes = sorted({(buffers[k], a, b) for k, a, b in plan.slots[node.id]})
            if writes and plan.biases[node.id]:
                biases.append((node.id, plan.biases[node.id], *writes[0]))
            ops.append(_dense_back(node, writes, () if writes else plan.biases[node.id]))
        elif node.kind == "pointwise":
            ops.append(_pointwise_back(node))
        elif node.kind in ("vector", "output"):
            ops.append(_vector_back(node))
    return BackPlan(plan, tuple(ops), tuple(buffers), tuple(widths), tuple(reversed(biases)),
                    _needs(plan))


def _needs(plan: EvalPlan) -> tuple[str, ...]:
    """The nodes whose values the backward pass reads: the sources of every product that is
    not an input's, of every element-wise weight and product ⊙, those read through an
    activation by a pointwise node, a vector's own value where an activation's derivative is
    taken of it, and the outputs (for a loss by output)."""
    graph = plan.graph
    needs = {g.source for g in plan.groups if not g.from_input} | set(graph.outputs)
    for node in graph.nodes:
        for o in node.operands:
            if o.source is None:
                continue
            if node.op == "mul" or o.role == "diag" or (
                    node.kind == "pointwise" and o.activation != "identity"):
                needs.add(o.source)
            elif node.kind in ("vector", "output") and o.activation != "identity":
                needs.add(node.id)
    return tuple(n for n in plan.node_ids if n in needs)


def _product_back(k: int, source: str, activation: str, buffer: int) -> BackOp:
    """A group product of a vector of this step: its rows times the stacked matrix."""
    read = reader(source, activation)
    deriv = DERIVATIVES[activation]

    def op(v: Values, d: Adjoints, rows: list[Array], w: Prepared, acc: dict[str, Array]) -> None:
        g: Array = rows[buffer] @ w.matrices[k]
        add(d, source, g if deriv is None else g * deriv(read(v)))

    return op


def _dense_back(node: Node, writes: list[tuple[int, int, int]], biases: tuple[str, ...]) -> BackOp:
    """A dense node: its adjoint into its buffer rows, its element-wise terms (p * v) here,
    and the biases of a node with no matrix term (which no buffer holds)."""
    nid = node.id
    diags = [(o.param, o.source, reader(o.source, o.activation), DERIVATIVES[o.activation])
             for o in node.operands if o.role == "diag" and o.param and o.source]

    def op(v: Values, d: Adjoints, rows: list[Array], w: Prepared, acc: dict[str, Array]) -> None:
        g = d.get(nid)
        if g is None:
            return
        for j, a, b in writes:
            rows[j][..., a:b] = g
        for param, source, read, deriv in diags:
            value = read(v)
            add(acc, param, batch_sum(g * value))
            term = g * w.direct[param]
            add(d, source, term if deriv is None else term * deriv(value))
        if biases:
            total = batch_sum(g)
            for bias in biases:
                add(acc, bias, total)

    return op


#: The sign with which each pointwise operation hands its gradient to each operand (mul is
#: the one whose partials depend on the values).
_SIGNS: dict[str, tuple[float, ...]] = {
    "add": (1.0, 1.0), "sub": (1.0, -1.0), "neg": (-1.0,), "one_minus": (-1.0,),
}


def _pointwise_back(node: Node) -> BackOp:
    """A pointwise node: ∂(a ⊙ b) = (g ⊙ b, g ⊙ a); sums and differences pass ±g; each
    through the derivative of the activation on its operand's edge."""
    nid = node.id
    assert node.op is not None
    operands = [(o.source, reader(o.source, o.activation), DERIVATIVES[o.activation])
                for o in node.operands if o.source]
    if node.op == "mul":
        (sa, ra, da), (sb, rb, db) = operands

        def mul(v: Values, d: Adjoints, rows: list[Array], w: Prepared,
                acc: dict[str, Array]) -> None:
            g = d.get(nid)
            if g is None:
                return
            a, b = ra(v), rb(v)
            add(d, sa, g * b if da is None else g * b * da(a))
            add(d, sb, g * a if db is None else g * a * db(b))

        return mul
    signs = _SIGNS[node.op]

    def linear(v: Values, d: Adjoints, rows: list[Array], w: Prepared,
               acc: dict[str, Array]) -> None:
        g = d.get(nid)
        if g is None:
            return
        for (source, read, deriv), sign in zip(operands, signs, strict=True):
            share = g if sign > 0 else -g
            add(d, source, share if deriv is None else share * deriv(read(v)))

    return linear


def _vector_back(node: Node) -> BackOp:
    """A vector or output node, its operand through an activation: the activation's
    derivative at the node's own value, which is that activation's output."""
    nid = node.id
    (operand,) = node.operands
    source = operand.source
    assert source is not None
    deriv = DERIVATIVES[operand.activation]

    def op(v: Values, d: Adjoints, rows: list[Array], w: Prepared, acc: dict[str, Array]) -> None:
        g = d.get(nid)
        if g is not None:
            add(d, source, g if deriv is None else g * deriv(v[nid]))

    return op

