"""Registers the directives, the figure node with a writer per builder, the configuration
value ``cellviz_output`` (``inline`` or ``file``) and the style sheet of inline figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from .directives import CellvizDirective, ParamsDirective
from .writers import (
    cellviz_figure,
    depart_nothing,
    visit_html,
    visit_latex,
    visit_skip,
    visit_text,
)

__all__ = ["OUTPUTS", "OneIdPerTable", "setup"]

#: How HTML builders carry figures: inline SVG in the page, or SVG files beside it.
OUTPUTS = ("inline", "file")

STATIC = Path(__file__).with_name("static")


def _add_static(app: Sphinx) -> None:
    if app.config.cellviz_output not in OUTPUTS:
        from sphinx.errors import ConfigError

        raise ConfigError(f"cellviz_output must be one of {', '.join(OUTPUTS)}, not "
                          f"{app.config.cellviz_output!r}")
    static = list(getattr(app.config, "html_static_path", []))
    if str(STATIC) not in static:
        app.config.html_static_path = [*static, str(STATIC)]


class OneIdPerTable(SphinxPostTransform):
    """furo wraps each table in a container and copies the table's ids onto it, so that a
    named table's id is on the page twice; the ids of a cellviz table stay on the table."""

    formats = ("html",)
    default_priority = 501  # after furo's wrapping (500)

    def run(self, **kwargs: Any) -> None:
        for table in self.document.findall(nodes.table):
            parent = table.parent
            if "cellviz-params" in table["classes"] and "table-wrapper" in parent["classes"]:
                parent["ids"] = [i for i in parent["ids"] if i not in table["ids"]]


def setup(app: Sphinx) -> dict[str, Any]:
    """The extension's entry point (Sphinx calls it)."""
    app.add_config_value("cellviz_output", "inline", "html", types=[str])
    app.add_node(
        cellviz_figure,
        html=(visit_html, depart_nothing),
        latex=(visit_latex, depart_nothing),
        text=(visit_text, depart_nothing),
        man=(visit_skip, depart_nothing),
        texinfo=(visit_skip, depart_nothing),
    )
    app.add_post_transform(OneIdPerTable)
    app.add_directive("cellviz", CellvizDirective)
    app.add_directive("cellviz-params", ParamsDirective)
    app.connect("builder-inited", _add_static)
    app.add_css_file("cellviz.css")
    from cellviz import __version__

    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
