"""The arrangement of a figure that fills a slide best: a theme made for slides lays the figure
out as on paper, narrow (each dense node's term captions stacked, W_f over ·x[t]) and short
(each vector's shape beside its name), and keeps whichever comes out larger once fitted."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ..cell import Cell
from ..record import replace
from .themes import Theme

if TYPE_CHECKING:
    from .layout import Layout

__all__ = ["extent", "fitted"]


def extent(lay: Layout) -> tuple[float, float]:
    """The width and height of what a layout places (its boxes, regions and routes), which
    can be less than dot's box, which holds room it left empty."""
    xs: list[float] = []
    ys: list[float] = []
    for n in lay.nodes.values():
        xs += [n.x - n.w / 2, n.x + n.w / 2]
        ys += [n.y - n.h / 2, n.y + n.h / 2]
    for c in lay.clusters:
        xs += [c.x0, c.x1]
        ys += [c.y0, c.y1]
    for route in [*lay.routes.values(), *(bus for _, bus in lay.buses)]:
        xs += [x for x, _ in route.points]
        ys += [y for _, y in route.points]
    return max(xs) - min(xs), max(ys) - min(ys)


@lru_cache(maxsize=32)
def fitted(cell: Cell, theme: Theme, detail: str, *, ports: bool = False) -> Theme:
    """``theme`` with the ``arrangement`` chosen for this figure when the theme fits a slide
    (``Theme.fit``, the slide's width over its height): as on paper, narrow or short,
    whichever makes the figure, fitted to the slide, larger; else ``theme`` as it is. The
    choice is made without values, so that every step of a figure with numbers is drawn
    alike; remembered, so that the steps of an unrolled figure and the layout that follows the
    choice do not make it again."""
    if not theme.fit:
        return theme
    from .layout import layout  # the layout plans with the theme this returns

    best, best_scale = theme, 0.0
    # (Compact detail draws no terms, so narrow is as on paper there.)
    for arrangement in ("", "narrow", "short") if detail == "full" else ("", "short"):
        trial = replace(theme, fit=0.0, arrangement=arrangement)
        width, height = extent(layout(cell, trial, None, detail, ports=ports)[1])
        scale = min(theme.fit / width, 1.0 / height)
        if scale > best_scale * 1.001:
            best, best_scale = trial, scale
    return best
