"""``cellviz eval`` in-process: output, JSON trace, seeds, and one-line errors with exit codes."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cellviz
from cellviz.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["eval", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_lists_input_state_and_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "lstm", "-i", "3", "-n", "2")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "lstm (paper convention), i=3, n=2; weights and input from seed 0; 1 step"
    assert [line.split(" = ")[0].strip() for line in lines[1:]] == [
        "x[t]", "h[t-1]", "c[t-1]", "h[t]", "c[t]"]


def test_json_is_the_step_of_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gru", "--convention", "pytorch", "--seed", "4", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"outputs", "trace"}
    cell = cellviz.load("gru", input_size=3, hidden_size=2, convention="pytorch")
    weights, xs = cellviz.example_inputs(cell, seed=4)
    outputs, trace = cell.step(weights, xs["x"][0])
    assert list(data["trace"]) == [node.id for node in cell.graph.nodes]
    assert data["outputs"]["h"] == outputs["h"].tolist()
    assert data["trace"]["r"] == trace["r"].tolist()


def test_same_seed_same_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    first = run(capsys, "mgu", "--seed", "7", "--steps", "3", "--json")[1]
    assert run(capsys, "mgu", "--seed", "7", "--steps", "3", "--json")[1] == first
    assert run(capsys, "mgu", "--seed", "8", "--steps", "3", "--json")[1] != first


def test_steps_run_the_sequence(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lstm", "--steps", "4", "--json", "-n", "3")
    cell = cellviz.load("lstm", input_size=3, hidden_size=3)
    weights, xs = cellviz.example_inputs(cell, seed=0, steps=4)
    hs, final = cell.run(weights, xs["x"])
    data = json.loads(out)
    np.testing.assert_allclose(data["outputs"]["h"], hs[-1], rtol=1e-14)
    np.testing.assert_allclose(data["trace"]["c_prev"], cell.run(weights, xs["x"][:3])[1]["c"],
                               rtol=1e-14)
    assert code == 0 and final["c"].shape == (3,)


def test_given_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rnn", "--x", "1,2,3", "--x=-1,0,0.5", "--json")
    cell = cellviz.load("rnn", input_size=3, hidden_size=2)
    hs, _ = cell.run(cellviz.init_weights(cell), [[1, 2, 3], [-1, 0, 0.5]])
    data = json.loads(out)
    assert code == 0 and data["trace"]["x"] == [-1.0, 0.0, 0.5]
    np.testing.assert_allclose(data["outputs"]["h"], hs[-1], rtol=1e-14)


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["gru", "--x", "1,2"], 2, "--x 1,2 has 2 numbers, but x[t] has 3 (i=3)"),
    (["gru", "--x", "1,two,3"], 2, "argument --x: expected numbers in ASCII digits"),
    (["gru", "--x", "1,nan,3"], 1, "input 'x' holds nan at index 1"),
    (["gru", "--x", "1,2,3", "--steps", "2"], 2,
     "--steps 2 but --x is given 1 time (one --x per step)"),
    (["gru", "--seed", "-3"], 2,
     "argument --seed: not a whole number from 0 to 18,446,744,073,709,551,615: '-3'"),
    (["gru", "--steps", "0"], 2,
     "argument --steps: not a whole number from 1 to 1,000,000,000,000: '0'"),
    (["nosuch"], 1, "no built-in cell or cell file named 'nosuch'"),
    (["lstm", "--x=1.7e308,-1.7e308,1.7e308"], 1,
     "the numbers overflowed: node 'f.dense' holds -inf at step 1"),
    (["gru", "-n", "100000"], 2, "too large to run: 30,002,500,003 numbers in the weights and "
     "the vectors of 1 step (at most 200,000,000)"),
    (["lstm", "--steps", "100000000"], 2, "too large to run"),
    (["lstm", "--x", "-1,2,3"], 2, "expected one argument (write --x=-1,2,3 when the first"),
], ids=["length", "not-a-number", "nan", "steps-and-x", "seed", "steps", "unknown-cell",
        "overflow", "too-large", "too-many-steps", "negative-x"])
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    got, out, err = run(capsys, *argv)
    assert got == code and out == ""
    assert err.count("\n") == 1 and err.startswith("cellviz: error: ")
    assert message in err
