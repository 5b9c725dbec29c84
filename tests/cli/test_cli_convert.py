"""``cellviz convert``: a PyTorch state_dict written for onnxruntime, Keras and flax gives
PyTorch's numbers, and comes back unchanged; bad input is one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import cellviz
from cellviz.cli import main

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["convert", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def lstm(tmp_path: Path) -> tuple[Any, Path]:
    torch.manual_seed(5)
    module = torch.nn.LSTM(3, 4)
    path = tmp_path / "lstm.pt"
    torch.save(module.state_dict(), path)
    return module, path


def test_to_onnx_runs_in_onnxruntime(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     lstm: tuple[Any, Path]) -> None:
    ort = pytest.importorskip("onnxruntime")
    module, path = lstm
    out = tmp_path / "lstm.onnx"
    code, _, err = run(capsys, str(path), "-o", str(out), "--to", "onnx")
    assert code == 0 and err == (f"wrote {out} (lstm, pytorch convention; load it into ONNX "
                                 "LSTM, hidden_size=4)\n")
    xs = np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        expected = module(torch.from_numpy(xs))[0].numpy()
    np.testing.assert_allclose(session.run(None, {"X": xs})[0][:, 0], expected, rtol=0,
                               atol=1e-6)
    again = tmp_path / "again.onnx"
    run(capsys, str(path), "-o", str(again), "--to", "onnx")
    assert again.read_bytes() == out.read_bytes()


def test_to_keras_runs_in_keras_and_comes_back(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path, lstm: tuple[Any, Path],
                                               keras: Any) -> None:
    module, path = lstm
    out = tmp_path / "lstm.keras"
    code, _, err = run(capsys, str(path), "-o", str(out), "--to", "keras")
    assert code == 0 and "load it into keras.layers.LSTM(4)" in err
    # The same weights give the same bytes (Keras writes a date and id()s, made fixed).
    again = tmp_path / "again.keras"
    run(capsys, str(path), "-o", str(again), "--to", "keras")
    assert again.read_bytes() == out.read_bytes()
    model = keras.saving.load_model(out, safe_mode=True)
    xs = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    with torch.no_grad():
        expected = module(torch.from_numpy(xs.transpose(1, 0, 2)))[0].numpy()
    got = keras.ops.convert_to_numpy(model(xs))
    np.testing.assert_allclose(got, expected[-1], rtol=0, atol=1e-6)
    back = tmp_path / "back.pt"
    assert run(capsys, str(out), "-o", str(back), "--to", "pytorch")[0] == 0
    state = torch.load(back, weights_only=True)
    # Keras keeps one bias a gate: PyTorch's two come back as their sum and zeros.
    original = module.state_dict()
    for name in ("weight_ih_l0", "weight_hh_l0"):
        assert torch.equal(state[name], original[name])
    assert torch.allclose(state["bias_ih_l0"] + state["bias_hh_l0"],
                          original["bias_ih_l0"] + original["bias_hh_l0"], atol=1e-6)


def test_to_flax_and_cellviz_npz(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                 lstm: tuple[Any, Path]) -> None:
    module, path = lstm
    out = tmp_path / "flax.npz"
    assert run(capsys, str(path), "-o", str(out), "--to", "flax")[0] == 0
    with np.load(out) as data:
        names = sorted(data.files)
        ii = data["ii/kernel"]
    assert names[:3] == ["hf/bias", "hf/kernel", "hg/bias"] and "ii/bias" not in names
    np.testing.assert_array_equal(ii, module.weight_ih_l0.detach().numpy()[:4].T)
    own = tmp_path / "own.npz"
    assert run(capsys, str(path), "-o", str(own), "--to", "cellviz")[0] == 0
    cell = cellviz.load("lstm", input_size=3, hidden_size=4, convention="pytorch")
    code, _, err = run(capsys, str(own), "--cell", "lstm", "-n", "4", "--convention", "pytorch",
                       "-o", str(tmp_path / "x.onnx"), "--to", "onnx")
    assert code == 0, err
    assert set(np.load(own).files) == set(cell.param_shapes())


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["-o", "x.onnx", "--to", "keras"], 2, "--to keras writes .keras, .weights.h5, .npz"),
    (["-o", "x.npz", "--to", "jax"], 2, "invalid choice: 'jax'"),
])
def test_usage_errors(capsys: pytest.CaptureFixture[str], lstm: tuple[Any, Path],
                      argv: list[str], code: int, message: str) -> None:
    got, out, err = run(capsys, str(lstm[1]), *argv)
    assert got == code and out == "" and message in err and err.count("\n") == 1


def test_inexact_and_bad_input_are_one_line(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    paper = tmp_path / "paper.npz"
    gru = cellviz.load("gru", input_size=3, hidden_size=2)
    np.savez(paper, **cellviz.init_weights(gru))
    code, _, err = run(capsys, str(paper), "--cell", "gru", "-o", str(tmp_path / "g.pt"),
                       "--to", "pytorch")
    assert code == 1 and "applies the reset gate after the recurrent product" in err
    assert not (tmp_path / "g.pt").exists()
    code, _, err = run(capsys, str(paper), "-o", str(tmp_path / "g.onnx"), "--to", "onnx")
    assert code == 2 and "give the cell (--cell NAME" in err
    text = tmp_path / "junk.pt"
    text.write_text("hello")
    code, _, err = run(capsys, str(text), "-o", str(tmp_path / "j.onnx"), "--to", "onnx")
    assert code == 1 and err.count("\n") == 1 and "junk.pt" in err
