"""The detail option of embedded figures (``:detail:``, ``detail=``, ``show(detail=...)``):
each level gives the figure ``RenderOptions(detail=...)`` draws, and a bad value is one
warning naming page, line and the accepted levels."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cellviz
from cellviz.draw.render import RenderOptions, render
from cellviz.embed.notebook import show
from cellviz.embed.spec import parse_spec
from cellviz.errors import UsageError

pytestmark = pytest.mark.dot

BAD = "option 'detail': expected one of full, compact, not 'tiny'"


def expected(detail: str, prefix: str) -> str:
    """The LSTM at i=3, n=2 as ``cellviz render --detail`` draws it, ids starting ``prefix``."""
    return render(cellviz.load("lstm", input_size=3, hidden_size=2),
                  options=RenderOptions(detail=detail, id_prefix=prefix))


def test_the_levels_draw_different_figures() -> None:
    full, compact = expected("full", "x-"), expected("compact", "x-")
    assert full != compact
    assert "2×3" in full and "2×3" not in compact  # W_f's shape is printed at full detail only


def test_parse_spec_takes_the_levels_and_names_them_for_a_bad_one() -> None:
    assert parse_spec({}, cell="lstm").detail == "full"
    assert parse_spec({"detail": " compact "}, cell="lstm").detail == "compact"
    with pytest.raises(UsageError, match=re.escape(BAD)):
        parse_spec({"detail": "tiny"}, cell="lstm")


@pytest.mark.parametrize("detail", ["full", "compact"])
def test_show(detail: str) -> None:
    figure = show("lstm", detail=detail)
    prefix = f"{figure.key}-light-"
    assert figure.svgs == (("light", expected(detail, prefix)),)


@pytest.mark.parametrize("detail", ["full", "compact"])
def test_markdown_fence(detail: str) -> None:
    markdown = pytest.importorskip("markdown", reason="needs Markdown (cellviz[mkdocs])")
    html = markdown.markdown(f"```cellviz lstm detail={detail}\n```\n",
                             extensions=["cellviz.markdown"])
    (prefix,) = re.findall(r'<title id="(cellviz-[0-9]+-light-)title"', html)
    body = expected(detail, prefix).split(">", 1)[1]  # after <svg ...>, which the page sizes
    assert html.count("<svg ") == 1 and body in html


def test_markdown_fence_with_a_bad_detail_warns(caplog: pytest.LogCaptureFixture) -> None:
    markdown = pytest.importorskip("markdown", reason="needs Markdown (cellviz[mkdocs])")
    with caplog.at_level(logging.WARNING, logger="cellviz.markdown"):
        html = markdown.markdown("intro\n\n```cellviz lstm detail=tiny\n```\n",
                                 extensions=["cellviz.markdown"])
    assert "<svg" not in html
    assert [r.getMessage() for r in caplog.records] == [f"<markdown>:3: cellviz: {BAD}"]


def test_sphinx_directive(tmp_path: Path) -> None:
    pytest.importorskip("sphinx", reason="needs Sphinx (cellviz[sphinx])")
    pytest.importorskip("myst_parser", reason="needs myst-parser (cellviz[docs])")
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["myst_parser", "cellviz.sphinx"]\n')
    (src / "index.rst").write_text(
        "Levels\n======\n\n.. toctree::\n\n   md\n\n.. cellviz:: lstm\n   :detail: compact\n\n"
        ".. cellviz:: lstm\n   :detail: full\n\n.. cellviz:: lstm\n   :detail: tiny\n",
        encoding="utf-8")
    (src / "md.md").write_text("# Markdown\n\n```{cellviz} lstm\n:detail: tiny\n```\n\n"
                               "```{cellviz} lstm\n:detail: compact\n```\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src),
                             str(tmp_path / "html")], capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == 2, result.stderr
    assert f"index.rst:14: WARNING: cellviz: {BAD}" in warnings[0]
    assert f"md.md:3: WARNING: cellviz: {BAD}" in warnings[1]
    for page, drawn in (("index", ("compact", "full")), ("md", ("compact",))):
        html = (tmp_path / "html" / f"{page}.html").read_text(encoding="utf-8")
        svgs = re.findall(r"<svg .*?</svg>", html, re.S)
        assert svgs == [expected(d, f"cellviz-{k}-light-").strip()
                        for k, d in enumerate(drawn)]
