"""Where text goes beside dot's routes: shape labels that read with their own edge, gate titles
clear of every route."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from functools import lru_cache

from .layout import ClusterBox, Layout

__all__ = ["WALL_CLEAR", "Grid", "free_spot", "gate_label_at", "hug", "route_points"]


class Grid:
    """Points bucketed on a square grid, so that the points in a box are found without a scan
    of them all (a large figure has tens of thousands of route samples and hundreds of
    labels)."""

    def __init__(self, points: list[tuple[float, float]], cell: float) -> None:
        self.cell = cell
        self.buckets: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for x, y in points:
            self.buckets.setdefault((int(x // cell), int(y // cell)), []).append((x, y))

    def near(self, x0: float, y0: float, x1: float, y1: float) -> Iterator[tuple[float, float]]:
        """Every point in a bucket that the box from (x0, y0) to (x1, y1) touches."""
        c = self.cell
        for i in range(int(x0 // c), int(x1 // c) + 1):
            for j in range(int(y0 // c), int(y1 // c) + 1):
                yield from self.buckets.get((i, j), ())


def hug(at: tuple[float, float], size: tuple[float, float],
         route: list[tuple[float, float]]) -> tuple[float, float]:
    """dot's place for an edge label, moved to stand just clear of its own edge (its box holds
    a margin round the text): dot leaves up to a label's height, more beside a slanted edge,
    where a label reads as another edge's, and sometimes lets the box touch the edge. It keeps
    its side of the edge, moving along the line to the edge's nearest point."""
    w, h = size
    x, y = at
    if not route:
        return at
    px, py = min(route, key=lambda q: (q[0] - x) ** 2 + (q[1] - y) ** 2)
    dx, dy = x - px, y - py
    distance = math.hypot(dx, dy)
    if distance == 0:
        return at
    ux, uy = dx / distance, dy / distance
    reach = _clearance(w, h, ux, uy)
    return px + ux * reach, py + uy * reach


def _clearance(w: float, h: float, ux: float, uy: float) -> float:
    """How far from an edge the centre of a label ``w`` × ``h`` stands, moved off it along the
    unit vector (ux, uy): as far as its box reaches that way, and a little more, since the
    edge is known at its samples and may bulge between two of them."""
    return w / 2 * abs(ux) + h / 2 * abs(uy) + h * 0.15


#: How far an edge label's box (its text and a margin) keeps from a region's border, in px.
WALL_CLEAR = 2.0


def free_spot(at: tuple[float, float], size: tuple[float, float], samples: Grid, lay: Layout,
               others: list[tuple[float, float, float, float]], own: list[tuple[float, float]],
               misleading: set[tuple[float, float]], *,
               walls: Sequence[tuple[float, float, float, float]] = (),
               fallback: tuple[float, float] | None = None) -> tuple[float, float]:
    """Where an edge label goes: the first of ``at``, places beside its own edge (``own`` are
    the edge's samples) further along it, and places around ``at``, that no edge crosses, no
    node, label or region title covers, no region's border (``walls``: its sides, each as the
    box of its ends) comes within ``WALL_CLEAR`` of, and where no edge of another shape
    (``misleading`` are their samples) runs nearer than its own, so that it cannot be read as
    that edge's shape. Failing that last, the free place nearest its own edge; with no free
    place near ``at`` (a label squeezed between regions), the best free place further off;
    failing all, ``fallback`` (dot's own place) or ``at``."""
    w, h = size
    x, y = at
    near, far = _nearby(w, h)

    def free(cx: float, cy: float) -> bool:
        x0, x1, y0, y1 = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
        gap = WALL_CLEAR
        return not (
            any(x0 < px < x1 and y0 < py < y1 for px, py in samples.near(x0, y0, x1, y1))
            or any(x0 < n.x + n.w / 2 and n.x - n.w / 2 < x1 and y0 < n.y + n.h / 2
                   and n.y - n.h / 2 < y1 for n in lay.nodes.values())
            or any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in others)
            or any(x0 - gap < b[2] and b[0] < x1 + gap and y0 - gap < b[3] and b[1] < y1 + gap
                   for b in walls)
            or any(x0 < c.x1 and c.x0 < x1 and y0 < c.label_at[1] + h
                   and c.label_at[1] - h < y1 for c in lay.clusters))

    def misread(cx: float, cy: float) -> tuple[bool, float]:
        """Whether an edge of another shape runs nearer than its own, and the squared
        distance to its own."""
        mine = min(((px - cx) ** 2 + (py - cy) ** 2 for px, py in own), default=0.0)
        reach = math.sqrt(mine)
        return any((px - cx) ** 2 + (py - cy) ** 2 < mine
                   for px, py in samples.near(cx - reach, cy - reach, cx + reach, cy + reach)
                   if (px, py) in misleading), mine

    # (misread, squared distance to its own edge, place) of the free places.
    found: list[tuple[bool, float, tuple[float, float]]] = []
    for cx, cy in itertools.chain((at,), _beside(own, size, at),
                                  ((x + dx, y + dy) for dx, dy in near)):
        if free(cx, cy):
            wrong, mine = misread(cx, cy)
            if not wrong:
                return cx, cy
            found.append((wrong, mine, (cx, cy)))
    if not found:  # squeezed (between regions): further off, as near its own edge as it can
        found = [(*misread(cx, cy), (cx, cy)) for cx, cy in ((x + dx, y + dy) for dx, dy in far)
                 if free(cx, cy)]
    if found:
        return min(found, key=lambda f: f[:2])[2]
    return fallback or at


