"""The Markdown fence in real MkDocs builds of a sample project (tests/embed/mkdocs_project),
through the superfences custom fence and through the plain extension: figures on the page,
one warning naming page and line for each bad fence, and the pages in Chromium."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import check_figures, check_page

pytest.importorskip("mkdocs", reason="needs MkDocs (pip install mkdocs mkdocs-material)")
pytest.importorskip("material", reason="needs mkdocs-material")
pytest.importorskip("pymdownx", reason="needs pymdown-extensions (pip install cellviz[mkdocs])")
pytestmark = pytest.mark.dot

PROJECT = Path(__file__).with_name("mkdocs_project")

#: The plain extension in place of the custom fence (superfences stays, for other fences).
PLAIN = """markdown_extensions:
  - cellviz.markdown
  - pymdownx.superfences
"""


def mkdocs_build(project: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *args, "-f",
         str(project / "mkdocs.yml"), "-d", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def copy_project(root: Path, plain: bool) -> Path:
    project = root / ("plain" if plain else "superfences")
    shutil.copytree(PROJECT, project)
    if plain:
        config = project / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text[:text.index("\nmarkdown_extensions:") + 1] + PLAIN,
                          encoding="utf-8")
        for page in (project / "docs").glob("*.md"):  # the plain extension reads any header
            page.write_text(page.read_text(encoding="utf-8").replace('="', "=").replace(
                '" ', " ").replace('"\n', "\n").replace("_size", "-size").replace(
                "no_", "no-").replace("cell=lstm-proj", "lstm-proj"), encoding="utf-8")
    return project


@pytest.fixture(scope="module", params=[False, True], ids=["superfences", "plain"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mkdocs")
    project = copy_project(root, request.param)
    result = mkdocs_build(project, root / "site", "--strict")
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_figures_are_on_the_pages(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    inline = r'<div class="cellviz-figure" style="overflow-x: auto">\s*<svg '
    assert len(re.findall(inline, index)) == 2
    pair = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)#only-(light|dark)"',
                      index)
    assert [theme for _, theme in pair] == ["light", "dark"]
    light, dark = (base64.b64decode(data).decode("utf-8") for data, _ in pair)
    assert "GRU, paper convention, i=3, n=3" in light and light != dark
    assert '<code class="language-python">' in index or "not a figure" in index
    assert "keep" not in index and "forget gate" in index
    more = (site / "more.html").read_text(encoding="utf-8")
    assert (more.count("#only-") == 2 and "LSTMP" in more) or "lstm-proj" in more.lower()


@pytest.mark.browser
def test_the_pairs_images_in_a_browser(site: Path, tmp_path: Path) -> None:
    """The light and dark images are whole SVG documents: each renders, with no text
    overlapping and everything inside its viewBox."""
    figures = []
    for name in ("index", "more"):
        page = (site / f"{name}.html").read_text(encoding="utf-8")
        for data, theme in re.findall(
                r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)#only-(light|dark)"', page):
            figures.append((f"{name}.{theme}", base64.b64decode(data).decode("utf-8")))
    assert len(figures) == 4
    check_figures(figures, tmp_path)


@pytest.mark.browser
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_pages_in_a_browser(site: Path, tmp_path: Path, dark: bool) -> None:
    for name, count in (("index", 4), ("more", 3)):
        report = check_page(site / f"{name}.html", tmp_path, dark=dark)
        assert report["duplicates"] == []
        figures = report["figures"]
        assert isinstance(figures, list) and len(figures) == count, figures
        for figure in figures:
            assert figure["overlaps"] == [], figure["title"]
            wanted = figure["pair"] in ("", "dark" if dark else "light")
            assert figure["shown"] == wanted, (name, figure["title"], figure["pair"])


#: Each bad fence (for the plain extension, and with superfences' quoting), the line the
#: warning must name (counted from the fence) and what it must say.
BAD = [
    ("```cellviz lstmm\n```", '```cellviz cell="lstmm"\n```', 0,
     "no built-in cell or cell file named 'lstmm' (did you mean 'lstm'?"),
    ("```cellviz gru hidden-size=0\n```", '```cellviz gru hidden_size="0"\n```', 0,
     "option 'hidden-size': expected a whole number from 1"),
    ("```cellviz gru theme=blue\n```", '```cellviz gru theme="blue"\n```', 0,
     "option 'theme': expected one of light, dark, slides, print, auto, not 'blue'"),
    ("```cellviz gru colour=red\n```", '```cellviz gru colour="red"\n```', 0,
     "unknown option 'colour'"),
    ("```cellviz\ninput x: i\nh[t] = tanh(W @ x[t] + U @ h[t-1]\n```",
     "```cellviz\ninput x: i\nh[t] = tanh(W @ x[t] + U @ h[t-1]\n```", 2,
     "column 34: expected ')' but found the end of the line"),
]


@pytest.mark.parametrize("plain", [False, True], ids=["superfences", "plain"])
def test_bad_fences_give_one_warning_each(tmp_path: Path, plain: bool) -> None:
    project = copy_project(tmp_path, plain)
    docs = project / "docs"
    for page in docs.glob("*.md"):
        page.unlink()
    nav = []
    for k, (plain_text, fence_text, _, _) in enumerate(BAD):
        fence = plain_text if plain else fence_text
        (docs / f"p{k}.md").write_text(f"# Page {k}\n\ntext\n\n{fence}\n", encoding="utf-8")
        nav.append(f"  - p{k}.md")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"nav:\n(  - .*\n)+", "nav:\n" + "\n".join(nav) + "\n", text),
                      encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    warnings = [w for w in result.stderr.splitlines() if "WARNING" in w]
    assert len(warnings) == len(BAD), result.stderr
    for k, (_, _, line, message) in enumerate(BAD):
        (found,) = [w for w in warnings if f"p{k}.md:" in w]
        assert f"p{k}.md:{line + 5}: cellviz: {message}" in found
    strict = mkdocs_build(project, tmp_path / "strict", "--strict")
    assert strict.returncode != 0 and "Traceback" not in strict.stderr
