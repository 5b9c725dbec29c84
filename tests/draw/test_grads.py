"""Gradients on the figure (``render --grads``): read back from the SVG they equal Cell.grad;
their own colours and legend entry; the same bytes every run; Chromium finds no overlap; every
bad input is one line."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser import check_figures
from draw.test_values import SVG, numbers
from helpers import load

import cellviz
from cellviz.cli import main
from cellviz.draw.glyphs import slots
from cellviz.draw.themes import THEMES
from cellviz.draw.values import PR_GN, gradient_scale, value_colours
from cellviz.lang.substitute import format_number

pytestmark = pytest.mark.dot


def _printed(cell: cellviz.Cell, nodes: dict[str, Any], params: dict[str, Any], prefix: str,
             digits: int) -> dict[str, str]:
    """What a step's figure must print for these gradients: every shown cell of every vector
    node and dense sum, and every weight of a matrix of at most 4×4 (larger ones are only
    coloured)."""
    out = {}
    for node in cell.graph.nodes:
        if node.kind != "pointwise":
            column = nodes[node.id].tolist()
            out.update({f"{prefix}{node.id}/{r}": format_number(column[r], digits)
                        for r in slots(len(column)) if r is not None})
    for name, w in params.items():
        if w.ndim == 1 and len(w) <= 4:
            out.update({f"{prefix}{name}/{r}": format_number(float(w[r]), digits)
                        for r in range(len(w))})
        elif w.ndim == 2 and max(w.shape) <= 4:
            out.update({f"{prefix}{name}/{r}/{c}": format_number(float(w[r, c]), digits)
                        for r in range(w.shape[0]) for c in range(w.shape[1])})
    return out


def _scale(grads: Any, steps: range) -> tuple[float, int]:
    largest = max(float(np.abs(a).max()) for t in steps
                  for a in (*grads.trace[t].values(), *grads.param_trace[t].values()))
    return gradient_scale(largest)


@pytest.mark.parametrize(("name", "convention", "i", "n", "steps", "unroll"), [
    ("gru", "paper", 3, 2, 1, 1), ("lstm", "paper", 3, 2, 4, 1), ("rnn", "pytorch", 3, 2, 3, 3),
    ("lstm-peephole", "paper", 3, 2, 2, 2), ("gru", "keras", 3, 2, 2, 1),
    ("lstm", "paper", 7, 6, 3, 1),
], ids=["gru", "lstm-4-steps", "rnn-pytorch-unrolled", "peephole-unrolled", "gru-keras",
        "lstm-7-6"])
def test_gradients_on_the_figure_are_cell_grad(name: str, convention: str, i: int, n: int,
                                               steps: int, unroll: int, tmp_path: Path) -> None:
    out = tmp_path / "g.svg"
    argv = ["render", name, "--convention", convention, "-i", str(i), "-n", str(n), "--grads",
            "--seed", "4", "-o", str(out)]
    argv += ["--unroll", str(unroll)] if unroll > 1 else ["--steps", str(steps)]
    assert main(argv) == 0
    shown = numbers(out.read_text(encoding="utf-8"))
    cell = load(name, convention, i=i, n=n)
    weights, xs = cellviz.example_inputs(cell, seed=4, steps=steps)
    grads = cell.grad(weights, xs["x"], loss="sum", trace=True)
    drawn = range(steps - unroll, steps)
    _, digits = _scale(grads, drawn)
    want: dict[str, str] = {}
    for t in drawn:
        prefix = f"s{t + 1}:" if unroll > 1 else ""
        printed = _printed(cell, grads.trace[t], grads.param_trace[t], prefix + "grad:", digits)
        if unroll > 1 and t > drawn.start:
            # The state before this step is drawn once, as the step before's new state, with
            # that state's gradient (which also holds the loss's own share at that step).
            printed = {key: v for key, v in printed.items() if "_prev/" not in key}
        want.update(printed)
    got = {key: text for key, text in shown.items() if "grad:" in key}
    assert got == want
    assert len(got) > 10
    # The values beside them are the forward pass's, as without --grads.
    _, trace = cell.step(weights, xs["x"][steps - 1],
                         None if steps == 1 else {s: v[steps - 2] for s, v in _states(
                             cell, weights, xs["x"]).items()})
    if unroll == 1:
        assert shown["h/0"] == format_number(float(trace["h"][0]))


def _states(cell: cellviz.Cell, weights: Any, xs: Any) -> dict[str, Any]:
    """Every state at every step of a run, stacked."""
    state, out = None, []
    for x in xs:
        state, _ = cell.step(weights, x, state)
        out.append(state)
    return {s: np.stack([o[s] for o in out]) for s in cell.graph.states}


def test_gradients_have_their_own_colours_and_legend(tmp_path: Path) -> None:
    out = tmp_path / "g.svg"
    assert main(["render", "gru", "--grads", "--seed", "1", "-o", str(out)]) == 0
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    cell = load("gru")
    weights, xs = cellviz.example_inputs(cell, seed=1, steps=1)
    grads = cell.grad(weights, xs["x"], trace=True)
    limit, _ = _scale(grads, range(1))
    rects = {r.get("data-key"): r.get("fill") for r in root.iter(f"{SVG}rect")}
    for key, value in (("grad:z/0", grads.trace[0]["z"][0]),
                       ("grad:W_n/1/2", grads.param_trace[0]["W_n"][1, 2])):
        assert rects[key] == value_colours(THEMES["light"], float(value), limit, PR_GN)[0]
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    # The legend and the description say what L is: the loss `render --grads` takes.
    assert any(t.startswith("gradient ∂L/∂v, L = the sum of h over every step,")
               and f"+{limit:g} or more" in t for t in texts)
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert "∂L/∂v of the loss L = the sum of h over every step" in (desc.text or "")


def test_same_bytes_every_run() -> None:
    code = ("import sys; from cellviz.cli import main; sys.exit(main(['render','lstm','--grads',"
            "'--seed','2','--unroll','2','-o','-']))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True,
                           check=True).stdout for _ in range(2)}
    assert len(outs) == 1


@pytest.mark.browser
def test_gradient_figures_in_a_real_browser(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    figures = []
    for argv in (["gru"], ["lstm", "--steps", "3"], ["lstm-peephole", "--theme", "slides"],
                 ["mgu", "--theme", "print"], ["gru", "--unroll", "2"],
                 ["lstm", "-i", "7", "-n", "6"]):
        assert main(["render", *argv, "--grads", "--seed", "3", "-o", "-"]) == 0
        figures.append((" ".join(argv), capsys.readouterr().out))
    check_figures(figures, tmp_path)


def test_file_name_says_grads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["render", "rnn", "--grads", "--steps", "3"]) == 0
    assert (tmp_path / "output" / "rnn.grads.steps3.svg").exists()


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["--steps", "0"], 2, "argument --steps: not a whole number from 1 to 10,000: '0'"),
    (["--steps", "3", "--unroll", "2"], 2, "--steps 3 and --unroll 2: an unrolled figure"),
    (["--steps", "2", "--x", "1,2,3"], 2, "--steps 2 but --x is given 1 time"),
    (["--weights", "OTHER"], 1, "cell 'gru' is missing weight 'W_z' (2, 3)"),
    (["--weights", "NAN"], 1, "holds nan"),
], ids=["steps-0", "steps-and-unroll", "steps-and-x", "weights-of-another-cell", "nan-weights"])
def test_bad_input_is_one_line(argv: list[str], code: int, message: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    gru = load("gru")
    np.savez(tmp_path / "other.npz", **cellviz.init_weights(load("lstm")))
    nan = cellviz.init_weights(gru)
    nan["U_z"][0, 1] = np.nan
    np.savez(tmp_path / "nan.npz", **nan)
    files = {"OTHER": str(tmp_path / "other.npz"), "NAN": str(tmp_path / "nan.npz")}
    out = tmp_path / "f.svg"
    assert main(["render", "gru", "--grads", *(files.get(a, a) for a in argv),
                 "-o", str(out)]) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not out.exists()
