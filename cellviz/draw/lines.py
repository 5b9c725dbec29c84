"""Connections as drawn: their line style (solid or dash-dot), spline path and arrowhead."""

from __future__ import annotations

import itertools
import math
import re

from .scene import Path, Shape, fmt
from .themes import Theme

__all__ = ["bezier_at", "bridged", "edge_shapes", "level_crossings", "line_dash", "polyline"]

Point = tuple[float, float]


def line_dash(style: str, theme: Theme) -> str:
    """The SVG dash array of a connection in ``style``: dash-dot for pointwise, solid (empty)
    otherwise."""
    if style != "pointwise":
        return ""
    u = theme.stroke
    return " ".join(fmt(v * max(u, 1.0)) for v in (7, 3, 1.5, 3))


def edge_shapes(route_points: tuple[tuple[float, float], ...], tip: tuple[float, float] | None,
                 dx: float, dy: float, stroke: str, width: float, dash: str,
                 arrow_size: float, gaps: tuple[int, ...] = ()) -> list[Shape]:
    """A connection through dot's spline ``route_points`` (moved by dx, dy), ending in a filled
    arrowhead at ``tip`` if given; the curves numbered in ``gaps`` are not drawn (a bridge
    where it passes another line)."""
    pts = [(x + dx, y + dy) for x, y in route_points]
    d = f"M{fmt(pts[0][0])},{fmt(pts[0][1])}"
    for k in range(1, len(pts) - 2, 3):
        if (k - 1) // 3 in gaps:
            d += f"M{fmt(pts[k + 2][0])},{fmt(pts[k + 2][1])}"
            continue
        d += "C" + " ".join(f"{fmt(x)},{fmt(y)}" for x, y in pts[k:k + 3])
    shapes: list[Shape] = []
    if tip is not None:
        tx, ty = tip[0] + dx, tip[1] + dy
        bx, by = pts[-1]
        length = math.hypot(tx - bx, ty - by) or 1.0
        ux, uy = (tx - bx) / length, (ty - by) / length
        # The arrowhead spans from the spline's end to dot's tip; a fixed size keeps them alike.
        bx, by = tx - ux * arrow_size, ty - uy * arrow_size
        half = arrow_size * 0.38
        d += f"L{fmt(bx)},{fmt(by)}"
        head = (f"M{fmt(tx)},{fmt(ty)}L{fmt(bx - uy * half)},{fmt(by + ux * half)}"
                f"L{fmt(bx + uy * half)},{fmt(by - ux * half)}Z")
        shapes.append(Path(d, stroke, width, dash=dash))
        shapes.append(Path(head, "none", 0, fill=stroke))
    else:
        shapes.append(Path(d, stroke, width, dash=dash))
    return shapes


def polyline(points: list[tuple[float, float]],
             radius: float) -> tuple[tuple[float, float], ...]:
    """A path through ``points`` with straight runs and corners rounded to ``radius``, as
    Bézier points (the start, then three per curve) that ``edge_shapes`` draws.

    >>> polyline([(0, 0), (9, 0)], 2)
    ((0, 0), (3.0, 0.0), (6.0, 0.0), (9, 0))
    """
    out: list[tuple[float, float]] = [points[0]]

    def run(b: tuple[float, float]) -> None:
        a = out[-1]
        out.extend(((a[0] + (b[0] - a[0]) / 3, a[1] + (b[1] - a[1]) / 3),
                    (a[0] + 2 * (b[0] - a[0]) / 3, a[1] + 2 * (b[1] - a[1]) / 3), b))

    for before, corner, after in zip(points, points[1:], points[2:], strict=False):
        r = min(radius, math.dist(before, corner) / 2, math.dist(corner, after) / 2)
        into = _toward(corner, before, r)
        run(into)
        # A quarter-circle's Bézier handles are 0.55 of its radius long.
        out.extend((_toward(into, corner, r * 0.55), _toward(_toward(corner, after, r), corner,
                                                              r * 0.55),
                    _toward(corner, after, r)))
    run(points[-1])
    return tuple(out)


def _toward(a: tuple[float, float], b: tuple[float, float], d: float) -> tuple[float, float]:
    """The point ``d`` from ``a`` towards ``b``."""
    length = math.dist(a, b) or 1.0
    return a[0] + (b[0] - a[0]) * d / length, a[1] + (b[1] - a[1]) * d / length


def bridged(points: list[Point], cuts: list[Point], gap: float,
            radius: float) -> tuple[tuple[Point, ...], tuple[int, ...]]:
    """A path through ``points`` as ``polyline`` draws it, broken ``gap`` either side of each
    of ``cuts`` that lies on one of its runs (a bridge where it passes another line): the
    Bézier points and the numbers of the curves ``edge_shapes`` leaves out.

    >>> bridged([(0, 0), (0, 9)], [(0, 4)], 1, 2)[1]
    (1,)
    """
    runs: list[list[Point]] = [[points[0]]]
    for a, b in itertools.pairwise(points):
        length = math.dist(a, b)
        if not length:
            continue
        ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
        along = sorted(d for c in cuts
                       if abs((c[0] - a[0]) * uy - (c[1] - a[1]) * ux) < 1e-6
                       and gap < (d := (c[0] - a[0]) * ux + (c[1] - a[1]) * uy) < length - gap)
        for d in along:
            runs[-1].append((a[0] + ux * (d - gap), a[1] + uy * (d - gap)))
            runs.append([(a[0] + ux * (d + gap), a[1] + uy * (d + gap))])
        runs[-1].append(b)
    route = list(polyline(runs[0], radius))
    gaps = []
    for run in runs[1:]:
        gaps.append((len(route) - 1) // 3)
        (x0, y0), (x1, y1) = route[-1], run[0]
        route += [(x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3),
                  (x0 + 2 * (x1 - x0) / 3, y0 + 2 * (y1 - y0) / 3), run[0]]
        route += polyline(run, radius)[1:]
    return tuple(route), tuple(gaps)


def level_crossings(d: str, y: float, x0: float, x1: float) -> list[float]:
    """Where a path's ``d`` (absolute M, C and L commands, its curves followed in eight
    steps) crosses the level run from (x0, y) to (x1, y), strictly inside it."""
    found: list[float] = []
    here: Point = (0.0, 0.0)
    for command, body in re.findall(r"([MCL])([^MCLZ]*)", d):
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", body)]
        points = list(zip(numbers[0::2], numbers[1::2], strict=True))
        if command == "M":
            here = points[-1]
            continue
        if command == "C":
            curve: list[Point] = []
            for k in range(0, len(points), 3):
                start = curve[-1] if curve else here
                curve += [bezier_at((start, *points[k:k + 3]), n / 8) for n in range(1, 9)]
            points = curve
        for a, b in itertools.pairwise([here, *points]):
            if (a[1] - y) * (b[1] - y) < 0:
                x = a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1])
                if min(x0, x1) < x < max(x0, x1):
                    found.append(x)
        here = points[-1]
    return found


def bezier_at(points: tuple[Point, ...], s: float) -> Point:
    """The point at ``s`` (0 to 1) of the cubic Bézier curve through ``points``."""
    weights = ((1 - s) ** 3, 3 * s * (1 - s) ** 2, 3 * s * s * (1 - s), s ** 3)
    return (sum(w * p[0] for w, p in zip(weights, points, strict=True)),
            sum(w * p[1] for w, p in zip(weights, points, strict=True)))
