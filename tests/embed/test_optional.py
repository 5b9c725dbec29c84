"""Sphinx, docutils and Markdown stay optional: using cellviz, even drawing, imports none of
them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

OPTIONAL = ("sphinx", "docutils", "markdown", "pymdownx", "myst_parser", "IPython", "nbformat")


@pytest.mark.dot
def test_cellviz_imports_no_documentation_tool() -> None:
    code = ("import json, sys, cellviz\n"
            "cell = cellviz.load('lstm', input_size=3, hidden_size=2)\n"
            "cell.params().to_markdown(); cellviz.render(cell); cell._repr_svg_()\n"
            "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    loaded = set(json.loads(out))
    assert loaded.isdisjoint(OPTIONAL), loaded & set(OPTIONAL)
