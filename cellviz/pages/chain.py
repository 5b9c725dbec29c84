"""The chain rule of one step written out with numbers, node by node from the outputs back,
as the walkthrough page's backward pass shows it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..graph import ACTIVATIONS, POINTWISE_OPS, CellGraph, Node
from ..lang.substitute import format_vector

if TYPE_CHECKING:
    from ..cell import Cell

__all__ = ["Row", "Words", "chain_rows"]

#: One row: the gradient added to (``∂L/∂c[t] +=``), the rule, the rule with numbers, the
#: share it adds; each as text, or each as MathML (the inside of a ``<math>``).
Row = tuple[str, str, str, str]


class Words:
    """How a rule's pieces are written: as plain text (``MathWords`` writes them as MathML,
    through the same calls, so that both say the same)."""

    def __init__(self, digits: int = 2) -> None:
        self.digits = digits

    def name(self, label: str) -> str:
        """A vector (``h[t]``) or a parameter (``W_f``)."""
        return label

    def sum(self, suffix: str, equation: str) -> str:
        """A gate's sum before its activation: ``sum_f[t]`` (``sum2_n[t]`` for a second)."""
        return f"sum{suffix}_{equation}[t]"

    def op(self, symbol: str) -> str:
        """A binary operator between two pieces."""
        return f" {symbol} "

    def prefix(self, symbol: str) -> str:
        """A unary operator before a piece: ``−``, ``1−``."""
        return symbol

    def group(self, inner: str) -> str:
        return f"({inner})"

    def call(self, function: str, inner: str) -> str:
        """``σ(x)``, ``σ′(x)``."""
        return f"{function}({inner})"

    def transpose(self, inner: str) -> str:
        return f"{inner}ᵀ"

    def grad(self, of: str) -> str:
        return f"∂L/∂{of}"

    def assign(self, grad: str, sign: str) -> str:
        """The row's left side: ``∂L/∂h[t] =`` or ``+=``."""
        return f"{grad} {sign}"

    def vec(self, values: Any) -> str:
        import numpy as np

        return format_vector(np.asarray(values).tolist(), self.digits)

    def loss(self, name: str) -> str:
        """The rule of the loss's own share."""
        return f"∂(Σ h)/∂{name}, from the loss"

    def text(self, words: str) -> str:
        return words

    def shape(self, rows: int, cols: int) -> str:
        """A matrix's gradient, which the figure shows in place of a row."""
        return f"{rows}×{cols}, in the figure"


def _name(graph: CellGraph, node_id: str, w: Words | None = None) -> str:
    """How a node reads in a rule: a vector's label, ``sum_f[t]`` for a gate's sum before its
    activation, a pointwise node as its expression."""
    w = w or Words()
    node = graph.node(node_id)
    if node.kind == "dense":
        # n.dense -> sum_n[t], a second dense node of the equation n.dense2 -> sum2_n[t].
        return w.sum(node.id.rpartition("dense")[2], str(node.equation))
    if node.kind != "pointwise":
        return w.name(node.label)
    parts = [_read(graph, o.source, o.activation, w) for o in node.operands if o.source]
    symbol, arity = POINTWISE_OPS[node.op or ""]
    return w.group(w.prefix(symbol) + parts[0] if arity == 1 else w.op(symbol).join(parts))


def _read(graph: CellGraph, source: str, activation: str, w: Words) -> str:
    name = _name(graph, source, w)
    return name if activation == "identity" else w.call(ACTIVATIONS[activation], name)


def _grad(graph: CellGraph, node_id: str, w: Words | None = None) -> str:
    return (w or Words()).grad(_name(graph, node_id, w))


