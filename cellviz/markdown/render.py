"""A fence's header and body to HTML: the attributes read into a spec, the cell loaded
relative to the page, the figures drawn; a problem is one warning naming page and line."""

from __future__ import annotations

import base64
import html
import logging
import shlex
from pathlib import Path
from typing import Any

from ..embed.figure import figures, labelled, title_of
from ..embed.spec import FLAGS, load_cell, parse_spec, where
from ..errors import CellvizError, UsageError

__all__ = ["Page", "figure_html", "page_of", "parse_attributes", "warn"]


class Page:
    """The page a fence is on: its name for messages and the folder cell files are read
    from; under MkDocs, the page being built, else the working directory."""

    def __init__(self, name: str, folder: Path, text: str | None = None) -> None:
        self.name, self.folder, self.text = name, folder, text


def page_of(md: Any) -> Page:
    """The page MkDocs is building with ``md`` (it registers the page's file on the
    ``relpath`` tree processor), or an unnamed page in the working directory."""
    processors = getattr(md, "treeprocessors", None)
    file = getattr(processors["relpath"], "file", None) if processors and (
        "relpath" in processors) else None
    if file is not None and getattr(file, "abs_src_path", None):
        source = Path(file.abs_src_path)
        try:
            text = source.read_text(encoding="utf-8-sig")
        except OSError:
            text = None
        return Page(str(file.src_uri), source.parent, text)
    return Page("<markdown>", Path.cwd())


def warn(md: Any, page: Page, line: int, message: str) -> None:
    """One warning, ``page:line: cellviz: message``, on MkDocs' logger when MkDocs builds (so
    that ``mkdocs build --strict`` fails on it), else on ``cellviz.markdown``."""
    under_mkdocs = page.name != "<markdown>"
    logger = logging.getLogger("mkdocs.plugins.cellviz" if under_mkdocs else "cellviz.markdown")
    logger.warning("%s:%d: cellviz: %s", page.name, line, message)


def parse_attributes(header: str) -> tuple[str | None, dict[str, str | None]]:
    """``lstm theme=auto hidden-size=3 values`` (optionally in braces, values optionally
    quoted, ``hidden_size`` for ``hidden-size``) into the cell's name, if given first or as
    ``cell=``, and the options."""
    header = header.strip()
    if header.startswith("{") and header.endswith("}"):
        header = header[1:-1]
    try:
        words = shlex.split(header)
    except ValueError as exc:
        raise UsageError(f"cannot read the fence's attributes: {exc}") from None
    cell: str | None = None
    options: dict[str, str | None] = {}
    for k, word in enumerate(words):
        name, sep, value = word.partition("=")
        name = name.replace("_", "-")
        if name == "cell" and sep:
            cell = value
        elif sep:
            options[name] = value
        elif k == 0 and name not in FLAGS:
            cell = word
        else:
            options[name] = None
    return cell, options


_NATURAL = 'style="max-width: none; height: auto"'


def _img(svg: str, fragment: str, alt: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img class="cellviz-figure" src="data:image/svg+xml;base64,{data}#{fragment}" '
            f'alt="{html.escape(alt, quote=True)}"/>')


def figure_html(cell_name: str | None, options: dict[str, str | None], body: str | None, *,
                page: Page, first_line: int, serial: int) -> str:
    """The HTML of one fence: the SVG inline, or for ``theme=auto`` a light and a dark image
    marked ``#only-light`` and ``#only-dark`` (mkdocs-material shows the one that suits the
    page's colour scheme); ``alt`` replaces the figure's own title for screen readers. Raises
    a CellvizError for a bad fence."""
    alt = options.pop("alt", None)
    spec = parse_spec(options, cell=cell_name, text=body if body and body.strip() else None)
    cell, _ = load_cell(spec, base=page.folder, source=page.name, first_line=first_line)
    drawn = figures(cell, spec, id_prefix=f"cellviz-{serial}-")
    if spec.theme != "auto":
        # Themes shrink SVG to the text's width, and the smallest labels would then fall below
        # the browser's least font size, which enlarges them until they overlap: a figure
        # keeps its size, and one wider than the text scrolls sideways.
        svg = labelled(drawn[0][1], alt).replace("<svg ", f"<svg {_NATURAL} ", 1)
        return f'<div class="cellviz-figure" style="overflow-x: auto">\n{svg}</div>'
    title = alt or title_of(drawn[0][1])
    return "\n".join(f'<p class="cellviz-pair">{_img(svg, f"only-{theme}", title)}</p>'
                     for theme, svg in drawn)


def fence_to_html(md: Any, header: str, body: str | None, *, page: Page, line: int,
                  serial: int) -> str:
    """``figure_html`` for a fence at ``line`` of ``page`` whose body starts on the next line;
    a bad fence is one warning and no HTML."""
    cell_name = None
    try:
        cell_name, options = parse_attributes(header)
        return figure_html(cell_name, options, body, page=page, first_line=line + 1,
                           serial=serial)
    except CellvizError as exc:
        # A mistake in equations written in the body is reported at its own line.
        in_body = cell_name is None and bool(body and body.strip())
        at, message = where(exc) if in_body else (None, str(exc))
        warn(md, page, at or line, message)
        return ""
