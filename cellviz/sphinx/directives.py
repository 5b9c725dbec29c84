"""The ``cellviz`` directive (a cell's figure) and ``cellviz-params`` (its parameter table as a
docutils table). A bad option or cell is one Sphinx warning at the document's line, and the
directive then puts nothing on the page."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..cell import Cell
from ..embed.figure import figures
from ..embed.spec import FLAGS, OPTIONS, FigureSpec, load_cell, parse_spec, where
from ..errors import CellvizError
from ..lang.library import BUILTIN_CELLS
from ..params import ParamTable
from ..stack import Stack, stack
from ..tables import display_rows
from .writers import cellviz_figure

__all__ = ["CellvizDirective", "ParamsDirective"]

logger = logging.getLogger(__name__)

def _align(value: str) -> str:
    return str(directives.choice(value, ("left", "center", "right")))


_SIZES = ("input-size", "hidden-size", "proj-size", "sizes", "convention", "no-bias")


class _CellDirective(SphinxDirective):
    """A directive about one cell: a built-in name or a cell file's path (relative to the
    document) as its argument, or the cell's equations as its body."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    own: ClassVar[tuple[str, ...]] = ()

    def load(self) -> tuple[FigureSpec, Cell]:
        given = {k: v for k, v in self.options.items() if k in self.own}
        body = "\n".join(self.content) if self.content else None
        spec = parse_spec(given, cell=self.arguments[0] if self.arguments else None, text=body)
        document = Path(self.env.doc2path(self.env.docname))
        if spec.cell is not None and spec.cell not in BUILTIN_CELLS:
            self.env.note_dependency(str(document.parent / spec.cell))
        cell, _ = load_cell(spec, base=document.parent, source=str(document),
                            first_line=self.body_line())
        return spec, cell

    def body_line(self) -> int:
        """The document's line where the body starts. MyST counts ``content_offset`` from the
        directive's own line (past its options), reStructuredText from the document's start."""
        if type(self.state_machine).__module__.startswith("myst_parser"):
            return self.lineno + 1 + self.content_offset
        return self.content_offset + 1

    def warn(self, exc: CellvizError) -> list[nodes.Node]:
        """One warning at the line of the directive, or of the body's line at fault."""
        line, message = where(exc) if self.content and not self.arguments else (None, str(exc))
        logger.warning("cellviz: %s", message, type="cellviz",
                       location=(self.env.docname, line or self.lineno))
        return []


class CellvizDirective(_CellDirective):
    """``.. cellviz:: lstm``: the figure, with the image options and cellviz's own."""

    own = (*OPTIONS, *FLAGS)
    option_spec = {  # noqa: RUF012 (docutils reads this class attribute)
        "alt": directives.unchanged,
        "align": _align,
        "caption": directives.unchanged,
        "name": directives.unchanged,
        "class": directives.class_option,
        "width": directives.length_or_percentage_or_unitless,
        **dict.fromkeys(own, directives.unchanged),
    }

    def run(self) -> list[nodes.Node]:
        try:
            spec, cell = self.load()
            serial = self.env.new_serialno("cellviz")
            drawn = figures(cell, spec, id_prefix=f"cellviz-{serial}-")
        except CellvizError as exc:
            return self.warn(exc)
        caption = self.options.get("caption")
        align = self.options.get("align", "center" if caption else None)
        node = cellviz_figure(svgs=drawn, pair=spec.theme == "auto",
                              alt=self.options.get("alt"), width=self.options.get("width"),
                              align=align, classes=self.options.get("class", []))
        self.set_source_info(node)
        if not caption:
            self.add_name(node)
            return [node]
        figure = nodes.figure("", node, align=align)
        text, messages = self.parse_inline(caption, lineno=self.lineno)
        figure += nodes.caption(caption, "", *text)
        self.set_source_info(figure)
        self.add_name(figure)
        return [figure, *messages]


def _row(*cells: str) -> nodes.row:
    row = nodes.row()
    for text in cells:
        row += nodes.entry("", nodes.paragraph(text=text))
    return row


class ParamsDirective(_CellDirective):
    """``.. cellviz-params:: gru``: the parameter table, a row per parameter with a subtotal
    per dense node and the total, as a docutils table (so every builder writes it). With
    ``:layers: N`` and ``:bidirectional:``, a table per layer and direction of that stack and
    a line with its total."""

    own = _SIZES
    option_spec = {  # noqa: RUF012 (docutils reads this class attribute)
        "caption": directives.unchanged,
        "name": directives.unchanged,
        "class": directives.class_option,
        "layers": directives.positive_int,
        "bidirectional": directives.flag,
        **dict.fromkeys(own, directives.unchanged),
    }

    def run(self) -> list[nodes.Node]:
        try:
            _, cell = self.load()
            stack = self._stack(cell)
        except CellvizError as exc:
            return self.warn(exc)
        if stack is None:
            params = cell.params()
            sizes = ", ".join(f"{s}={v}" for s, v in params.sizes)
            return self._table(params, f"{params.cell} ({params.convention} convention), "
                               f"{sizes}: {params.summary()}", name=True)
        tables = stack.params()
        out: list[nodes.Node] = []
        for k, layer in enumerate(tables.tables):
            for d, params in enumerate(layer):
                out += self._table(params, f"{tables.title(k, d)}: {params.summary()}",
                                   name=not out)
        out.append(nodes.paragraph(text=f"{tables.heading()}: {tables.summary()}"))
        return out

    def _stack(self, cell: Cell) -> Stack | None:
        """The stack ``:layers:`` and ``:bidirectional:`` ask for, of this cell, or None."""
        if "layers" not in self.options and "bidirectional" not in self.options:
            return None
        sizes = dict(cell.sizes)
        return stack(cell.graph, input_size=sizes.pop("i", 1), hidden_size=sizes.pop("n", 1),
                     proj_size=sizes.pop("p", None), num_layers=self.options.get("layers", 1),
                     bidirectional="bidirectional" in self.options,
                     convention=cell.convention, bias=True, **sizes)

    def _table(self, params: ParamTable, default: str, *, name: bool) -> list[nodes.Node]:
        """One parameter table, captioned (``:caption:`` on the first, else ``default``)."""
        group = nodes.tgroup(cols=5)
        for width in (30, 14, 10, 10, 10):
            group += nodes.colspec(colwidth=width)
        group += nodes.thead("", _row("node", "parameter", "shape", "size", "count"))
        body = nodes.tbody()
        for cells in display_rows(params):
            body += _row(*cells)
        group += body
        caption = (self.options.get("caption") if name else None) or default
        heading, messages = self.parse_inline(caption, lineno=self.lineno)
        table = nodes.table("", nodes.title(caption, "", *heading), group,
                            classes=["cellviz-params", *self.options.get("class", [])])
        self.set_source_info(table)
        if name:
            self.add_name(table)
        return [table, *messages]
