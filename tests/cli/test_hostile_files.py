"""Files a user can name as CELL or --weights: odd file names, FIFOs, devices, directories and
huge files are one line each, and whatever is written stays well-formed."""

from __future__ import annotations

import os
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import cellviz
from cellviz.cli import main
from cellviz.lang.library import MAX_CELL_FILE_BYTES

RNN = "h[t] = tanh(W @ x[t] + U @ h[t-1] + b)\n"

#: File names a cell's name cannot be taken from: a control character, a byte that is not
#: UTF-8 (a surrogate escape in Python), U+FFFF.
BAD_NAMES = {"control": "a\x01b", "byte": os.fsdecode(b"c\xffd"), "uffff": "e\uffffg"}


def one_line(argv: list[str], capsys: pytest.CaptureFixture[str], code: int = 1) -> str:
    got = main(argv)
    err = capsys.readouterr().err
    assert got == code and err.count("\n") == 1 and err.startswith("cellviz: error: "), err
    return err


@pytest.mark.parametrize("stem", list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_a_name_from_the_file_name_is_checked(stem: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"{stem}.cell"
    path.write_text(RNN, encoding="utf-8")
    for command in ("params", "render", "walkthrough"):
        err = one_line([command, str(path), "-o", str(tmp_path / "out.svg")]
                       if command != "params" else [command, str(path)], capsys)
        assert "the cell is named after its file" in err and "'cell NAME'" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.dot
@pytest.mark.parametrize("stem", list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_a_cell_line_names_a_cell_whatever_its_file(stem: str, tmp_path: Path) -> None:
    path = tmp_path / f"{stem}.cell"
    path.write_text("cell plain\n" + RNN, encoding="utf-8")
    out = tmp_path / "f.svg"
    assert main(["render", str(path), "-o", str(out)]) == 0
    ET.fromstring(out.read_bytes())  # well-formed XML
    page = tmp_path / "w.html"
    assert main(["walkthrough", str(path), "--steps", "1", "-o", str(page)]) == 0
    for svg in page.read_text(encoding="utf-8").split("<svg")[1:]:
        ET.fromstring("<svg" + svg.split("</svg>")[0] + "</svg>")


@pytest.mark.dot
def test_a_weights_file_name_on_the_page_is_printable(tmp_path: Path) -> None:
    cell = cellviz.load("rnn", input_size=3, hidden_size=2)
    weights = tmp_path / "w\uffff\x01.npz"
    np.savez(weights, **cellviz.init_weights(cell))
    page = tmp_path / "w.html"
    assert main(["walkthrough", "rnn", "--weights", str(weights), "--steps", "1",
                 "-o", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert "\x01" not in text and "\uffff" not in text
    assert "w\\uffff\\x01.npz" in text


def test_a_fifo_is_refused_unread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.cell"
    os.mkfifo(fifo)
    # Were it opened for reading, this writer would let the read finish instead of blocking.
    guard = threading.Timer(20, lambda: fifo.open("w").close())
    guard.start()
    try:
        err = one_line(["params", str(fifo)], capsys)
        err_w = one_line(["eval", "rnn", "--weights", str(tmp_path / "pipe.npz")], capsys)
    finally:
        guard.cancel()
    assert "cannot read cell file" in err and "not a regular file" in err
    assert "no such weights file" in err_w


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused_unread(device: str, capsys: pytest.CaptureFixture[str]) -> None:
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist here")
    err = one_line(["params", device], capsys)
    assert f"cannot read cell file {device!r}: not a regular file" in err


def test_a_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "d.cell").mkdir()
    assert "it is a directory" in one_line(["params", str(tmp_path / "d.cell")], capsys)
    (tmp_path / "w.npz").mkdir()
    assert "it is a directory" in one_line(["eval", "rnn", "--weights",
                                            str(tmp_path / "w.npz")], capsys)


def test_a_huge_cell_file_is_refused_unread(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.cell"
    with path.open("wb") as f:  # sparse: no disk is used
        f.truncate(MAX_CELL_FILE_BYTES + 1)
    err = one_line(["params", str(path)], capsys)
    assert f"{MAX_CELL_FILE_BYTES + 1:,} bytes, more than the {MAX_CELL_FILE_BYTES:,}" in err


def test_a_nul_in_a_path_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one_line(["params", "a\x00b.cell"], capsys)
    one_line(["eval", "rnn", "--weights", "a\x00b.npz"], capsys)
    assert "holds a NUL character" in one_line(
        ["render", "rnn", "-o", str(tmp_path / "a\x00b.svg")], capsys, code=2)
