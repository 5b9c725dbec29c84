"""Scene geometry: no label covers another, no edge crosses a label, all inside the figure."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cellviz
from cellviz import Cell, example_inputs
from cellviz.draw.compose import compose
from cellviz.draw.metrics import text_width
from cellviz.draw.scene import Path, Rect, Scene, Text
from cellviz.draw.themes import THEMES
from cellviz.draw.unroll import compose_unrolled
from cellviz.draw.values import Values, values_of
from cellviz.pages.gallery import gallery_cells

pytestmark = pytest.mark.dot
CELLS = {c.name: c for c in gallery_cells()}
Box = tuple[float, float, float, float]


def box(t: Text) -> Box:
    w = text_width(t.text, t.size, bold=t.weight == "bold")
    x0 = {"start": t.x, "middle": t.x - w / 2, "end": t.x - w}[t.anchor]
    return x0, t.y - 0.93 * t.size, x0 + w, t.y + 0.24 * t.size


def curve_points(d: str) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for command, body in re.findall(r"([MCL])([^MCLZ]*)", d):
        nums = [float(v) for v in re.split(r"[ ,]+", body.strip()) if v]
        pts = list(zip(nums[::2], nums[1::2], strict=True))
        if command == "C":
            start = out[-1]
            for k in range(0, len(pts), 3):
                p0, (p1, p2, p3) = start, pts[k:k + 3]
                for step in range(1, 31):
                    s = step / 30
                    a, b, c, e = (1 - s) ** 3, 3 * s * (1 - s) ** 2, 3 * s * s * (1 - s), s ** 3
                    out.append((a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0],
                                a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1]))
                start = p3
        elif command == "L" and out:
            (x0, y0), (x1, y1) = out[-1], pts[-1]
            out += [(x0 + (x1 - x0) * s / 10, y0 + (y1 - y0) * s / 10) for s in range(1, 11)]
        else:
            out += pts
    return out


def values(cell: Cell, seed: int = 0) -> Values:
    weights, xs = example_inputs(cell, seed=seed)
    _, trace = cell.step(weights, xs["x"][0])
    return values_of(trace, weights)


def scenes() -> list[tuple[str, Scene]]:
    plain = [(f"{n}-{t}", compose(c, THEMES[t])) for n, c in CELLS.items() for t in THEMES]
    numbers = [(f"{n}-{t}-values", compose(c, THEMES[t], values=values(c)))
               for n, c in CELLS.items() for t in THEMES if t in ("light", "slides")]
    frameworks = [(f"{n}-{conv}", compose(cellviz.load(n, input_size=3, hidden_size=2,
                                                      proj_size=1 if n == "lstm-proj" else None,
                                                      convention=conv), THEMES["light"]))
                  for conv in ("pytorch", "keras", "flax") for n in cellviz.BUILTIN_CELLS
                  if conv in cellviz.lang.library.builtin_conventions(n)]
    unrolled = [(f"{n}-unroll3-values", compose_unrolled(
        c, THEMES["light"], 3, (values(c, 0), values(c, 1), values(c, 2))))
        for n, c in CELLS.items() if n in ("gru", "lstm")]
    compact = [(f"{n}-{t}-compact", compose(c, THEMES[t], detail="compact"))
               for n, c in CELLS.items() for t in THEMES]
    return plain + numbers + frameworks + unrolled + compact


SCENES = scenes()


@pytest.mark.parametrize(("name", "scene"), SCENES, ids=[n for n, _ in SCENES])
def test_no_label_covers_another(name: str, scene: Scene) -> None:
    boxes = [(t.text, box(t)) for t in scene.texts()]
    clashes = []
    for k, (a, (ax0, ay0, ax1, ay1)) in enumerate(boxes):
        for b, (bx0, by0, bx1, by1) in boxes[k + 1:]:
            if ax0 < bx1 - 0.5 and bx0 < ax1 - 0.5 and ay0 < by1 - 0.5 and by0 < ay1 - 0.5:
                clashes.append((a, b))
    assert not clashes


@pytest.mark.parametrize(("name", "scene"), SCENES, ids=[n for n, _ in SCENES])
def test_no_edge_crosses_a_label(name: str, scene: Scene) -> None:
    points = [p for g in scene.groups if g.role == "edge" for s in g.shapes
              if isinstance(s, Path) and s.fill == "none" for p in curve_points(s.d)]
    crossed = []
    for t in scene.texts():
        x0, y0, x1, y1 = box(t)
        if any(x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1 for x, y in points):
            crossed.append(t.text)
    assert not crossed


@pytest.mark.parametrize(("name", "scene"), SCENES, ids=[n for n, _ in SCENES])
def test_everything_inside_the_figure(name: str, scene: Scene) -> None:
    for t in scene.texts():
        x0, y0, x1, y1 = box(t)
        assert x0 >= 0 and x1 <= scene.width and y0 >= 0 and y1 <= scene.height, t.text


def test_the_cell_state_runs_straight_along_the_top() -> None:
    scene = compose(CELLS["lstm"], THEMES["light"])
    ys = {}
    for g in scene.groups:
        if g.role == "node" and g.id in ("c_prev", "c.mul", "c.add", "c"):
            first = g.shapes[0]
            ys[g.id] = first.y + first.h / 2 if hasattr(first, "h") else first.cy  # type: ignore[union-attr]
    assert len(ys) == 4 and max(ys.values()) - min(ys.values()) < 0.5
    node_tops = [s.y for g in scene.groups if g.role == "node" for s in g.shapes[:1]
                 if hasattr(s, "h")]
    assert ys["c_prev"] <= min(node_tops) + 40


def test_the_grid_finds_every_point_in_a_box() -> None:
    import random

    from cellviz.draw.labels import Grid as _Grid

    rng = random.Random(0)
    points = [(rng.uniform(-50, 500), rng.uniform(-50, 300)) for _ in range(2000)]
    grid = _Grid(points, 17.0)
    for _ in range(200):
        x0, y0 = rng.uniform(-60, 500), rng.uniform(-60, 300)
        x1, y1 = x0 + rng.uniform(0, 80), y0 + rng.uniform(0, 40)
        inside = {p for p in points if x0 <= p[0] <= x1 and y0 <= p[1] <= y1}
        near = set(grid.near(x0, y0, x1, y1))
        assert inside <= near and len(near) < len(points)


def test_an_edge_label_moves_up_to_its_own_edge() -> None:
    from cellviz.draw.labels import hug as _hug

    edge = [(float(x), 100.0) for x in range(0, 201, 5)]  # a horizontal edge at y = 100
    w, h = 24.0, 12.0
    reach = h / 2 + h * 0.15
    assert _hug((100.0, 70.0), (w, h), edge) == pytest.approx((100.0, 100 - reach))  # above
    assert _hug((100.0, 130.0), (w, h), edge) == pytest.approx((100.0, 100 + reach))  # below
    assert _hug((100.0, 95.0), (w, h), edge) == pytest.approx((100.0, 100 - reach))  # too close
    slanted = [(float(t), float(t)) for t in range(0, 201, 2)]  # y = x
    x, y = _hug((150.0, 50.0), (w, h), slanted)
    assert x > y  # still on its side of the edge
    assert math.hypot(x - (x + y) / 2, y - (x + y) / 2) == pytest.approx(
        (w / 2 + h / 2) / math.sqrt(2) + h * 0.15, abs=1.5)
    assert _hug((5.0, 5.0), (w, h), []) == (5.0, 5.0)


@given(st.text())
def test_escape_is_html_escape(text: str) -> None:
    import html

    from cellviz.draw.scene import escape

    assert escape(text) == html.escape(text, quote=True)


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("name", list(CELLS))
def test_a_shape_label_is_read_with_its_own_edge(name: str, theme: str) -> None:
    """Every edge's shape label is at least 4 px nearer its own edge than any edge of another
    shape (a bus counts as another shape)."""
    from cellviz.draw.labels import route_points as _samples
    from cellviz.draw.layout import layout

    cell, th = CELLS[name], THEMES[theme]
    p, lay = layout(cell, th)
    scene = compose(cell, th)
    texts = [s for g in scene.groups if g.role == "label" for s in g.shapes]
    segs = [seg for seg in p.segments if seg.label and lay.routes[seg.id].label]
    assert len(texts) == len(segs)
    # Where the drawing sits in the figure: a node's box against dot's place for it.
    node = next(g for g in scene.groups if g.role == "node" and g.id == "x")
    first = node.shapes[0]
    assert isinstance(first, Rect)
    gx = first.x + first.w / 2 - lay.nodes["x"].x
    gy = first.y + first.h / 2 - lay.nodes["x"].y
    shape = {seg.id.rstrip("ab"): seg.label for seg in p.segments if seg.label}
    routes = {seg.id: _samples(lay.routes[seg.id].points) for seg in p.segments}
    routes |= {f"bus{k}": _samples(bus.points) for k, (_, bus) in enumerate(lay.buses)}
    misread = []
    for text, seg in zip(texts, segs, strict=True):
        assert isinstance(text, Text) and text.text == seg.label
        cx, cy = text.x - gx, text.y - 0.36 * th.small - gy
        own = min(math.hypot(px - cx, py - cy) for px, py in routes[seg.id])
        other = min((math.hypot(px - cx, py - cy) for sid, pts in routes.items()
                     if shape.get(sid.rstrip("ab")) != seg.label for px, py in pts),
                    default=math.inf)
        if other < own + 4:  # at least 4 px nearer its own edge
            misread.append((seg.id, seg.label, round(own, 1), round(other, 1)))
    assert not misread
