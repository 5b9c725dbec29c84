"""Equations written out again, with and without the numbers of one step."""

from __future__ import annotations

import pytest

from cellviz import BUILTIN_CELLS, CONVENTIONS, load_graph
from cellviz.lang.substitute import format_number, substitute
from cellviz.lang.syntax import parse
from cellviz.lang.tree import Binary, Call, Expr, Unary, VectorRef


def shape_of(expr: Expr) -> object:
    """An expression's tree without its source positions."""
    if isinstance(expr, Binary):
        return (expr.op, shape_of(expr.left), shape_of(expr.right))
    if isinstance(expr, Call):
        return (expr.func, shape_of(expr.arg))
    if isinstance(expr, Unary):
        return ("neg", shape_of(expr.operand))
    if isinstance(expr, VectorRef):
        return (expr.name, expr.lag)
    return type(expr).__name__ + getattr(expr, "name", "")


def unpretty(text: str) -> str:
    for fancy, plain in [("·", "@"), ("⊙", "*"), ("−", "-"), ("σ(", "sigmoid(")]:
        text = text.replace(fancy, plain)
    return text


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name", BUILTIN_CELLS)
def test_written_equations_parse_back_to_the_same_tree(name: str, convention: str) -> None:
    graph = load_graph(name, convention)
    original = {eq.name: eq.expr for eq in parse(graph.source).equations}
    written = substitute(graph, {})
    assert [w.name for w in written] == [n.id for n in graph.nodes if n.name == n.equation
                                         and n.equation is not None]
    for eq in written:
        again = parse(unpretty(eq.written)).equations[0]
        assert shape_of(again.expr) == shape_of(original[eq.name]), eq.written


def test_values_are_put_in_for_vectors_only() -> None:
    graph = load_graph("lstm")
    trace = {node.id: [0.5, -0.125] for node in graph.nodes} | {"x": [1.0, 2.0, 3.0]}
    by_name = {eq.name: eq for eq in substitute(graph, trace, digits=3)}
    assert by_name["c"].substituted == (
        "[0.500, −0.125] ⊙ [0.500, −0.125] + [0.500, −0.125] ⊙ [0.500, −0.125]"
    )
    assert by_name["f"].substituted.startswith("σ(W_f · [1.000, 2.000, 3.000] + U_f · ")
    assert by_name["f"].activated == "σ([0.500, −0.125])"
    assert by_name["c"].activated == ""
    assert by_name["h"].written == "h[t] = o[t] ⊙ tanh(c[t])"


@pytest.mark.parametrize(("value", "text"), [(0.0, "0.00"), (-0.0001, "0.00"), (-2.5, "−2.50"),
                                             (12.345, "12.35"), (1e6, "1000000.00")])
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text
