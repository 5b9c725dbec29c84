"""Weight files numpy or torch cannot convert, damaged archives and warnings: one line each."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import load

import cellviz
from cellviz.cli import main


def one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run the command line, expect exit 1 and exactly one error line; return it."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.count("\n") == 1 and err.startswith("cellviz: error: "), err
    return err


def npy_member(shape: tuple[int, ...], data: bytes, descr: str = "<f8") -> bytes:
    """A .npy member whose header announces ``shape`` whatever ``data`` holds."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        out, {"descr": descr, "fortran_order": False, "shape": shape})
    return out.getvalue() + data


def npz(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(f"{name}.npy", data)
    return path


def test_object_arrays_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    np.savez(tmp_path / "w.npz", W_h=np.array([{"a": 1}, None], dtype=object))
    err = one_line(["eval", "rnn", "--weights", str(tmp_path / "w.npz")], capsys)
    assert "tensor 'W_h' is an array of Python objects" in err


def test_a_flipped_byte_is_a_bad_crc(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "w.npz"
    np.savez(path, **cellviz.init_weights(load("rnn")))
    data = bytearray(path.read_bytes())
    at = data.index(b"\x93NUMPY") + 128 + 8  # a number of the first member (stored, unzipped)
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    err = one_line(["eval", "rnn", "--weights", str(path)], capsys)
    assert "not a readable .npz file (Bad CRC-32" in err


def test_a_header_shape_too_big_is_refused_unread(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = npz(tmp_path / "w.npz", {"W_h": npy_member((10**12,), b"\0" * 64)})
    err = one_line(["eval", "rnn", "--weights", str(path)], capsys)
    assert "tensor 'W_h' holds 1,000,000,000,000 numbers, more than the cell's 12 " in err


def test_a_member_shorter_than_its_header_is_refused_unread(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = npz(tmp_path / "w.npz", {"W_h": npy_member((2, 3), b"\0" * 8)})
    err = one_line(["eval", "rnn", "--weights", str(path)], capsys)
    assert "tensor 'W_h' is truncated: its header announces float64 (2, 3) (48 bytes) but " \
           "it holds 8 bytes" in err


def test_a_member_that_is_not_npy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with zipfile.ZipFile(tmp_path / "w.npz", "w") as archive:
        archive.writestr("notes.txt", "hello")
    err = one_line(["eval", "rnn", "--weights", str(tmp_path / "w.npz")], capsys)
    assert "member 'notes.txt' is not a .npy array" in err


def test_float16_weights_compute_as_float32(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    cell = load("gru")
    half = {k: v.astype(np.float16) for k, v in cellviz.init_weights(cell, seed=2).items()}
    np.savez(tmp_path / "w.npz", **half)
    assert main(["eval", "gru", "--weights", str(tmp_path / "w.npz"), "--x=1,2,3",
                 "--json"]) == 0
    got = json.loads(capsys.readouterr().out)["outputs"]["h"]
    single = {k: v.astype(np.float32) for k, v in half.items()}  # every float16 is a float32
    want = cell.step(single, np.array([1, 2, 3], np.float32))[0]["h"]
    assert want.dtype == np.float32
    assert got == want.tolist()
    # The Python API takes float16 the same way.
    assert cell.step(half, np.array([1, 2, 3], np.float16))[0]["h"].tolist() == want.tolist()


def test_long_double_weights_are_refused_as_the_message_says(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if np.dtype(np.longdouble) == np.float64:
        pytest.skip("long double is float64 on this platform")
    weights = {k: v.astype(np.longdouble) for k, v in cellviz.init_weights(load("rnn")).items()}
    np.savez(tmp_path / "w.npz", **weights)
    err = one_line(["eval", "rnn", "--weights", str(tmp_path / "w.npz")], capsys)
    assert f"has dtype {np.dtype(np.longdouble)}; weights must be float64 or float32" in err


def command(*argv: str) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own: warnings reach its stderr as a user sees them."""
    return subprocess.run([sys.executable, "-m", "cellviz", *argv], capture_output=True,
                          text=True, timeout=120, check=False)


def test_huge_weights_give_no_warning(tmp_path: Path) -> None:
    weights = {k: np.full_like(v, 1e308) for k, v in cellviz.init_weights(load("rnn")).items()}
    np.savez(tmp_path / "w.npz", **weights)
    done = command("eval", "rnn", "--weights", str(tmp_path / "w.npz"), "--x=1,1,1")
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "the numbers overflowed" in done.stderr


def test_a_text_pth_is_named_for_what_it_is(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "w.pth").write_text("hello world\n")
    err = one_line(["eval", "gru", "--convention", "pytorch", "--weights",
                    str(tmp_path / "w.pth")], capsys)
    assert "not a PyTorch file (torch.save writes a zip archive; this file starts with " \
           "b'hell')" in err


def _torch_tensors() -> dict[str, tuple[Callable[[Any], Any], str]]:
    return {
        "bfloat16": (lambda t: t.zeros(6, 3, dtype=t.bfloat16), "has dtype torch.bfloat16"),
        "float8": (lambda t: t.zeros(6, 3).to(t.float8_e4m3fn), "has dtype torch.float8_e4m3fn"),
        "qint8": (lambda t: t.quantize_per_tensor(t.zeros(6, 3), 0.1, 0, t.qint8),
                  "has dtype torch.qint8"),
        "sparse": (lambda t: t.zeros(6, 3).to_sparse(), "is a sparse_coo tensor"),
        "meta": (lambda t: t.zeros(6, 3, device="meta"), "is on the meta device"),
        "int": (lambda t: t.zeros(6, 3, dtype=t.int64), "has dtype torch.int64"),
    }


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")
@pytest.mark.parametrize("kind", list(_torch_tensors()))
def test_torch_tensors_numpy_cannot_hold(kind: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    make, message = _torch_tensors()[kind]
    state = {k: v for k, v in torch.nn.GRUCell(3, 2).state_dict().items()}
    state["weight_ih"] = make(torch)
    torch.save(state, tmp_path / "w.pt")
    err = one_line(["eval", "gru", "--convention", "pytorch", "--weights",
                    str(tmp_path / "w.pt")], capsys)
    assert f"tensor 'weight_ih' {message}" in err


@pytest.mark.torch
def test_a_raw_pickle_pt_prints_no_torch_warning(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    with (tmp_path / "w.pt").open("wb") as f:
        pickle.dump({"weight_ih": [1.0]}, f)  # protocol 4 or 5: torch warns about it
    done = command("eval", "gru", "--convention", "pytorch", "--weights", str(tmp_path / "w.pt"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "not a readable PyTorch file (Python objects other than tensors" in done.stderr


@pytest.mark.torch
def test_float16_torch_weights_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.GRUCell(3, 2).half().state_dict(), tmp_path / "w.pt")
    assert main(["eval", "gru", "--convention", "pytorch", "--weights",
                 str(tmp_path / "w.pt")]) == 0, capsys.readouterr().err
