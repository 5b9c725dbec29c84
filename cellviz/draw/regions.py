"""The shape of a gate region: the rectangle round its parts (its nodes on the state line, dot's
box of the rest), or, where that rectangle would take in a node or a region not its own, the
outline of the parts themselves, corners rounded."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from .scene import fmt

__all__ = ["Box", "border", "bounding", "outline", "overlap"]

Box = tuple[float, float, float, float]
Point = tuple[float, float]

#: How far a quarter circle's control points stand from its ends, in radii.
_KAPPA = 0.5523


def bounding(boxes: Sequence[Box]) -> Box:
    """The smallest box holding ``boxes``."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))


def overlap(a: Box, b: Box) -> bool:
    """Whether two boxes share some area (not only a border)."""
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _corners(parts: Sequence[Box]) -> list[Point]:
    """The corners of the union of boxes stacked one under another, clockwise from the top
    left: down the right side slab by slab, then up the left side. Each horizontal slab of the
    union is taken as one span (the parts of a region overlap where they meet)."""
    ys = sorted({y for b in parts for y in (b[1], b[3])})
    slabs: list[tuple[float, float, float, float]] = []
    for top, bottom in itertools.pairwise(ys):
        spans = [b for b in parts if b[1] <= top and b[3] >= bottom]
        if spans:
            left, right = min(b[0] for b in spans), max(b[2] for b in spans)
            if slabs and slabs[-1][2:] == (left, right) and slabs[-1][1] == top:
                slabs[-1] = (slabs[-1][0], bottom, left, right)
            else:
                slabs.append((top, bottom, left, right))
    right_side = [p for top, bottom, _, x in slabs for p in ((x, top), (x, bottom))]
    left_side = [p for top, bottom, x, _ in reversed(slabs) for p in ((x, bottom), (x, top))]
    points: list[Point] = []
    for p in [*right_side, *left_side]:
        if not points or p != points[-1]:
            points.append(p)
    # Drop the points in the middle of a straight side.
    keep = []
    for k, (x, y) in enumerate(points):
        (ax, ay), (bx, by) = points[k - 1], points[(k + 1) % len(points)]
        if not ((ax == x == bx) or (ay == y == by)):
            keep.append((x, y))
    return keep


def border(parts: Sequence[Box]) -> list[Box]:
    """The sides of the union of ``parts`` (as ``outline`` draws it, corners unrounded), each
    as the box of its ends (x0, y0, x1, y1)."""
    corners = _corners(parts)
    return [(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
            for a, b in zip(corners, corners[1:] + corners[:1], strict=True)]


def outline(parts: Sequence[Box], radius: float) -> str:
    """SVG path data (M, L, C, Z) of the outline of the union of ``parts``, each corner
    rounded by up to ``radius``."""
    corners = _corners(parts)
    out: list[str] = []
    for k, (x, y) in enumerate(corners):
        (ax, ay), (bx, by) = corners[k - 1], corners[(k + 1) % len(corners)]
        into, away = abs(x - ax) + abs(y - ay), abs(bx - x) + abs(by - y)
        r = min(radius, into / 2, away / 2)
        # Unit directions of the side coming in and the side going out.
        dx1, dy1 = (x - ax) / into, (y - ay) / into
        dx2, dy2 = (bx - x) / away, (by - y) / away
        start = (x - dx1 * r, y - dy1 * r)
        end = (x + dx2 * r, y + dy2 * r)
        c1 = (start[0] + dx1 * r * _KAPPA, start[1] + dy1 * r * _KAPPA)
        c2 = (end[0] - dx2 * r * _KAPPA, end[1] - dy2 * r * _KAPPA)
        out.append(f"{'M' if k == 0 else 'L'}{fmt(start[0])},{fmt(start[1])}")
        out.append(f"C{fmt(c1[0])},{fmt(c1[1])} {fmt(c2[0])},{fmt(c2[1])} "
                   f"{fmt(end[0])},{fmt(end[1])}")
    return "".join(out) + "Z"
