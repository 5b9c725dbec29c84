"""``--layers`` and ``--bidirectional`` in-process: params and eval of stacks, and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import cellviz
from cellviz.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_params_prints_a_table_per_layer_and_direction(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "params", "lstm", "--convention", "pytorch", "--layers", "3",
                         "--bidirectional", "-n", "4")
    assert code == 0 and err == ""
    stack = cellviz.stack("lstm", input_size=3, hidden_size=4, num_layers=3, bidirectional=True,
                          convention="pytorch")
    assert out == stack.params().to_text()
    heads = [line for line in out.splitlines() if line.startswith("layer ")]
    assert heads == ["layer 0, forward, input i=3", "layer 0, reverse, input i=3",
                     "layer 0: 288 parameters", "layer 1, forward, input 2·n=8",
                     "layer 1, reverse, input 2·n=8", "layer 1: 448 parameters",
                     "layer 2, forward, input 2·n=8", "layer 2, reverse, input 2·n=8",
                     "layer 2: 448 parameters"]
    assert out.endswith("1,184 parameters in 3 layers (288, 448, 448)\n")


def test_params_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "params", "gru", "--layers", "2", "--json")
    data = json.loads(out)
    assert code == 0 and data["total"] == 36 + 30 and not data["bidirectional"]
    assert [d["direction"] for d in data["layers"][1]["directions"]] == ["forward"]
    assert data["layers"][1]["directions"][0]["tensors"][0]["name"] == "W_z_l1"


def test_bidirectional_alone_is_one_layer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "params", "rnn", "--bidirectional", "--json")
    assert code == 0 and json.loads(out)["total"] == 2 * 12


def test_eval_json_is_what_the_stack_returns(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "lstm", "--convention", "pytorch", "--layers", "2",
                       "--bidirectional", "--steps", "4", "--seed", "3", "--json")
    assert code == 0
    stack = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=2, bidirectional=True,
                          convention="pytorch")
    weights, xs = cellviz.example_inputs(stack, seed=3, steps=4)
    expected, final = stack.run(weights, xs["x"])
    data = json.loads(out)
    assert np.array(data["output"]).shape == (4, 4)
    np.testing.assert_array_equal(data["output"], expected)
    np.testing.assert_array_equal(data["states"]["c"], final["c"])


def test_eval_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "gru", "--layers", "2", "--bidirectional",
                       "--x", "1,2,3", "--x=-1,0,0.5")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == ("gru (paper convention), 2 layers, bidirectional, i=3, n=2; weights "
                        "from seed 0, input from --x; 2 steps")
    assert [line.split(" = ")[0].rstrip() for line in lines[1:]] == [
        "x[2]", "output[2]", "h_n, layer 0, forward", "h_n, layer 0, reverse",
        "h_n, layer 1, forward", "h_n, layer 1, reverse"]
    assert lines[1].endswith("= [-1.000000,  0.000000,  0.500000]")
    assert len(lines[2].split(",")) == 4  # 2·n numbers


@pytest.mark.torch
def test_eval_reads_a_pytorch_state_dict(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    module = torch.nn.GRU(3, 2, 2, bidirectional=True)
    torch.save(module.state_dict(), tmp_path / "gru.pt")
    code, out, err = run(capsys, "eval", "gru", "--convention", "pytorch", "--layers", "2",
                         "--bidirectional", "--weights", str(tmp_path / "gru.pt"),
                         "--x", "1,2,3", "--json")
    assert code == 0, err
    with torch.no_grad():
        expected, h_n = module(torch.tensor([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(json.loads(out)["output"], expected.numpy(), atol=1e-6)
    np.testing.assert_allclose(json.loads(out)["states"]["h"], h_n.numpy(), atol=1e-6)


def test_eval_reads_the_stacks_own_names(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    stack = cellviz.stack("rnn", input_size=3, hidden_size=2, num_layers=2)
    weights = cellviz.init_weights(stack, seed=9)
    np.savez(tmp_path / "w.npz", **weights)
    code, out, _ = run(capsys, "eval", "rnn", "--layers", "2", "--weights",
                       str(tmp_path / "w.npz"), "--x", "1,2,3", "--json")
    assert code == 0
    np.testing.assert_array_equal(json.loads(out)["output"],
                                  stack.run(weights, np.array([[1.0, 2, 3]]))[0])


@pytest.mark.parametrize(("argv", "message"), [
    (["params", "lstm", "--layers", "0"],
     "argument --layers: not a whole number from 1 to 1,000: '0'"),
    (["params", "lstm-proj", "--layers", "2", "-p", "2", "-n", "2"],
     "proj_size must be smaller than hidden_size"),
    (["eval", "lstm", "--layers", "2", "--x", "1,2"], "--x 1,2 has 2 numbers, but x[t] has 3"),
    (["eval", "lstm", "--layers", "2", "--steps", "3", "--x", "1,2,3"],
     "--steps 3 but --x is given 1 time"),
    (["eval", "lstm", "--layers", "1000", "-n", "1000", "-i", "1000"], "too large to run"),
])
def test_refusals_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str],
                               message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("cellviz: error: ") and message in err


def test_a_missing_tensor_of_a_weights_file_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = cellviz.stack("rnn", input_size=3, hidden_size=2, num_layers=2, bidirectional=True,
                          convention="pytorch")
    tensors = cellviz.export_weights(stack, cellviz.init_weights(stack))
    assert isinstance(tensors, dict)
    del tensors["bias_hh_l1_reverse"]
    np.savez(tmp_path / "w.npz", **tensors)
    code, _, err = run(capsys, "eval", "rnn", "--convention", "pytorch", "--layers", "2",
                       "--bidirectional", "--weights", str(tmp_path / "w.npz"))
    assert code == 1 and err.count("\n") == 1
    assert "w.npz: missing tensor 'bias_hh_l1_reverse' (shape (2,))" in err


def test_params_in_the_other_table_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "params", "rnn", "--layers", "2", "--bidirectional",
                       "--format", "csv")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("parameter,") and len(lines) == 1 + 4 * 3
    assert [line.split(",")[0] for line in lines[1:4]] == ["W_h_l0", "U_h_l0", "b_h_l0"]
    code, out, _ = run(capsys, "params", "rnn", "--layers", "2", "--format", "markdown")
    assert code == 0 and out.startswith("**layer 0, input i=3**\n\n| node |")
    assert "**layer 1, input n=2**" in out
    assert out.endswith("**rnn (paper convention), 2 layers, i=3, n=2: 22 parameters in 2 "
                        "layers (12, 10)**\n")
