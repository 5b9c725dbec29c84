"""A cell file with more equations than a figure can hold is refused before it is parsed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cellviz.cli import main
from cellviz.draw.layout import MAX_FIGURE_NODES


def chain(n: int) -> str:
    lines = ["input x", "state h", "# a = comment that is no equation", "a0[t] = tanh(W0 @ x[t])"]
    lines += [f"a{k}[t] = a{k - 1}[t] * a{k - 1}[t]  # squared = again" for k in range(1, n)]
    lines.append(f"h[t] = a{n - 1}[t] + h[t-1]")
    return "\n".join(lines) + "\n"


def test_a_huge_cell_file_is_refused_before_parsing(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cell = tmp_path / "huge.cell"
    cell.write_text(chain(100_000), encoding="utf-8")
    out = tmp_path / "huge.svg"
    started = time.process_time()
    assert main(["render", str(cell), "-o", str(out)]) == 1
    spent = time.process_time() - started
    err = capsys.readouterr().err
    assert "too large to draw: its 100001 equations" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()
    # Not a timing target (the benchmark measures that): parsing the file takes seconds of CPU,
    # so a refusal that parsed it first would not come in under half of one.
    assert spent < 0.5, spent


def test_a_file_just_within_the_limit_is_parsed(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    cell = tmp_path / "small.cell"
    cell.write_text(chain(MAX_FIGURE_NODES - 1), encoding="utf-8")
    assert main(["render", str(cell), "-o", str(tmp_path / "s.svg")]) == 1
    err = capsys.readouterr().err
    # Counted from the graph (nodes and activation marks), not from the equations.
    assert "boxes (nodes and activation marks)" in err
