"""The syntax tree of a cell file: expressions, declarations and equations, with positions."""

from __future__ import annotations

from functools import cached_property
from typing import NamedTuple, Union

from ..errors import Location
from ..record import record

__all__ = [
    "Binary",
    "Call",
    "CellSource",
    "Decl",
    "Equation",
    "Expr",
    "One",
    "ParamDecl",
    "ParamRef",
    "Span",
    "Unary",
    "VectorRef",
    "depth",
    "split_lines",
]


def split_lines(text: str) -> list[str]:
    """A file's lines: broken at \\n, \\r\\n and \\r only (not at the form feeds and Unicode
    separators that str.splitlines also breaks at), so that line numbers match an editor's."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


class Span(NamedTuple):
    """Where an expression stands: its line and its columns (1-based, end exclusive). A tuple,
    not a record: a file of 100,000 lines makes half a million of them."""

    line: int
    col: int
    end: int


@record
class VectorRef:
    """``name[t]`` (lag 0) or ``name[t-1]`` (lag 1)."""

    name: str
    lag: int
    span: Span


@record
class ParamRef:
    """A bare name: a parameter, matrix or vector by its context."""

    name: str
    span: Span


@record
class One:
    """The constant 1, as in ``1 - z[t]``."""

    span: Span


@record
class Call:
    """An activation applied to an expression: ``tanh(...)``."""

    func: str
    arg: Expr
    span: Span


@record
class Unary:
    """Unary minus."""

    operand: Expr
    span: Span


@record
class Binary:
    """``left op right`` with op one of ``+ - * @``; ``op_col`` is where the operator stands."""

    op: str
    left: Expr
    right: Expr
    span: Span
    op_col: int


Expr = Union[VectorRef, ParamRef, One, Call, Unary, Binary]  # noqa: UP007 (a runtime alias on 3.10)


@record
class Decl:
    """``input x: i``, ``state h: n`` or ``output y: o`` (size optional)."""

    kind: str
    name: str
    size: str | None
    span: Span


@record
class ParamDecl:
    """``param W: n x i``: a parameter's shape, declared rather than inferred."""

    name: str
    dims: tuple[str, ...]
    span: Span


@record
class Equation:
    """``name[t] = expr  # comment``; the trailing comment labels the equation's nodes."""

    name: str
    expr: Expr
    comment: str | None
    span: Span


@record
class CellSource:
    """A parsed cell file."""

    path: str
    text: str
    name: str | None
    decls: tuple[Decl, ...]
    params: tuple[ParamDecl, ...]
    equations: tuple[Equation, ...]
    description: str | None

    def location(self, line: int, col: int) -> Location:
        return Location(self.path, line, col)

    @cached_property
    def lines(self) -> list[str]:
        """The file's lines, split once (a lookup per error or label must not split again)."""
        return split_lines(self.text)

    def snippet(self, span: Span) -> str:
        """The source text an expression spans."""
        return self.lines[span.line - 1][span.col - 1 : span.end - 1].strip()


def depth(expr: Expr) -> int:
    """How deep an expression's tree is, found without recursion."""
    deepest = 0
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        e, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(e, Binary):
            stack += [(e.left, d + 1), (e.right, d + 1)]
        elif isinstance(e, Call):
            stack.append((e.arg, d + 1))
        elif isinstance(e, Unary):
            stack.append((e.operand, d + 1))
    return deepest