def _beside(route: list[tuple[float, float]], size: tuple[float, float],
            at: tuple[float, float]) -> list[tuple[float, float]]:
    """Places for a label just clear of its edge, at 1/2, 1/3, 2/3, 1/5 and 4/5 of the way
    along it, on the side ``at`` is on first: where edges fan out from one node or into
    one, they stand apart near their ends, not in the middle."""
    if len(route) < 3:
        return []
    w, h = size
    out = []
    for fraction in (0.5, 1 / 3, 2 / 3, 0.2, 0.8):
        k = min(max(round(fraction * (len(route) - 1)), 1), len(route) - 2)
        (ax, ay), (px, py), (bx, by) = route[k - 1], route[k], route[k + 1]
        tx, ty = bx - ax, by - ay
        norm = math.hypot(tx, ty)
        if norm == 0:
            continue
        nx, ny = -ty / norm, tx / norm
        if (at[0] - px) * nx + (at[1] - py) * ny < 0:
            nx, ny = -nx, -ny
        reach = _clearance(w, h, nx, ny)
        out += [(px + nx * reach, py + ny * reach), (px - nx * reach, py - ny * reach)]
    return out


@lru_cache(maxsize=16)
def _nearby(w: float, h: float) -> tuple[tuple[tuple[float, float], ...], ...]:
    """Offsets to try for a label ``w`` × ``h``, in half steps, nearest first: up to one and
    a half widths to either side and three heights up or down; then, for a label squeezed
    between regions, the rest up to three widths and five heights."""

    def ring(wide: int, high: int) -> set[tuple[int, int]]:
        return {(dx, dy) for dx in range(-wide, wide + 1) for dy in range(-high, high + 1)}

    inner = ring(3, 6)
    return tuple(tuple((dx * w / 2, dy * h / 2) for dx, dy in sorted(
        steps, key=lambda d: (math.hypot(d[0] * w, d[1] * h), d[1], d[0])))
        for steps in (inner, ring(6, 10) - inner))


#: The Bernstein weights of 25 evenly spaced points along a cubic Bézier curve.
_BEZIER = tuple(((1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3)
                for t in (step / 24 for step in range(25)))


def route_points(points: tuple[tuple[float, float], ...]) -> list[tuple[float, float]]:
    """Points along a route's Bézier curves, close enough to test what the route crosses."""
    out = []
    for k in range(0, len(points) - 3, 3):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[k:k + 4]
        out += [(a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3)
                for a, b, c, d in _BEZIER]
    return out


def gate_label_at(box: ClusterBox, lw: float, lh: float, samples: Grid,
                   pad: float) -> tuple[float, float]:
    """Where a gate's label goes (its left end, vertical middle): in the strip dot reserved
    along the region's top (at ``label_x`` if the layout kept a place for it there), ``pad``
    in from its left side unless an edge crosses it there,
    else from its right, else its middle, else the first place between that no edge crosses
    (the label's box holds 3 units of margin on each side)."""
    cy = box.label_at[1]
    # A region drawn as the outline of its parts has its strip along the first.
    x0, _, x1, _ = box.parts[0] if box.parts else (box.x0, 0.0, box.x1, 0.0)
    left = x0 + pad
    right = x1 - lw + 6 - pad
    # Then every place between, in steps of a twelfth of the room.
    between = (left + (right - left) * k / 12 for k in range(1, 12))
    first = () if box.label_x is None else (box.label_x,)
    for x in itertools.chain(first, (left, right, (x0 + x1 - lw) / 2 + 3), between):
        y0, y1 = cy - lh / 2 - 1, cy + lh / 2 + 1
        if not any(x - 5 <= px <= x + lw - 1 and y0 <= py <= y1
                   for px, py in samples.near(x - 5, y0, x + lw - 1, y1)):
            return x, cy
    return left, cy
