"""Connections as drawn: their line style (solid or dash-dot), spline path and arrowhead."""

from __future__ import annotations

import math

from .scene import Path, Shape, fmt
from .themes import Theme

__all__ = ["edge_shapes", "line_dash"]


def line_dash(style: str, theme: Theme) -> str:
    """The SVG dash array of a connection in ``style``: dash-dot for pointwise, solid (empty)
    otherwise."""
    if style != "pointwise":
        return ""
    u = theme.stroke
    return " ".join(fmt(v * max(u, 1.0)) for v in (7, 3, 1.5, 3))


def edge_shapes(route_points: tuple[tuple[float, float], ...], tip: tuple[float, float] | None,
                 dx: float, dy: float, stroke: str, width: float, dash: str,
                 arrow_size: float) -> list[Shape]:
    """A connection through dot's spline ``route_points`` (moved by dx, dy), ending in a filled
    arrowhead at ``tip`` if given."""
    pts = [(x + dx, y + dy) for x, y in route_points]
    d = f"M{fmt(pts[0][0])},{fmt(pts[0][1])}"
    for k in range(1, len(pts) - 2, 3):
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
