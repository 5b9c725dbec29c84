"""A dot that is broken, hangs or cannot be run: one line naming dot, never a traceback or a
hang; tested with fake dot programs on the PATH."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cellviz.cli import main
from cellviz.draw import dot


@pytest.fixture
def fake_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory first on the PATH holding a ``dot`` the test writes; dot's cache is cleared
    before and after, so that no fake layout outlives the test."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    dot.clear_cache()
    yield folder / "dot"
    dot.clear_cache()


def write(program: Path, body: str, mode: int = 0o755) -> None:
    program.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    program.chmod(mode)


def render_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["render", "rnn", "-o", str(tmp_path / "f.svg")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and err.startswith("cellviz: error: "), err
    assert not (tmp_path / "f.svg").exists()
    return err


@pytest.mark.parametrize(("output", "reason"), [
    ("this is not json", "Expecting value"),
    ("{}", "bounding box None"),
    ("[1, 2]", "a JSON list rather than an object"),
    ('{"bb": "0,0,100,100", "objects": [{"name": "x"}]}', "position of 'x' None"),
    ('{"bb": "0,0,100,100", "objects": [{"pos": "1,1"}]}', "no 'name'"),
    ('{"bb": "0,0,100,100", "edges": [{"id": "e0", "pos": "a,b"}]}', "could not convert"),
], ids=["not-json", "empty-object", "list", "no-pos", "no-name", "bad-edge"])
def test_what_dot_returns_is_checked(output: str, reason: str, fake_dot: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    write(fake_dot, f"cat >/dev/null\necho '{output}'")
    err = render_error(tmp_path, capsys)
    assert "dot returned a layout cellviz cannot read (" in err and reason in err
    assert f"is {fake_dot} Graphviz's dot?" in err


def test_a_dot_that_never_answers_is_stopped(fake_dot: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    pids = tmp_path / "pids"
    # The script starts a child of its own: stopping dot must stop it too.
    write(fake_dot, f"sleep 300 &\necho $! >> {pids}\nwait")
    monkeypatch.setenv("CELLVIZ_DOT_TIMEOUT", "1.5")
    start = time.monotonic()
    err = render_error(tmp_path, capsys)
    assert time.monotonic() - start < 30
    assert "dot did not answer within 1.5 s and was stopped" in err
    assert "CELLVIZ_DOT_TIMEOUT" in err
    for pid in pids.read_text().split():
        with pytest.raises(ProcessLookupError):  # the sleep was killed with its group
            for _ in range(50):
                os.kill(int(pid), 0)
                time.sleep(0.1)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf", "nan"])
def test_a_bad_timeout_is_a_usage_error(value: str, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str],
                                        fake_dot: Path) -> None:
    monkeypatch.setenv("CELLVIZ_DOT_TIMEOUT", value)
    assert main(["render", "rnn", "-o", "-"]) == 2
    assert f"CELLVIZ_DOT_TIMEOUT must be a number of seconds above 0, not {value!r}" in \
        capsys.readouterr().err


def test_a_dot_without_its_execute_bit_is_named(fake_dot: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    write(fake_dot, "exit 0", mode=0o644)
    monkeypatch.setenv("PATH", str(fake_dot.parent))  # no other dot
    err = render_error(tmp_path, capsys)
    assert f"Graphviz's dot at {fake_dot} cannot be run: it is not executable" in err
    assert "cannot write" not in err


def test_a_failing_dot_gives_its_first_line(fake_dot: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    write(fake_dot, "echo 'Error: something broke' >&2\necho more >&2\nexit 3")
    assert "dot failed: Error: something broke" in render_error(tmp_path, capsys)
