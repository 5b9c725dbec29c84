"""TikZ output: every built-in cell in every theme compiled by pdfLaTeX (one document, a page
per picture), its raster checked against cairosvg's raster of the SVG, its text inside the
picture; the writer's escaping, determinism and the standalone file."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from helpers import load, pdflatex

from cellviz.draw.render import RenderOptions, rasterize, render_bytes, render_scene, scene_of
from cellviz.draw.scene import Scene, Text
from cellviz.draw.themes import THEMES, get_theme
from cellviz.draw.tikz import PX, tikz_picture
from cellviz.pages.gallery import gallery_cells

pytestmark = pytest.mark.dot
#: Every built-in cell in every theme, the LSTM's forget gate highlighted in each theme, and
#: two cells at compact detail.
CASES = [(cell, theme, "", "full") for cell in gallery_cells() for theme in THEMES] + [
    (load("lstm"), theme, "f", "full") for theme in THEMES] + [
    (load(name), "slides", "", "compact") for name in ("lstm", "gru")]

#: How far (in SVG pixels, 0.75 pt each) a line of the TikZ picture may stand from the SVG's.
NEAR = 3


def _no_text(scene: Scene) -> Scene:
    from cellviz.record import replace

    return replace(scene, groups=tuple(
        replace(g, shapes=tuple(s for s in g.shapes if not isinstance(s, Text)))
        for g in scene.groups))


def _document(pictures: list[str]) -> str:
    """A document of one page per picture, each page the picture's own size (pdfTeX's page
    size set from the box before it is shipped out)."""
    pages = [r"\setbox0=\hbox{" + p + "}\n\\pdfpagewidth=\\wd0 \\pdfpageheight=\\ht0 "
             r"\shipout\box0" for p in pictures]
    return ("\\RequirePackage{fix-cm}\n\\documentclass{article}\n\\usepackage{tikz}\n"
            "\\hoffset=-1in \\voffset=-1in\n"
            "\\begin{document}\n" + "\n".join(pages) + "\n\\end{document}\n")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Scene], Path]:
    """The scenes of every case, then the same without text, compiled into one PDF."""
    scenes = [scene_of(cell, RenderOptions(theme=theme, highlight=lit, detail=detail))
              for cell, theme, lit, detail in CASES]
    pictures = [tikz_picture(s, get_theme(c[1])) for s, c in zip(scenes, CASES, strict=True)]
    pictures += [tikz_picture(_no_text(s), get_theme(c[1]))
                 for s, c in zip(scenes, CASES, strict=True)]
    return scenes, pdflatex(_document(pictures), tmp_path_factory.mktemp("tikz"))


def _pages(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, float, float]]]]:
    """Each page's size and its words' boxes (pt, y down), as poppler's pdftotext reads them."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=120).stdout
    pages = []
    for width, height, body in re.findall(
            r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        words = [tuple(float(v) for v in m) for m in re.findall(
            r'xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)"', body)]
        pages.append((float(width), float(height), words))
    return pages


def test_every_picture_compiles_at_the_svgs_size_with_its_text_inside(
        compiled: tuple[list[Scene], Path]) -> None:
    scenes, pdf = compiled
    pages = _pages(pdf)
    assert len(pages) == 2 * len(scenes)
    for (cell, theme, *_), scene, (width, height, words) in zip(CASES, scenes, pages,
                                                                strict=False):
        where = f"{cell.name} {theme}"
        assert abs(width - scene.width * PX) <= 0.02 * scene.width * PX, where
        assert abs(height - scene.height * PX) <= 0.02 * scene.height * PX, where
        assert len(words) >= len(scene.texts()), where
        outside = [w for w in words if w[0] < 0 or w[1] < 0 or w[2] > width or w[3] > height]
        assert not outside, (where, outside)


def test_every_word_stands_where_the_svg_puts_its_text(
        compiled: tuple[list[Scene], Path]) -> None:
    """Each word LaTeX set lies inside the box of one of the scene's texts (as the SVG places
    it, a few points' slack for the different font)."""
    from test_scene import box

    scenes, pdf = compiled
    for (cell, theme, *_), scene, (_, _, words) in zip(CASES, scenes, _pages(pdf), strict=False):
        boxes = [tuple(v * PX for v in box(t)) for t in scene.texts()]
        slack = 3.0
        lost = [w for w in words
                if not any(b[0] - slack <= (w[0] + w[2]) / 2 <= b[2] + slack
                           and b[1] - slack <= (w[1] + w[3]) / 2 <= b[3] + slack
                           for b in boxes)]
        assert not lost, (cell.name, theme, lost[:3])


def _raster(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def _ink(image: np.ndarray, background: str, least: int = 48) -> np.ndarray:
    """The pixels that differ from the background by more than ``least`` in a channel."""
    rgb = np.array([int(background[k:k + 2], 16) for k in (1, 3, 5)], dtype=np.int16)
    return np.abs(image - rgb).max(axis=2) > least


def _near(mask: np.ndarray, reach: int) -> np.ndarray:
    """``mask`` grown by ``reach`` pixels in every direction."""
    grown = np.zeros_like(mask)
    padded = np.pad(mask, reach)
    h, w = mask.shape
    for dy in range(2 * reach + 1):
        for dx in range(2 * reach + 1):
            grown |= padded[dy:dy + h, dx:dx + w]
    return grown


def test_the_pictures_raster_matches_the_svgs(compiled: tuple[list[Scene], Path],
                                              tmp_path: Path) -> None:
    """Without text (set in different fonts), the TikZ page at 96 dpi (one SVG pixel a pixel)
    and cairosvg's PNG of the SVG: the same size within 2%, and every drawn pixel of each
    within NEAR pixels of a drawn pixel of the other."""
    pytest.importorskip("cairosvg", reason="the raster extra")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils)")
    scenes, pdf = compiled
    first = len(scenes) + 1
    subprocess.run(["pdftoppm", "-r", "96", "-png", "-f", str(first), "-l",
                    str(2 * len(scenes)), str(pdf), str(tmp_path / "p")], check=True,
                   timeout=300)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == len(scenes)
    for (cell, theme, *_), scene, png in zip(CASES, scenes, pngs, strict=True):
        bare = _no_text(scene)
        ours = _raster(png.read_bytes())
        svg = _raster(rasterize(render_scene(bare), "png"))
        where = f"{cell.name} {theme}"
        assert abs(ours.shape[0] - svg.shape[0]) <= 0.02 * svg.shape[0], where
        assert abs(ours.shape[1] - svg.shape[1]) <= 0.02 * svg.shape[1], where
        h, w = min(ours.shape[0], svg.shape[0]), min(ours.shape[1], svg.shape[1])
        ours, svg = ours[:h, :w], svg[:h, :w]
        a, b = _ink(ours, scene.background), _ink(svg, scene.background)
        # poppler draws a thin axis-aligned line one pixel wide, cairo two half-inked ones: a
        # figure with long buses and taps (lstm-proj in print) comes to 0.75.
        assert a.sum() > 0.7 * b.sum(), where
        # Each clearly drawn pixel of one within NEAR of any drawn pixel of the other: the two
        # rasterizers shade a thin line's edges differently.
        for this, that in ((a, svg), (b, ours)):
            faint = _ink(that, scene.background, 8)
            missed = (this & ~_near(faint, NEAR)).sum() / this.sum()
            assert missed < 0.002, (where, missed)


def test_tikz_is_deterministic_and_names_the_theme_colours() -> None:
    cell = load("lstm")
    options = RenderOptions(theme="dark", highlight="f")
    text = render_bytes(cell, "tikz", options).decode()
    assert text == render_bytes(cell, "tikz", options).decode()
    assert r"\definecolor{cellvizBackground}{HTML}{16181D}" in text
    assert r"\definecolor{cellvizDense}{HTML}{E69F00}" in text
    assert re.search(r"\\definecolor\{cellvizColour\d+\}", text)  # the dimmed colours
    assert text.startswith("% LSTM, paper convention, i=3, n=2\n")
    assert text.count(r"\begin{tikzpicture}") == 1 and r"\documentclass" not in text
    assert r"{W\textsubscript{f}$\cdot$x[t]}" in text  # subscripts as the SVG sets them


def test_standalone_compiles_escapes_and_scales(tmp_path: Path) -> None:
    """A cell file whose gate comment holds LaTeX's special characters; the standalone file
    compiles as it is, on one page the size of the figure times the scale."""
    path = tmp_path / "odd.cell"
    path.write_text("cell odd\ninput x: i\nstate h: n\n"
                    "h[t] = tanh(W_h @ x[t] + U_h @ h[t-1] + b_h)  # 50% & #1 {a_b} ~^\\ gate\n")
    import cellviz

    cell = cellviz.load(str(path), input_size=3, hidden_size=2)
    options = RenderOptions(standalone=True, scale=0.5)
    tex = render_bytes(cell, "tikz", options).decode()
    assert tex.startswith("\\RequirePackage{fix-cm}\n\\documentclass{article}\n")
    pdf = pdflatex(tex, tmp_path)
    width, height, words = _pages(pdf)[0]
    scene = scene_of(cell, options)
    assert abs(width - scene.width * PX * 0.5) < 0.5 and abs(height - scene.height * PX * 0.5) < 0.5
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M)
    assert words


