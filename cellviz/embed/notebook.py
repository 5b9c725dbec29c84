"""Jupyter: ``cellviz.show`` (a figure with options, a light and dark pair for ``auto``), the
parameter table's HTML, and display ids: every figure shown gets ids of its own, so that a
notebook shows any number of them, the same one twice included."""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..cell import Cell
from ..errors import UsageError
from ..params import ParamTable
from ..tables import display_rows
from .figure import figures
from .spec import parse_spec

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Figure", "display_prefix", "show", "table_html"]

_DISPLAYS: Iterator[int] = itertools.count(1)


def display_prefix() -> str:
    """The id prefix of the next figure a notebook shows: ``cellviz-nbN-``, N counting the
    figures this process has shown."""
    return f"cellviz-nb{next(_DISPLAYS)}-"


@dataclass(frozen=True)
class Figure:
    """A drawn figure for Jupyter: one SVG, or a light and a dark one (``theme="auto"``), of
    which the notebook shows the one that suits its colour scheme."""

    svgs: tuple[tuple[str, str], ...]
    key: str

    @property
    def svg(self) -> str:
        """The SVG text (the light one of a pair)."""
        return self.svgs[0][1]

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        if len(self.svgs) == 1:
            return f'<div class="cellviz-figure">{self.svg}</div>'
        # Scoped to this figure's own class: a browser's or JupyterLab's dark scheme.
        k = f".cellviz-pair-{self.key}"
        style = (f"{k} .cellviz-dark {{display: none}} "
                 f"@media (prefers-color-scheme: dark) {{{k} .cellviz-light {{display: none}} "
                 f"{k} .cellviz-dark {{display: block}}}} "
                 f'body[data-jp-theme-light="false"] {k} .cellviz-light {{display: none}} '
                 f'body[data-jp-theme-light="false"] {k} .cellviz-dark {{display: block}}')
        figures = "".join(f'<div class="cellviz-{theme}">{svg}</div>' for theme, svg in self.svgs)
        return f'<div class="{k[1:]}"><style>{style}</style>{figures}</div>'


def show(cell: Cell | str, **options: Any) -> Figure:
    """A figure of ``cell`` for Jupyter to display, with the options of the Sphinx directive
    written as keywords: ``theme`` (light, dark, slides, print or auto), ``values``,
    ``seed``, ``unroll``, ``detail`` (full or compact), ``title`` and ``legend`` (False
    leaves them out). ``cell`` is a Cell, or a built-in name or cell file loaded with
    ``convention``, ``input_size``, ``hidden_size`` (3 and 2 unless given), ``proj_size`` and
    ``sizes`` ({"k": 4}).

    >>> show("gru", hidden_size=3, theme="auto").svgs[1][0]
    'dark'
    """
    given: dict[str, str | None] = {}
    for name, value in options.items():
        option = name.replace("_", "-")
        if option in ("title", "legend"):
            if value is False:
                given[f"no-{option}"] = None
            elif value is not True:
                raise UsageError(f"{name} must be True or False, not {value!r}")
        elif option == "values":
            if value is True:
                given["values"] = None
            elif value is not False:
                raise UsageError(f"values must be True or False, not {value!r}")
        elif option == "sizes" and isinstance(value, dict):
            given["sizes"] = " ".join(f"{k}={v}" for k, v in value.items())
        else:
            given[option] = str(value)
    if isinstance(cell, Cell):
        bound = [k for k in given if k in ("convention", "input-size", "hidden-size",
                                            "proj-size", "sizes")]
        if bound:
            raise UsageError(f"{bound[0].replace('-', '_')} is given by the Cell itself; pass "
                             "a built-in name or a cell file to choose it")
        spec = parse_spec(given, cell=cell.graph.name)
    else:
        from .spec import load_cell

        spec = parse_spec(given, cell=str(cell))
        from pathlib import Path

        cell, _ = load_cell(spec, base=Path.cwd())
    prefix = display_prefix()
    return Figure(tuple(figures(cell, spec, id_prefix=prefix)), prefix.strip("-"))


def table_html(table: ParamTable) -> str:
    """A parameter table as an HTML table: a row per parameter, a subtotal per dense node,
    the total, and the cell, convention and sizes as its caption."""
    sizes = ", ".join(f"{s}={v}" for s, v in table.sizes)

    def row(*cells: str, right: int = 4) -> str:
        return "<tr>" + "".join(
            f'<td style="text-align: {"right" if k == right else "left"}">{html.escape(c)}</td>'
            for k, c in enumerate(cells)) + "</tr>"

    rows = [row(*cells) for cells in display_rows(table)]
    head = "".join(f"<th>{h}</th>" for h in ("node", "parameter", "shape", "size", "count"))
    caption = html.escape(f"{table.cell} ({table.convention} convention), {sizes}: "
                          f"{table.summary()}")
    return (f'<table class="cellviz-params"><caption>{caption}</caption><thead><tr>{head}</tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table>")
