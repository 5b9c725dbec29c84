"""Long cell files: parsed and checked in one pass (no re-splitting of the source per lookup,
no recursion as deep as the file), refused as figures before any expensive work, and errors
reported cause first."""

from __future__ import annotations

from pathlib import Path

import pytest

import cellviz
from cellviz.cli import main
from cellviz.lang import tree
from cellviz.lang.build import build
from cellviz.lang.syntax import parse


def chain(lines: int) -> list[str]:
    out = ["v0[t] = tanh(W @ x[t] + U @ h[t-1] + b)"]
    out += [f"v{k}[t] = sigmoid(v{k - 1}[t]) * h[t-1]" for k in range(1, lines - 1)]
    out.append(f"h[t] = tanh(v{lines - 2}[t]) * h[t-1]")
    return out


def test_the_source_is_split_into_lines_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = tree.split_lines

    def counting(text: str) -> list[str]:
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(tree, "split_lines", counting)
    monkeypatch.setattr("cellviz.lang.syntax.split_lines", counting)
    graph = build(parse("\n".join(chain(500)), "chain.cell"), "chain")
    assert len(graph.nodes) > 1000
    assert len(calls) <= 2  # once to parse, once for every location lookup together


def test_a_chain_in_reverse_order_needs_no_deep_recursion() -> None:
    # Each equation reads the one below it: the dependency order is as deep as the file.
    graph = build(parse("\n".join(reversed(chain(5000))), "chain.cell"), "chain")
    order = [n.id for n in graph.nodes if n.kind in ("vector", "output")]
    assert order[0] == "v0" and order[-1] == "h"


def test_a_cycle_in_a_long_chain_is_still_named() -> None:
    lines = chain(3000)
    lines[0] = "v0[t] = tanh(W @ v2998[t] + U @ h[t-1] + b)"  # the last reads it, in turn
    with pytest.raises(cellviz.CellGraphError, match="equations depend on each other within "
                       "one step: v0"):
        build(parse("\n".join(lines), "chain.cell"), "chain")


def test_a_figure_too_large_is_refused_before_the_numbers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "long.cell"
    path.write_text("\n".join(chain(200)) + "\n", encoding="utf-8")

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the numbers were computed for a figure that cannot be drawn")

    monkeypatch.setattr("cellviz.cli.render.run_from_args", never)
    monkeypatch.setattr("cellviz.cli.walkthrough.run_from_args", never)
    monkeypatch.setattr("cellviz.draw.layout.plan", never)
    for argv in (["render", str(path), "--values", "-o", str(tmp_path / "x.svg")],
                 ["walkthrough", str(path), "-o", str(tmp_path / "x.html")]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        # render refuses by the file's equation count, walkthrough by the graph's boxes.
        assert "is too large to draw: its" in err and "at most 100" in err
        assert "200 equations" in err or "602 boxes" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.cell"]


def test_an_undefined_name_is_reported_before_the_state_it_leaves_unread(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "q.cell"
    path.write_text("input x\nstate h\nh[t] = tanh(W @ x[t] + U @ q[t] + b)\n",
                    encoding="utf-8")
    assert main(["params", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3:28: q[t] is used but never defined (inputs: x" in err
