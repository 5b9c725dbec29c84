"""Turn a parsed cell file into a checked CellGraph: resolve names, lower, infer shapes."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import CellGraphError, Location, ShapeError
from .graph import ACTIVATIONS, POINTWISE_OPS, CellGraph, Gate, Node, Operand, Param, ParamRole
from .syntax import (
    Binary,
    Call,
    CellSource,
    Decl,
    Equation,
    Expr,
    One,
    ParamRef,
    Span,
    Unary,
    VectorRef,
)

__all__ = ["build"]


class _Sizes:
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


@dataclass
class _Value:
    """A lowered vector expression: the node that holds it, the activation still to apply."""

    node: str
    var: int
    activation: str
    text: str


@dataclass
class _ParamInfo:
    role: ParamRole
    dims: tuple[int, ...]
    node: str
    span: Span
    declared: bool = False
    used: bool = False


@dataclass
class _Term:
    role: ParamRole
    param: ParamRef
    operand: Expr | None


_ROLE_WORDS = {"matrix": "a matrix", "diag": "an element-wise weight", "bias": "a bias"}


class _Builder:
    def __init__(self, src: CellSource, name: str) -> None:
        self.src = src
        self.name = name
        self.sizes = _Sizes()
        self.nodes: list[tuple[Node, int]] = []  # node (size filled in later) and its variable
        self.node_vars: dict[str, int] = {}
        self.by_id: dict[str, Node] = {}
        self.params: dict[str, _ParamInfo] = {}
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

    def param(self, ref: ParamRef, role: ParamRole) -> _ParamInfo:
        info = self.params.get(ref.name)
        if info is None:
            dims = (self.sizes.fresh(), self.sizes.fresh()) if role == "matrix" else (
                self.sizes.fresh(),
            )
            info = self.params[ref.name] = _ParamInfo(role, dims, "", ref.span)
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


def _walk(expr: Expr) -> Iterator[Expr]:
    yield expr
    if isinstance(expr, Call):
        yield from _walk(expr.arg)
    elif isinstance(expr, Unary):
        yield from _walk(expr.operand)
    elif isinstance(expr, Binary):
        yield from _walk(expr.left)
        yield from _walk(expr.right)


def _refs(eq: Equation) -> list[VectorRef]:
    return [e for e in _walk(eq.expr) if isinstance(e, VectorRef)]


def _declared_size(decls: dict[str, Decl], name: str) -> str | None:
    decl = decls.get(name)
    return decl.size if decl else None


def build(src: CellSource, default_name: str) -> CellGraph:
    """Check a parsed cell and build its graph; raise a CellGraphError or ShapeError naming the
    node, the shapes and the equation at fault."""
    name = src.name or default_name
    b = _Builder(src, name)
    fail = b.fail

    equations: dict[str, Equation] = {}
    for eq in src.equations:
        if eq.name in equations:
            raise fail(eq.span, f"{eq.name}[t] is defined twice (first at line "
                       f"{equations[eq.name].span.line})")
        equations[eq.name] = eq

    decls: dict[str, Decl] = {}
    for decl in src.decls:
        if decl.name in decls:
            raise fail(decl.span, f"{decl.name!r} is declared twice")
        decls[decl.name] = decl
    declared = {k: [d for d in src.decls if d.kind == k] for k in ("input", "state", "output")}

    refs = [(ref, eq) for eq in src.equations for ref in _refs(eq)]
    read_prev = list(dict.fromkeys(ref.name for ref, _ in refs if ref.lag))
    read_now = list(dict.fromkeys(ref.name for ref, _ in refs if not ref.lag))
    first_ref: dict[tuple[str, int], VectorRef] = {}
    for ref, _ in refs:
        first_ref.setdefault((ref.name, ref.lag), ref)

    if declared["state"]:
        states = [d.name for d in declared["state"]]
        for ref, _ in refs:
            if ref.lag and ref.name not in states:
                raise fail(ref.span, f"{ref.name}[t-1] reads the past of {ref.name!r}, which is "
                           f"not a declared state (states: {', '.join(states)})")
    else:
        states = read_prev
    for s in states:
        if s not in equations:
            where = first_ref.get((s, 1))
            span = where.span if where else decls[s].span
            raise fail(span, f"state {s!r} is read at [t-1] but never written: add '{s}[t] = ...'")
        if (s, 1) not in first_ref:
            raise fail(decls[s].span, f"state {s!r} is declared but nothing reads {s}[t-1]")

    if declared["input"]:
        inputs = [d.name for d in declared["input"]]
        for d in declared["input"]:
            if d.name in equations:
                raise fail(equations[d.name].span, f"{d.name!r} is an input and cannot be assigned")
            if d.name in states:
                raise fail(d.span, f"{d.name!r} is declared both as an input and as a state")
            if (d.name, 0) not in first_ref:
                raise fail(d.span, f"input {d.name!r} is declared but nothing reads {d.name}[t]")
    else:
        inputs = [n for n in read_now if n not in equations and n not in states]
    for ref, _ in refs:
        if not ref.lag and ref.name not in equations and ref.name not in inputs:
            raise fail(ref.span, f"{ref.name}[t] is used but never defined "
                       f"(inputs: {', '.join(inputs) or 'none'}; add '{ref.name}[t] = ...')")
    for d in declared["output"]:
        if d.name not in equations:
            raise fail(d.span, f"output {d.name!r} is declared but has no equation")
    outputs = states + [d.name for d in declared["output"] if d.name not in states]

    # Equations in dependency order (depth first, in file order); a cycle is an error.
    deps = {
        n: list(dict.fromkeys(r.name for r in _refs(eq) if not r.lag and r.name in equations))
        for n, eq in equations.items()
    }
    order: list[str] = []
    visiting: list[str] = []

    def visit(n: str) -> None:
        if n in order:
            return
        if n in visiting:
            cycle = [*visiting[visiting.index(n):], n]
            lines = ", ".join(str(equations[c].span.line) for c in cycle[:-1])
            raise fail(
                equations[cycle[0]].span,
                "equations depend on each other within one step: "
                + " → ".join(f"{c}[t]" for c in cycle) + f" (lines {lines})",
            )
        visiting.append(n)
        for d in deps[n]:
            visit(d)
        visiting.pop()
        order.append(n)

    for n in equations:
        visit(n)

    for n, eq in equations.items():
        if n not in outputs and n not in read_now:
            raise fail(eq.span, f"{n}[t] is computed but nothing uses it; use it, or declare "
                       f"it 'output {n}'")

    # Sizes: declared or default symbols for inputs and states, fresh variables for the rest.
    for n in inputs:
        b.vector_vars[n] = b.sizes.fresh(_declared_size(decls, n) or "i")
    for n in states:
        b.vector_vars[n] = b.sizes.fresh(_declared_size(decls, n) or "n")
    for n in equations:
        if n not in b.vector_vars:
            b.vector_vars[n] = b.sizes.fresh(_declared_size(decls, n))
    for p in src.params:
        if p.name in b.params:
            raise fail(p.span, f"parameter {p.name!r} is declared twice")
        if p.name in b.vector_vars:
            raise fail(p.span, f"{p.name!r} is a vector of this cell, not a parameter")
        role: ParamRole = "matrix" if len(p.dims) == 2 else "bias"
        dims = tuple(b.sizes.fresh(d) for d in p.dims)
        b.params[p.name] = _ParamInfo(role, dims, "", p.span, declared=True)

    for n in inputs:
        b.add_node(Node(n, "input", "", f"{n}[t]", name=n), b.vector_vars[n])
    for s in states:
        prev = CellGraph.prev_id(s)
        if prev in equations or prev in inputs:
            raise fail(src.equations[0].span, f"the vector name {prev!r} clashes with the "
                       f"previous value of state {s!r}; rename it")
        b.add_node(Node(prev, "state", "", f"{s}[t-1]", name=s), b.vector_vars[s])

    gates: list[Gate] = []
    for n in order:
        eq = equations[n]
        b.equation = eq
        b.gate_nodes = []
        value = b.lower(eq.expr)
        var = b.vector_vars[n]
        b.unify(var, value.var, eq.span, f"{n}[t] is {{a}}×1 but its equation gives {{b}}×1")
        b.add_node(
            Node(n, "output" if n in outputs else "vector", "", f"{n}[t]",
                 (Operand(value.node, value.activation),), name=n, gate=eq.comment,
                 equation=n, line=eq.span.line),
            var,
        )
        if eq.comment:
            gates.append(Gate(eq.comment, n, tuple(b.gate_nodes)))

    for pname, info in b.params.items():
        if not info.used:
            raise fail(info.span, f"parameter {pname!r} is declared but nothing uses it")

    def symbol(var: int, what: str, line: int) -> str:
        sym = b.sizes.of(var)
        if sym is None:
            raise CellGraphError(
                src.location(line, 1),
                f"cannot infer the size of {what}; connect it to an input or state, or "
                "declare it (e.g. 'param b: n')",
            )
        return sym

    gate_of = {nid: g.label for g in gates for nid in g.nodes}
    nodes = tuple(
        Node(
            node.id,
            node.kind,
            symbol(var, repr(node.label), node.line or 1),
            node.label,
            node.operands,
            node.op,
            node.name,
            gate_of.get(node.id),
            node.equation,
            node.line,
        )
        for node, var in b.nodes
    )
    params = tuple(
        Param(pname, info.role, tuple(symbol(d, f"parameter {pname!r}", info.span.line)
                                      for d in info.dims), info.node)
        for pname, info in b.params.items()
    )
    sizes: list[str] = []
    for node in nodes:
        if node.kind in ("input", "state", "output") and node.size not in sizes:
            sizes.append(node.size)
    for param in params:
        sizes.extend(d for d in param.dims if d not in sizes)
    for node in nodes:
        if node.size not in sizes:
            sizes.append(node.size)
    return CellGraph(
        name=name,
        nodes=nodes,
        params=params,
        inputs=tuple(inputs),
        states=tuple(states),
        outputs=tuple(outputs),
        sizes=tuple(sizes),
        gates=tuple(gates),
        description=src.description,
        source=src.text,
        path=src.path,
    )
