"""Jupyter: a notebook executed by nbconvert shows many figures (the same cell twice among
them) with no id twice, the parameter table as HTML and Markdown, and ``cellviz.show``."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

import cellviz

nbformat = pytest.importorskip("nbformat", reason="needs nbconvert (pip install nbconvert)")
nbconvert = pytest.importorskip("nbconvert", reason="needs nbconvert (pip install nbconvert)")
pytest.importorskip("ipykernel", reason="needs ipykernel")
pytestmark = pytest.mark.dot

CELLS = [
    "import cellviz\ncell = cellviz.load('gru', input_size=3, hidden_size=2)\ncell",
    "cell",
    "cell.params()",
    "from IPython.display import display\n"
    "for name in cellviz.BUILTIN_CELLS:\n"
    "    display(cellviz.load(name, input_size=3, hidden_size=2,\n"
    "                         proj_size=1 if name == 'lstm-proj' else None))",
    "cellviz.show('lstm', theme='auto', hidden_size=3, values=True, title=False)",
    "cellviz.show('gru', theme='blue')",
]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[list[dict[str, object]]]:
    from nbconvert.preprocessors import ExecutePreprocessor

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    # The kernel is this interpreter: the kernelspec names "python", found on the PATH.
    path = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{path}"
    try:
        ExecutePreprocessor(timeout=300, kernel_name="python3", allow_errors=True).preprocess(
            notebook, {"metadata": {"path": str(tmp_path_factory.mktemp("notebook"))}})
    finally:
        os.environ["PATH"] = path
    return [[dict(o) for o in cell.outputs] for cell in notebook.cells]


def test_a_cell_shows_its_figure(outputs: list[list[dict[str, object]]]) -> None:
    (first,) = outputs[0]
    data = first["data"]
    assert isinstance(data, dict)
    assert data["image/svg+xml"].startswith("<svg")
    assert "GRU, paper convention, i=3, n=2" in data["image/svg+xml"]


def test_many_figures_have_no_id_twice(outputs: list[list[dict[str, object]]]) -> None:
    svgs = [o["data"]["image/svg+xml"] for cell in outputs for o in cell  # type: ignore[index]
            if "image/svg+xml" in o.get("data", {})]  # type: ignore[operator]
    assert len(svgs) == 2 + len(cellviz.BUILTIN_CELLS) + 1  # the same cell twice, seven, show
    ids = [i for svg in svgs for i in re.findall(r'\sid="([^"]+)"', svg)]
    assert len(ids) == 2 * len(svgs) and len(set(ids)) == len(ids)
    assert outputs[0][0]["data"] != outputs[1][0]["data"]  # type: ignore[index]


def test_the_parameter_table(outputs: list[list[dict[str, object]]]) -> None:
    (table,) = outputs[2]
    data = table["data"]
    assert isinstance(data, dict)
    html = data["text/html"]
    assert html.startswith('<table class="cellviz-params">')
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    counts = {re.findall(r">([^<]*)</td>", r)[1]: int(re.findall(r">([^<]*)</td>", r)[4])
              for r in rows[1:] if re.findall(r">([^<]*)</td>", r)[1]}
    expected = cellviz.load("gru", input_size=3, hidden_size=2).params()
    assert counts == {e.name: e.count for e in expected}
    assert "36 parameters" in html and "| W_z |" in data["text/markdown"].replace("`", "")


def test_show_gives_a_light_and_dark_pair(outputs: list[list[dict[str, object]]]) -> None:
    (shown,) = outputs[4]
    data = shown["data"]
    assert isinstance(data, dict)
    html = data["text/html"]
    assert html.count("<svg ") == 2 and "prefers-color-scheme: dark" in html
    assert 'class="cellviz-light"' in html and 'class="cellviz-dark"' in html
    assert 'class="title"' not in html  # title=False
    assert "i=3, n=3" in html and "data-key" in html  # the sizes, and numbers on it


def test_a_bad_option_is_one_line(outputs: list[list[dict[str, object]]]) -> None:
    (error,) = outputs[5]
    assert error["output_type"] == "error" and error["ename"] == "UsageError"
    assert error["evalue"] == ("option 'theme': expected one of light, dark, slides, print, "
                               "auto, not 'blue'")
