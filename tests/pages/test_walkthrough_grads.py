"""The walkthrough's backward pass (``walkthrough --grads``): the chain rule's rows add up to
Cell.grad's gradients, the page holds a section per step each way, and in Chromium the slider
runs on from the last forward step back to the first."""

from __future__ import annotations

import re
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
