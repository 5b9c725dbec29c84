"""Type that survives fitting to a slide: the slides theme's arrangement chosen to fill the
slide, compact boxes that hold their activation, no empty band round the drawing, and
subscripts that stay readable (the targets themselves are in test_measures.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser import check_figures, chromium
from svgmeasure import SVG, figure, slide_points

import cellviz
from cellviz.draw.compose import compose
from cellviz.draw.layout import plan
from cellviz.draw.render import RenderOptions, render_scene
from cellviz.draw.scene import Text, bounds
from cellviz.draw.themes import THEMES
from cellviz.draw.values import values_of
from cellviz.lang.library import builtin_conventions
from cellviz.record import replace

pytestmark = pytest.mark.dot


def load(name: str, convention: str = "paper") -> cellviz.Cell:
    return cellviz.load(name, input_size=3, hidden_size=2, convention=convention,
                        proj_size=1 if name == "lstm-proj" else None)


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def on_slide(cell: cellviz.Cell, **theme: object) -> tuple[float, str]:
    """The smallest text in points fitted to a slide, and the SVG, in the slides theme
    (changed by ``theme``), without title and legend."""
    scene = compose(cell, replace(THEMES["slides"], **theme), heading=False, legend=False)
    svg = render_scene(scene)
    return slide_points(figure(svg)), svg


def beside(svg: str, name: str) -> bool:
    """Whether the vector ``name``'s shape stands on its name's baseline, not under it."""
    placed = [("".join(t.itertext()), t.get("y")) for t in ET.fromstring(svg).iter(f"{SVG}text")]
    (y,) = [y for text, y in placed if text == name]
    return ("2×1", y) in placed


@pytest.mark.parametrize(("name", "convention", "arrangement"), [
    ("lstm", "pytorch", "narrow"), ("lstm-peephole", "paper", "narrow"),
    ("gru", "pytorch", "short")])
def test_the_slides_theme_takes_the_arrangement_that_fills_the_slide(
        name: str, convention: str, arrangement: str) -> None:
    """A wide figure (the LSTM's four gates side by side) stacks each term's caption, the
    weight over what it multiplies; a tall one (the PyTorch GRU) sets each vector's shape
    beside its name. The type comes out as large as with the best of the three arrangements
    (these two and the one on paper)."""
    cell = load(name, convention)
    chosen, svg = on_slide(cell)
    sizes = {a: on_slide(cell, fit=0.0, arrangement=a)[0] for a in ("", "narrow", "short")}
    assert chosen == pytest.approx(max(sizes.values()), abs=0.05)
    assert max(sizes, key=lambda a: sizes[a]) == arrangement
    assert ("·x[t]" in texts(svg)) == (arrangement == "narrow")
    assert beside(svg, "h[t]") == (arrangement == "short")
    _, narrow = on_slide(cell, fit=0.0, arrangement="narrow")
    assert "·x[t]" in texts(narrow) and not [t for t in texts(narrow) if "W_" in t]


def test_other_themes_keep_one_line_captions() -> None:
    p = plan(load("lstm"), THEMES["light"])
    captions = [t.text for t in p.glyphs["f.dense"].shapes if isinstance(t, Text)]
    assert "W_f·x[t]" in captions


@pytest.mark.parametrize("convention", builtin_conventions("gru"))
def test_compact_draws_a_vectors_activation_inside_its_box(convention: str) -> None:
    """The PyTorch GRU's n[t] = tanh(...) (and Keras's, flax's) is one box "tanh n[t]" at
    compact detail, not a tanh mark and a box; with values the box keeps its cells, and the
    mark its place."""
    cell = load("gru", convention)
    compact = cellviz.render(cell, options=RenderOptions(detail="compact"))
    weights, xs = cellviz.example_inputs(cell, seed=0)
    _, trace = cell.step(weights, xs["x"][0])
    valued = cellviz.render(cell, options=RenderOptions(detail="compact",
                                                        values=values_of(trace, weights)))
    if convention == "paper":  # n[t] is a gate box there, "tanh n"
        assert "tanh n" in texts(compact)
        return
    (candidate,) = [n.label for n in cell.graph.nodes if n.kind == "vector"
                    and len(n.operands) == 1 and n.operands[0].activation == "tanh"]
    assert f"tanh {candidate}" in texts(compact) and "tanh" not in texts(compact)
    assert "tanh" in texts(valued) and candidate in texts(valued)


@pytest.mark.parametrize("theme", ["light", "slides"])
@pytest.mark.parametrize("name", list(cellviz.BUILTIN_CELLS))
def test_the_drawing_fills_its_figure_to_the_margin(name: str, theme: str) -> None:
    """No empty band: the drawing's bounds (every shape, text by its estimated width) stand
    one margin inside the figure on every side, whatever room dot left in its layout."""
    th = THEMES[theme]
    for detail in ("full", "compact"):
        scene = compose(load(name), th, heading=False, legend=False, detail=detail)
        x0, y0, x1, y1 = bounds([s for g in scene.groups for s in g.shapes])
        margin = th.space * 1.6
        for side in (x0, y0, scene.width - x1, scene.height - y1):
            assert side == pytest.approx(margin, abs=1)


def test_slide_subscripts_shrink_less_than_on_paper() -> None:
    """On a slide a subscript is 0.9 of its text (0.7 elsewhere): fitted to 1920×1080, the
    subscripts of the LSTM and the GRU (every convention) come to 10 pt or more at full
    detail, as the rest of their text, and to 16 pt or more at compact detail."""
    assert THEMES["slides"].subscript > THEMES["light"].subscript
    for name in ("lstm", "gru"):
        for convention in builtin_conventions(name):
            for detail, least in (("full", 10.0), ("compact", 16.0)):
                svg = cellviz.render(load(name, convention), options=RenderOptions(
                    theme="slides", detail=detail, heading=False, legend=False))
                fig = figure(svg)
                assert slide_points(fig, subscripts=True) >= least, (name, convention, detail)
                assert min(fig.subscripts, default=20.0) >= 20 * 0.95 * 0.9 - 0.01


@pytest.mark.browser
def test_slide_figures_in_chromium(tmp_path: Path) -> None:
    """Every convention of every built-in cell in the slides theme, at both details, bare (as
    on a slide) and with title and legend: no two text boxes overlap and nothing lies outside
    the viewBox in Chromium (the arrangements a slide chooses included)."""
    if chromium() is None:
        pytest.skip("no headless Chromium (Debian: apt-get install chromium)")
    figures = []
    for name in cellviz.BUILTIN_CELLS:
        for convention in builtin_conventions(name):
            for detail in ("full", "compact"):
                for bare in (True, False):
                    options = RenderOptions(theme="slides", detail=detail, heading=not bare,
                                            legend=not bare)
                    figures.append((f"{name}-{convention}-{detail}-{bare}",
                                    cellviz.render(load(name, convention), options=options)))
    check_figures(figures, tmp_path)
