"""Ends of the bus layout's edges that dot lets run together: an edge leaving a box at the very
point where another enters it (the GRU's ⊙(r⊙h[t-1]) → tanh n and tanh n → ⊙) is set apart
on the box's top, each straight; an edge leaving a circle where another's arrow enters it
leaves round the rim; an edge from the line into a gate (the peephole c[t] → o) drops from the
line after its node, square."""

from __future__ import annotations

import itertools
import math

from .labels import route_points
from .layout import DotPlan, Placed, Route
from .regions import Box, overlap

Point = tuple[float, float]

__all__ = ["clear_way", "drop_from_line", "leave_apart", "meets", "part_ends", "polyline"]


def polyline(points: list[Point]) -> tuple[Point, ...]:
    """Straight lines through ``points`` as cubic Bézier points (start, then three a line)."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        out += [(x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3),
                (x0 + 2 * (x1 - x0) / 3, y0 + 2 * (y1 - y0) / 3), (x1, y1)]
    return tuple(out)


def meets(a0: Point, a1: Point, b0: Point, b1: Point) -> bool:
    """Whether segment a0-a1 crosses or touches segment b0-b1 anywhere but at its ends."""
    rx, ry, sx, sy = a1[0] - a0[0], a1[1] - a0[1], b1[0] - b0[0], b1[1] - b0[1]
    den = rx * sy - ry * sx
    if abs(den) < 1e-9:
        return False
    t = ((b0[0] - a0[0]) * sy - (b0[1] - a0[1]) * sx) / den
    u = ((b0[0] - a0[0]) * ry - (b0[1] - a0[1]) * rx) / den
    return 1e-6 < t < 1 - 1e-6 and 1e-6 < u < 1 - 1e-6


def _along(way: list[Point], step: float = 2.0) -> list[Point]:
    """Points every ``step`` along a polyline."""
    out = []
    for (x0, y0), (x1, y1) in itertools.pairwise(way):
        n = max(1, int((abs(x1 - x0) + abs(y1 - y0)) / step))
        out += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(n + 1)]
    return out


def clear_way(way: list[Point], routes: dict[str, Route], nodes: dict[str, Placed],
              skip: set[str]) -> bool:
    """Whether the polyline ``way`` crosses no route and passes no node (but those in
    ``skip``, and dot's helper nodes)."""
    for sid, route in routes.items():
        if sid in skip:
            continue
        pts = route_points(route.points)
        if any(meets(a0, a1, b0, b1) for a0, a1 in itertools.pairwise(way)
               for b0, b1 in itertools.pairwise(pts)):
            return False
    passed = [n for name, n in nodes.items() if name not in skip
              and not name.startswith(("via:", "floor"))]
    return not any(abs(n.x - x) < n.w / 2 and abs(n.y - y) < n.h / 2
                   for n in passed for x, y in _along(way))


def _rim(node: Placed, circle: bool, toward: Point) -> Point:
    """Where the line from a node's centre toward a point leaves its circle or box."""
    dx, dy = toward[0] - node.x, toward[1] - node.y
    size = math.hypot(dx, dy) or 1.0
    if circle:
        return node.x + dx / size * node.w / 2, node.y + dy / size * node.h / 2
    t = min(node.w / 2 / abs(dx) if dx else math.inf, node.h / 2 / abs(dy) if dy else math.inf)
    return node.x + dx * t, node.y + dy * t


def part_ends(p: DotPlan, nodes: dict[str, Placed], routes: dict[str, Route],
              arrow: float) -> None:
    """Where an edge leaves a box's top within a few px of where another enters it, the two
    leave and enter a quarter of the box's width either side of its middle (the one that
    heads further left on the left, so they do not cross), each a straight line, if neither
    then crosses an edge or passes a node; else dot's routes stay."""
    segs = {seg.id: seg for seg in p.segments}
    for name, node in nodes.items():
        glyph = p.glyphs.get(name)
        if glyph is None or glyph.circle:
            continue
        top = node.y - node.h / 2
        into = [sid for sid, r in routes.items() if sid in segs and segs[sid].head == name
                and r.tip is not None and abs(r.tip[1] - top) < 3]
        out = [sid for sid, r in routes.items() if sid in segs and segs[sid].tail == name
               and abs(r.points[0][1] - top) < 3]
        for a, b in itertools.product(into, out):
            tip = routes[a].tip
            assert tip is not None
            if math.dist(tip, routes[b].points[0]) > 6:
                continue
            _part(p, nodes, routes, arrow, (segs[a].tail, a, name, b, segs[b].head))


def _part(p: DotPlan, nodes: dict[str, Placed], routes: dict[str, Route], arrow: float,
          pair: tuple[str, str, str, str, str]) -> None:
    """Edge ``a`` from ``tail`` into ``node``'s top and edge ``b`` out of it to ``head``, set
    apart (``part_ends``)."""
    tail, a, name, b, head = pair
    node, at = nodes[name], routes[a].points[-1]
    far = {a: routes[a].points[0], b: routes[b].points[-1]}
    left, right = sorted((a, b), key=lambda s: math.atan2(far[s][1] - at[1], far[s][0] - at[0]))
    port = {left: (node.x - node.w / 8, node.y - node.h / 2),
            right: (node.x + node.w / 4, node.y - node.h / 2)}
    start = _rim(nodes[tail], p.glyphs[tail].circle, port[a])
    end = _rim(nodes[head], p.glyphs[head].circle, port[b])
    ways: dict[str, tuple[list[Point], Point | None]] = {}
    for sid, (x0, y0), (x1, y1), tipped in ((a, start, port[a], True),
                                            (b, port[b], end, routes[b].tip is not None)):
        size = math.hypot(x1 - x0, y1 - y0)
        if size < 3 * arrow:
            return
        stop = (x1 - (x1 - x0) / size * arrow, y1 - (y1 - y0) / size * arrow)
        ways[sid] = ([(x0, y0), stop if tipped else (x1, y1)], (x1, y1) if tipped else None)
    others = {a, b}
    skip_a, skip_b = {*others, tail, name}, {*others, head, name}
    if not (clear_way(ways[a][0], routes, nodes, skip_a)
            and clear_way(ways[b][0], routes, nodes, skip_b)
            and not meets(*ways[a][0], *ways[b][0])):
        return
    for sid, (way, tip) in ways.items():
        label = routes[sid].label
        mid = ((way[0][0] + way[1][0]) / 2 + 0.5, (way[0][1] + way[1][1]) / 2 + 0.5)
        routes[sid] = Route(polyline(way), tip, mid if label else None)


def leave_apart(p: DotPlan, nodes: dict[str, Placed], routes: dict[str, Route]) -> None:
    """An edge that leaves a circle within a few px of where another's arrow enters it (the
    peephole to o[t] from the bottom of the LSTM's +, where i⊙g comes in) leaves 45° round
    the rim instead, to the side it heads to."""
    tails = {seg.id: seg.tail for seg in p.segments}
    tips = [r.tip for r in routes.values() if r.tip is not None]
    for sid, route in list(routes.items()):
        name = tails.get(sid)
        if name is None or not p.glyphs[name].circle or not any(
                math.dist(route.points[0], tip) < 4 for tip in tips):
            continue
        node, (x0, y0) = nodes[name], route.points[0]
        angle = math.atan2(y0 - node.y, x0 - node.x)
        angle += math.pi / 4 * (-1 if route.points[3][0] > x0 else 1) * (
            1 if y0 > node.y else -1)
        x, y = node.x + node.w / 2 * math.cos(angle), node.y + node.w / 2 * math.sin(angle)
        (x1, y1), rest = route.points[1], route.points[2:]
        routes[sid] = Route(((x, y), (x1 + x - x0, y1 + y - y0), *rest), route.tip,
                            route.label, route.gaps)


def _along_side(way: list[Point], sides: list[Box]) -> bool:
    """Whether a square polyline runs within 4 px along a region's side (x0, y0, x1, y1 as
    drawn)."""
    for (x0, y0), (x1, y1) in itertools.pairwise(way):
        for bx0, by0, bx1, by1 in sides:
            if x0 == x1 and min(y0, y1) < by1 and max(y0, y1) > by0 and min(
                    abs(x0 - bx0), abs(x0 - bx1)) < 4:
                return True
            if y0 == y1 and min(x0, x1) < bx1 and max(x0, x1) > bx0 and min(
                    abs(y0 - by0), abs(y0 - by1)) < 4:
                return True
    return False


def drop_from_line(p: DotPlan, line: tuple[str, ...], row: tuple[str, ...],
                   lay: tuple[dict[str, Placed], dict[str, Route]],
                   sides: list[Box], titles: list[Box], arrow: float) -> None:
    """An edge from the line down into the gate row (the peephole c[t] → o) leaves the line
    after its node, left of what already drops from there (tanh(c[t])), runs down to above
    its gate and into the gate's top, square, where that crosses no edge, passes no node,
    runs along no region side (``sides``), passes no region title (``titles``) and keeps its
    arrow off others'; else dot's route stays."""
    nodes, routes = lay
    after = dict(itertools.pairwise(line))
    for seg in p.segments:
        if seg.highway or seg.tail not in after or seg.head not in row or seg.id not in routes:
            continue
        tail, follow, head = nodes[seg.tail], nodes[after[seg.tail]], nodes[seg.head]
        x0 = tail.x + tail.w / 2
        drops = [r.points[0][0] for r in routes.values() if abs(r.points[0][1] - tail.y) < 0.01
                 and x0 < r.points[0][0] < follow.x - follow.w / 2]
        middle = (x0 + min(drops, default=follow.x - follow.w / 2)) / 2
        top = head.y - head.h / 2
        if top - 2 * arrow < tail.y:
            continue
        others = {k: r for k, r in routes.items() if k != seg.id}
        tips = [r.tip for r in others.values() if r.tip is not None]
        level = top - 1.5 * arrow
        ways = ([(x, tail.y), (x, level), (into, level), (into, top)]
                for x in (middle + d for d in (0, 1, -1, 2, -2, 3, -3, 4, -4))
                if x - arrow > x0
                for into in (head.x - head.w / 4, head.x - head.w * 3 / 8, head.x,
                             head.x + head.w / 4))
        way = next((w for w in ways if not any(math.dist(w[-1], tip) < arrow for tip in tips)
                    and not _along_side(w, sides)
                    and not any(overlap((min(a[0], b[0]) - 0.5, min(a[1], b[1]) - 0.5,
                                         max(a[0], b[0]) + 0.5, max(a[1], b[1]) + 0.5), t)
                                for a, b in itertools.pairwise(w) for t in titles)
                    and clear_way(w, others, nodes, {seg.tail, seg.head})), None)
        if way is not None:
            (x, _), (into, _) = way[1], way[2]
            label = routes[seg.id].label
            routes[seg.id] = Route(polyline([*way[:-1], (into, top - arrow)]), (into, top),
                                   ((x + into) / 2 + 0.5, level + 0.5) if label else None)
