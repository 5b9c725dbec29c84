"""--weights FILE: .npz by cellviz, Keras or PyTorch names, a PyTorch .pt; bad files, one line."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from helpers import load

import cellviz
from cellviz.cli import main
from cellviz.lang.substitute import format_number
from cellviz.numeric.weightfile import load_weights_file

SVG = "{http://www.w3.org/2000/svg}"


def shown(path: Path) -> dict[str, str]:
    root = ET.fromstring(path.read_text(encoding="utf-8"))
    return {t.get("data-key", ""): t.text or "" for t in root.iter(f"{SVG}text")
            if t.get("data-key")}


def weights_of(cell: cellviz.Cell, seed: int = 11) -> dict[str, np.ndarray]:
    return dict(cellviz.init_weights(cell, seed=seed))


def test_npz_with_cellviz_names(tmp_path: Path) -> None:
    cell = load("gru")
    w = weights_of(cell)
    np.savez(tmp_path / "w.npz", **w)
    got = load_weights_file(cell, tmp_path / "w.npz")
    assert all(np.array_equal(got[k], w[k]) for k in w)


@pytest.mark.dot
def test_render_uses_the_file(tmp_path: Path) -> None:
    cell = load("gru")
    w = weights_of(cell)
    np.savez(tmp_path / "w.npz", **w)
    out = tmp_path / "f.svg"
    assert main(["render", "gru", "--weights", str(tmp_path / "w.npz"), "-o", str(out)]) == 0
    assert shown(out)["U_r/0/1"] == format_number(float(w["U_r"][0, 1]))


def test_npz_with_keras_names(tmp_path: Path) -> None:
    cell = load("gru", "keras")
    w = weights_of(cell)
    kernel, recurrent, bias = cellviz.export_weights(cell, w, "keras")
    # As a Keras model's weights are named: with the layer's path and TensorFlow's :0.
    np.savez(tmp_path / "k.npz", **{"gru/gru_cell/kernel:0": kernel,
                                    "gru/gru_cell/recurrent_kernel:0": recurrent,
                                    "gru/gru_cell/bias:0": bias})
    got = load_weights_file(cell, tmp_path / "k.npz")
    assert all(np.allclose(got[k], w[k]) for k in w)


def test_npz_with_pytorch_names(tmp_path: Path) -> None:
    cell = load("lstm", "pytorch")
    w = weights_of(cell)
    state = cellviz.export_weights(cell, w, "pytorch")
    assert isinstance(state, dict)
    np.savez(tmp_path / "p.npz", **state)
    got = load_weights_file(cell, tmp_path / "p.npz")
    assert all(np.allclose(got[k], w[k]) for k in w)


@pytest.mark.torch
def test_pt_state_dict(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    cell = load("gru", "pytorch")
    module = torch.nn.GRUCell(3, 2)
    torch.save(module.state_dict(), tmp_path / "gru.pt")
    got = load_weights_file(cell, tmp_path / "gru.pt")
    np.testing.assert_allclose(got["W_ir"], module.weight_ih.detach().numpy()[:2])
    np.testing.assert_allclose(got["b_hn"], module.bias_hh.detach().numpy()[4:])


def test_pt_without_torch_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "w.pt").write_bytes(b"not really")
    monkeypatch.setitem(sys.modules, "torch", None)
    assert main(["eval", "gru", "--convention", "pytorch", "--weights",
                 str(tmp_path / "w.pt")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs PyTorch (pip install torch)" in err


@pytest.mark.parametrize(("change", "message"), [
    ("missing", "is missing weight 'b_n' (2,)"),
    ("misshaped", "weight 'U_z' has shape (3, 3), expected (2, 2)"),
    ("extra", "unexpected weight 'W_q'"),
], ids=["missing", "misshaped", "extra"])
def test_bad_npz_is_one_line(change: str, message: str, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    w = weights_of(load("gru"))
    if change == "missing":
        del w["b_n"]
    elif change == "misshaped":
        w["U_z"] = np.zeros((3, 3))
    else:
        w["W_q"] = np.zeros((2, 3))
    np.savez(tmp_path / "w.npz", **w)
    assert main(["eval", "gru", "--weights", str(tmp_path / "w.npz")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "w.npz: " in err


def test_misshaped_keras_tensor_names_both_shapes(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    np.savez(tmp_path / "k.npz", kernel=np.zeros((2, 6)), recurrent_kernel=np.zeros((2, 6)),
             bias=np.zeros((2, 6)))
    assert main(["eval", "gru", "--convention", "keras", "--weights",
                 str(tmp_path / "k.npz")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "tensor 'kernel' has shape (2, 6), expected (3, 6) for keras.layers.GRU" in err


def test_a_missing_keras_tensor_is_named(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    np.savez(tmp_path / "k.npz", kernel=np.zeros((3, 6)), bias=np.zeros((2, 6)))
    assert main(["eval", "gru", "--convention", "keras", "--weights",
                 str(tmp_path / "k.npz")]) == 1
    assert "missing tensor 'recurrent_kernel' (shape (2, 6))" in capsys.readouterr().err


def test_a_broken_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "w.npz").write_bytes(b"garbage")
    assert main(["eval", "gru", "--weights", str(tmp_path / "w.npz")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a readable .npz file" in err


@pytest.mark.parametrize("make", ["empty", "npy"])
def test_files_that_are_not_npz_archives_are_one_line(
    make: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "w.npz"
    if make == "empty":
        path.write_bytes(b"")
    else:
        with path.open("wb") as f:
            np.save(f, np.zeros(3))
    assert main(["eval", "gru", "--weights", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"cellviz: error: {path}: not a")


def test_float32_weights_run_on_seeded_input(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    # Frameworks save float32; the seeded input must follow the weights' precision.
    cell = load("gru")
    weights = cellviz.init_weights(cell, seed=4, dtype=np.float32)
    np.savez(tmp_path / "w32.npz", **weights)
    assert main(["eval", "gru", "--weights", str(tmp_path / "w32.npz"), "--seed", "4",
                 "--json"]) == 0
    got = json.loads(capsys.readouterr().out)["outputs"]["h"]
    _, xs = cellviz.example_inputs(cell, seed=4)
    want = cell.step(weights, xs["x"][0].astype(np.float32))[0]["h"]
    assert want.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_a_default_pytorch_file_runs_in_every_command(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.GRUCell(3, 2).state_dict(), tmp_path / "gru.pt")  # float32
    for argv in (["eval"], ["render", "--values", "-o", str(tmp_path / "f.svg")],
                 ["walkthrough", "--steps", "2", "-o", str(tmp_path / "w.html")]):
        code = main([argv[0], "gru", "--convention", "pytorch", "--weights",
                     str(tmp_path / "gru.pt"), *argv[1:]])
        assert code == 0, capsys.readouterr().err