def test_standalone_is_for_tikz_only() -> None:
    from cellviz import UsageError

    with pytest.raises(UsageError, match="standalone is for the tikz format, not svg"):
        render_bytes(load("rnn"), "svg", RenderOptions(standalone=True))


def test_every_kind_of_figure_compiles_in_outline_fonts(tmp_path: Path) -> None:
    """A stack, a figure with gradients and an unrolled figure with values: every symbol they
    print is one LaTeX sets from its own outline fonts (a character LaTeX maps to a textcomp
    symbol would need bitmap fonts made by METAFONT: Type 3 in the PDF)."""
    from cellviz.cli.app import main

    kinds = {"stack": ["--layers", "2", "--bidirectional"], "grads": ["--grads"],
             "unrolled": ["--values", "--unroll", "2", "--highlight", "z"]}
    for kind, extra in kinds.items():
        cell = "gru" if kind == "unrolled" else "lstm"
        assert main(["render", cell, *extra, "-o", str(tmp_path / f"{kind}.tex")]) == 0
    pictures = [(tmp_path / f"{kind}.tex").read_text() for kind in kinds]
    pdf = pdflatex(_document(pictures), tmp_path)
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts is not installed (apt-get install poppler-utils)")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(" Type 1 " in line for line in fonts), fonts
    assert len(_pages(pdf)) == len(kinds)
