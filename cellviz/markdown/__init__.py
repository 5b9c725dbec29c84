"""Markdown: ```` ```cellviz ```` fences become figures, through a Python-Markdown extension
(``markdown_extensions: [cellviz.markdown]`` in MkDocs) or a ``pymdownx.superfences`` custom
fence (``fence_format``, ``fence_validator``); ``pip install cellviz[mkdocs]``."""

from .extension import CellvizExtension, makeExtension
from .fence import fence_format, fence_validator

__all__ = ["CellvizExtension", "fence_format", "fence_validator", "makeExtension"]
