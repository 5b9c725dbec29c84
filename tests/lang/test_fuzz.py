"""Property: any text, and any mutation of a built-in cell, gives a cell or a cellviz error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cellviz
from cellviz import BUILTIN_CELLS, CONVENTIONS, CellvizError
from cellviz.cell import Cell
from cellviz.lang.build import build
from cellviz.lang.library import builtin_text
from cellviz.lang.syntax import parse

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


# An evaluator written node by node from the graph, sharing no code with cellviz's compiled plan:
# the reference for cells no framework has.
_REFERENCE_ACTIVATIONS = {
    "identity": lambda v: v,
    "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)),
    "tanh": np.tanh,
    "relu": lambda v: np.where(v > 0, v, 0.0),
    "hard_sigmoid": lambda v: np.minimum(np.maximum(v / 6.0 + 0.5, 0.0), 1.0),
    "softsign": lambda v: v / (1.0 + np.abs(v)),
}


def _reference_pointwise(op: str | None, ins: list[Any]) -> Any:
    if op == "neg":
        return -ins[0]
    if op == "one_minus":
        return 1.0 - ins[0]
    a, b = ins
    return a * b if op == "mul" else a + b if op == "add" else a - b


def reference_step(cell: Cell, weights: dict[str, Any], x: dict[str, Any],
                   state: dict[str, Any]) -> dict[str, Any]:
    graph, values = cell.graph, {}
    for node in graph.nodes:
        ins = [None if o.source is None else _REFERENCE_ACTIVATIONS[o.activation](values[o.source])
               for o in node.operands]
        if node.kind == "input":
            values[node.id] = x[node.id]
        elif node.kind == "state":
            values[node.id] = state[node.name]
        elif node.kind == "dense":
            total = np.zeros(cell.size(node.size))
            for operand, v in zip(node.operands, ins, strict=True):
                w = weights[operand.param]
                total = total + (w @ v if operand.role == "matrix" else w * v if v is not None
                                 else w)
            values[node.id] = total
        elif node.kind == "pointwise":
            values[node.id] = _reference_pointwise(node.op, ins)
        else:
            values[node.id] = ins[0]
    return values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.integers(0, 2**16))
def test_mutated_cells_compute_what_their_equations_say(text: str, seed: int) -> None:
    try:
        graph = build(parse(text, "fuzz.cell"), "fuzz")
    except CellvizError:
        return
    cell = Cell(graph, tuple((s, 2 + k) for k, s in enumerate(graph.sizes)))
    rng = np.random.default_rng(seed)
    weights = cellviz.init_weights(cell, seed=seed)
    x = {n: rng.standard_normal(cell.size(graph.node(n).size)) for n in graph.inputs}
    state = {s: rng.standard_normal(cell.size(graph.node(graph.prev_id(s)).size))
             for s in graph.states}
    _, trace = cell.step(weights, x if len(x) != 1 else next(iter(x.values())), state)
    want = reference_step(cell, weights, x, state)
    for node_id, value in want.items():
        np.testing.assert_allclose(trace[node_id], value, rtol=1e-10, atol=1e-12,
                                   err_msg=node_id)


# Every operation and activation the built-in cells do not use: subtraction, negation, tied and
# element-wise weights, two inputs, declared sizes and outputs.
ODD_CELL = """\
input x: i, u: k
state h: n
output y: o
a[t] = relu(W @ x[t] - V @ u[t] + p * h[t-1] + b)
s[t] = hard_sigmoid(-(W @ x[t]) + softsign(U @ h[t-1]))
h[t] = s[t] * h[t-1] - (1 - s[t]) * a[t]
y[t] = Y @ h[t] + c
"""


@pytest.mark.parametrize("text", [*SOURCES, ODD_CELL],
                         ids=[f"{n}-{c}" for n in BUILTIN_CELLS for c in CONVENTIONS] + ["odd"])
def test_builtin_cells_compute_what_their_equations_say(text: str) -> None:
    test_mutated_cells_compute_what_their_equations_say.hypothesis.inner_test(text, 5)
