"""Tokenizer and parser of the cell-file language: text in, a syntax tree out, nothing executed."""

from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import CellSyntaxError, Location
from .tree import (
    Binary,
    Call,
    CellSource,
    Decl,
    Equation,
    Expr,
    One,
    ParamDecl,
    ParamRef,
    Span,
    Unary,
    VectorRef,
    depth,
    split_lines,
)

__all__ = ["CELL_NAME", "MAX_DEPTH", "MAX_NESTING", "count_equations", "parse"]

DECL_KINDS = ("input", "state", "output")

#: How deeply parentheses, calls and unary minus may nest, and how deep an expression's tree
#: may grow (a chain a + b + c + ... is as deep as it is long): far beyond any real cell, well
#: within what the recursive walks over the tree can take.
MAX_NESTING = 40
MAX_DEPTH = 120

_TOKEN = re.compile(
    r"(?P<ws>[ \t\f\r]+)|(?P<comment>#.*)|(?P<name>[^\W\d]\w*)|(?P<number>\d+)"
    r"|(?P<op>[@*+\-()\[\]=:,×])|(?P<bad>.)", re.S
)

#: What a cell's name written in its ``cell`` line may be.
CELL_NAME = re.compile(r"\w[\w.\-]*")

#: Characters a line of a cell file may not hold (a tab may).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f\ufffe\uffff]")


class _Token(NamedTuple):
    """One token of a line (a tuple: a file of 100,000 lines makes millions of them)."""

    kind: str  # name, number, op, end
    text: str
    col: int  # 1-based

    @property
    def end(self) -> int:
        return self.col + len(self.text)


def _describe(tok: _Token) -> str:
    return "the end of the line" if tok.kind == "end" else repr(tok.text)


class _LineParser:
    """Recursive descent over the tokens of one line."""

    def __init__(self, path: str, lineno: int, line: str) -> None:
        self.path = path
        self.lineno = lineno
        self.line = line
        self.nesting = 0
        bad = _CONTROL.search(line)
        if bad:
            self.fail(bad.start() + 1, f"control character U+{ord(bad.group()):04X} is not "
                      "allowed (cell files are plain text)")
        self.tokens: list[_Token] = []
        self.comment: str | None = None
        for m in _TOKEN.finditer(line):
            kind = m.lastgroup
            if kind == "ws":
                continue
            if kind == "comment":
                self.comment = m.group()[1:].strip() or None
            elif kind == "bad":
                self.fail(m.start() + 1, f"unexpected character {m.group()!r}")
            else:
                self.tokens.append(_Token(str(kind), m.group(), m.start() + 1))
        self.tokens.append(_Token("end", "", len(line) + 1))
        self.i = 0
        #: The current token, ``self.tokens[self.i]``, kept as an attribute: it is read
        #: millions of times in a long file.
        self.tok = self.tokens[0]

    def fail(self, col: int, message: str) -> None:
        raise CellSyntaxError(Location(self.path, self.lineno, col), message)

    def peek(self, k: int = 1) -> _Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        tok = self.tok
        if tok.kind != "end":
            self.i += 1
            self.tok = self.tokens[self.i]
        return tok

    def expect(self, text: str, what: str | None = None) -> _Token:
        if self.tok.text != text or self.tok.kind != "op":
            found = _describe(self.tok)
            self.fail(self.tok.col, f"expected {what or repr(text)} but found {found}")
        return self.advance()

    def expect_name(self, what: str) -> _Token:
        if self.tok.kind != "name":
            self.fail(self.tok.col, f"expected {what} but found {_describe(self.tok)}")
        return self.advance()

    def expect_end(self) -> None:
        if self.tok.kind != "end":
            self.fail(self.tok.col, f"unexpected {_describe(self.tok)}")

    def span(self, start: int) -> Span:
        last = self.tokens[self.i - 1]
        return Span(self.lineno, start, last.col + len(last.text))

    # statements

    def statement(self) -> Equation | list[Decl] | ParamDecl | str:
        first = self.tok
        if first.kind == "name" and self.peek().kind == "name":
            if first.text == "cell":
                self.advance()
                name = self.tok
                if name.kind != "name":
                    self.fail(name.col, f"expected a cell name but found {_describe(name)}")
                # Cell names may hold dashes (lstm-peephole): take the rest of the line.
                text = self.line[name.col - 1 : self.tokens[-2].end - 1]
                if not CELL_NAME.fullmatch(text):
                    self.fail(name.col, f"a cell name is letters, digits, '-', '_', not {text!r}")
                return text
            if first.text in DECL_KINDS:
                return self.declarations()
            if first.text == "param":
                return self.param_declaration()
        return self.equation()

    def declarations(self) -> list[Decl]:
        kind = self.advance().text
        decls = []
        while True:
            start = self.tok.col
            name = self.expect_name(f"the name of an {kind}" if kind != "state" else "a state name")
            size = None
            if self.tok.text == ":":
                self.advance()
                size = self.expect_name("a size symbol such as i, n or p").text
            decls.append(Decl(kind, name.text, size, self.span(start)))
            if self.tok.text != ",":
                break
            self.advance()
        self.expect_end()
        return decls

    def param_declaration(self) -> ParamDecl:
        start = self.advance().col
        name = self.expect_name("a parameter name").text
        self.expect(":")
        dims = [self.expect_name("a size symbol such as i, n or p").text]
        while self.tok.text in ("x", "×", "*"):
            self.advance()
            dims.append(self.expect_name("a size symbol such as i, n or p").text)
        self.expect_end()
        if len(dims) > 2:
            self.fail(start, f"a parameter is a matrix or a vector, not {'×'.join(dims)}")
        return ParamDecl(name, tuple(dims), self.span(start))

    def equation(self) -> Equation:
        start = self.tok.col
        name = self.expect_name("an equation such as 'h[t] = ...'")
        lag = self.time_index()
        if lag != 0:
            self.fail(start, f"only vectors at [t] can be assigned, not {name.text}[t-1]")
        lhs_span = self.span(start)
        self.expect("=", "'=' after " + repr(f"{name.text}[t]"))
        if self.tok.kind == "end":
            self.fail(self.tok.col, "expected an expression after '='")
        expr = self.sum()
        self.expect_end()
        if depth(expr) > MAX_DEPTH:
            self.fail(start, f"expression too deep (more than {MAX_DEPTH} operations in a "
                      "chain); split it into several equations")
        return Equation(name.text, expr, self.comment, lhs_span)

    def time_index(self) -> int:
        self.expect("[", "'[t]' or '[t-1]'")
        t = self.tok
        if t.kind != "name" or t.text != "t":
            self.fail(t.col, f"expected the time index 't' but found {_describe(t)}")
        self.advance()
        lag = 0
        if self.tok.text in ("-", "+"):
            sign = self.advance()
            n = self.tok
            if sign.text != "-" or n.text != "1":
                self.fail(sign.col, "only [t] and [t-1] are allowed as time indices")
            self.advance()
            lag = 1
        self.expect("]", "']' (only [t] and [t-1] are allowed)")
        return lag

    # expressions: sum := product (('+'|'-') product)*; product := unary (('*'|'@') unary)*

    def sum(self) -> Expr:
        start = self.tok.col
        left = self.product()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance()
            right = self.product()
            left = Binary(op.text, left, right, self.span(start), op.col)
        return left

    def product(self) -> Expr:
        start = self.tok.col
        left = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*@":
            op = self.advance()
            right = self.unary()
            left = Binary(op.text, left, right, self.span(start), op.col)
        return left

    def unary(self) -> Expr:
        if self.tok.kind == "op" and self.tok.text == "-":
            start = self.advance().col
            self.enter(start)
            operand = self.unary()
            self.nesting -= 1
            return Unary(operand, self.span(start))
        return self.primary()

    def enter(self, col: int) -> None:
        """One level deeper into parentheses, a call or a unary minus."""
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            self.fail(col, f"expression nested too deeply (more than {MAX_NESTING} levels of "
                      "parentheses, calls and minus signs); split it into several equations")

    def primary(self) -> Expr:
        tok = self.tok
        if tok.kind == "number":
            self.advance()
            if tok.text != "1":
                self.fail(tok.col, f"the only constant is 1 (as in '1 - z[t]'), not {tok.text}")
            return One(self.span(tok.col))
        if tok.kind == "op" and tok.text == "(":
            self.advance()
            self.enter(tok.col)
            if self.tok.kind == "end" or self.tok.text == ")":
                self.fail(self.tok.col, f"expected an expression but found {_describe(self.tok)}")
            inner = self.sum()
            self.expect(")", "')'")
            self.nesting -= 1
            return inner
        if tok.kind == "name":
            self.advance()
            nxt = self.tok
            if nxt.kind == "op" and nxt.text == "[":
                lag = self.time_index()
                return VectorRef(tok.text, lag, self.span(tok.col))
            if nxt.kind == "op" and nxt.text == "(":
                self.advance()
                self.enter(tok.col)
                if self.tok.text == ")":
                    self.fail(self.tok.col, f"{tok.text}() needs an argument")
                arg = self.sum()
                self.expect(")", "')'")
                self.nesting -= 1
                return Call(tok.text, arg, self.span(tok.col))
            return ParamRef(tok.text, self.span(tok.col))
        self.fail(tok.col, f"expected a vector, parameter or '(' but found {_describe(tok)}")
        raise AssertionError("unreachable")


