"""Lower equations to graph nodes: dense terms, pointwise operations, sizes unified on the way."""

from __future__ import annotations

from ..errors import CellGraphError, Location, ShapeError
from ..graph import ACTIVATIONS, POINTWISE_OPS, CellGraph, Node, Operand, ParamRole
from ..record import record
from .tree import Binary, Call, CellSource, Equation, Expr, One, ParamRef, Span, Unary, VectorRef

__all__ = ["Lowering", "ParamInfo", "Sizes"]


class Sizes:
    """Union-find over size variables; a root may be bound to a size symbol."""

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.symbol: list[str | None] = []

    def fresh(self, symbol: str | None = None) -> int:
        self.parent.append(len(self.parent))
        self.symbol.append(symbol)
        return len(self.parent) - 1

    def find(self, v: int) -> int:
        while self.parent[v] != v:
            self.parent[v] = self.parent[self.parent[v]]
            v = self.parent[v]
        return v

    def of(self, v: int) -> str | None:
        return self.symbol[self.find(v)]

    def unify(self, a: int, b: int) -> tuple[str, str] | None:
        """Merge two variables; return the two symbols if they are bound to different ones."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        sa, sb = self.symbol[ra], self.symbol[rb]
        if sa is not None and sb is not None and sa != sb:
            return sa, sb
        self.parent[rb] = ra
        self.symbol[ra] = sa if sa is not None else sb
        return None


@record(frozen=False)
class _Value:
    """A lowered vector expression: the node that holds it, the activation still to apply."""

    node: str
    var: int
    activation: str
    text: str


@record(frozen=False)
class ParamInfo:
    role: ParamRole
    dims: tuple[int, ...]
    node: str
    span: Span
    declared: bool = False
    used: bool = False


@record(frozen=False)
class _Term:
    role: ParamRole
    param: ParamRef
    operand: Expr | None


_ROLE_WORDS = {"matrix": "a matrix", "diag": "an element-wise weight", "bias": "a bias"}


class Lowering:
    """Lowers equations to nodes, one at a time, unifying sizes as it goes."""

    def __init__(self, src: CellSource, name: str) -> None:
        self.src = src
        self.name = name
        self.sizes = Sizes()
        self.nodes: list[tuple[Node, int]] = []  # node (size filled in later) and its variable
        self.node_vars: dict[str, int] = {}
        self.by_id: dict[str, Node] = {}
        self.params: dict[str, ParamInfo] = {}
        self.vector_vars: dict[str, int] = {}
        self.counters: dict[str, int] = {}
        self.equation: Equation | None = None
        self.gate_nodes: list[str] = []

    # errors and helpers

    def loc(self, span: Span) -> Location:
        return self.src.location(span.line, span.col)

    def fail(self, span: Span, message: str) -> CellGraphError:
        return CellGraphError(self.loc(span), message)

    def text(self, expr: Expr) -> str:
        return self.src.snippet(expr.span)

    def unify(self, a: int, b: int, span: Span, message: str) -> None:
        """Make two sizes one; ``message`` names the conflict with ``{a}`` and ``{b}``."""
        conflict = self.sizes.unify(a, b)
        if conflict is not None:
            detail = message.replace("{a}", conflict[0]).replace("{b}", conflict[1])
            raise ShapeError(self.loc(span), "shape mismatch: " + detail)

    def add_node(self, node: Node, var: int) -> None:
        if node.id in self.node_vars:
            raise self.fail(
                self.equation.span if self.equation else Span(1, 1, 1),
                f"the name {node.id!r} is used twice; rename the vector",
            )
        self.nodes.append((node, var))
        self.by_id[node.id] = node
        self.node_vars[node.id] = var
        self.gate_nodes.append(node.id)

    def new_id(self, op: str) -> str:
        assert self.equation is not None
        key = f"{self.equation.name}.{op}"
        self.counters[key] = self.counters.get(key, 0) + 1
        count = self.counters[key]
        return key if count == 1 else f"{key}{count}"

    # lowering

    def lower(self, expr: Expr) -> _Value:
        """Lower an expression in vector context to the node that computes it."""
        if isinstance(expr, VectorRef):
            node_id = CellGraph.prev_id(expr.name) if expr.lag else expr.name
            return _Value(node_id, self.vector_vars[expr.name], "identity", self.text(expr))
        if isinstance(expr, One):
            raise self.fail(expr.span, "the constant 1 is only allowed as '1 - v'")
        if isinstance(expr, Call):
            return self.call(expr)
        if isinstance(expr, Unary):
            inner = self.lower(expr.operand)
            return self.pointwise("neg", [inner], expr)
        if isinstance(expr, Binary) and expr.op in "+-":
            return self.sum(expr)
        term = self.as_term(expr)
        if term is not None:
            return self.dense([term], expr)
        assert isinstance(expr, Binary)
        return self.pointwise("mul", [self.lower(expr.left), self.lower(expr.right)], expr)

    def call(self, expr: Call) -> _Value:
        if expr.func not in ACTIVATIONS:
            import difflib

            close = difflib.get_close_matches(expr.func, list(ACTIVATIONS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            known = ", ".join(ACTIVATIONS)
            raise self.fail(expr.span, f"unknown function {expr.func!r} ({hint}known: {known})")
        inner = self.lower(expr.arg)
        if inner.activation != "identity":
            raise self.fail(
                expr.span,
                f"{expr.func}() of {inner.activation}(): one activation per vector; "
                "give the inner vector an equation of its own",
            )
        return _Value(inner.node, inner.var, expr.func, self.text(expr))

    def check_param_name(self, ref: ParamRef) -> None:
        if ref.name in self.vector_vars:
            raise self.fail(
                ref.span,
                f"{ref.name!r} is a vector of this cell: write {ref.name}[t] or {ref.name}[t-1]",
            )

    def as_term(self, expr: Expr) -> _Term | None:
        """A parameter term of a dense node (W @ v, p * v, v * p, b), or None for a vector."""
        if isinstance(expr, ParamRef):
            self.check_param_name(expr)
            return _Term("bias", expr, None)
        if not isinstance(expr, Binary):
            return None
        if expr.op == "@":
            if not isinstance(expr.left, ParamRef):
                raise self.fail(
                    expr.left.span,
                    f"the left of '@' must be a parameter matrix, not {self.text(expr.left)!r}",
                )
            if isinstance(expr.right, ParamRef):
                self.check_param_name(expr.right)
            if isinstance(expr.right, (ParamRef, One)):
                raise self.fail(
                    expr.right.span,
                    "the right of '@' must be a vector such as x[t], not "
                    f"{self.text(expr.right)!r}",
                )
            self.check_param_name(expr.left)
            return _Term("matrix", expr.left, expr.right)
        if expr.op == "*":
            left, right = expr.left, expr.right
            if isinstance(left, One) or isinstance(right, One):
                one = left if isinstance(left, One) else right
                raise self.fail(one.span, "the constant 1 is only allowed as '1 - v'")
            if isinstance(left, ParamRef) and isinstance(right, ParamRef):
                raise self.fail(
                    expr.span,
                    f"{self.text(expr)!r} multiplies two parameters; one side must be a vector",
                )
            if isinstance(left, ParamRef):
                self.check_param_name(left)
                return _Term("diag", left, right)
            if isinstance(right, ParamRef):
                self.check_param_name(right)
                return _Term("diag", right, left)
        return None

    def sum(self, expr: Binary) -> _Value:
        items: list[tuple[str, Expr, Span]] = []

        def flatten(e: Expr, sign: str, span: Span) -> None:
            if isinstance(e, Binary) and e.op in "+-":
                flatten(e.left, sign, span)
                items.append((e.op, e.right, e.span))
            else:
                items.append((sign, e, span))

        flatten(expr, "+", expr.span)
        for _, e, _ in items[1:]:
            if isinstance(e, One):
                raise self.fail(e.span, "the constant 1 is only allowed as '1 - v'")
        terms = [(self.as_term(e) if sign == "+" else None) for sign, e, _ in items]
        dense_terms = [t for t in terms if t is not None]
        dense: _Value | None = None
        acc: _Value | None = None
        start = 0
        if isinstance(items[0][1], One):
            if len(items) < 2 or items[1][0] != "-":
                raise self.fail(items[0][1].span, "the constant 1 is only allowed as '1 - v'")
            acc = self.pointwise("one_minus", [self.lower(items[1][1])], items[1][2], expr)
            start = 2
        for (sign, e, span), term in zip(items[start:], terms[start:], strict=True):
            if term is not None:
                if dense is not None:
                    continue
                dense = value = self.dense(dense_terms, expr)
            else:
                value = self.lower(e)
            if acc is None:
                acc = value
            else:
                acc = self.pointwise("add" if sign == "+" else "sub", [acc, value], span, expr)
        assert acc is not None
        return acc

    def dense(self, terms: list[_Term], whole: Expr) -> _Value:
        var = self.sizes.fresh()
        operands: list[Operand] = []
        labels: list[str] = []
        for term in terms:
            info = self.param(term.param, term.role)
            self.unify(
                info.dims[0],
                var,
                term.param.span,
                f"{term.param.name!r} gives {{a}}×1 but the sum it is in is {{b}}×1",
            )
            if term.operand is None:
                operands.append(Operand(None, "identity", term.param.name, "bias"))
                labels.append(term.param.name)
                continue
            value = self.lower(term.operand)
            if term.role == "matrix":
                self.unify(
                    info.dims[1],
                    value.var,
                    term.param.span,
                    f"{term.param.name!r} takes {{a}}×1 vectors but {value.text!r} is {{b}}×1",
                )
            else:
                self.unify(
                    info.dims[0],
                    value.var,
                    term.param.span,
                    f"{term.param.name!r} is {{a}}×1 but {value.text!r} is {{b}}×1",
                )
            operands.append(Operand(value.node, value.activation, term.param.name, term.role))
            op = "·" if term.role == "matrix" else "⊙"
            labels.append(f"{term.param.name}{op}{self.label_of(value)}")
        node_id = self.new_id("dense")
        node = Node(
            node_id,
            "dense",
            "",
            " + ".join(labels),
            tuple(operands),
            equation=self.eq_name,
            line=whole.span.line,
        )
        self.add_node(node, var)
        for operand in operands:
            if operand.param is not None and self.params[operand.param].node == "":
                self.params[operand.param].node = node_id
        return _Value(node_id, var, "identity", self.text(whole))

    def label_of(self, value: _Value) -> str:
        node = self.by_id[value.node]
        base = node.label if node.name is not None else "(…)"
        return f"{value.activation}({base})" if value.activation != "identity" else base

    @property
    def eq_name(self) -> str:
        assert self.equation is not None
        return self.equation.name

    def param(self, ref: ParamRef, role: ParamRole) -> ParamInfo:
        info = self.params.get(ref.name)
        if info is None:
            dims = (self.sizes.fresh(), self.sizes.fresh()) if role == "matrix" else (
                self.sizes.fresh(),
            )
            info = self.params[ref.name] = ParamInfo(role, dims, "", ref.span)
        elif (info.role == "matrix") != (role == "matrix") or (
            info.used and info.role != role
        ):
            where = "declared" if info.declared and not info.used else "used"
            raise self.fail(
                ref.span,
                f"parameter {ref.name!r} is {where} as {_ROLE_WORDS[info.role]} at line "
                f"{info.span.line} and as {_ROLE_WORDS[role]} here",
            )
        info.role = role
        info.used = True
        return info

    def pointwise(
        self, op: str, values: list[_Value], span_or_expr: Span | Expr, whole: Expr | None = None
    ) -> _Value:
        span = span_or_expr if isinstance(span_or_expr, Span) else span_or_expr.span
        what = {"mul": "product", "add": "sum", "sub": "difference"}.get(op, op)
        for other in values[1:]:
            self.unify(
                values[0].var,
                other.var,
                span,
                f"{values[0].text!r} is {{a}}×1 but {other.text!r} is {{b}}×1 in an "
                f"element-wise {what}",
            )
        node_id = self.new_id(op)
        operands = tuple(Operand(v.node, v.activation) for v in values)
        node = Node(
            node_id,
            "pointwise",
            "",
            POINTWISE_OPS[op][0],
            operands,
            op=op,
            equation=self.eq_name,
            line=span.line,
        )
        self.add_node(node, values[0].var)
        text = self.src.snippet(whole.span if whole else span)
        return _Value(node_id, values[0].var, "identity", text)
