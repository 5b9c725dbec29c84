"""Sphinx configuration of cellviz's own documentation (``./dev docs`` builds it)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "cellviz"
author = "the cellviz authors"
copyright = "2026, the cellviz authors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "cellviz.sphinx",
    "cellviz_docs",
]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
root_doc = "index"

html_theme = "furo"
html_title = "cellviz"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}
nitpicky = False
