"""Forms of the built-in cells: other activations and no biases, written out and recognised."""

from __future__ import annotations

from pathlib import Path

import pytest

import cellviz
from cellviz.graph import ACTIVATIONS
from cellviz.lang.forms import Form, derive, form_of, slots_of


@pytest.mark.parametrize("convention", cellviz.CONVENTIONS)
@pytest.mark.parametrize("name", cellviz.BUILTIN_CELLS)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_every_form_is_recognised(name: str, convention: str, bias: bool) -> None:
    slots = slots_of(name, convention)
    acts = list(ACTIVATIONS)
    for k in range(len(acts)):
        chosen = {slot: acts[(k + j) % len(acts)] for j, slot in enumerate(slots)}
        graph = derive(name, convention, chosen, bias=bias)
        assert form_of(graph, convention) == Form(name, convention, tuple(chosen.items()), bias)
        assert all(p.role != "bias" for p in graph.params) or bias
        # The equations are the built-in cell's, the activations and biases apart.
        edges = [e.activation for e in graph.edges if e.activation != "identity"]
        assert set(edges) <= set(chosen.values())


def test_derived_text_and_name() -> None:
    graph = derive("lstm", "keras", {"candidate": "relu", "output": "relu"}, bias=False)
    assert graph.name == "lstm-candidate-relu-output-relu-nobias"
    assert "g[t] = relu(W_g @ x[t] + U_g @ h[t-1])" in graph.source
    assert "h[t] = o[t] * relu(c[t])" in graph.source
    assert derive("gru", "pytorch") is cellviz.load_graph("gru", "pytorch")


def test_bad_slot_or_activation_is_refused() -> None:
    with pytest.raises(cellviz.UsageError, match="cell 'rnn' has no gate activation"):
        derive("rnn", "paper", {"gate": "tanh"})
    with pytest.raises(cellviz.UsageError, match="cellviz has no activation 'elu'"):
        derive("rnn", "paper", {"candidate": "elu"})


def test_a_cell_file_of_other_equations_is_no_form(tmp_path: Path) -> None:
    text = cellviz.lang.library.builtin_text("gru")[1].replace(
        "h[t] = (1 - z[t]) * n[t] + z[t] * h[t-1]", "h[t] = z[t] * n[t] + (1 - z[t]) * h[t-1]")
    path = tmp_path / "gru.cell"
    path.write_text(text, encoding="utf-8")
    assert form_of(cellviz.load_graph(path), "paper") is None
    same = tmp_path / "same.cell"
    same.write_text(cellviz.lang.library.builtin_text("gru")[1], encoding="utf-8")
    assert form_of(cellviz.load_graph(same), "paper") == Form(
        "gru", "paper", (("gate", "sigmoid"), ("candidate", "tanh")))
