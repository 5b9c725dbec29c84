"""Building graphs from equations: structure, inferred shapes, and every kind of bad cell."""

from __future__ import annotations

from collections import Counter

import pytest

from cellviz import BUILTIN_CELLS, CONVENTIONS, load_graph
from cellviz.errors import CellGraphError, ShapeError
from cellviz.graph import CellGraph
from cellviz.lang.build import build
from cellviz.lang.syntax import parse


def graph(text: str) -> CellGraph:
    return build(parse(text, "t.cell"), "t")


def kinds(g: CellGraph) -> Counter[str]:
    return Counter(node.kind for node in g.nodes)


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name", BUILTIN_CELLS)
def test_builtin_graphs_are_topological_and_consistent(name: str, convention: str) -> None:
    g = load_graph(name, convention)
    seen: set[str] = set()
    for node in g.nodes:
        for operand in node.operands:
            assert operand.source is None or operand.source in seen, (node.id, operand.source)
        seen.add(node.id)
    assert len(seen) == len(g.nodes)
    # Every parameter belongs to a dense node that uses it.
    for param in g.params:
        owner = g.node(param.node)
        assert owner.kind == "dense"
        assert param.name in {o.param for o in owner.operands}
    # Shapes agree along every edge into a pointwise node or vector.
    for edge in g.edges:
        target = g.node(edge.target)
        if target.kind != "dense":
            assert edge.size == target.size, edge
    assert set(g.outputs) >= set(g.states)
    assert g.sizes[0] == "i"


@pytest.mark.parametrize(
    ("name", "convention", "dense", "pointwise", "vectors"),
    [
        ("rnn", "paper", 1, 0, 0),
        ("gru", "paper", 3, 5, 3),  # r⊙h, 1−z, (1−z)⊙n, z⊙h, +
        ("gru", "pytorch", 4, 6, 3),  # r⊙(U h + b) after the product, then + W x
        ("lstm", "paper", 4, 4, 4),  # f⊙c, i⊙g, +, o⊙tanh(c)
        ("lstm-peephole", "paper", 4, 4, 4),
        ("cifg", "paper", 3, 5, 3),
        ("lstm-proj", "pytorch", 5, 4, 5),
        ("mgu", "paper", 2, 5, 2),
    ],
)
def test_node_counts(name: str, convention: str, dense: int, pointwise: int, vectors: int) -> None:
    counts = kinds(load_graph(name, convention))
    assert (counts["dense"], counts["pointwise"], counts["vector"]) == (dense, pointwise, vectors)


def test_gru_graph_matches_the_article() -> None:
    g = load_graph("gru")
    assert g.inputs == ("x",) and g.states == ("h",) and g.outputs == ("h",)
    assert [gate.label for gate in g.gates] == [
        "update gate", "reset gate", "candidate state", "hidden state"
    ]
    n = g.node("n.dense")
    assert [(o.source, o.param, o.role) for o in n.operands] == [
        ("x", "W_n", "matrix"), ("n.mul", "U_n", "matrix"), (None, "b_n", "bias")
    ]
    assert g.node("n.mul").operands[0].source == "r"
    assert g.node("n").operands[0].activation == "tanh"
    assert [(p.name, p.dims) for p in g.params[:3]] == [
        ("W_z", ("n", "i")), ("U_z", ("n", "n")), ("b_z", ("n",))
    ]


def test_activation_sits_on_the_edge_it_is_applied_to() -> None:
    g = load_graph("lstm")
    edge = next(e for e in g.edges if e.source == "c" and e.target == "h.mul")
    assert edge.activation == "tanh" and edge.style == "pointwise"
    assert next(e for e in g.edges if e.target == "f").activation == "sigmoid"


def test_peephole_is_an_elementwise_weight_of_the_dense_node() -> None:
    g = load_graph("lstm-peephole")
    assert g.param("p_f").role == "diag" and g.param("p_f").dims == ("n",)
    roles = [o.role for o in g.node("f.dense").operands]
    assert roles == ["matrix", "matrix", "diag", "bias"]


def test_inferred_inputs_states_and_sizes() -> None:
    g = graph("z[t] = sigmoid(A @ u[t] + B @ s[t-1])\ns[t] = z[t] * s[t-1]")
    assert g.inputs == ("u",) and g.states == ("s",)
    assert g.node("u").size == "i" and g.node("z").size == "n"
    assert g.param("A").dims == ("n", "i")


def test_custom_sizes_and_declared_outputs() -> None:
    g = graph("input x: d\nstate h: k\noutput y: o\n"
              "h[t] = tanh(W @ x[t] + U @ h[t-1])\ny[t] = V @ h[t]")
    assert g.sizes == ("d", "k", "o")
    assert g.outputs == ("h", "y")
    assert g.param("V").dims == ("o", "k")


def test_tied_parameters_are_counted_once() -> None:
    g = graph("a[t] = W @ x[t]\nh[t] = W @ x[t] + a[t] * h[t-1]")
    assert [p.name for p in g.params] == ["W"]


