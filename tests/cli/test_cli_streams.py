"""Standard streams a user can break (closed, unable to encode, too few files) and the
newcomer's first commands: one clear line or the right output, never a traceback."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

import cellviz
from cellviz.cli import main


def command(*argv: str, shell: str = "", env: dict[str, str] | None = None,
            limit_files: int | None = None) -> subprocess.CompletedProcess[bytes]:
    """``python -m cellviz ARGV`` in a process of its own; ``shell`` is appended to the command
    line run by sh (such as ``>&-``)."""
    line = " ".join(f"'{a}'" for a in (sys.executable, "-m", "cellviz", *argv))

    def limit() -> None:
        if limit_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit_files, limit_files))

    return subprocess.run(["sh", "-c", f"{line} {shell}"], capture_output=True, timeout=120,
                          env={**os.environ, **(env or {})}, preexec_fn=limit, check=False)


@pytest.mark.parametrize("argv", [["list"], ["params", "gru"], ["eval", "gru"],
                                  pytest.param(["render", "gru", "-o", "-"],
                                               marks=pytest.mark.dot),
                                  pytest.param(["walkthrough", "gru", "-o", "-"],
                                               marks=pytest.mark.dot)],
                         ids=["list", "params", "eval", "render", "walkthrough"])
def test_a_closed_stdout_is_one_line(argv: list[str]) -> None:
    done = command(*argv, shell=">&-")
    assert done.returncode == 1
    assert done.stderr.decode() == ("cellviz: error: cannot write to standard output: "
                                    "standard output is closed\n")


@pytest.mark.dot
def test_a_closed_stdout_does_not_matter_when_nothing_goes_there(tmp_path: Path) -> None:
    done = command("render", "gru", "-o", str(tmp_path / "g.svg"), shell=">&-")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "g.svg").read_bytes().startswith(b"<svg")


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"},
                                 {"PYTHONIOENCODING": "latin-1"},
                                 {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
                                  "PYTHONIOENCODING": ""}],
                         ids=["ascii", "latin-1", "c-locale"])
def test_a_stdout_that_cannot_encode_gets_ascii_stand_ins(env: dict[str, str]) -> None:
    listed = command("list", env=env)
    assert listed.returncode == 0 and listed.stderr == b""
    encoding = env["PYTHONIOENCODING"] or "ascii"
    lines = listed.stdout.decode(encoding).splitlines()
    assert lines[0].split()[:2] == ["rnn", "n·i"] if encoding == "latin-1" else \
        lines[0].split()[:6] == ["rnn", "n*i", "+", "n^2", "+", "n"]
    # The columns still line up on what was written.
    starts = {line.index("paper") for line in lines}
    assert len(starts) == 1
    table = command("params", "gru", env=env)
    assert table.returncode == 0 and table.stderr == b""
    assert "2x3" in table.stdout.decode(encoding) or "2×3" in table.stdout.decode(encoding)
    as_json = command("params", "gru", "--json", env=env)
    assert as_json.returncode == 0 and as_json.stderr == b""
    want = cellviz.load("gru", input_size=3, hidden_size=2).params().to_dict()
    assert json.loads(as_json.stdout.decode(encoding)) == want


def test_too_few_open_files_says_so() -> None:
    done = command("render", "gru", "-o", os.devnull, limit_files=8)
    err = done.stderr.decode()
    assert done.returncode == 1 and err.count("\n") == 1, err
    assert "Too many open files" in err and "ulimit -n" in err
    assert "standard output" not in err


def test_bare_cellviz_prints_usage_and_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    usage, error = err.splitlines()
    assert usage.startswith("usage: cellviz ")
    assert error.startswith("cellviz: error: no command given: choose one of list, params, ")
    assert "cellviz COMMAND --help" in error


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"cellviz {cellviz.__version__}\n"


def test_help_returns_rather_than_exits(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--help"]) == 0
    assert "--scale" in capsys.readouterr().out
    assert main(["gallery", "--help"]) == 0
    assert "usage: cellviz gallery [-h] [-o DIR] [--scale SCALE]" in capsys.readouterr().out


def test_non_ascii_digits_in_x_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "gru", "--x=١,2,3"]) == 2
    assert "expected numbers in ASCII digits" in capsys.readouterr().err
    assert main(["eval", "gru", "-i", "٣"]) == 2


def test_a_thousand_x_values_are_not_echoed_whole(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "gru", "--x=" + ",".join(["1"] * 1000)]) == 2
    err = capsys.readouterr().err
    assert "has 1,000 numbers, but x[t] has 3" in err and len(err) < 200
    assert main(["eval", "gru", "--x=" + ",".join(["z"] * 1000)]) == 2
    assert len(capsys.readouterr().err) < 200


def test_a_path_naming_a_directory_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["render", "gru", "-o", "nd/"]) == 1
    assert "cannot write 'nd/': a name ending in '/' names a directory" in \
        capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
