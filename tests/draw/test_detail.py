"""The compact detail level: one box per gate, the same cell and the same option everywhere."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from svgmarks import entries

import cellviz
from cellviz.cli import main
from cellviz.draw.compact import gate_chains
from cellviz.draw.render import RenderOptions
from cellviz.pages.gallery import gallery_cells

pytestmark = pytest.mark.dot
SVG = "{http://www.w3.org/2000/svg}"
CELLS = {c.name: c for c in gallery_cells()}


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def node_ids(svg: str) -> list[str]:
    return [g.get("data-id") or "" for g in ET.fromstring(svg).iter(f"{SVG}g")
            if g.get("class") == "node"]


def test_compact_draws_each_gate_as_one_box() -> None:
    cell = CELLS["lstm"]
    full = cellviz.render(cell)
    compact = cellviz.render(cell, options=RenderOptions(detail="compact", legend=False))
    words = texts(compact)
    for gate in ("σ f", "σ i", "tanh g", "σ o"):
        assert gate in words
    # No weight matrix, no parameter count, no gate vector of its own, no edge label.
    assert not [w for w in words if w.startswith(("W_", "U_")) or "parameters" in w]
    assert "f[t]" not in words and "f[t]" in texts(full)
    assert "f" not in node_ids(compact) and "f" in node_ids(full)
    # What the cell reads and writes keeps its name and shape; the state line its ⊙ and +.
    for word in ("x[t]", "3×1", "h[t-1]", "c[t]", "⊙", "+", "cell state (remember)"):
        assert word in words
    # A gate that is one box needs no region of its own: the box names it.
    assert "forget gate" not in words
    # Every text at the theme's full size.
    sizes = {float(t.get("font-size", 0)) for t in ET.fromstring(compact).iter(f"{SVG}text")}
    assert min(sizes) >= 11.0 * 0.95


@pytest.mark.parametrize("name", list(CELLS))
def test_compact_keeps_every_connection(name: str) -> None:
    cell = CELLS[name]
    chains = gate_chains(cell.graph)
    ids = set(node_ids(cellviz.render(cell, options=RenderOptions(detail="compact"))))
    merged = {vector for vector, _ in chains.values()}
    assert ids >= {n.id for n in cell.graph.nodes if n.id not in merged}
    assert not ids & merged


def test_gate_chains_need_a_dense_node_read_by_one_vector_only() -> None:
    chains = gate_chains(CELLS["gru"].graph)
    assert chains == {"z.dense": ("z", "sigmoid"), "r.dense": ("r", "sigmoid"),
                      "n.dense": ("n", "tanh")}
    pytorch = cellviz.load("gru", input_size=3, hidden_size=2, convention="pytorch")
    # n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)): both dense nodes feed pointwise nodes.
    assert set(gate_chains(pytorch.graph)) == {"r.dense", "z.dense"}


def test_bad_detail_is_a_usage_error() -> None:
    with pytest.raises(cellviz.UsageError, match="unknown detail: 'tiny' "
                                                 r"\(must be one of full, compact\)"):
        RenderOptions(detail="tiny")


def test_the_command_takes_detail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["render", "gru", "--detail", "compact", "--theme", "slides"]) == 0
    svg = (tmp_path / "output" / "gru.slides.compact.svg").read_text(encoding="utf-8")
    assert "σ z" in texts(svg)
    assert main(["render", "gru", "--detail", "tiny"]) == 2
    assert "invalid choice: 'tiny'" in capsys.readouterr().err


def test_compact_unrolled_and_with_values() -> None:
    cell = CELLS["gru"]
    options = RenderOptions(detail="compact", unroll=2,
                            values=tuple(cellviz.draw.values.values_of(*_trace(cell, k))
                                         for k in range(2)))
    root = ET.fromstring(cellviz.render(cell, options=options))
    # Once in each step; the legend's sample of a gate's box is a third.
    drawing = [t.text for g in root.iter(f"{SVG}g") if g.get("class") != "legend-entry"
               for t in g.iter(f"{SVG}text")]
    assert drawing.count("σ z") == 2
    assert entries(root)["gate"].sample_texts() == ["σ z"]


def _trace(cell: cellviz.Cell, seed: int) -> tuple[object, object]:
    weights, xs = cellviz.example_inputs(cell, seed=seed)
    _, trace = cell.step(weights, xs["x"][0])
    return trace, weights
