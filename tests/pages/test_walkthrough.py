"""The walkthrough page: self-contained, one figure and equation block per step, and in headless
Chromium the slider, the buttons and the arrow keys change the shown step and its numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import check_figures, dump_dom, result_of

import cellviz
from cellviz.cli import main
from cellviz.draw.render import RenderOptions
from cellviz.draw.values import values_of
from cellviz.lang.substitute import format_vector

pytestmark = pytest.mark.dot

# Injected after the page's own script: read the shown step, then move the slider, press the
# arrow keys and the buttons, reading the step and its h[t] numbers after each.
DRIVE = """
<script>
function state() {
  const shown = [...document.querySelectorAll("section.step")].filter(s => !s.hidden);
  const svg = shown.length ? shown[0].querySelector("svg") : null;
  const h = svg ? [...svg.querySelectorAll('text[data-key^="h/"]')].map(t => t.textContent) : [];
  return {visible: shown.map(s => s.dataset.step), h: h,
          label: document.getElementById("shown").textContent,
          box: svg ? svg.getBoundingClientRect().width : 0};
}
function key(name) {
  document.dispatchEvent(new KeyboardEvent("keydown", {key: name, bubbles: true}));
}
const slider = document.getElementById("slider");
const out = [state()];
slider.value = "3"; slider.dispatchEvent(new Event("input", {bubbles: true})); out.push(state());
key("ArrowLeft"); out.push(state());
key("ArrowRight"); out.push(state());
key("ArrowRight"); out.push(state());
document.getElementById("prev").click(); out.push(state());
document.getElementById("next").click(); out.push(state());
const pre = document.createElement("pre");
pre.id = "result";
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>
"""


def page(tmp_path: Path, *argv: str) -> str:
    out = tmp_path / "page.html"
    assert main(["walkthrough", *argv, "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def hs(steps: int, seed: int = 1) -> list[list[str]]:
    """h[t] of each step as the figure prints it."""
    cell = cellviz.load("gru", input_size=3, hidden_size=2)
    h, _ = cell.run(*cellviz.example_inputs(cell, seed=seed, steps=steps))
    return [format_vector(row)[1:-1].split(", ") for row in h.tolist()]


def test_page_stands_alone(tmp_path: Path) -> None:
    text = page(tmp_path, "gru", "--seed", "1", "--steps", "4")
    assert text.count("<section class=\"step\"") == 4 and text.count("<svg ") == 4
    assert text.count(" hidden>") == 3
    lowered = text.lower()
    for banned in ("src=", "href=", "<link", "@import", "url(", "@font-face"):
        assert banned not in lowered
    assert lowered.count("<script") == 1
    svgs = re.findall(r"<svg .*?</svg>", text, re.S)
    assert all("<script" not in svg for svg in svgs)
    # The equations of step 2 with its numbers; h[t] of step 4 in its figure.
    assert "h[2] = (1 − z[2]) ⊙ n[2] + z[2] ⊙ h[1]" in text
    assert ">" + hs(4)[3][0] + "</text>" in svgs[3]
    assert page(tmp_path, "gru", "--seed", "1", "--steps", "4") == text


def test_x_gives_the_steps(tmp_path: Path) -> None:
    text = page(tmp_path, "rnn", "--x", "1,0,0", "--x=0,-1,0")
    assert text.count("<section class=\"step\"") == 2 and "[0.00, −1.00, 0.00]" in text


@pytest.mark.parametrize(("argv", "message"), [
    (["--steps", "0"], "argument --steps: not a whole number from 1 to 50: '0'"),
    (["--steps", "2", "--x", "1,2,3"], "--steps 2 but --x is given 1 time"),
    (["--x", "1,2,3,4"], "--x 1,2,3,4 has 4 numbers, but x[t] has 3 (i=3)"),
], ids=["steps-0", "steps-and-x", "x-length"])
def test_bad_input_is_one_line(argv: list[str], message: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["walkthrough", "gru", *argv, "-o", str(tmp_path / "p.html")]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "p.html").exists()


def test_an_empty_output_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["walkthrough", "gru", "-o", ""]) == 2
    assert "-o: an empty file name" in capsys.readouterr().err


@pytest.mark.browser
def test_slider_buttons_and_keys_in_chromium(tmp_path: Path) -> None:
    text = page(tmp_path, "gru", "--seed", "1", "--steps", "4")
    driven = tmp_path / "driven.html"
    driven.write_text(text.replace("</body>", DRIVE + "</body>"), encoding="utf-8")
    states = result_of(dump_dom(driven, tmp_path))
    assert isinstance(states, list)
    h = hs(4)
    # start, slider to 3, ← to 2, → to 3, → to 4, previous to 3, next to 4
    for state, step in zip(states, [1, 3, 2, 3, 4, 3, 4], strict=True):
        assert state["visible"] == [str(step)]
        assert state["label"] == f"step {step} of 4"
        assert state["h"] == h[step - 1]
        assert state["box"] > 100
    assert len({tuple(s["h"]) for s in states}) == 4


@pytest.mark.browser
def test_value_figures_in_chromium(tmp_path: Path) -> None:
    figures = []
    for name in ("gru", "lstm", "lstm-peephole"):
        cell = cellviz.load(name, input_size=3, hidden_size=2)
        weights, xs = cellviz.example_inputs(cell, seed=0, steps=3)
        state = None
        values = []
        for t in range(3):
            outputs, trace = cell.step(weights, xs["x"][t], state)
            state = outputs
            values.append(values_of(trace, weights, step=t + 1))
        for theme in ("light", "slides"):
            figures.append((f"{name}.{theme}", cellviz.render(
                cell, options=RenderOptions(theme=theme, values=values[0]))))
        figures.append((f"{name}.unroll3", cellviz.render(
            cell, options=RenderOptions(values=tuple(values), unroll=3))))
    check_figures(figures, tmp_path)
