"""cellviz.gradient_flow against Jacobians taken by finite differences of Cell.step, and the
``cellviz gradient-flow`` command: the plot, its determinism and its bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import load

import cellviz
from cellviz.cli import main
from cellviz.numeric.flow import open_forget_gate


def _run(cell: cellviz.Cell, weights: Any, xs: Any, start: int,
         state: dict[str, Any] | None) -> Any:
    """h after the last step, running xs[start:] from ``state``."""
    for x in xs[start:]:
        state, _ = cell.step(weights, x, state)
    assert state is not None
    return state["h"]


def _jacobian_norms(cell: cellviz.Cell, weights: Any, xs: Any, eps: float = 1e-6
                    ) -> tuple[list[float], list[float]]:
    """‖∂h[T]/∂h[t]‖ and ‖∂h[T]/∂x[t]‖ for t = T down to 1, by central differences."""
    steps = len(xs)
    states = [None]
    for x in xs:
        states.append(cell.step(weights, x, states[-1])[0])
    state_norms, input_norms = [], []
    for t in range(steps, 0, -1):  # 1-based: h[t] is states[t]
        columns = []
        for j in range(len(states[t]["h"])):
            shifted = []
            for sign in (1, -1):
                s = {k: v.copy() for k, v in states[t].items()}
                s["h"][j] += sign * eps
                shifted.append(_run(cell, weights, xs, t, s))
            columns.append((shifted[0] - shifted[1]) / (2 * eps))
        state_norms.append(float(np.linalg.norm(columns)))
        columns = []
        for j in range(xs.shape[1]):
            shifted = []
            for sign in (1, -1):
                moved = xs.copy()
                moved[t - 1, j] += sign * eps
                shifted.append(_run(cell, weights, moved, 0, None))
            columns.append((shifted[0] - shifted[1]) / (2 * eps))
        input_norms.append(float(np.linalg.norm(columns)))
    return state_norms, input_norms


@pytest.mark.parametrize("name", ["rnn", "gru", "lstm"])
def test_norms_are_the_jacobians(name: str) -> None:
    cell = load(name, i=3, n=4)
    flow = cellviz.gradient_flow([cell], steps=6, seeds=[3, 8], forget_bias=None)
    assert flow.cells == (name,) and flow.seeds == (3, 8)
    assert flow.state[name].shape == flow.inputs[name].shape == (2, 6)
    for row, seed in enumerate(flow.seeds):
        weights, xs = cellviz.example_inputs(cell, seed=seed, steps=6)
        state, inputs = _jacobian_norms(cell, weights, xs["x"])
        np.testing.assert_allclose(flow.state[name][row], state, rtol=1e-6)
        np.testing.assert_allclose(flow.inputs[name][row], inputs, rtol=1e-6)
    np.testing.assert_allclose(flow.state[name][:, 0], 2.0)  # ∂h[T]/∂h[T] = I, √4


def test_band_is_median_and_percentiles() -> None:
    flow = cellviz.gradient_flow(["rnn"], steps=4, seeds=5, input_size=3, hidden_size=2)
    mid, lo, hi = flow.band("rnn")
    np.testing.assert_array_equal(mid, np.median(flow.state["rnn"], axis=0))
    assert (lo <= mid).all() and (mid <= hi).all()
    assert list(flow.lags) == [0, 1, 2, 3]


def test_open_forget_gate_carries_the_gradient() -> None:
    cell = load("lstm", convention="pytorch", i=3, n=4)
    weights = open_forget_gate(cell, cellviz.init_weights(cell), 4.0)
    assert (weights["b_if"] == 4.0).all() and (weights["b_hf"] == 0.0).all()
    shut = cellviz.gradient_flow([cell], steps=30, seeds=3)
    opened = cellviz.gradient_flow([cell], steps=30, seeds=3, forget_bias=4.0)
    assert opened.band("lstm")[0][-1] > 100 * shut.band("lstm")[0][-1]


def test_given_weights_are_used() -> None:
    cell = load("rnn", i=3, n=2)
    zero = {k: np.zeros_like(v) for k, v in cellviz.init_weights(cell).items()}
    flow = cellviz.gradient_flow([cell], steps=3, seeds=2, weights={"rnn": zero})
    assert (flow.state["rnn"][:, 1:] == 0).all()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"steps": 0}, "steps must be a whole number from 1 to 10,000, not 0"),
    ({"seeds": []}, "give at least one seed"),
    ({"cells": ["rnn", "rnn"]}, "each cell once: rnn, rnn"),
    ({"weights": {"gru": {}}}, "weights for 'gru', which is not one of the cells"),
    ({"cells": ["rnn"], "forget_bias": 1.0}, "none of rnn has a forget gate"),
    ({"weights": {"rnn": {}}}, "cell 'rnn' is missing weight"),
])
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(cellviz.CellvizError, match=message):
        cellviz.gradient_flow(**{"cells": ["rnn", "lstm"], "steps": 3, "seeds": 1, **kwargs})


def test_the_command_writes_the_plot_and_a_table(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "flow.svg"
    assert main(["gradient-flow", "rnn", "lstm", "--steps", "12", "--seeds", "3", "-i", "3",
                 "-n", "4", "-o", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("median over 3 seeds, T=12") and "T−t = 1, 10" in lines[0]
    flow = cellviz.gradient_flow(["rnn", "lstm"], steps=12, seeds=3, input_size=3,
                                 hidden_size=4)
    rnn = lines[1].split()
    assert rnn[0] == "rnn" and float(rnn[1]) == pytest.approx(flow.band("rnn")[0][1], rel=1e-2)
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg and "dc:date" not in svg
    assert "<text" not in svg  # text as paths: the same picture without the font


def test_stdout_holds_only_the_plot(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    pytest.importorskip("matplotlib")
    assert main(["gradient-flow", "rnn", "--steps", "4", "--seeds", "1", "-n", "2",
                 "-o", "-"]) == 0
    out, err = capfdbinary.readouterr()
    assert out.startswith(b"<?xml") and out.rstrip().endswith(b"</svg>")
    assert err.startswith(b"median over 1 seed,")


def test_same_bytes_every_run(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    code = ("import sys; from cellviz.cli import main; sys.exit(main(['gradient-flow','gru',"
            "'--steps','5','--seeds','2','-n','3','-o',sys.argv[1]]))")
    outs = []
    for fmt in ("svg", "svg", "png", "png", "pdf", "pdf"):
        path = tmp_path / f"f{len(outs)}.{fmt}"
        subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True)
        outs.append(path.read_bytes())
    assert outs[0] == outs[1] and outs[2] == outs[3] and outs[4] == outs[5]
    assert outs[2].startswith(b"\x89PNG") and outs[4].startswith(b"%PDF")


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["rnn", "--steps", "0"], 2, "argument --steps: not a whole number from 1 to 10,000: '0'"),
    (["rnn", "gru", "--weights", "w.npz"], 2, "--weights is given 1 time for 2 cells"),
    (["rnn", "--forget-bias", "2"], 2, "none of rnn has a forget gate"),
    (["rnn", "-o", "f.jpg"], 2, "-o f.jpg: the format must be one of svg, png, pdf"),
    (["nosuch"], 1, "nosuch"),
    (["rnn", "--weights", "OTHER"], 1, "cell 'rnn' is missing weight 'W_h'"),
], ids=["steps-0", "weights-count", "no-forget-gate", "format", "unknown-cell", "other-cell"])
def test_bad_input_is_one_line(argv: list[str], code: int, message: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    np.savez(tmp_path / "other.npz", **cellviz.init_weights(load("lstm", i=16, n=32)))
    argv = [str(tmp_path / "other.npz") if a == "OTHER" else a for a in argv]
    out = [] if "-o" in argv else ["-o", str(tmp_path / "f.svg")]
    assert main(["gradient-flow", *argv, "--seeds", "1", *out]) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "f.svg").exists()
