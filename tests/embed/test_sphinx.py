"""The Sphinx extension in real builds of a sample project (tests/embed/sphinx_project):
figures and tables on the page, a cell file as a dependency, file and LaTeX output, one
warning naming the document and line for each bad directive, and the pages in Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import check_page

pytest.importorskip("sphinx", reason="needs Sphinx (pip install cellviz[sphinx])")
pytest.importorskip("myst_parser", reason="needs myst-parser (pip install cellviz[docs])")
pytestmark = pytest.mark.dot

PROJECT = Path(__file__).with_name("sphinx_project")


def sphinx_build(source: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sphinx", "-q", *args, str(source), str(out)],
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project built to HTML with warnings as errors."""
    root = tmp_path_factory.mktemp("sphinx")
    shutil.copytree(PROJECT, root / "src")
    result = sphinx_build(root / "src", root / "html", "-W", "-b", "html")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return root


def figures_of(page: str) -> list[str]:
    return re.findall(r'<div class="(cellviz-figure[^"]*)"[^>]*>\s*<svg ', page)


def test_figures_and_pairs_are_on_the_pages(built: Path) -> None:
    index = (built / "html" / "index.html").read_text(encoding="utf-8")
    assert figures_of(index) == ["cellviz-figure align-center", "cellviz-figure only-light",
                                 "cellviz-figure only-dark", "cellviz-figure"]
    assert "LSTM, paper convention, i=3, n=2" in index
    assert 'aria-label="A GRU with three neurons"' in index
    assert '<span class="caption-text">The LSTM at i=3, n=2.</span>' in index
    assert "cellviz.css" in index and (built / "html" / "_static" / "cellviz.css").is_file()
    markdown = (built / "html" / "markdown.html").read_text(encoding="utf-8")
    assert figures_of(markdown) == ["cellviz-figure only-light align-center cellviz-fill",
                                    "cellviz-figure only-dark align-center cellviz-fill",
                                    "cellviz-figure"]
    assert 'style="width: 60%"' in markdown


def test_the_params_table_is_a_real_table(built: Path) -> None:
    import cellviz

    index = (built / "html" / "index.html").read_text(encoding="utf-8")
    table = index.split('<table class="cellviz-params', 1)[1].split("</table>", 1)[0]
    cells = [re.sub(r"<[^>]+>", "", c).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)]
    rows = [cells[k:k + 5] for k in range(0, len(cells), 5)]
    params = cellviz.load("gru", input_size=3, hidden_size=2, convention="pytorch").params()
    listed = {r[1]: int(r[4]) for r in rows if r[1]}
    assert listed == {e.name: e.count for e in params}
    assert rows[-1] == ["total", "", "", "", "42"]
    assert "42 parameters: 6 weight matrices, 6 bias vectors" in table


def test_a_changed_cell_file_rebuilds_its_page(built: Path) -> None:
    cell = built / "src" / "cells" / "mgu.cell"
    cell.write_text(cell.read_text(encoding="utf-8").replace("# forget gate", "# keep gate"),
                    encoding="utf-8")
    result = sphinx_build(built / "src", built / "html", "-W", "-b", "html")
    assert result.returncode == 0, result.stderr
    assert "keep gate" in (built / "html" / "index.html").read_text(encoding="utf-8")


def test_svg_files_text_and_latex_pdf(tmp_path: Path) -> None:
    shutil.copytree(PROJECT, tmp_path / "src")
    result = sphinx_build(tmp_path / "src", tmp_path / "files", "-W", "-b", "html",
                          "-D", "cellviz_output=file")
    assert result.returncode == 0, result.stderr
    index = (tmp_path / "files" / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<img src="_images/(cellviz-[0-9a-f]{16}\.svg)"', index)
    assert len(images) == 4 and "aria-labelledby" not in index
    for name in images:
        assert (tmp_path / "files" / "_images" / name).read_text().startswith("<svg")
    result = sphinx_build(tmp_path / "src", tmp_path / "text", "-W", "-b", "text")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "text" / "index.txt").read_text(encoding="utf-8")
    assert "[LSTM, paper convention, i=3, n=2]" in text
    assert "[A GRU with three neurons]" in text
    pytest.importorskip("cairosvg", reason="LaTeX output needs the raster extra")
    result = sphinx_build(tmp_path / "src", tmp_path / "latex", "-W", "-b", "latex")
    assert result.returncode == 0, result.stderr
    tex = next((tmp_path / "latex").glob("*.tex")).read_text(encoding="utf-8")
    pdfs = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{(cellviz-[0-9a-f]{16}\.pdf)\}",
                      tex)
    assert len(pdfs) == 5  # one per figure; the light one of a pair
    assert all((tmp_path / "latex" / p).read_bytes().startswith(b"%PDF") for p in pdfs)
    assert "[width=0.600\\linewidth]" in tex


