"""Every line of a stack's figure leads somewhere: each arrowhead's tip lies on a drawn box,
circle or dot, measured on the SVG; each lane's state lines run from its first state to its
final one, coloured as a state from before and as what a step writes."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from svgmeasure import SVG, figure
from test_stack_figure import FORMS, MEASURED, MEASURED_IDS, measured_stack, svg_of

import cellviz
from cellviz.draw.themes import THEMES

#: How far a tip may stand from the outline of the box it touches, in px (coordinates are
#: printed to two decimals), and short of a circle's: inside a compact GRU (paper
#: convention) cell, dot's routes stop 1.35 px short of two ⊙ circles, the cell's own layout.
NEAR = 0.6
NEAR_CIRCLE = 1.5

Point = tuple[float, float]


def _marks(root: ET.Element) -> tuple[list[tuple[float, float, float, float]],
                                      list[tuple[float, float, float]]]:
    """The boxes (x0, y0, x1, y1) and circles (cx, cy, r) drawn outside the legend."""
    legend = {id(e) for g in root.iter(f"{SVG}g") if g.get("class") in ("legend",
                                                                          "legend-entry")
              for e in g.iter()}
    rects = [(float(r.get("x", 0)), float(r.get("y", 0)),
              float(r.get("x", 0)) + float(r.get("width", 0)),
              float(r.get("y", 0)) + float(r.get("height", 0)))
             for r in root.iter(f"{SVG}rect") if id(r) not in legend and r.get("width")]
    circles = [(float(c.get("cx", 0)), float(c.get("cy", 0)), float(c.get("r", 0)))
               for c in root.iter(f"{SVG}circle") if id(c) not in legend]
    return rects, circles


def loose_tips(svg: str) -> list[Point]:
    """The tips of the arrowheads that touch no box's outline, no circle's and no dot."""
    root = ET.fromstring(svg)
    rects, circles = _marks(root)

    def on_box(x: float, y: float, box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        inside = x0 - NEAR <= x <= x1 + NEAR and y0 - NEAR <= y <= y1 + NEAR
        deep = x0 + NEAR < x < x1 - NEAR and y0 + NEAR < y < y1 - NEAR
        return inside and not deep

    def on_circle(x: float, y: float, circle: tuple[float, float, float]) -> bool:
        cx, cy, r = circle
        return math.hypot(x - cx, y - cy) <= r + NEAR_CIRCLE

    tips = [head[0] for head in figure(svg).heads]
    return [(x, y) for x, y in tips
            if not any(on_box(x, y, b) for b in rects)
            and not any(on_circle(x, y, c) for c in circles)]


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("cells", FORMS)
@pytest.mark.parametrize(("name", "convention", "layers", "bi", "steps"), MEASURED,
                         ids=MEASURED_IDS)
def test_every_arrowhead_ends_on_a_box_circle_or_dot(name: str, convention: str, layers: int,
                                                     bi: bool, steps: int, cells: str,
                                                     theme: str) -> None:
    svg = svg_of(measured_stack(name, convention, layers, bi), steps, cells, theme)
    # At least: into each cell, out of each step, along the state line into each cell and
    # into the final state.
    assert len(figure(svg).heads) >= 3 * steps + 1
    assert loose_tips(svg) == []


def test_a_line_into_empty_space_is_found() -> None:
    """The measure sees the arrowheads that end nowhere once the final states are taken out
    of the figure (as it was drawn before they were there)."""
    svg = svg_of(measured_stack("lstm", "pytorch", 1, True), 2, "box")
    root = ET.fromstring(svg)
    finals = [(parent, g) for parent in root.iter() for g in parent
              if g.get("data-id", "").endswith(":final")]
    for parent, g in finals:
        parent.remove(g)
    assert loose_tips(svg) == []
    assert len(loose_tips(ET.tostring(root, encoding="unicode"))) == 2  # one per lane


@pytest.mark.parametrize("cells", FORMS)
def test_each_lane_runs_from_its_first_state_to_its_final_one(cells: str) -> None:
    """Each state line of each lane leaves a box of the state role's colours and ends in one
    of the output role's (what a step writes): forward from the left, reverse from the
    right, one pair per state line."""
    theme = THEMES["light"]
    stack = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=2,
                          bidirectional=True, convention="pytorch")
    root = ET.fromstring(svg_of(stack, 2, cells))
    ends: dict[str, tuple[str, str, float]] = {}
    for g in root.iter(f"{SVG}g"):
        gid = g.get("data-id", "")
        if g.get("class") == "node" and gid.endswith((":first", ":final")):
            rect = next(iter(g))
            ends[gid] = (rect.get("stroke", ""), rect.get("fill", ""),
                         float(rect.get("x", 0)))
    per_line = 1 if cells == "box" else 2  # h, c on one line; or c and h each on their own
    assert len(ends) == 2 * 2 * 2 * per_line
    for gid, (stroke, fill, x) in ends.items():
        lane, n, which = gid.rsplit(":", 2)
        role = "state" if which == "first" else "output"
        assert (stroke, fill) == (getattr(theme, role), getattr(theme, f"{role}_fill"))
        other = ends[f"{lane}:{n}:{'final' if which == 'first' else 'first'}"][2]
        # Forward lanes start on the left; reverse lanes on the right.
        assert (x < other) == ((which == "first") == lane.endswith("f"))
