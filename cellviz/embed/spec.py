"""What an embedded figure asks for: options written as text (a Sphinx directive's options, a
Markdown fence's attributes) checked into one ``FigureSpec``, and the cell it names."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..cell import Cell
from ..draw.compact import DETAILS
from ..errors import CellFileError, UsageError, shorten
from ..lang.library import (
    BUILTIN_CELLS,
    CONVENTIONS,
    MAX_SIZE,
    bind,
    load_graph,
    unknown_cell,
)
from ..record import record

__all__ = ["FLAGS", "OPTIONS", "THEMES", "FigureSpec", "load_cell", "parse_spec", "where"]

#: Themes an embedded figure may ask for; ``auto`` is a light and a dark figure, of which the
#: page shows the one that suits its colour scheme.
THEMES = ("light", "dark", "slides", "print", "auto")

#: Every option with a value, and what it takes (for the messages).
OPTIONS = {
    "convention": f"one of {', '.join(CONVENTIONS)}",
    "input-size": "a whole number from 1 (the size i of x[t])",
    "hidden-size": "a whole number from 1 (the size n of the state)",
    "proj-size": "a whole number from 1 (the size p of a projection)",
    "sizes": "NAME=INT pairs such as 'k=4 d=5' (the other sizes of a cell file)",
    "theme": f"one of {', '.join(THEMES)}",
    "seed": "a whole number from 0 (the weights and input of the numbers; implies values)",
    "unroll": "a whole number from 1 to 8 (steps drawn side by side)",
    "detail": f"one of {', '.join(DETAILS)} (compact: each gate one box, for slides)",
}

#: Options that are given without a value.
FLAGS = ("values", "no-title", "no-legend", "no-bias")


@record
class FigureSpec:
    """One embedded figure or table: the cell (a built-in name or a path; or ``text``, the
    equations themselves), its convention and sizes, and how to draw it."""

    cell: str | None
    text: str | None
    convention: str = "paper"
    sizes: tuple[tuple[str, int], ...] = ()
    theme: str = "light"
    values: bool = False
    seed: int = 0
    unroll: int = 1
    heading: bool = True
    legend: bool = True
    detail: str = "full"
    bias: bool = True


def _whole(name: str, text: str, least: int, most: int) -> int:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(most)) or not (
        least <= int(text) <= most
    ):
        raise UsageError(f"option {name!r}: expected a whole number from {least} to {most:,}, "
                         f"not {shorten(text)!r}")
    return int(text)


def _choice(name: str, text: str, choices: tuple[str, ...]) -> str:
    if text.strip() not in choices:
        raise UsageError(f"option {name!r}: expected one of {', '.join(choices)}, not "
                         f"{shorten(text)!r}")
    return text.strip()


def _sizes(text: str) -> list[tuple[str, int]]:
    out = []
    for item in text.replace(",", " ").split():
        symbol, sep, value = item.partition("=")
        if not sep or not symbol.isidentifier():
            raise UsageError(f"option 'sizes': expected NAME=INT pairs such as 'k=4 d=5', not "
                             f"{shorten(item)!r}")
        out.append((symbol, _whole(f"sizes {symbol}", value, 1, MAX_SIZE)))
    return out


def parse_spec(options: Mapping[str, str | None], *, cell: str | None = None,
               text: str | None = None) -> FigureSpec:
    """Check options given as text (None for a flag) into a FigureSpec; a UsageError names
    the first bad option and what it accepts. Exactly one of ``cell`` and ``text``."""
    if (cell is None) == (text is None or not text.strip()):
        raise UsageError("name a cell (a built-in name or a cell file) or write its equations "
                         "in the body, not both" if cell else
                         "no cell: name a built-in cell or a cell file, or write the cell's "
                         f"equations in the body (built-in cells: {', '.join(BUILTIN_CELLS)})")
    known = (*OPTIONS, *FLAGS)
    for name, value in options.items():
        if name not in known:
            raise UsageError(f"unknown option {shorten(name)!r} (known: {', '.join(known)})")
        if name in FLAGS and value not in (None, ""):
            raise UsageError(f"option {name!r} takes no value, not {shorten(value)!r}")
        if name in OPTIONS and not value:
            raise UsageError(f"option {name!r} needs a value: {OPTIONS[name]}")
    given = {k: v for k, v in options.items() if v}
    sizes: list[tuple[str, int]] = []
    for option, symbol in (("input-size", "i"), ("hidden-size", "n"), ("proj-size", "p")):
        if option in given:
            sizes.append((symbol, _whole(option, given[option], 1, MAX_SIZE)))
    for symbol, size in _sizes(given.get("sizes", "")):
        if symbol in dict(sizes):
            raise UsageError(f"size {symbol} is given twice")
        sizes.append((symbol, size))
    from ..draw.values import MAX_UNROLL

    return FigureSpec(
        cell=cell.strip() if cell else None,
        text=text if cell is None else None,
        convention=_choice("convention", given.get("convention", "paper"), CONVENTIONS),
        sizes=tuple(sizes),
        theme=_choice("theme", given.get("theme", "light"), THEMES),
        values="values" in options or "seed" in given,
        seed=_whole("seed", given.get("seed", "0"), 0, 2**32 - 1),
        unroll=_whole("unroll", given.get("unroll", "1"), 1, MAX_UNROLL),
        heading="no-title" not in options,
        legend="no-legend" not in options,
        detail=_choice("detail", given.get("detail", "full"), DETAILS),
        bias="no-bias" not in options,
    )


def load_cell(spec: FigureSpec, *, base: Path, source: str = "<document>",
              first_line: int = 1) -> tuple[Cell, Path | None]:
    """The cell a spec names, bound to its sizes (i=3 and n=2 unless given), and the cell
    file it was read from (None for a built-in cell or equations in the document). A cell
    file's path is taken relative to ``base``; equations in the document are reported at
    their line in ``source``, counting from ``first_line``."""
    from ..lang.build import build
    from ..lang.syntax import parse

    path: Path | None = None
    if spec.text is not None:
        if spec.convention != "paper" or not spec.bias:
            raise UsageError("a convention and no-bias choose between the forms of a built-in "
                             "cell; equations are taken as written (leave them out)")
        graph = build(parse("\n" * (first_line - 1) + spec.text, source), "cell")
    elif spec.cell in BUILTIN_CELLS:
        graph = load_graph(spec.cell, spec.convention, bias=spec.bias)
    else:
        assert spec.cell is not None
        path = base / spec.cell
        if not path.is_file():
            raise unknown_cell(spec.cell)
        graph = load_graph(path, spec.convention, bias=spec.bias)
    sizes = dict(spec.sizes)
    return bind(graph, input_size=sizes.pop("i", 3), hidden_size=sizes.pop("n", 2),
                proj_size=sizes.pop("p", None), convention=spec.convention, **sizes), path


def where(exc: Exception) -> tuple[int | None, str]:
    """The line a cell file's error points at (None for other errors) and its message
    without the ``path:line:col:`` that the caller will name in its own way."""
    if isinstance(exc, CellFileError) and exc.location is not None:
        message = str(exc).removeprefix(f"{exc.location}: ")
        return exc.location.line, f"column {exc.location.col}: {message}"
    return None, str(exc)
