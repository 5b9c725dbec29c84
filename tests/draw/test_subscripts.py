"""Subscripts: W_f is drawn as W with a smaller, lower f in the SVG, and cairosvg (PNG, PDF)
draws it where the SVG says, centred where it was centred."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

import cellviz
from cellviz.draw.metrics import SUBSCRIPT_SIZE, runs, text_width
from cellviz.draw.render import rasterize, render_scene
from cellviz.draw.scene import Group, Scene, Text

SVG = "{http://www.w3.org/2000/svg}"


def test_runs_split_names_not_words() -> None:
    assert runs("U_hz·h[t-1]") == [("U", False), ("hz", True), ("·h[t-1]", False)]
    assert runs("b_f") == [("b", False), ("f", True)]
    assert runs("my_cell and h[t-1]") == [("my_cell and h[t-1]", False)]
    assert text_width("my_cell", 10) > text_width("mycell", 10)
    assert runs("p_i⊙c + b_i") == [("p", False), ("i", True), ("⊙c + b", False), ("i", True)]


def test_widths_count_a_subscript_small_and_no_underscore() -> None:
    assert text_width("W_f", 10) == pytest.approx(
        text_width("W", 10) + text_width("f", 10 * SUBSCRIPT_SIZE))
    assert text_width("W_f", 10) < text_width("Wf", 10) < text_width("W_f", 10) + 5


@pytest.mark.dot
def test_no_underscore_of_a_name_reaches_the_figure() -> None:
    cell = cellviz.load("lstm-peephole", input_size=3, hidden_size=2)
    root = ET.fromstring(cellviz.render(cell))
    shown = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Wf·x[t]" in shown and "pf⊙c[t-1]" in shown and "bf" in shown
    assert not [s for s in shown if "_" in s]
    subs = [ts for t in root.iter(f"{SVG}text") for ts in t.iter(f"{SVG}tspan")
            if ts.get("font-size")]
    assert subs and all(float(ts.get("dy", 0)) > 0 for ts in subs)
    for t in root.iter(f"{SVG}text"):
        drops = [float(ts.get("dy", 0)) for ts in t.iter(f"{SVG}tspan")]
        assert sum(drops) in (0, max(drops, default=0))  # back on the baseline, or ends low


def _ink(png: bytes) -> tuple[int, int, int, int]:
    """The box of the dark pixels of a PNG: left, top, right, bottom."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    dark = image.point(lambda v: 255 if v < 128 else 0)
    box = dark.getbbox()
    assert box is not None
    return box


@pytest.mark.parametrize("anchor", ["start", "middle", "end"])
def test_cairosvg_draws_subscripts_where_the_svg_says(anchor: str) -> None:
    """Rasterised by cairosvg, a subscripted text anchored at x = 200 sits where its estimated
    width puts it (cairosvg anchors each run by itself unless the text starts at a computed
    x), and its subscript reaches below the baseline that the plain text keeps to."""
    pytest.importorskip("cairosvg")
    pytest.importorskip("PIL")

    def ink(text: str) -> tuple[int, int, int, int]:
        scene = Scene(400, 60, "#ffffff", "DejaVu Sans", "t", "d", (
            Group("labels", "t", (Text(200, 30, text, 20, "#000000", anchor=anchor),)),))
        return _ink(rasterize(render_scene(scene), "png"))

    text = "W_hz·x[t]"
    left, _, right, bottom = ink(text)
    width = text_width(text, 20)
    start = {"start": 200, "middle": 200 - width / 2, "end": 200 - width}[anchor]
    assert abs(left - start) <= 3 and abs(right - (start + width)) <= 0.1 * width
    _, _, _, plain_bottom = ink("Whz")
    assert bottom >= plain_bottom + 2  # the subscript hangs below the plain text
