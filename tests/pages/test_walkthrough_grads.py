"""The walkthrough's backward pass (``walkthrough --grads``): the chain rule's rows add up to
Cell.grad's gradients, the page holds a section per step each way, and in Chromium the slider
runs on from the last forward step back to the first."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from browser import dump_dom, result_of
from helpers import every_cell, load

import cellviz
from cellviz.cli import main
from cellviz.pages.chain import _grad, chain_rows

pytestmark = pytest.mark.dot


def _vector(text: str) -> list[float]:
    return [float(v.replace("−", "-")) for v in text.strip("[]").split(", ")]


@every_cell
def test_chain_rule_rows_add_up_to_the_gradients(name: str, convention: str) -> None:
    cell = load(name, convention)
    weights, xs = cellviz.example_inputs(cell, seed=2, steps=3)
    grads = cell.grad(weights, xs["x"], trace=True)
    traces, state = [], None
    for x in xs["x"]:
        out, trace = cell.step(weights, x, state)
        traces.append(trace)
        state = out
    for t in range(3):
        rows = chain_rows(cell, traces[t], grads.trace[t], grads.trace[t + 1] if t < 2 else None,
                          weights, digits=12)
        for node in cell.graph.nodes:
            lhs = _grad(cell.graph, node.id)
            shares = [_vector(result) for left, _, _, result in rows
                      if left in (f"{lhs} +=", f"{lhs} =")]
            total = np.sum(shares, axis=0) if shares else np.zeros_like(grads.trace[t][node.id])
            np.testing.assert_allclose(total, grads.trace[t][node.id], rtol=1e-9, atol=1e-11,
                                       err_msg=f"{node.id} at step {t + 1}")
        for param, value in grads.param_trace[t].items():
            if value.ndim == 1:
                shares = [_vector(r) for left, _, _, r in rows if left == f"∂L/∂{param} +="]
                np.testing.assert_allclose(np.sum(shares, axis=0), value, rtol=1e-9, atol=1e-11)


def test_page_runs_back_through_every_step(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    assert main(["walkthrough", "gru", "--grads", "--steps", "3", "--seed", "1",
                 "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    labels = re.findall(r'<section class="step" id="step(\d+)" data-step="\d+" '
                        r'data-label="([^"]+)"', page)
    assert labels == [("1", "step 1 of 3"), ("2", "step 2 of 3"), ("3", "step 3 of 3"),
                      ("4", "back through step 3 of 3"), ("5", "back through step 2 of 3"),
                      ("6", "back through step 1 of 3")]
    sections = page.split('<section class="step"')[1:]
    assert all("grad:" not in s for s in sections[:3])
    assert all('data-key="grad:h/0"' in s for s in sections[3:])
    assert "∂L/∂h[3] = ∂(Σ h)/∂h[3], from the loss" in sections[3]
    assert "∂L/∂h[2] += back from the next step" in sections[4]
    assert "after the last step the slider runs back".lower() in page.lower()
    again = tmp_path / "again.html"
    assert main(["walkthrough", "gru", "--grads", "--steps", "3", "--seed", "1",
                 "-o", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.browser
def test_slider_runs_on_into_the_backward_pass(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    assert main(["walkthrough", "rnn", "--grads", "--steps", "2", "-o", str(out)]) == 0
    drive = """<script>
