"""A cell's equations, and the chain rule of its backward pass, as MathML for the walkthrough
page: names with subscripts, and each vector's numbers as a column, abbreviated as the figure
abbreviates it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..draw.glyphs import slots
from ..draw.metrics import runs
from ..draw.scene import escape
from ..graph import ACTIVATIONS, CellGraph
from ..lang.substitute import OPERATORS, PRECEDENCE, equations, format_number
from ..lang.tree import Binary, Call, Expr, One, ParamRef, Unary, VectorRef
from ..record import record
from .chain import Words

__all__ = ["MathEquation", "MathWords", "column", "math_equations"]


@record
class MathEquation:
    """One equation as MathML rows (each the inside of a ``<math>``): as written for the step,
    with the numbers put in, the activation's argument (empty when there is none) and the
    result."""

    written: str
    substituted: str
    activated: str
    result: str


def _name(text: str) -> str:
    """A name with its subscript: W_f as W with f below."""
    parts = runs(text)
    if len(parts) == 2 and parts[1][1]:
        return f"<msub><mi>{escape(parts[0][0])}</mi><mi>{escape(parts[1][0])}</mi></msub>"
    return f"<mi>{escape(text)}</mi>"


def _indexed(name: str, index: int) -> str:
    """``x[1]``: the name, and the step in brackets as the figure writes it."""
    return (f'<mrow>{_name(name)}<mo stretchy="false">[</mo><mn>{index}</mn>'
            f'<mo stretchy="false">]</mo></mrow>')


def column(values: Sequence[float], digits: int) -> str:
    """A vector as a column of numbers in brackets; past a few cells, the first ones, a
    vertical ellipsis and the last, as in the figure."""
    cells = "".join(f"<mtr><mtd><mn>{format_number(float(values[r]), digits)}</mn></mtd></mtr>"
                    if r is not None else "<mtr><mtd><mo>⋮</mo></mtd></mtr>"
                    for r in slots(len(values)))
    return f"<mrow><mo>[</mo><mtable>{cells}</mtable><mo>]</mo></mrow>"


def _write(expr: Expr, values: Mapping[str, Sequence[float]] | None, step: int, digits: int,
           parent: int = 0, right: bool = False) -> str:
    """An expression as MathML with the fewest parentheses; vectors become their numbers if
    ``values`` holds them."""
    if isinstance(expr, VectorRef):
        key = CellGraph.prev_id(expr.name) if expr.lag else expr.name
        if values is not None and key in values:
            return column(values[key], digits)
        return _indexed(expr.name, step - expr.lag)
    if isinstance(expr, ParamRef):
        return _name(expr.name)
    if isinstance(expr, One):
        return "<mn>1</mn>"
    if isinstance(expr, Call):
        name = ACTIVATIONS.get(expr.func) or expr.func
        return (f"<mrow><mi>{escape(name)}</mi><mo>(</mo>"
                f"{_write(expr.arg, values, step, digits)}<mo>)</mo></mrow>")
    if isinstance(expr, Unary):
        return f"<mrow><mo>−</mo>{_write(expr.operand, values, step, digits, 3)}</mrow>"
    assert isinstance(expr, Binary)
    prec = PRECEDENCE[expr.op]
    inner = (f"{_write(expr.left, values, step, digits, prec)}<mo>{OPERATORS[expr.op]}</mo>"
             f"{_write(expr.right, values, step, digits, prec, right=True)}")
    if prec < parent or (prec == parent and right):
        return f"<mrow><mo>(</mo>{inner}<mo>)</mo></mrow>"
    return f"<mrow>{inner}</mrow>"


def math_equations(graph: CellGraph, trace: Mapping[str, Sequence[float]], step: int, *,
                   digits: int = 2) -> list[MathEquation]:
    """The cell's equations in order of computation at step ``step`` (1-based), with the
    numbers of that step (``trace`` maps node ids to 1-D sequences)."""
    out = []
    for node, expr in equations(graph):
        (operand,) = node.operands
        activated = ""
        if operand.activation != "identity" and operand.source in trace:
            label = ACTIVATIONS[operand.activation] or operand.activation
            activated = (f"<mrow><mi>{escape(label)}</mi><mo>(</mo>"
                         f"{column(trace[operand.source or ''], digits)}<mo>)</mo></mrow>")
        out.append(MathEquation(
            f"{_indexed(node.name or '', step)}<mo>=</mo>{_write(expr, None, step, digits)}",
            _write(expr, trace, step, digits), activated,
            column(trace[node.id], digits) if node.id in trace else ""))
    return out


class MathWords(Words):
    """The chain rule's pieces (``chain.chain_rows``) as MathML, at step ``step``: gradients
    as fractions ∂L/∂v, names with subscripts and the step in brackets, transposes and
    derivatives as superscripts, vectors as columns."""

    def __init__(self, step: int, digits: int = 2) -> None:
        super().__init__(digits)
        self.step = step

    def name(self, label: str) -> str:
        for suffix, lag in (("[t-1]", 1), ("[t]", 0)):
            if label.endswith(suffix):
                return _indexed(label.removesuffix(suffix), self.step - lag)
        return _name(label)

    def sum(self, suffix: str, equation: str) -> str:
        return (f"<mrow><msub><mi>sum{escape(suffix)}</mi><mi>{escape(equation)}</mi></msub>"
                f'<mo stretchy="false">[</mo><mn>{self.step}</mn><mo stretchy="false">]</mo>'
                "</mrow>")

    def op(self, symbol: str) -> str:
        return f"<mo>{escape(symbol)}</mo>"

    def prefix(self, symbol: str) -> str:
        return "<mn>1</mn><mo>−</mo>" if symbol == "1−" else f"<mo>{escape(symbol)}</mo>"

    def group(self, inner: str) -> str:
        return f"<mrow><mo>(</mo>{inner}<mo>)</mo></mrow>"

    def call(self, function: str, inner: str) -> str:
        head = (f"<msup><mi>{escape(function[:-1])}</mi><mo>′</mo></msup>"
                if function.endswith("′") else f"<mi>{escape(function)}</mi>")
        return f"<mrow>{head}<mo>(</mo>{inner}<mo>)</mo></mrow>"

    def transpose(self, inner: str) -> str:
        return f'<msup><mrow>{inner}</mrow><mi mathvariant="normal">T</mi></msup>'

    def grad(self, of: str) -> str:
        return ('<mfrac displaystyle="true"><mrow><mo>∂</mo><mi>L</mi></mrow>'
                f"<mrow><mo>∂</mo>{of}</mrow></mfrac>")

    def assign(self, grad: str, sign: str) -> str:
        return f"{grad}<mo>{sign}</mo>"

    def vec(self, values: Any) -> str:
        return column([float(v) for v in values], self.digits)

    def loss(self, name: str) -> str:
        return ('<mfrac displaystyle="true"><mrow><mo>∂</mo><mrow><mo>(</mo><mo>Σ</mo>'
                f"<mi>h</mi><mo>)</mo></mrow></mrow><mrow><mo>∂</mo>{name}</mrow></mfrac>"
                "<mtext>, from the loss</mtext>")

    def text(self, words: str) -> str:
        return f"<mtext>{escape(words)}</mtext>"

    def shape(self, rows: int, cols: int) -> str:
        return (f"<mrow><mn>{rows}</mn><mo>×</mo><mn>{cols}</mn></mrow>"
                "<mtext>, in the figure</mtext>")
