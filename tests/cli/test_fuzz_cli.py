"""Property: any argument list gives exit 0, or exit 1 or 2 with one error line; nothing else
escapes ``cellviz.cli.main`` (run in-process, writing only into a temporary directory)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellviz.cli import main

COMMANDS = ["list", "params", "eval", "render", "walkthrough", "gallery", "frob", ""]
CELLS = ["gru", "lstm", "lstm-proj", "mgu", "nope", "", "-", "bad.cell", "/dev/null", ".",
         "a\x00b", "é", "x" * 300]
VALUES = ["0", "1", "2", "3", "-1", "9" * 30, "x", "1.5", "٣", "", " ", "nan", "inf", "1e308",
          "1,2,3", "-1,0.5,2", "١,2,3", "k=2", "i=3", "=", "svg", "png", "pdf", "jpg", "dark",
          "slides", "pytorch", "keras", "paper", "junk", "-", "out.svg", "out.png", "nd/",
          "w.npz", "w.pt", "a\x00b"]
OPTIONS = ["-i", "-n", "-p", "--size", "--convention", "--theme", "-o", "--format", "--scale",
           "--x", "--seed", "--weights", "--unroll", "--steps", "--json", "--values",
           "--no-title", "--no-legend", "-h", "--version", "--bogus"]


@st.composite
def argument_lists(draw: st.DrawFn) -> list[str]:
    argv = [draw(st.sampled_from(COMMANDS))]
    if draw(st.booleans()):
        argv.append(draw(st.sampled_from(CELLS)))
    for _ in range(draw(st.integers(0, 5))):
        option = draw(st.sampled_from(OPTIONS))
        argv.append(option)
        if draw(st.integers(0, 4)):
            value = draw(st.sampled_from(VALUES))
            if draw(st.booleans()):
                argv[-1] = f"{option}={value}"
            else:
                argv.append(value)
    return argv


@pytest.mark.dot
@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(argv=argument_lists())
def test_any_argument_list_exits_cleanly(argv: list[str], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        code = main(argv)
    finally:
        os.chdir(here)
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (argv, err)
    assert "Traceback" not in err
    if code:
        lines = err.splitlines()
        assert lines and lines[-1].startswith("cellviz: error: "), (argv, err)
        assert len(lines) == 1 or lines[0].startswith("usage: "), (argv, err)