def test_node_ids_are_stable_and_readable() -> None:
    ids = [node.id for node in load_graph("gru").nodes]
    assert ids == [
        "x", "h_prev", "z.dense", "z", "r.dense", "r", "n.mul", "n.dense", "n",
        "h.one_minus", "h.mul", "h.mul2", "h.add", "h",
    ]


BAD = [
    # (cell text, error class, line:col, part of the message)
    ("h[t] = tanh(W @ x[t] + U @ h[t-1])\nh[t] = x[t]", CellGraphError, "2:1", "defined twice"),
    ("h[t] = sigmod(W @ x[t] + U @ h[t-1])", CellGraphError, "1:8", "did you mean 'sigmoid'"),
    ("input x\nh[t] = tanh(W @ x[t] + U @ h[t-1] + V @ q[t])", CellGraphError, "2:41",
     "q[t] is used but never defined"),
    ("h[t] = tanh(W @ x[t] + U @ h[t-1]) * x[t]", ShapeError, "1:1",
     "shape mismatch: h[t] is n×1 but its equation gives i×1"),
    ("h[t] = tanh(W @ x[t] + U @ h[t-1])\ny[t] = h[t] * x[t]\noutput y", ShapeError, "2:8",
     "shape mismatch: 'h[t]' is n×1 but 'x[t]' is i×1 in an element-wise product"),
    ("h[t] = tanh(W @ x[t] + U @ c[t-1])", CellGraphError, "1:28",
     "state 'c' is read at [t-1] but never written"),
    ("a[t] = W @ b[t] + U @ h[t-1]\nb[t] = V @ a[t]\nh[t] = a[t]", CellGraphError, "1:1",
     "depend on each other within one step: a[t] → b[t] → a[t] (lines 1, 2)"),
    ("z[t] = sigmoid(W @ x[t])\nh[t] = tanh(U @ h[t-1] + V @ x[t])", CellGraphError, "1:1",
     "z[t] is computed but nothing uses it"),
    ("input x, u\nh[t] = tanh(U @ h[t-1] + V @ x[t])", CellGraphError, "1:10",
     "input 'u' is declared but nothing reads u[t]"),
    ("param Q: n\nh[t] = tanh(U @ h[t-1] + V @ x[t])", CellGraphError, "1:1",
     "parameter 'Q' is declared but nothing uses it"),
    ("state h, c\nh[t] = tanh(U @ h[t-1] + V @ x[t])\nc[t] = h[t]", CellGraphError, "1:10",
     "state 'c' is declared but nothing reads c[t-1]"),
    ("h[t] = tanh(W @ h[t-1] + W @ x[t])", ShapeError, "1:26", "'W' takes n×1 vectors but "
     "'x[t]' is i×1"),
    ("h[t] = tanh(W @ x[t] + W * h[t-1])", CellGraphError, "1:24",
     "'W' is used as a matrix at line 1 and as an element-wise weight here"),
    ("h[t] = tanh(h[t-1] @ W)", CellGraphError, "1:13", "left of '@' must be a parameter"),
    ("h[t] = tanh(W @ b + h[t-1])", CellGraphError, "1:17", "right of '@' must be a vector"),
    ("h[t] = tanh(W @ h + h[t-1])", CellGraphError, "1:17", "'h' is a vector of this cell"),
    ("h[t] = h[t-1] + 1", CellGraphError, "1:17", "only allowed as '1 - v'"),
    ("h[t] = tanh(sigmoid(h[t-1]))", CellGraphError, "1:8", "one activation per vector"),
    ("h[t] = a * b + h[t-1]", CellGraphError, "1:8", "multiplies two parameters"),
    ("input x\nx[t] = h[t-1]\nh[t] = x[t]", CellGraphError, "2:1", "is an input and cannot"),
    ("h[t] = h[t-1] * b + c\nh_prev[t] = h[t]\noutput h_prev", CellGraphError, "1:1",
     "clashes with the previous value of state 'h'"),
    ("state h: n\nparam W: n x i\nh[t] = W @ h[t-1]", ShapeError, "3:8",
     "'W' takes i×1 vectors but 'h[t-1]' is n×1"),
    ("state h: k\nh[t] = tanh(U @ h[t-1]) + V @ x[t]\ny[t] = h[t] * x[t]\noutput y",
     ShapeError, "3:8", "'h[t]' is k×1 but 'x[t]' is i×1"),
    ("output y\nh[t] = h[t-1] + W @ x[t]\ny[t] = b", CellGraphError, "3:1",
     "cannot infer the size of"),
]


@pytest.mark.parametrize(("text", "cls", "where", "message"), BAD,
                         ids=[b[3].split("'")[0][:40].strip() or b[3][:40] for b in BAD])
def test_bad_cells_name_the_problem(
    text: str, cls: type[Exception], where: str, message: str
) -> None:
    with pytest.raises(cls) as info:
        graph(text)
    text_of_error = str(info.value)
    assert text_of_error.startswith(f"t.cell:{where}: "), text_of_error
    assert message in text_of_error
    assert "\n" not in text_of_error