def parse(text: str, path: str = "<cell>") -> CellSource:
    """Parse the text of a cell file; raise CellSyntaxError at the first line that does not parse.

    >>> src = parse("h[t] = tanh(W @ x[t] + U @ h[t-1] + b)  # hidden state")
    >>> src.equations[0].name, src.equations[0].comment
    ('h', 'hidden state')
    """
    name: str | None = None
    decls: list[Decl] = []
    params: list[ParamDecl] = []
    equations: list[Equation] = []
    description: str | None = None
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some editors write
    for lineno, line in enumerate(split_lines(text), start=1):
        parser = _LineParser(path, lineno, line)
        if len(parser.tokens) == 1:  # blank or comment-only
            if description is None and not equations and parser.comment:
                description = parser.comment
            continue
        stmt = parser.statement()
        if isinstance(stmt, str):
            if name is not None:
                parser.fail(1, f"the cell is named twice ({name!r}, then {stmt!r})")
            name = stmt
        elif isinstance(stmt, list):
            decls.extend(stmt)
        elif isinstance(stmt, ParamDecl):
            params.append(stmt)
        else:
            equations.append(stmt)
    if not equations:
        raise CellSyntaxError(
            Location(path, 1, 1), "no equations: a cell needs at least one line like 'h[t] = ...'"
        )
    return CellSource(
        path, text, name, tuple(decls), tuple(params), tuple(equations), description
    )


def count_equations(text: str) -> int:
    r"""How many equations a cell file holds, without parsing it: '=' stands only in an equation,
    once, so this is the count of lines with '=' before any comment. Cheap enough to refuse a
    file too large to draw before it is parsed.

    >>> count_equations("state h  # h = ...\nh[t] = tanh(W @ x[t] + b)\n")
    1
    """
    return sum(1 for line in split_lines(text) if "=" in line.partition("#")[0])