#: Each bad directive, the line Sphinx must name and what the warning must say.
BAD = [
    (".. cellviz:: lstmm", 1, "no built-in cell or cell file named 'lstmm' (did you mean"),
    (".. cellviz:: gru\n   :hidden-size: 0", 1, "option 'hidden-size': expected a whole number"),
    (".. cellviz:: gru\n   :theme: blue", 1, "option 'theme': expected one of light, dark"),
    (".. cellviz:: gru\n   :seed: -1", 1, "option 'seed': expected a whole number from 0"),
    (".. cellviz::\n\n   h[t] = tanh(W @ x[t]\n", 3, "column 21: expected ')' but found the end"),
    (".. cellviz::\n\n   input x: i\n   state h: n\n   h[t] = h[t-1] * x[t]", 5,
     "column 8: shape mismatch"),
    (".. cellviz:: nothere.cell", 1, "no built-in cell or cell file named 'nothere.cell'"),
    (".. cellviz-params:: gru\n   :convention: tf", 1, "option 'convention': expected one of"),
    (".. cellviz:: gru\n   :values: yes", 1, "option 'values' takes no value"),
    ("```{cellviz} lstmm\n```", 1, "no built-in cell or cell file named 'lstmm'"),
    ("```{cellviz}\n:theme: auto\n\nh[t] = tanh(W @ x[t] + U @ h[t-1])\ny[t] = h[t]\n```", 5,
     "column 1: y[t] is computed but nothing uses it"),
    ("```{cellviz} gru\n:unroll: 9\n```", 1, "option 'unroll': expected a whole number from 1 "
     "to 8"),
]


def test_bad_directives_give_one_warning_each(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["myst_parser", "cellviz.sphinx"]\n')
    pages = []
    for k, (text, _, _) in enumerate(BAD):
        suffix = "md" if text.startswith("```") else "rst"
        heading = f"# Page {k}\n\n" if suffix == "md" else f"Page {k}\n=======\n\n"
        (src / f"p{k}.{suffix}").write_text(heading + text + "\n", encoding="utf-8")
        pages.append(f"p{k}")
    (src / "index.rst").write_text("Bad\n===\n\n.. toctree::\n\n   " + "\n   ".join(pages)
                                   + "\n")
    result = sphinx_build(src, tmp_path / "html", "-b", "html")
    assert result.returncode == 0, result.stderr
    warnings = [w for w in result.stderr.splitlines() if "WARNING" in w or "ERROR" in w]
    assert len(warnings) == len(BAD), result.stderr
    for k, (text, line, message) in enumerate(BAD):
        suffix = "md" if text.startswith("```") else "rst"
        (found,) = [w for w in warnings if f"/p{k}.{suffix}:" in w]
        line += 2 if suffix == "md" else 3  # below the page's heading
        assert f"/p{k}.{suffix}:{line}: WARNING: cellviz: {message}" in found
    strict = sphinx_build(src, tmp_path / "strict", "-W", "-b", "html")
    assert strict.returncode != 0 and "Traceback" not in strict.stderr


@pytest.mark.browser
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_pages_in_a_browser(built: Path, tmp_path: Path, dark: bool) -> None:
    for name, count in (("index", 4), ("markdown", 3)):
        report = check_page(built / "html" / f"{name}.html", tmp_path, dark=dark)
        assert report["duplicates"] == []
        figures = report["figures"]
        assert isinstance(figures, list) and len(figures) == count
        for figure in figures:
            assert figure["overlaps"] == [], figure["title"]
            wanted = figure["pair"] in ("", "dark" if dark else "light")
            assert figure["shown"] == wanted, (name, figure["title"], figure["pair"])
            assert figure["texts"] > 0 or not wanted


def test_latex_without_the_raster_extra_warns(tmp_path: Path) -> None:
    """Where cairosvg cannot be imported, each figure of a LaTeX build is one warning."""
    blocked = tmp_path / "blocked" / "cairosvg"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text('raise ImportError("blocked for this test")\n')
    shutil.copytree(PROJECT, tmp_path / "src")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "latex", str(tmp_path / "src"),
         str(tmp_path / "latex")], capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": str(blocked.parent)})
    assert result.returncode == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == 5 and "Traceback" not in result.stderr
    assert all("WARNING: cellviz: pdf output needs the raster extra" in w for w in warnings)
    assert "index.rst:10: WARNING" in result.stderr  # the LSTM directive's line


def test_a_stack_has_a_table_per_layer_and_direction(built: Path) -> None:
    import cellviz

    index = (built / "html" / "index.html").read_text(encoding="utf-8")
    tables = index.split('<table class="cellviz-params')[2:]
    stack = cellviz.stack("gru", input_size=3, hidden_size=2, num_layers=2, bidirectional=True,
                          convention="pytorch")
    assert len(tables) == 4
    for table, (k, d, _) in zip(tables, stack.members(), strict=True):
        names = [re.sub(r"<[^>]+>", "", c).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", table.split("</table>")[0], re.S)]
        params = stack.params().tables[k][d]
        assert [e.name for e in params] == [n for n in names[1::5] if n]
        assert stack.params().title(k, d) in table
    assert "gru (pytorch convention), 2 layers, bidirectional, i=3, n=2: 180 parameters in 2 " \
           "layers (84, 96)" in index
