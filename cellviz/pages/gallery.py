"""The gallery: every built-in cell in every theme, and an index.html from a template."""

from __future__ import annotations

from pathlib import Path

from ..cell import Cell
from ..draw.render import RenderOptions, environment, render, write_atomic
from ..draw.themes import THEMES
from ..errors import UsageError
from ..lang.library import BUILTIN_CELLS, load
from ..params import ParamTable, shape_text
from ..record import record

__all__ = ["GalleryEntry", "gallery_cells", "write_gallery"]


@record
class GalleryEntry:
    """One cell of the gallery: its figures by theme (file names) and its parameter rows."""

    name: str
    title: str
    description: str
    files: tuple[tuple[str, str], ...]
    rows: tuple[tuple[str, str, str, str, str], ...]
    summary: str


def gallery_cells() -> list[Cell]:
    """The built-in cells at the article's sizes (a projection of size 1 where there is one)."""
    cells = []
    for name in BUILTIN_CELLS:
        extra = {"proj_size": 1} if name == "lstm-proj" else {}
        cells.append(load(name, input_size=3, hidden_size=2, **extra))  # type: ignore[arg-type]
    return cells


def _rows(table: ParamTable) -> tuple[tuple[str, str, str, str, str], ...]:
    return tuple((e.gate or e.node, e.name, shape_text(e.dims), shape_text(e.shape), str(e.count))
                 for e in table)


def write_gallery(directory: Path, *, scale: float = 1.0) -> Path:
    """Write every figure and the index into ``directory``; return the index's path."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"the gallery goes into a directory, and {str(directory)!r} is a "
                         "file (give a directory, such as output/gallery)")
    entries = []
    for cell in gallery_cells():
        files = []
        for theme in THEMES:
            filename = f"{cell.name}.{theme}.svg"
            svg = render(cell, options=RenderOptions(theme=theme, scale=scale))
            write_atomic(directory / filename, svg.encode("utf-8"))
            files.append((theme, filename))
        table = cell.params()
        sizes = ", ".join(f"{s}={v}" for s, v in cell.sizes)
        entries.append(GalleryEntry(cell.name, f"{cell.name} ({sizes})",
                                    cell.graph.description or "", tuple(files), _rows(table),
                                    table.summary()))
    html = environment().get_template("gallery.html.j2").render(entries=entries,
                                                               themes=tuple(THEMES))
    index = directory / "index.html"
    write_atomic(index, html.encode("utf-8"))
    return index