def chain_rows(cell: Cell, values: Mapping[str, Any], grads: Mapping[str, Any],
               later: Mapping[str, Any] | None, weights: Mapping[str, Any],
               digits: int = 2, *, words: Words | None = None) -> tuple[Row, ...]:
    """The backward pass of one step for one vector (no batch): ``values`` and ``grads`` are
    the step's forward values and gradients by node id (``Gradients.trace[t]``), ``later`` the
    next step's gradients (None at the last step), for L = the sum of h over the steps. Rows
    in the order the backward pass adds them; each names the gradient it adds to, the rule,
    the rule with the numbers, and what it adds, written by ``words`` (plain text with
    ``digits`` decimals by default; ``mathml.MathWords`` for MathML)."""
    from ..numeric.backward import DERIVATIVES
    from ..numeric.ops import ACTIVATION_FUNCTIONS

    graph = cell.graph
    w = words or Words(digits)

    def read(source: str, activation: str) -> Any:
        fn = ACTIVATION_FUNCTIONS[activation]
        return values[source] if fn is None else fn(values[source])

    def through(source: str, activation: str, share: Any, rule: str, numbers: str) -> Row:
        """A share for an operand read through an activation: times its derivative."""
        deriv = DERIVATIVES[activation]
        if deriv is not None:
            slope = deriv(read(source, activation))
            name = ACTIVATIONS[activation]
            rule += w.op("⊙") + w.call(f"{name}′", _name(graph, source, w))
            numbers += w.op("⊙") + w.vec(slope)
            share = share * slope
        result = w.vec(share)
        return (w.assign(_grad(graph, source, w), "+="), rule,
                "" if numbers == result else numbers, result)

    rows: list[Row] = []
    hidden = cell.plan.hidden
    for name in graph.outputs:
        if name == hidden:
            rows.append((w.assign(_grad(graph, name, w), "="), w.loss(w.name("h[t]")), "",
                         w.vec([1.0] * len(values[name]))))
        if later is not None and name in graph.states:
            rows.append((w.assign(_grad(graph, name, w), "+="), w.text("back from the next step"),
                         "", w.vec(later[graph.prev_id(name)])))
    for node in reversed(graph.nodes):
        if node.kind in ("input", "state"):
            continue
        rows += _node_rows(graph, node, grads[node.id], weights, read, through, w)
    return tuple(rows)


def _node_rows(graph: CellGraph, node: Node, g: Any, weights: Mapping[str, Any], read: Any,
               through: Any, w: Words) -> list[Row]:
    """The rows one node adds: a share for each operand (and each weight of a dense node)."""
    mine, rows = _grad(graph, node.id, w), []
    if node.kind in ("vector", "output"):
        (o,) = node.operands
        assert o.source is not None
        return [through(o.source, o.activation, g, mine, w.vec(g))]
    if node.kind == "pointwise":
        operands = [o for o in node.operands if o.source]
        for k, o in enumerate(operands):
            assert o.source is not None
            if node.op == "mul":
                other = operands[1 - k]
                assert other.source is not None
                factor = read(other.source, other.activation)
                rows.append(through(o.source, o.activation, g * factor,
                                    mine + w.op("⊙") + _read(graph, other.source,
                                                             other.activation, w),
                                    w.vec(g) + w.op("⊙") + w.vec(factor)))
            else:
                negative = node.op in ("neg", "one_minus") or (node.op == "sub" and k == 1)
                sign = w.prefix("−") if negative else ""
                rows.append(through(o.source, o.activation, -g if negative else g,
                                    sign + mine, sign + w.vec(g)))
        return rows
    for o in node.operands:
        assert o.param is not None
        param = w.name(o.param)
        if o.role == "bias":
            rows.append((w.assign(w.grad(param), "+="), mine, "", w.vec(g)))
        elif o.role == "diag" and o.source:
            p = weights[o.param]
            rows.append(through(o.source, o.activation, g * p, mine + w.op("⊙") + param,
                                w.vec(g) + w.op("⊙") + w.vec(p)))
            rows.append((w.assign(w.grad(param), "+="),
                         mine + w.op("⊙") + _read(graph, o.source, o.activation, w), "",
                         w.vec(g * read(o.source, o.activation))))
        elif o.source:
            m = weights[o.param]
            rows.append(through(o.source, o.activation, m.T @ g,
                                w.transpose(param) + w.op("·") + mine,
                                w.transpose(param) + w.op("·") + w.vec(g)))
            rows.append((w.assign(w.grad(param), "+="),
                         mine + w.op("·") + w.transpose(_read(graph, o.source, o.activation, w)),
                         "", w.shape(m.shape[0], m.shape[1])))
    return rows
