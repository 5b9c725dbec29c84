"""The legend lists every kind of mark the figure draws and nothing else, as read from the SVG;
element-wise weights have a line style and a glyph of their own; grid lines stand out."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from test_unroll import cell_named, unrolled

import cellviz
from cellviz.draw.render import RenderOptions
from cellviz.draw.themes import THEMES, Theme, contrast
from cellviz.draw.values import values_of

pytestmark = pytest.mark.dot
SVG = "{http://www.w3.org/2000/svg}"
NAMES = [*cellviz.BUILTIN_CELLS, "two-inputs", "indrnn"]


def words(g: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]


def drawn(root: ET.Element, theme: Theme, cell: cellviz.Cell) -> set[str]:
    """What the legend must say, worked out from the drawing alone: the line styles of the
    connections, the node kinds by their outline colour, the kinds of weight glyph."""
    out: set[str] = set()
    unrolled_figure = any(g.get("class") == "port" for g in root.iter(f"{SVG}g"))
    for g in root.iter(f"{SVG}g"):
        role = g.get("class")
        if role in ("edge", "link", "carry"):
            for p in g.iter(f"{SVG}path"):
                if p.get("fill") != "none":
                    continue
                heavy = float(p.get("stroke-width", 0)) > theme.stroke * 1.5
                dashed = p.get("stroke-dasharray") is not None
                out.add({(False, False): "dense connection: W·v + b",
                         (False, True): "pointwise connection",
                         (True, True): "state line: a state carried on"}.get(
                    (heavy, dashed), "a heavy solid line"))
        elif role == "port":
            out.add("where a vector enters or leaves a step")
        elif role == "node":
            first = next(iter(g))
            stroke = first.get("stroke")
            if g.get("data-id", "").split(":")[-1].startswith("act"):
                out.add("activation on its edge")
                continue
            kind = {theme.input: "input vector",
                    theme.state: "state between two steps" if unrolled_figure
                    else "state from the step before",
                    theme.output: "output of the step" if unrolled_figure
                    else "state or output the step writes",
                    theme.vector: "vector inside the cell",
                    theme.dense: "dense node: its terms and parameter count"}.get(stroke or "")
            if first.tag == f"{SVG}circle" and stroke == theme.pointwise:
                kind = "element-wise"
            out.add(kind or f"an unknown node outlined {stroke}")
            for r in g.iter(f"{SVG}rect"):
                key = r.get("data-key", "").split(":")[-1]
                parts = key.split("/")
                if len(parts) == 3:
                    out.add("weight matrix, rows×cols")
                elif len(parts) == 2 and r.get("rx"):
                    out.add("element-wise weight (p⊙v), n×1")
                elif len(parts) == 2 and any(p.name == parts[0] and p.role == "bias"
                                             for p in cell.graph.params):
                    out.add("bias, n×1")
    return out


def listed(root: ET.Element) -> set[str]:
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    # The entries' texts; the samples' symbols and the totals are bold.
    entries = ["".join(t.itertext()) for t in legend.iter(f"{SVG}text")
               if t.get("font-weight") != "bold"]
    return {"element-wise" if w.startswith("element-wise ") and "weight" not in w else w
            for w in entries if not w.startswith("value:")}


@pytest.mark.parametrize("theme", ["light", "dark", "slides"])
@pytest.mark.parametrize("name", NAMES)
def test_the_legend_lists_every_mark_drawn_and_no_other(name: str, theme: str) -> None:
    cell = cell_named(name)
    root = ET.fromstring(cellviz.render(cell, options=RenderOptions(theme=theme)))
    assert listed(root) == drawn(root, THEMES[theme], cell)


@pytest.mark.parametrize("name", ["gru", "lstm", "lstm-peephole", "rnn", "two-inputs"])
def test_the_unrolled_legend_lists_every_mark_drawn(name: str) -> None:
    root = unrolled(name, steps=2)
    assert listed(root) == drawn(root, THEMES["light"], cell_named(name))


def test_the_legend_names_each_pointwise_symbol() -> None:
    root = ET.fromstring(cellviz.render(cell_named("gru")))
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    assert "element-wise ⊙ + 1−" in words(legend)


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


def test_the_light_theme_grid_was_too_faint_before() -> None:
    """The dense colour itself (what the grid lines were drawn in) is below 3:1 on white."""
    light = THEMES["light"]
    assert contrast(light.dense, light.background) < 3 <= contrast(light.grid, light.background)
