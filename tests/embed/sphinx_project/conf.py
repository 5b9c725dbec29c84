"""A sample Sphinx project that embeds cellviz figures (built by tests/embed/test_sphinx.py)."""

project = "cellviz sample"
extensions = ["myst_parser", "cellviz.sphinx"]
html_theme = "furo"
exclude_patterns = ["_build"]
numfig = True
