"""Parameter tables for documents: Markdown through a real Markdown parser, LaTeX through
pdfLaTeX, CSV through the csv module; every number equals params()."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import ALL_CELLS, every_cell, load, pdf_text, pdflatex

from cellviz import UsageError
from cellviz.cli.app import main
from cellviz.params import shape_text
from cellviz.tables import latex_escape


class _Cells(HTMLParser):
    """The rows of the tables in an HTML page, as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@every_cell
def test_markdown_renders_as_a_table_with_the_params_numbers(name: str, convention: str) -> None:
    markdown = pytest.importorskip("markdown", reason="the test extra's python-markdown")
    table = load(name, convention).params()
    html = markdown.markdown(table.to_markdown(), extensions=["tables"])
    parser = _Cells()
    parser.feed(html)
    head, *body, total = parser.rows
    assert head == ["node", "parameter", "shape", "size", "count"]
    assert [(r[1], r[2], r[3], int(r[4])) for r in body] == [
        (e.name, shape_text(e.dims), shape_text(e.shape), e.count) for e in table
    ]
    assert total[0] == "total" and int(total[4]) == table.total
    titles = [r[0] for r in body if r[0]]
    assert titles == [f"{es[0].gate} ({node})" if es[0].gate else node
                      for node, es in table.by_node().items()]


def test_markdown_escapes_what_would_end_a_cell() -> None:
    from cellviz.tables import _md_cell

    assert _md_cell("a|b_c*d") == "a\\|b\\_c\\*d"


def test_csv_rows_equal_params() -> None:
    for name, convention in ALL_CELLS:
        table = load(name, convention).params()
        rows = list(csv.DictReader(io.StringIO(table.to_csv())))
        assert [(r["parameter"], r["node"], r["role"], r["size"], int(r["count"]))
                for r in rows] == [(e.name, e.node, e.role, shape_text(e.shape), e.count)
                                   for e in table]
        assert sum(int(r["count"]) for r in rows) == table.total


def test_latex_tables_compile_and_print_the_params_numbers(tmp_path: Path) -> None:
    """Every built-in cell in every convention in one document (one pdfLaTeX run); pdftotext
    reads each table back: a row per parameter with its count, and the total."""
    tables = [load(name, convention).params() for name, convention in ALL_CELLS]
    body = "\n\\clearpage\n".join(t.to_latex() for t in tables)
    doc = ("\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n"
           "\\pagestyle{empty}\n\\begin{document}\n" + body + "\n\\end{document}\n")
    pages = pdf_text(pdflatex(doc, tmp_path)).split("\f")
    for table, page in zip(tables, pages, strict=False):
        lines = [line.split() for line in page.splitlines() if line.strip()]
        assert lines[0] == ["node", "parameter", "shape", "size", "count"]
        counts = [int(words[-1]) for words in lines[1:] if re.fullmatch(r"\d+", words[-1])]
        assert counts == [e.count for e in table] + [table.total], table.cell
        assert lines[-1] == ["total", str(table.total)]


def test_latex_writes_names_as_math_and_escapes_text() -> None:
    latex = load("lstm", "pytorch").params().to_latex()
    assert "$W_{ii}$ & $n \\times i$ & $2 \\times 3$ & 6 \\\\" in latex
    assert "\\toprule" in latex and "\\bottomrule" in latex
    assert latex_escape("50%_#{x}") == "50\\%\\_\\#\\{x\\}"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "latex", "csv"])
def test_cli_params_format(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    assert main(["params", "gru", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert out == load("gru").params().to_format(fmt)


def test_cli_json_is_format_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", "gru", "--json"]) == 0
    assert capsys.readouterr().out == load("gru").params().to_format("json")
    assert main(["params", "gru", "--json", "--format", "csv"]) == 2
    assert capsys.readouterr().err == (
        "cellviz: error: --json and --format csv disagree (--json is --format json)\n")
    assert main(["params", "gru", "--format", "html"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'html'" in err and "markdown" in err


def test_unknown_table_format_from_python() -> None:
    with pytest.raises(UsageError, match=r"unknown table format: 'xml' \(must be one of text"):
        load("rnn").params().to_format("xml")
