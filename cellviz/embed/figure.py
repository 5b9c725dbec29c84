"""Draw the figures an embedded spec asks for: one, or a light and a dark one for ``auto``,
each with ids of its own on the page."""

from __future__ import annotations

import html
import re
from typing import Any

from ..cell import Cell
from ..errors import UsageError
from .spec import FigureSpec

__all__ = ["MAX_VALUE_PARAMS", "figures", "labelled", "step_values", "title_of"]

_LABELLED = re.compile(r'aria-labelledby="[^"]*"')

#: The most parameters a figure with numbers may have: far more than a figure can print.
MAX_VALUE_PARAMS = 10**7


def step_values(cell: Cell, seed: int, steps: int) -> tuple[Any, ...]:
    """The numbers of ``steps`` steps from the zero state, weights and input drawn from
    ``seed`` as ``cellviz eval --seed`` and ``cellviz render --seed`` draw them."""
    from ..draw.values import values_of
    from ..numeric.weights import example_inputs

    if cell.params().total > MAX_VALUE_PARAMS:
        raise UsageError(f"too large to draw with numbers: {cell.params().total:,} parameters "
                         f"(at most {MAX_VALUE_PARAMS:,}); use smaller sizes")
    weights, xs = example_inputs(cell, seed=seed, steps=steps)
    prepared = cell.prepare(weights)
    state: dict[str, Any] | None = None
    out = []
    for t in range(steps):
        outputs, trace = cell.step(prepared, {name: seq[t] for name, seq in xs.items()}, state)
        state = {s: outputs[s] for s in cell.graph.states}
        out.append(values_of(trace, weights, step=t + 1))
    return tuple(out)


def figures(cell: Cell, spec: FigureSpec, id_prefix: str | None = None) -> list[tuple[str, str]]:
    """(theme, SVG text) of each figure: one, or light then dark for the theme ``auto``. With
    ``id_prefix``, the figures' ids start with it and the theme."""
    from ..draw.render import RenderOptions, render

    themes = ("light", "dark") if spec.theme == "auto" else (spec.theme,)
    values = step_values(cell, spec.seed, spec.unroll) if spec.values else None
    out = []
    for theme in themes:
        options = RenderOptions(theme=theme, values=values, unroll=spec.unroll,
                                heading=spec.heading, legend=spec.legend, detail=spec.detail,
                                id_prefix=f"{id_prefix}{theme}-" if id_prefix else None)
        out.append((theme, render(cell, options=options)))
    return out


def labelled(svg: str, alt: str | None) -> str:
    """The figure named ``alt`` for screen readers (in place of its title and description),
    or as it is without ``alt``."""
    if not alt:
        return svg
    return _LABELLED.sub(f'aria-label="{html.escape(alt, quote=True)}"', svg, count=1)


def title_of(svg: str) -> str:
    """The text of a figure's ``<title>``, for an alt text."""
    found = re.search(r"<title[^>]*>(.*?)</title>", svg, re.S)
    return html.unescape(found.group(1)) if found else "cellviz figure"
