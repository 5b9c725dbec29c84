"""The arrangement of a figure that fills a slide best: a theme made for slides lays the figure
out with each dense node's term captions in one line and stacked (W_f over ·x[t]), and keeps
whichever comes out larger once fitted to the slide."""

from __future__ import annotations

from ..cell import Cell
from ..record import replace
from .themes import Theme

__all__ = ["fitted"]


def fitted(cell: Cell, theme: Theme, detail: str, *, ports: bool = False) -> Theme:
    """``theme`` with ``stacked_terms`` chosen for this figure when the theme fits a slide
    (``Theme.fit``, the slide's width over its height): captions stacked if that makes the
    figure, fitted to the slide, larger; else ``theme`` as it is. The choice is made without
    values, so that every step of a figure with numbers is drawn alike."""
    if not theme.fit or detail != "full":
        return theme
    from .layout import layout  # the layout plans with the theme this returns

    best, best_scale = theme, 0.0
    for stacked in (False, True):
        trial = replace(theme, fit=0.0, stacked_terms=stacked)
        _, lay = layout(cell, trial, None, detail, ports=ports)
        scale = min(theme.fit / lay.width, 1.0 / lay.height)
        if scale > best_scale * 1.001:
            best, best_scale = trial, scale
    return best
