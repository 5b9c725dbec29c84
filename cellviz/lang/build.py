"""Turn a parsed cell file into a checked CellGraph: resolve names, order, lower, bind sizes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..errors import CellGraphError
from ..graph import CellGraph, Gate, Node, Operand, Param, ParamRole
from .lower import Lowering, ParamInfo
from .tree import Binary, Call, CellSource, Decl, Equation, Expr, Span, Unary, VectorRef

__all__ = ["build"]


def _walk(expr: Expr) -> Iterator[Expr]:
    """Every sub-expression, in source order, without recursion."""
    stack = [expr]
    while stack:
        e = stack.pop()
        yield e
        if isinstance(e, Call):
            stack.append(e.arg)
        elif isinstance(e, Unary):
            stack.append(e.operand)
        elif isinstance(e, Binary):
            stack += [e.right, e.left]


def _refs(eq: Equation) -> list[VectorRef]:
    return [e for e in _walk(eq.expr) if isinstance(e, VectorRef)]


def _declared_size(decls: dict[str, Decl], name: str) -> str | None:
    decl = decls.get(name)
    return decl.size if decl else None


def _dependency_order(equations: dict[str, Equation], deps: dict[str, list[str]],
                      fail: Callable[[Span, str], CellGraphError]) -> list[str]:
    """The equations' names, each after those it reads at [t] (depth first, in file order),
    found with an explicit stack; a cycle is a CellGraphError naming it and its lines."""
    order: list[str] = []
    done: set[str] = set()
    for root in equations:
        if root in done:
            continue
        path: list[str] = [root]
        on_path = {root}
        pending: list[Iterator[str]] = [iter(deps[root])]
        while pending:
            step = next(pending[-1], None)
            if step is None:
                pending.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                order.append(finished)
            elif step in on_path:
                cycle = [*path[path.index(step):], step]
                lines = ", ".join(str(equations[c].span.line) for c in cycle[:-1])
                raise fail(equations[cycle[0]].span,
                           "equations depend on each other within one step: "
                           + " → ".join(f"{c}[t]" for c in cycle) + f" (lines {lines})")
            elif step not in done:
                path.append(step)
                on_path.add(step)
                pending.append(iter(deps[step]))
    return order


def build(src: CellSource, default_name: str) -> CellGraph:
    """Check a parsed cell and build its graph; raise a CellGraphError or ShapeError naming the
    node, the shapes and the equation at fault."""
    name = src.name or default_name
    b = Lowering(src, name)
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
        state_set = set(states)
        for ref, _ in refs:
            if ref.lag and ref.name not in state_set:
                raise fail(ref.span, f"{ref.name}[t-1] reads the past of {ref.name!r}, which is "
                           f"not a declared state (states: {', '.join(states)})")
    else:
        states = read_prev
    state_set = set(states)
    if declared["input"]:
        inputs = [d.name for d in declared["input"]]
    else:
        inputs = [n for n in read_now if n not in equations and n not in state_set]
    input_set = set(inputs)

    def undefined(ref: VectorRef) -> CellGraphError:
        return fail(ref.span, f"{ref.name}[t] is used but never defined (inputs: "
                    f"{', '.join(inputs) or 'none'}; add '{ref.name}[t] = ...')")

    # A name defined nowhere is reported first: it is the cause, and the unread state or
    # unused input it leaves behind only a consequence.
    for ref, _ in refs:
        if not ref.lag and ref.name not in equations and ref.name not in input_set | state_set:
            raise undefined(ref)
    for s in states:
        if s not in equations:
            where = first_ref.get((s, 1))
            span = where.span if where else decls[s].span
            raise fail(span, f"state {s!r} is read at [t-1] but never written: add '{s}[t] = ...'")
        if (s, 1) not in first_ref:
            raise fail(decls[s].span, f"state {s!r} is declared but nothing reads {s}[t-1]")
    for d in declared["input"]:
        if d.name in equations:
            raise fail(equations[d.name].span, f"{d.name!r} is an input and cannot be assigned")
        if d.name in state_set:
            raise fail(d.span, f"{d.name!r} is declared both as an input and as a state")
        if (d.name, 0) not in first_ref:
            raise fail(d.span, f"input {d.name!r} is declared but nothing reads {d.name}[t]")
    for ref, _ in refs:
        if not ref.lag and ref.name not in equations and ref.name not in input_set:
            raise undefined(ref)
    for d in declared["output"]:
        if d.name not in equations:
            raise fail(d.span, f"output {d.name!r} is declared but has no equation")
    outputs = states + [d.name for d in declared["output"] if d.name not in state_set]

    # Equations in dependency order (depth first, in file order, without recursion: a chain
    # of equations may be as long as the file); a cycle is an error.
    deps = {
        n: list(dict.fromkeys(r.name for r in _refs(eq) if not r.lag and r.name in equations))
        for n, eq in equations.items()
    }
    order = _dependency_order(equations, deps, fail)
    read_set = set(read_now)
    output_set = set(outputs)
    for n, eq in equations.items():
        if n not in output_set and n not in read_set:
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
        b.params[p.name] = ParamInfo(role, dims, "", p.span, declared=True)

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