const out = [];
for (const k of ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft"]) {
  document.dispatchEvent(new KeyboardEvent("keydown", {key: k, bubbles: true}));
  const shown = [...document.querySelectorAll("section.step")].filter(s => !s.hidden);
  out.push([document.getElementById("shown").textContent, shown.map(s => s.dataset.step)]);
}
const pre = document.createElement("pre"); pre.id = "result";
pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
</script>"""
    out.write_text(out.read_text(encoding="utf-8").replace("</body>", drive + "</body>"),
                   encoding="utf-8")
    assert result_of(dump_dom(out, tmp_path)) == [
        ["step 2 of 2", ["2"]], ["back through step 2 of 2", ["3"]],
        ["back through step 1 of 2", ["4"]], ["back through step 1 of 2", ["4"]],
        ["back through step 2 of 2", ["3"]]]


def _back_sections(page: str) -> list[str]:
    return [s for s in page.split('<section class="step"')[1:] if "back through" in s[:200]]


def _numbers(text: str) -> list[str]:
    return re.findall(r"−?\d+\.\d+", text)


@pytest.mark.parametrize("name", ["lstm-peephole", "gru"])
def test_the_chain_rule_is_typeset_as_mathml(tmp_path: Path, name: str) -> None:
    """Each row of a step back is MathML like the forward equations: the gradients as
    fractions ∂L/∂v with the step in brackets, vectors as columns holding exactly the
    numbers of the row's text (its alttext), no plain-text rows."""
    out = tmp_path / "page.html"
    assert main(["walkthrough", name, "--grads", "--steps", "2", "--seed", "1",
                 "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    back = _back_sections(page)
    assert len(back) == 2
    assert 'class="text' not in page
    rows = 0
    for section in back:
        for math in re.findall(r"<math .*?</math>", section, re.S):
            root = ET.fromstring(math)  # well-formed
            alt = html.unescape(root.get("alttext", ""))
            # The MathML shows the numbers the text gives, in order, each in a column cell.
            shown = [n.text or "" for n in root.iter("mn") if re.fullmatch(r"−?\d+\.\d+",
                                                                             n.text or "")]
            assert shown == _numbers(alt), alt
            rows += 1
    assert rows > 60
    first = re.search(r"<math .*?</math>", back[0], re.S)
    assert first is not None
    assert ('<mfrac displaystyle="true"><mrow><mo>∂</mo><mi>L</mi></mrow><mrow><mo>∂</mo>'
            '<mrow><mi>h</mi><mo stretchy="false">[</mo><mn>2</mn>') in first.group(0)
    assert "<msub><mi>W</mi>" in back[0] and '<mi mathvariant="normal">T</mi>' in back[0]


@pytest.mark.browser
def test_chromium_lays_the_chain_rule_out_as_mathml(tmp_path: Path) -> None:
    """In Chromium a gradient's fraction stands as a fraction (∂L above ∂v) and a vector as
    a column (its numbers one above the other): MathML, not a line of text."""
    out = tmp_path / "page.html"
    assert main(["walkthrough", "lstm", "--grads", "--steps", "2", "-o", str(out)]) == 0
    drive = """<script>
window.addEventListener("load", () => {
  for (let k = 0; k < 2; k++)
    document.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowRight", bubbles: true}));
  const shown = [...document.querySelectorAll("section.step")].filter(s => !s.hidden)[0];
  const top = el => el.getBoundingClientRect().top;
  const fracs = [...shown.querySelectorAll(".equations mfrac")].map(
    f => [top(f.children[0]) < top(f.children[1]), f.getBoundingClientRect().height]);
  const columns = [...shown.querySelectorAll(".equations mtable")].map(
    t => [...t.querySelectorAll("mn")].map(top));
  const pre = document.createElement("pre"); pre.id = "result";
  pre.textContent = JSON.stringify({label: shown.dataset.label, fracs, columns});
  document.body.appendChild(pre);
});
</script>"""
    out.write_text(out.read_text(encoding="utf-8").replace("</body>", drive + "</body>"),
                   encoding="utf-8")
    found = result_of(dump_dom(out, tmp_path, window=(1920, 1080)))
    assert isinstance(found, dict)
    assert found["label"] == "back through step 2 of 2"
    assert len(found["fracs"]) > 30 and all(above and height > 20
                                            for above, height in found["fracs"])
    assert len(found["columns"]) > 30
    assert all(len(c) >= 2 and all(a + 5 < b for a, b in pairwise(c))
               for c in found["columns"])
