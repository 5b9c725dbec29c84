"""Writing figures: whole files or nothing, symlinks, FIFOs, modes, bad paths; format rules."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

import cellviz
from cellviz.draw.render import RenderOptions, check_scale, output_format, write_atomic


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "fig.svg"
    target.write_bytes(b"old")

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(cellviz.CellvizError, match=r"cannot write .*fig\.svg.*: No space left"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.svg", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.svg").stat().st_mode) == 0o640


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "fig.svg"
    target.write_bytes(b"old")
    target.chmod(0o600)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_symlink_stays_a_link_to_the_new_bytes(tmp_path: Path) -> None:
    real = tmp_path / "real" / "fig.svg"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "link.svg"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_bytes() == b"new"
    assert sorted(p.name for p in real.parent.iterdir()) == ["fig.svg"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.svg"
    link.symlink_to(tmp_path / "later.svg")
    write_atomic(link, b"new")
    assert link.is_symlink() and (tmp_path / "later.svg").read_bytes() == b"new"


def test_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, b"through the pipe")
    reader.join(timeout=10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe.svg"]


@pytest.mark.parametrize("case", ["directory", "under-a-file", "too-long", "empty", "proc"])
def test_unwritable_paths_are_one_cellviz_error(tmp_path: Path, case: str) -> None:
    (tmp_path / "file").write_bytes(b"keep")
    path = {"directory": str(tmp_path), "under-a-file": str(tmp_path / "file" / "x.svg"),
            "too-long": str(tmp_path / ("x" * 300 + ".svg")), "empty": "",
            "proc": "/proc/cellviz-test.svg"}[case]
    with pytest.raises(cellviz.CellvizError) as info:
        write_atomic(path, b"data")
    message = str(info.value)
    assert message.startswith(f"cannot write {path!r}: ") and "\n" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert (tmp_path / "file").read_bytes() == b"keep"


@pytest.mark.parametrize(("path", "fmt", "expected"), [
    ("a.svg", None, "svg"), ("a.PNG", None, "png"), ("a.pdf", "pdf", "pdf"), ("a", None, "svg"),
    ("a", "png", "png"), ("-", None, "svg"), ("-", "pdf", "pdf"), ("a.v2", "svg", "svg"),
    ("dir.d/a", None, "svg"),
])
def test_output_format(path: str, fmt: str | None, expected: str) -> None:
    assert output_format(path, fmt) == expected


@pytest.mark.parametrize(("path", "fmt", "message"), [
    ("m.svg", "png", "format 'png' disagrees with the file name 'm.svg'"),
    ("m.jpg", None, "unknown format: 'jpg' (must be one of svg, png, pdf"),
    ("m.svg", "gif", "unknown format: 'gif' (must be one of svg, png, pdf, tikz)"),
])
def test_bad_formats_are_usage_errors(path: str, fmt: str | None, message: str) -> None:
    with pytest.raises(cellviz.UsageError) as info:
        output_format(path, fmt)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("scale", [0, 0.0001, 1e-300, 0.049, 20.5, float("nan"), float("inf"),
                                   True, "2"])
def test_scale_out_of_range(scale: object) -> None:
    with pytest.raises(cellviz.UsageError, match=r"scale must be a number from 0\.05 to 20"):
        check_scale(scale)
    with pytest.raises(cellviz.UsageError, match=r"scale must be a number from 0\.05 to 20"):
        RenderOptions(scale=scale)  # type: ignore[arg-type]


@pytest.mark.parametrize("scale", [0.05, 1, 2.5, 20])
def test_scale_in_range(scale: float) -> None:
    assert RenderOptions(scale=scale).scale == scale


def test_save_checks_the_format_before_drawing(tmp_path: Path) -> None:
    cell = cellviz.load("gru", input_size=3, hidden_size=2)
    with pytest.raises(cellviz.UsageError, match="unknown format: 'jpg'"):
        cellviz.save(cell, tmp_path / "x.jpg")
    with pytest.raises(cellviz.UsageError, match="disagrees"):
        cellviz.save(cell, tmp_path / "x.svg", format="pdf")
    assert list(tmp_path.iterdir()) == []
