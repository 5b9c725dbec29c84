"""The walkthrough page's layout in Chromium: at 1920×1080 the figure (wider than 1240 px) and
the equations beside it are both in view; the figure follows the window up and down; at a
narrow window nothing overflows; the equations are MathML with vectors as columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import dump_dom, result_of
from test_walkthrough import page

pytestmark = pytest.mark.dot

MEASURE = """
<script>
window.addEventListener("load", () => {
  const box = el => { const r = el.getBoundingClientRect();
                      return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const shown = [...document.querySelectorAll("section.step")].filter(s => !s.hidden)[0];
  const svg = shown.querySelector("figure svg");
  const vb = svg.viewBox.baseVal;
  const r = svg.getBoundingClientRect();
  // The drawing inside the svg's box (which keeps the viewBox's aspect when it is letterboxed).
  const scale = Math.min(r.width / vb.width, r.height / vb.height);
  const pre = document.createElement("pre");
  pre.id = "result";
  pre.textContent = JSON.stringify({
    width: innerWidth, height: innerHeight,
    figure: box(svg), drawn: vb.width * scale,
    equations: box(shown.querySelector(".equations")),
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    maths: [...shown.querySelectorAll("math")].map(box),
  });
  document.body.appendChild(pre);
});
</script>
"""


def measure(html: str, tmp_path: Path, viewport: tuple[int, int]) -> dict[str, object]:
    """The layout at a viewport of this size: headless Chromium's window holds some browser
    chrome above the page, so the window is made that much taller."""
    driven = tmp_path / f"measure{viewport[0]}.html"
    driven.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    width, height = viewport
    for _ in range(2):
        found = result_of(dump_dom(driven, tmp_path, window=(width, height)))
        assert isinstance(found, dict)
        if found["height"] == viewport[1]:
            break
        height += viewport[1] - int(found["height"])  # type: ignore[call-overload]
    assert (found["width"], found["height"]) == viewport
    return found


def inside(box: object, width: float, height: float) -> bool:
    assert isinstance(box, dict)
    return (box["left"] >= -0.5 and box["top"] >= -0.5 and box["right"] <= width + 0.5
            and box["bottom"] <= height + 0.5)


@pytest.fixture(scope="module")
def lstm_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    return page(tmp_path_factory.mktemp("walk"), "lstm", "--seed", "0", "--steps", "3")


@pytest.mark.browser
def test_a_wide_window_shows_figure_and_equations_side_by_side(lstm_page: str,
                                                              tmp_path: Path) -> None:
    wide = measure(lstm_page, tmp_path, (1920, 1080))
    figure, equations = wide["figure"], wide["equations"]
    assert isinstance(figure, dict) and isinstance(equations, dict)
    assert inside(figure, 1920, 1080) and inside(equations, 1920, 1080)
    assert equations["left"] >= figure["right"]  # beside it, not below
    assert all(inside(m, 1920, 1080) for m in wide["maths"])  # type: ignore[attr-defined]
    assert float(wide["drawn"]) > 1240  # type: ignore[arg-type]


@pytest.mark.browser
def test_the_figure_follows_the_window_up_and_down(lstm_page: str, tmp_path: Path) -> None:
    drawn = {size: float(measure(lstm_page, tmp_path, size)["drawn"])  # type: ignore[arg-type]
             for size in ((800, 1000), (1920, 1080), (2560, 1440))}
    assert drawn[(800, 1000)] < 800 < drawn[(1920, 1080)] < drawn[(2560, 1440)]


@pytest.mark.browser
@pytest.mark.parametrize("name", ["lstm", "gru", "lstm-peephole"])
def test_a_narrow_window_overflows_nowhere(name: str, tmp_path: Path) -> None:
    html = page(tmp_path, name, "--seed", "0", "--steps", "2")
    narrow = measure(html, tmp_path, (800, 1000))
    assert narrow["scrollWidth"] == narrow["clientWidth"] == 800
    figure, equations = narrow["figure"], narrow["equations"]
    assert isinstance(figure, dict) and isinstance(equations, dict)
    assert figure["right"] <= 800 and equations["right"] <= 800
    assert equations["top"] >= figure["bottom"]  # below the figure
    assert all(m["right"] <= 800 for m in narrow["maths"])  # type: ignore[attr-defined]


def test_equations_are_mathml_with_vectors_as_columns(lstm_page: str) -> None:
    first = lstm_page.split('<section class="step" id="step2"')[0]
    maths = re.findall(r"<math[^>]*>.*?</math>", first, re.S)
    assert len(maths) == 6 * 3  # as written, with the numbers, and activated = result
    written, substituted, _ = maths[:3]
    assert "<msub><mi>W</mi><mi>f</mi></msub>" in written and "<mtable>" not in written
    # x[1] as a column of three numbers, h[0] of two, each a row of its own.
    tables = re.findall(r"<mtable>(.*?)</mtable>", substituted)
    assert [t.count("<mtr>") for t in tables] == [3, 2]
    assert all(row.count("<mn>") == 1 for t in tables for row in t.split("<mtr>")[1:])
    assert 'alttext="f[1] = σ(W_f · x[1] + U_f · h[0] + b_f)"' in first


def test_long_vectors_are_abbreviated_as_in_the_figure(tmp_path: Path) -> None:
    html = page(tmp_path, "rnn", "-i", "7", "-n", "2", "--seed", "0", "--steps", "1")
    tables = re.findall(r"<mtable>(.*?)</mtable>", html)
    assert any(t.count("<mtr>") == 4 and "⋮" in t for t in tables)  # 2 cells, ⋮, the last
