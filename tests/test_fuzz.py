"""Property: any text, and any mutation of a built-in cell, gives a cell or a cellviz error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellviz import BUILTIN_CELLS, CONVENTIONS, CellvizError
from cellviz.build import build
from cellviz.cell import Cell
from cellviz.library import builtin_text
from cellviz.syntax import parse

SOURCES = [builtin_text(name, c)[1] for name in BUILTIN_CELLS for c in CONVENTIONS]

TOKENS = [
    "[t]", "[t-1]", "[t+1]", "(", ")", "@", "*", "+", "-", "=", "1", "2", "#", ":", ",", "x",
    "h", "c", "W", "b_q", "sigmoid(", "tanh(", "relu(", "frob(", "input ", "state ", "output ",
    "param ", "cell ", " ", "\n", "×", "\t", "é", "<&\">", "\x00",
]


def check(text: str) -> None:
    """Parse, build and bind: a Cell, or a CellvizError with a one-line message."""
    try:
        graph = build(parse(text, "fuzz.cell"), "fuzz")
        cell = Cell(graph, tuple((s, 2) for s in graph.sizes))
        assert cell.params().total > 0 or not graph.params
    except CellvizError as exc:
        assert str(exc) and "\n" not in str(exc)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "swap-lines", "dup-line"]))
        if kind == "insert":
            text = text[:pos] + draw(st.sampled_from(TOKENS)) + text[pos:]
        elif kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 12)) :]
        elif kind == "replace":
            text = text[:pos] + draw(st.sampled_from(TOKENS)) + text[pos + 1 :]
        else:
            lines = text.splitlines()
            a = draw(st.integers(0, len(lines) - 1))
            b = draw(st.integers(0, len(lines) - 1))
            if kind == "swap-lines":
                lines[a], lines[b] = lines[b], lines[a]
            else:
                lines.insert(b, lines[a])
            text = "\n".join(lines)
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_builtin_cells(text: str) -> None:
    check(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    check(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_random_token_soup(text: str) -> None:
    check("h[t] = " + text)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["(", "-", "tanh(", "(W @ ", "x[t] * ", "b + "]), st.integers(1, 600))
def test_deep_and_long_expressions(piece: str, count: int) -> None:
    opened = piece.count("(")
    check("h[t] = " + piece * count + "h[t-1]" + ")" * (opened * count))
