"""Gate regions hold their own members only: measured on the SVG, no node that is not a member
of a region stands inside (or across the border of) that region's shape, and no two regions
overlap. A region is a rectangle, or (where the rectangle would take in what is not its own)
the outline of its parts."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from svgmeasure import SVG, box_of, path_pieces

import cellviz
from cellviz.draw.compact import DETAILS
from cellviz.draw.regions import outline
from cellviz.draw.render import RenderOptions, render_scene, scene_of
from cellviz.draw.themes import THEMES
from cellviz.lang.library import builtin_conventions

pytestmark = pytest.mark.dot

VARIANTS = [(n, c) for n in cellviz.BUILTIN_CELLS for c in builtin_conventions(n)]
Polygon = list[tuple[float, float]]

#: The area two shapes may share before they count as overlapping, in square pixels (shapes
#: that meet along a border share none).
SHARED = 1.0


def _outlines(svg: str, role: str) -> dict[str, Polygon]:
    """The outline of each group of a role (its first shape: a region's or a node's), by its
    data-id: a path's points, or a rectangle's or circle's box."""
    root = ET.fromstring(svg)
    found = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != role or not len(group):
            continue
        first = group[0]
        if first.tag == f"{SVG}path":
            found[str(group.get("data-id"))] = path_pieces(first.get("d", ""))[0]
        elif (box := box_of(first)) is not None:
            x0, y0, x1, y1 = box
            found[str(group.get("data-id"))] = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return found


def _inside(poly: Polygon, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Which points lie inside the polygon (even-odd rule)."""
    hit = np.zeros(xs.shape, dtype=bool)
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
        if y0 == y1:
            continue
        crosses = (ys >= min(y0, y1)) & (ys < max(y0, y1))
        at = x0 + (ys - y0) * (x1 - x0) / (y1 - y0)
        hit ^= crosses & (xs < at)
    return hit


def shared_area(a: Polygon, b: Polygon, step: float = 0.25) -> float:
    """The area two polygons share, counted on a grid of ``step`` pixels."""
    x0 = max(min(x for x, _ in a), min(x for x, _ in b))
    x1 = min(max(x for x, _ in a), max(x for x, _ in b))
    y0 = max(min(y for _, y in a), min(y for _, y in b))
    y1 = min(max(y for _, y in a), max(y for _, y in b))
    if x1 <= x0 or y1 <= y0:
        return 0.0
    xs, ys = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
    return float(np.count_nonzero(_inside(a, xs, ys) & _inside(b, xs, ys))) * step * step


def strangers(name: str, convention: str, theme: str, detail: str) -> list[tuple[str, str]]:
    """(region, node) for every node that is not a member of a region and overlaps it, and
    (region, region) for two regions that overlap."""
    cell = cellviz.load(name, input_size=3, hidden_size=2, convention=convention,
                        proj_size=1 if name == "lstm-proj" else None)
    scene = scene_of(cell, RenderOptions(theme=theme, detail=detail))
    svg = render_scene(scene)
    regions, nodes = _outlines(svg, "gate"), _outlines(svg, "node")
    # The SVG does not name a region's members; the scene does (activation marks' groups are
    # named by the mark's first part, act3 for act3:f.dense).
    members = {g.id: {m.split(":")[0] if m.startswith("act") else m for m in g.links}
               for g in scene.groups if g.role == "gate"}
    assert set(regions) == set(members)
    return [(region, node) for region, shape in regions.items() for node, box in nodes.items()
            if node not in members[region] and shared_area(shape, box) > SHARED] + [
        (first, second) for first, second in itertools.combinations(regions, 2)
        if shared_area(regions[first], regions[second]) > SHARED]


@pytest.mark.parametrize("detail", DETAILS)
@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize(("name", "convention"), VARIANTS, ids=[f"{n}-{c}" for n, c in VARIANTS])
def test_a_region_holds_its_members_only(name: str, convention: str, theme: str,
                                         detail: str) -> None:
    assert strangers(name, convention, theme, detail) == []


def test_the_measure_sees_overlaps_and_not_borders() -> None:
    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    beside = [(10.0, 0.0), (20.0, 0.0), (20.0, 10.0), (10.0, 10.0)]
    over = [(9.0, 2.0), (20.0, 2.0), (20.0, 4.0), (9.0, 4.0)]
    assert shared_area(square, beside) == 0.0
    assert shared_area(square, over) == pytest.approx(2.0)


def test_an_outline_follows_its_parts() -> None:
    """A T-shaped union: a wide top and a narrow column under its left end. Its outline holds
    both parts and leaves out the corner beside the column."""
    parts = [(0.0, 0.0, 100.0, 20.0), (0.0, 10.0, 30.0, 60.0)]
    shape = path_pieces(outline(parts, 4.0))[0]
    assert shared_area(shape, [(2, 2), (98, 2), (98, 18), (2, 18)]) == pytest.approx(96 * 16)
    assert shared_area(shape, [(2, 20), (28, 20), (28, 58), (2, 58)]) == pytest.approx(26 * 38)
    assert shared_area(shape, [(33, 23), (99, 23), (99, 59), (33, 59)]) == 0.0
