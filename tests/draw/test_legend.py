"""Element-wise weights have a line style and a glyph of their own; grid lines stand out; the
legend names each pointwise symbol (test_legend_marks.py checks that the legend lists exactly
the marks drawn)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from svgmarks import entries
from test_unroll import cell_named

import cellviz
from cellviz.cli import main
from cellviz.draw.render import RenderOptions
from cellviz.draw.themes import THEMES, contrast
from cellviz.draw.values import values_of

pytestmark = pytest.mark.dot
SVG = "{http://www.w3.org/2000/svg}"


def test_the_legend_names_each_pointwise_symbol() -> None:
    root = ET.fromstring(cellviz.render(cell_named("gru")))
    assert entries(root)["op"].text == "element-wise ⊙ + 1−"


@pytest.mark.parametrize(("name", "weights"), [("lstm-peephole", {"p_f", "p_i", "p_o"}),
                                               ("indrnn", {"u_h"})])
def test_element_wise_weights_are_pointwise_with_a_glyph_of_their_own(
        name: str, weights: set[str]) -> None:
    """The peephole's p ⊙ c[t-1] and an IndRNN's u ⊙ h[t-1] are pointwise connections, and
    their weights' cells are round, unlike a bias's."""
    cell = cell_named(name)
    diag = {p.name for p in cell.graph.params if p.role == "diag"}
    assert diag == weights
    for edge in cell.graph.edges:
        if edge.param in diag:
            assert edge.style == "pointwise", edge
    root = ET.fromstring(cellviz.render(cell))
    cells = {r.get("data-key", ""): r for r in root.iter(f"{SVG}rect") if r.get("data-key")}
    assert all(float(cells[f"{p}/0"].get("rx", 0)) > 0 for p in diag)
    biases = [p.name for p in cell.graph.params if p.role == "bias"]
    assert biases and all(cells[f"{b}/0"].get("rx") is None for b in biases)


def _weights_and_values(cell: cellviz.Cell) -> RenderOptions:
    weights, xs = cellviz.example_inputs(cell, seed=0)
    _, trace = cell.step(weights, xs["x"][0] * 3)
    return RenderOptions(values=values_of(trace, weights))


@pytest.mark.parametrize("numbers", [False, True], ids=["plain", "values"])
@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("name", ["gru", "lstm-peephole", "rnn"])
def test_grid_lines_stand_out_3_to_1_from_their_fill(name: str, theme: str,
                                                     numbers: bool) -> None:
    """Every cell of a weight, bias or element-wise weight glyph (in a dense node), with or
    without values, is outlined at 3:1 contrast or more against its own fill."""
    cell = cell_named(name)
    options = _weights_and_values(cell) if numbers else RenderOptions()
    options = RenderOptions(theme=theme, values=options.values)
    root = ET.fromstring(cellviz.render(cell, options=options))
    dense = {n.id for n in cell.graph.nodes if n.kind == "dense"}
    checked = 0
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "node" or g.get("data-id") not in dense:
            continue
        for r in g.iter(f"{SVG}rect"):
            if r.get("data-key"):
                ratio = contrast(r.get("stroke", ""), r.get("fill", ""))
                assert ratio >= 3, (r.get("data-key"), r.get("stroke"), r.get("fill"), ratio)
                checked += 1
    assert checked >= 12


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("name", ["lstm", "lstm-peephole"])
def test_every_cell_showing_a_value_is_outlined_alike(tmp_path: Path, name: str,
                                                       theme: str) -> None:
    """Whatever its role (a vector's, a weight's, a sum's) and whatever its fill, a cell that
    prints a value or a gradient is outlined in black, or in white on a fill too dark for
    black to stand out 3:1; the legend's colour scales are drawn the same way."""
    out = tmp_path / "figure.svg"
    assert main(["render", name, "--grads", "--seed", "0", "--theme", theme, "-o",
                 str(out)]) == 0
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    printed = {t.get("data-key") for t in root.iter(f"{SVG}text") if t.get("data-key")}
    cells = [r for r in root.iter(f"{SVG}rect") if r.get("data-key") in printed]
    scales = [r for g in root.iter(f"{SVG}g") if g.get("data-id") in ("scale", "gradients")
              for r in g.iter(f"{SVG}rect")]
    assert len(cells) > 100 and len(scales) == 18
    for r in cells + scales:
        fill, stroke = r.get("fill", ""), r.get("stroke")
        assert stroke == ("#000000" if contrast("#000000", fill) >= 3 else "#ffffff"), (
            r.get("data-key"), fill, stroke)


def test_the_light_theme_grid_was_too_faint_before() -> None:
    """The dense colour itself (what the grid lines were drawn in) is below 3:1 on white."""
    light = THEMES["light"]
    assert contrast(light.dense, light.background) < 3 <= contrast(light.grid, light.background)
