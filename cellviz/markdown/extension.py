"""The Python-Markdown extension: a preprocessor that turns top-level ```` ```cellviz ````
fences into figures before any other fence handling (fenced_code, superfences) sees them."""

from __future__ import annotations

import re
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from .render import fence_to_html, page_of

__all__ = ["CellvizExtension", "CellvizPreprocessor", "makeExtension"]

_OPEN = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*\{?[ \t]*\.?cellviz\b(?P<header>.*)$")


class CellvizPreprocessor(Preprocessor):
    """Finds each fence that opens with ```` ```cellviz ```` at the start of a line, and puts
    its figure in its place (stashed, so that Markdown leaves the SVG alone)."""

    def run(self, lines: list[str]) -> list[str]:
        page = None
        out: list[str] = []
        k = 0
        while k < len(lines):
            found = _OPEN.match(lines[k])
            if not found:
                out.append(lines[k])
                k += 1
                continue
            fence = found.group("fence")
            end = k + 1
            while end < len(lines) and not (lines[end].startswith(fence[0] * len(fence))
                                             and not lines[end].strip(fence[0]).strip()):
                end += 1
            header = found.group("header").strip().removesuffix("}")
            page = page or page_of(self.md)
            serial = getattr(self.md, "cellviz_serial", 0) + 1
            self.md.cellviz_serial = serial  # type: ignore[attr-defined]
            html = fence_to_html(self.md, header, "\n".join(lines[k + 1:end]) or None,
                                 page=page, line=k + 1, serial=serial)
            out += ["", self.md.htmlStash.store(html) if html else "", ""]
            k = end + 1
        return out


class CellvizExtension(Extension):
    """``markdown.Markdown(extensions=["cellviz.markdown"])``; in MkDocs,
    ``markdown_extensions: [cellviz.markdown]``."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.preprocessors.register(CellvizPreprocessor(md), "cellviz", 28)
        self.md = md

    def reset(self) -> None:
        if hasattr(self, "md"):
            self.md.cellviz_serial = 0  # type: ignore[attr-defined]


def makeExtension(**kwargs: Any) -> CellvizExtension:
    """The extension, as Python-Markdown finds it by the module's name."""
    return CellvizExtension(**kwargs)
