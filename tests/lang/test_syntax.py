"""The cell-file parser: what it accepts, and where it points when it does not."""

from __future__ import annotations

import pytest

from cellviz.errors import CellSyntaxError
from cellviz.lang.syntax import parse
from cellviz.lang.tree import Binary, Call, One, ParamRef, Unary, VectorRef

MGU = """\
# Minimal gated unit (Zhou et al. 2016)
cell mgu
input x: i
state h: n
f[t] = sigmoid(W_f @ x[t] + U_f @ h[t-1] + b_f)      # forget gate
h[t] = (1 - f[t]) * h[t-1] + f[t] * tanh(W_h @ x[t] + U_h @ (f[t] * h[t-1]) + b_h)
"""


def test_parses_declarations_equations_and_comments() -> None:
    src = parse(MGU, "mgu.cell")
    assert src.name == "mgu"
    assert src.description == "Minimal gated unit (Zhou et al. 2016)"
    decls = [(d.kind, d.name, d.size) for d in src.decls]
    assert decls == [("input", "x", "i"), ("state", "h", "n")]
    assert [eq.name for eq in src.equations] == ["f", "h"]
    assert src.equations[0].comment == "forget gate"
    assert src.equations[1].comment is None


def test_precedence_is_pythons() -> None:
    # '@' and '*' bind tighter than '+' and '-', all left-associative; unary minus tightest.
    expr = parse("y[t] = a * x[t] + W @ x[t] - -x[t]").equations[0].expr
    assert isinstance(expr, Binary) and expr.op == "-"
    assert isinstance(expr.right, Unary)
    left = expr.left
    assert isinstance(left, Binary) and left.op == "+"
    assert isinstance(left.left, Binary) and left.left.op == "*"
    assert isinstance(left.right, Binary) and left.right.op == "@"


def test_time_indices_constants_and_calls() -> None:
    expr = parse("h[t] = tanh(1 - h[ t - 1 ])").equations[0].expr
    assert isinstance(expr, Call) and expr.func == "tanh"
    inner = expr.arg
    assert isinstance(inner, Binary)
    assert isinstance(inner.left, One)
    assert inner.right == VectorRef("h", 1, inner.right.span)
    assert isinstance(parse("h[t] = b").equations[0].expr, ParamRef)


def test_declarations_without_sizes_and_params() -> None:
    src = parse("input x, u: k\nparam W: n x i\nparam b: n\nh[t] = W @ x[t] + b")
    assert [(d.name, d.size) for d in src.decls] == [("x", None), ("u", "k")]
    assert [(p.name, p.dims) for p in src.params] == [("W", ("n", "i")), ("b", ("n",))]


def test_line_ends_and_byte_order_mark() -> None:
    src = parse("\ufeff# BOM\r\nh[t] = x[t]\r\n\r\ny[t] = h[t]  # a \u2028 b \x85 c\ru[t] = y[t]")
    assert [(eq.name, eq.span.line) for eq in src.equations] == [("h", 2), ("y", 4), ("u", 5)]
    assert src.equations[1].comment == "a \u2028 b \x85 c"
    assert src.snippet(src.equations[2].expr.span) == "y[t]"


def test_long_but_legal_expressions_build() -> None:
    from cellviz.lang.build import build

    text = "h[t] = tanh(W @ x[t]" + "".join(f" + U{k} @ h[t-1]" for k in range(110)) + ")"
    assert len(build(parse(text), "wide").params) == 111


def test_cell_name_may_hold_dashes() -> None:
    assert parse("cell lstm-peephole\nh[t] = h[t-1]").name == "lstm-peephole"


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("h[t] = tanh(W @ x[t]", "1:21", "expected ')'"),
        ("h[t] = W @ x[t] $ 2", "1:17", "unexpected character '$'"),
        ("h[t] = W @ x[t+1]", "1:15", "only [t] and [t-1]"),
        ("h[t] = W @ x[t-2]", "1:15", "only [t] and [t-1]"),
        ("h[t] = W @ x[s]", "1:14", "expected the time index 't'"),
        ("h[t-1] = W @ x[t]", "1:1", "only vectors at [t] can be assigned"),
        ("h[t] = 2 * x[t]", "1:8", "the only constant is 1"),
        ("h[t] =", "1:7", "expected an expression"),
        ("h[t] = ()", "1:9", "expected an expression"),
        ("h[t] = tanh()", "1:13", "tanh() needs an argument"),
        ("h[t] x[t]", "1:6", "expected '=' after 'h[t]'"),
        ("# only a comment\n", "1:1", "no equations"),
        ("param W: n x i x k\nh[t] = W @ x[t]", "1:1", "a matrix or a vector"),
        ("cell a\ncell b\nh[t] = x[t]", "2:1", "named twice"),
        ("\nh[t] = W @ x[t] )", "2:17", "unexpected ')'"),
        ("h[t] = " + "(" * 41 + "x[t]" + ")" * 41, "1:48", "nested too deeply (more than 40"),
        ("h[t] = " + "-" * 41 + "x[t]", "1:48", "nested too deeply"),
        ("h[t] = " + "tanh(" * 41 + "x[t]" + ")" * 41, "1:208", "nested too deeply"),
        ("h[t] = x[t]" + " + b" * 120, "1:1", "expression too deep (more than 120 operations"),
        ("h[t] = x[t]  # a \x01 comment", "1:18", "control character U+0001 is not allowed"),
        ("h[t] = x[t]\x0c", "1:12", "control character U+000C"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 12 else None,
)
def test_syntax_errors_point_at_line_and_column(text: str, where: str, message: str) -> None:
    with pytest.raises(CellSyntaxError) as info:
        parse(text, "bad.cell")
    assert str(info.value).startswith(f"bad.cell:{where}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_the_documented_example_cell_builds() -> None:
    from pathlib import Path

    from cellviz.lang.build import build

    page = (Path(__file__).parents[2] / "docs" / "language.md").read_text(encoding="utf-8")
    block = page.split("This is the minimal gated unit:\n\n```\n", 1)[1].split("```", 1)[0]
    text = "\n".join(line.split("<-")[0].rstrip() for line in block.splitlines())
    graph = build(parse(text, "mgu.cell"), "mgu")
    assert graph.name == "mgu" and graph.states == ("h",)
    assert [g.label for g in graph.gates] == ["forget gate"]
