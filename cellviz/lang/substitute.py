"""A cell's equations written out again with the numbers of one step put in for the vectors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..graph import ACTIVATIONS, CellGraph, Node
from ..record import record
from .syntax import parse
from .tree import Call, Expr, One, ParamRef, Unary, VectorRef

__all__ = ["OPERATORS", "PRECEDENCE", "SubstitutedEquation", "equations", "format_number",
           "format_vector", "substitute"]

#: How each binary operator of the cell language is printed, and how tightly it binds.
OPERATORS = {"@": "·", "*": "⊙", "+": "+", "-": "−"}
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "@": 2}


@record
class SubstitutedEquation:
    """One equation as written, with the vectors' values put in, the activation's argument (empty
    when the equation applies none at its top) and its result."""

    name: str
    written: str
    substituted: str
    activated: str
    result: str


def format_number(value: float, digits: int = 2) -> str:
    """A number as a figure prints it: fixed digits, a real minus sign, no negative zero.

    >>> format_number(-0.004), format_number(0.5), format_number(-1.25), format_number(-0.4, 0)
    ('0.00', '0.50', '−1.25', '0')
    """
    text = f"{value:.{digits}f}"
    if text.startswith("-"):
        text = f"{0.0:.{digits}f}" if float(text) == 0 else "−" + text[1:]
    return text


def format_vector(values: Sequence[float], digits: int = 2) -> str:
    """A vector as a bracketed list: ``[0.12, −0.40]``."""
    return "[" + ", ".join(format_number(float(v), digits) for v in values) + "]"


def _write(expr: Expr, values: Mapping[str, Sequence[float]] | None, digits: int,
           parent: int = 0, right: bool = False) -> str:
    """Print an expression with the fewest parentheses; vectors become their values if given."""
    if isinstance(expr, VectorRef):
        key = CellGraph.prev_id(expr.name) if expr.lag else expr.name
        if values is not None and key in values:
            return format_vector(values[key], digits)
        return f"{expr.name}[t-1]" if expr.lag else f"{expr.name}[t]"
    if isinstance(expr, ParamRef):
        return expr.name
    if isinstance(expr, One):
        return "1"
    if isinstance(expr, Call):
        name = ACTIVATIONS.get(expr.func) or expr.func
        return f"{name}({_write(expr.arg, values, digits)})"
    if isinstance(expr, Unary):
        return "−" + _write(expr.operand, values, digits, 3)
    prec = PRECEDENCE[expr.op]
    text = (
        f"{_write(expr.left, values, digits, prec)} {OPERATORS[expr.op]} "
        f"{_write(expr.right, values, digits, prec, right=True)}"
    )
    return f"({text})" if prec < parent or (prec == parent and right) else text


def substitute(
    graph: CellGraph, trace: Mapping[str, Sequence[float]], *, digits: int = 2
) -> list[SubstitutedEquation]:
    """The cell's equations in order of computation, each with the values of one step (``trace``
    maps node ids to 1-D sequences, as the evaluator's trace for a single vector does).

    >>> from cellviz.lang.library import load_graph
    >>> g = load_graph("rnn")
    >>> trace = {"x": [1, 0, -1], "h_prev": [0, 0], "h.dense": [0.6, -0.3], "h": [0.54, -0.29]}
    >>> eq, = substitute(g, trace)
    >>> eq.substituted
    'tanh(W_h · [1.00, 0.00, −1.00] + U_h · [0.00, 0.00] + b_h)'
    >>> eq.activated, eq.result
    ('tanh([0.60, −0.30])', '[0.54, −0.29]')
    """
    out = []
    for node, expr in equations(graph):
        (operand,) = node.operands
        activated = ""
        src = operand.source
        if operand.activation != "identity" and src is not None and src in trace:
            label = ACTIVATIONS[operand.activation] or operand.activation
            activated = f"{label}({format_vector(trace[src], digits)})"
        out.append(
            SubstitutedEquation(
                node.name or "",
                f"{node.label} = {_write(expr, None, digits)}",
                _write(expr, trace, digits),
                activated,
                format_vector(trace[node.id], digits) if node.id in trace else "",
            )
        )
    return out


def equations(graph: CellGraph) -> list[tuple[Node, Expr]]:
    """Each equation of the cell, in order of computation: the node it defines and its
    right-hand side as parsed from the cell's source."""
    by_name = {eq.name: eq for eq in parse(graph.source, graph.path or graph.name).equations}
    return [(node, by_name[node.name].expr) for node in graph.nodes
            if node.equation is not None and node.name == node.equation]
