"""Text and gate regions, measured on the SVG: every region's title lies inside its region's
outline, clear of its border, and no edge label comes within 2 px of a region's border (where
it would read as the region's, or be cut by it). Text boxes are estimated from the SVG's text
(DejaVu Sans widths; ascent and descent of the font)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from svgmeasure import SVG, Box, path_pieces
from test_regions import VARIANTS, Polygon, _inside, _outlines

import cellviz
from cellviz.draw.compact import DETAILS
from cellviz.draw.metrics import text_width
from cellviz.draw.render import RenderOptions, render
from cellviz.draw.themes import THEMES

pytestmark = pytest.mark.dot

#: How far a title's or an edge label's text stays from a region's border line, in px.
CLEAR = 2.0
#: DejaVu Sans's ascent and descent, in font sizes.
ASCENT, DESCENT = 0.93, 0.24

Point = tuple[float, float]


def text_box(text: ET.Element) -> Box:
    """The box of a text element: its runs' widths at their sizes (subscripts are tspans with
    a size of their own), from its anchor, the font's ascent and descent round its baseline."""
    size = float(text.get("font-size", 0))
    bold = text.get("font-weight") == "bold"
    width = text_width(text.text or "", size, bold=bold)
    for span in text:
        width += text_width(span.text or "", float(span.get("font-size", size)), bold=bold)
        width += text_width(span.tail or "", size, bold=bold)
    x, y = float(text.get("x", 0)), float(text.get("y", 0))
    x -= {"middle": width / 2, "end": width}.get(text.get("text-anchor", ""), 0.0)
    return x, y - ASCENT * size, x + width, y + DESCENT * size


def _segment_box_distance(a: Point, b: Point, box: Box) -> float:
    """The distance between a segment and a box (0 if they meet)."""
    x0, y0, x1, y1 = box
    steps = max(2, math.ceil(math.dist(a, b)))  # sampled every pixel or less
    best = math.inf
    for k in range(steps + 1):
        px, py = a[0] + (b[0] - a[0]) * k / steps, a[1] + (b[1] - a[1]) * k / steps
        best = min(best, math.hypot(max(x0 - px, 0, px - x1), max(y0 - py, 0, py - y1)))
    return best


def border_distance(shape: Polygon, box: Box) -> float:
    """How near a region's border line comes to a box."""
    return min(_segment_box_distance(a, b, box)
               for a, b in zip(shape, shape[1:] + shape[:1], strict=True))


def _holds(shape: Polygon, box: Box) -> bool:
    xs = np.array([box[0], box[2], box[0], box[2]])
    ys = np.array([box[1], box[1], box[3], box[3]])
    return bool(_inside(shape, xs, ys).all())


def text_faults(svg: str) -> list[str]:
    """A line for every region title not inside its region ``CLEAR`` px clear of its border,
    and for every edge label within ``CLEAR`` px of a region's border."""
    root = ET.fromstring(svg)
    regions = _outlines(svg, "gate")
    faults = []
    for group in root.iter(f"{SVG}g"):
        role, name = group.get("class"), str(group.get("data-id"))
        if role == "gate":
            title = group.find(f"{SVG}text")
            assert title is not None
            box = text_box(title)
            gap = border_distance(regions[name], box)
            if not _holds(regions[name], box) or gap < CLEAR:
                faults.append(f"title of {name} {''.join(title.itertext())!r} "
                              f"{gap:.1f} px from its border, inside: "
                              f"{_holds(regions[name], box)}")
        elif role == "label":
            for text in group.iter(f"{SVG}text"):
                box = text_box(text)
                for region, shape in regions.items():
                    gap = border_distance(shape, box)
                    if gap < CLEAR:
                        faults.append(f"label {name} {''.join(text.itertext())!r} {gap:.1f} px "
                                      f"from {region}'s border")
    return faults


def _svg(name: str, convention: str, theme: str, detail: str) -> str:
    cell = cellviz.load(name, input_size=3, hidden_size=2, convention=convention,
                        proj_size=1 if name == "lstm-proj" else None)
    return render(cell, options=RenderOptions(theme=theme, detail=detail))


@pytest.mark.parametrize("detail", DETAILS)
@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize(("name", "convention"), VARIANTS, ids=[f"{n}-{c}" for n, c in VARIANTS])
def test_region_titles_and_edge_labels_keep_clear_of_region_borders(
        name: str, convention: str, theme: str, detail: str) -> None:
    assert text_faults(_svg(name, convention, theme, detail)) == []


def test_the_measure_sees_text_across_a_border() -> None:
    square = [(0.0, 0.0), (100.0, 0.0), (100.0, 50.0), (0.0, 50.0)]
    assert border_distance(square, (10, 10, 40, 20)) == pytest.approx(10.0)
    assert border_distance(square, (90, 10, 110, 20)) == 0.0
    assert _holds(square, (10, 10, 40, 20)) and not _holds(square, (90, 10, 110, 20))
    path = path_pieces("M0,0L100,0L100,50L0,50Z")[0]
    assert border_distance(path[:-1], (99, 60, 120, 70)) == pytest.approx(10.0)
    text = ET.fromstring('<text xmlns="http://www.w3.org/2000/svg" x="50" y="20" '
                         'font-size="10" text-anchor="middle">2×1</text>')
    x0, y0, x1, y1 = text_box(text)
    assert (x0 + x1) / 2 == pytest.approx(50.0) and x1 - x0 == pytest.approx(
        text_width("2×1", 10)) and (y0, y1) == pytest.approx((10.7, 22.4))
