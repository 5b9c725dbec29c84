"""The chain rule of one step written out with numbers, node by node from the outputs back,
as the walkthrough page's backward pass shows it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..graph import ACTIVATIONS, POINTWISE_OPS, CellGraph, Node
from ..lang.substitute import format_vector

if TYPE_CHECKING:
    from ..cell import Cell

__all__ = ["Row", "chain_rows"]

#: One row: the gradient added to (``∂L/∂c[t] +=``), the rule, the rule with numbers, the
#: share it adds.
Row = tuple[str, str, str, str]


def _name(graph: CellGraph, node_id: str) -> str:
    """How a node reads in a rule: a vector's label, ``sum_f[t]`` for a gate's sum before its
    activation, a pointwise node as its expression."""
    node = graph.node(node_id)
    if node.kind == "dense":
        # n.dense -> sum_n[t], a second dense node of the equation n.dense2 -> sum2_n[t].
        return f"sum{node.id.rpartition('dense')[2]}_{node.equation}[t]"
    if node.kind != "pointwise":
        return node.label
    parts = [_read(graph, o.source, o.activation) for o in node.operands if o.source]
    symbol, arity = POINTWISE_OPS[node.op or ""]
    return f"({symbol}{parts[0]})" if arity == 1 else f"({f' {symbol} '.join(parts)})"


def _read(graph: CellGraph, source: str, activation: str) -> str:
    name = _name(graph, source)
    return name if activation == "identity" else f"{ACTIVATIONS[activation]}({name})"


def _grad(graph: CellGraph, node_id: str) -> str:
    return f"∂L/∂{_name(graph, node_id)}"


def chain_rows(cell: Cell, values: Mapping[str, Any], grads: Mapping[str, Any],
               later: Mapping[str, Any] | None, weights: Mapping[str, Any],
               digits: int = 2) -> tuple[Row, ...]:
    """The backward pass of one step for one vector (no batch): ``values`` and ``grads`` are
    the step's forward values and gradients by node id (``Gradients.trace[t]``), ``later`` the
    next step's gradients (None at the last step), for L = the sum of h over the steps. Rows
    in the order the backward pass adds them; each names the gradient it adds to, the rule,
    the rule with the numbers, and what it adds."""
    import numpy as np

    from ..numeric.backward import DERIVATIVES
    from ..numeric.ops import ACTIVATION_FUNCTIONS

    graph = cell.graph

    def vec(a: Any) -> str:
        return format_vector(np.asarray(a).tolist(), digits)

    def read(source: str, activation: str) -> Any:
        fn = ACTIVATION_FUNCTIONS[activation]
        return values[source] if fn is None else fn(values[source])

    def through(source: str, activation: str, share: Any, rule: str, numbers: str) -> Row:
        """A share for an operand read through an activation: times its derivative."""
        deriv = DERIVATIVES[activation]
        if deriv is not None:
            slope = deriv(read(source, activation))
            name = ACTIVATIONS[activation]
            rule += f" ⊙ {name}′({_name(graph, source)})"
            numbers += f" ⊙ {vec(slope)}"
            share = share * slope
        result = vec(share)
        return (f"{_grad(graph, source)} +=", rule, "" if numbers == result else numbers, result)

    rows: list[Row] = []
    hidden = cell.plan.hidden
    for name in graph.outputs:
        if name == hidden:
            rows.append((f"{_grad(graph, name)} =", "∂(Σ h)/∂h[t], from the loss", "",
                         vec(np.ones_like(values[name]))))
        if later is not None and name in graph.states:
            rows.append((f"{_grad(graph, name)} +=", "back from the next step", "",
                         vec(later[graph.prev_id(name)])))
    for node in reversed(graph.nodes):
        if node.kind in ("input", "state"):
            continue
        g = grads[node.id]
        rows += _node_rows(graph, node, g, values, weights, read, through, vec)
    return tuple(rows)


def _node_rows(graph: CellGraph, node: Node, g: Any, values: Mapping[str, Any],
               weights: Mapping[str, Any], read: Any, through: Any, vec: Any) -> list[Row]:
    """The rows one node adds: a share for each operand (and each weight of a dense node)."""
    mine, rows = _grad(graph, node.id), []
    if node.kind in ("vector", "output"):
        (o,) = node.operands
        assert o.source is not None
        return [through(o.source, o.activation, g, mine, vec(g))]
    if node.kind == "pointwise":
        operands = [o for o in node.operands if o.source]
        for k, o in enumerate(operands):
            assert o.source is not None
            if node.op == "mul":
                other = operands[1 - k]
                assert other.source is not None
                factor = read(other.source, other.activation)
                rows.append(through(o.source, o.activation, g * factor,
                                    f"{mine} ⊙ {_read(graph, other.source, other.activation)}",
                                    f"{vec(g)} ⊙ {vec(factor)}"))
            else:
                negative = node.op in ("neg", "one_minus") or (node.op == "sub" and k == 1)
                rows.append(through(o.source, o.activation, -g if negative else g,
                                    ("−" if negative else "") + mine,
                                    ("−" if negative else "") + vec(g)))
        return rows
    for o in node.operands:
        assert o.param is not None
        if o.role == "bias":
            rows.append((f"∂L/∂{o.param} +=", mine, "", vec(g)))
        elif o.role == "diag" and o.source:
            p = weights[o.param]
            rows.append(through(o.source, o.activation, g * p, f"{mine} ⊙ {o.param}",
                                f"{vec(g)} ⊙ {vec(p)}"))
            rows.append((f"∂L/∂{o.param} +=", f"{mine} ⊙ {_read(graph, o.source, o.activation)}",
                         "", vec(g * read(o.source, o.activation))))
        elif o.source:
            w = weights[o.param]
            rows.append(through(o.source, o.activation, w.T @ g, f"{o.param}ᵀ · {mine}",
                                f"{o.param}ᵀ · {vec(g)}"))
            rows.append((f"∂L/∂{o.param} +=",
                         f"{mine} · {_read(graph, o.source, o.activation)}ᵀ", "",
                         f"{w.shape[0]}×{w.shape[1]}, in the figure"))
    return rows
