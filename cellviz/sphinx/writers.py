"""The figure node and how each builder writes it: HTML as inline SVG or SVG files (with
``only-light``/``only-dark`` for a light and dark pair), LaTeX as PDF, text as its alt text."""

from __future__ import annotations

import hashlib
import html
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.util import logging

from ..embed.figure import labelled, title_of
from ..errors import CellvizError

__all__ = ["cellviz_figure", "depart_nothing", "visit_html", "visit_latex", "visit_skip",
           "visit_text"]

logger = logging.getLogger(__name__)


class cellviz_figure(nodes.General, nodes.Element):
    """A drawn figure: ``svgs`` holds (theme, SVG text), two for a light and dark ``pair``;
    ``alt``, ``width`` and ``align`` as the image directive has them."""


def _title(node: cellviz_figure) -> str:
    return title_of(node["svgs"][0][1])


def _name(svg: str, suffix: str) -> str:
    """A file name from the figure's hash: the same figure, the same file."""
    digest = hashlib.sha1(svg.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
    return f"cellviz-{digest}.{suffix}"


def _classes(node: cellviz_figure, theme: str) -> str:
    out = ["cellviz-figure", *node.get("classes", [])]
    if node.get("pair"):
        out.append(f"only-{theme}")
    if node.get("align"):
        out.append(f"align-{node['align']}")
    if node.get("width"):
        out.append("cellviz-fill")
    return " ".join(out)


def visit_html(self: Any, node: cellviz_figure) -> None:
    inline = self.builder.config.cellviz_output == "inline"
    alt = node.get("alt")
    width = node.get("width") or ""
    if width and width[-1].isdigit():  # a unitless width is in pixels, as for an image
        width += "px"
    style = f' style="width: {html.escape(width)}"' if width else ""
    for theme, svg in node["svgs"]:
        if inline:
            self.body.append(
                f'<div class="{_classes(node, theme)}"{style}>\n{labelled(svg, alt)}</div>\n')
            continue
        name = _name(svg, "svg")
        folder = Path(self.builder.outdir) / self.builder.imagedir
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(svg, encoding="utf-8")
        self.body.append(
            f'<div class="{_classes(node, theme)}"{style}><img src="{self.builder.imgpath}/'
            f'{name}" alt="{html.escape(alt or _title(node))}" style="max-width: 100%"/></div>\n')
    raise nodes.SkipNode


def visit_latex(self: Any, node: cellviz_figure) -> None:
    """The light figure as a PDF beside the .tex file (needs the raster extra; without it,
    one warning at the directive and no figure)."""
    from ..draw.render import rasterize

    svg = node["svgs"][0][1]
    name = _name(svg, "pdf")
    try:
        (Path(self.builder.outdir) / name).write_bytes(rasterize(svg, "pdf"))
    except CellvizError as exc:
        logger.warning("cellviz: %s", exc, type="cellviz", location=node)
        raise nodes.SkipNode from None
    length = self.latex_image_length(node["width"]) if node.get("width") else None
    option = f"[width={length}]" if length else ""
    self.body.append(f"\n\\sphinxincludegraphics{option}{{{name}}}\n")
    raise nodes.SkipNode


def visit_text(self: Any, node: cellviz_figure) -> None:
    self.add_text(f"[{node.get('alt') or _title(node)}]")
    raise nodes.SkipNode


def visit_skip(self: Any, node: cellviz_figure) -> None:
    raise nodes.SkipNode


def depart_nothing(self: Any, node: cellviz_figure) -> None:
    pass
