"""Numbers on the figure: read back from the SVG they equal the evaluator's trace; seeds agree
with ``cellviz eval``; colours; unrolled figures; every bad input is one line."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import load

import cellviz
from cellviz.cli import main
from cellviz.draw.glyphs import slots
from cellviz.draw.render import RenderOptions
from cellviz.draw.themes import THEMES
from cellviz.draw.values import BU_RD, MAX_UNROLL, value_colours, values_of
from cellviz.lang.substitute import format_number

pytestmark = pytest.mark.dot
SVG = "{http://www.w3.org/2000/svg}"


def numbers(svg: str) -> dict[str, str]:
    """Every printed number of a figure by its glyph cell's key."""
    root = ET.fromstring(svg)
    return {t.get("data-key", ""): t.text or "" for t in root.iter(f"{SVG}text")
            if t.get("data-key")}


def expected(cell: cellviz.Cell, trace: dict[str, object], weights: dict[str, object],
             prefix: str = "") -> dict[str, str]:
    """What the figure must print: every shown cell of every vector node and dense sum, and
    every weight of a matrix of at most 4×4."""
    out = {}
    for node in cell.graph.nodes:
        if node.kind == "pointwise":
            continue
        values = trace[node.id].tolist()  # type: ignore[attr-defined]
        for r in slots(len(values)):
            if r is not None:
                out[f"{prefix}{node.id}/{r}"] = format_number(values[r])
    for name, w in weights.items():
        array = w.tolist()  # type: ignore[attr-defined]
        if isinstance(array[0], list):
            if len(array) <= 4 and len(array[0]) <= 4:
                out.update({f"{prefix}{name}/{r}/{c}": format_number(array[r][c])
                            for r in range(len(array)) for c in range(len(array[0]))})
        elif len(array) <= 4:
            out.update({f"{prefix}{name}/{r}": format_number(array[r])
                        for r in range(len(array))})
    return out


@pytest.mark.parametrize(("name", "convention", "i", "n"), [
    ("gru", "paper", 3, 2), ("lstm", "paper", 3, 2), ("rnn", "pytorch", 3, 2),
    ("lstm-peephole", "paper", 3, 2), ("gru", "keras", 3, 2), ("lstm", "paper", 7, 6),
], ids=["gru", "lstm", "rnn-pytorch", "peephole", "gru-keras", "lstm-7-6"])
def test_numbers_on_the_figure_are_the_trace(name: str, convention: str, i: int,
                                             n: int) -> None:
    cell = load(name, convention, i=i, n=n)
    weights, xs = cellviz.example_inputs(cell, seed=5)
    _, trace = cell.step(weights, xs["x"][0])
    svg = cellviz.render(cell, options=RenderOptions(values=values_of(trace, weights)))
    assert numbers(svg) == expected(cell, trace, weights)


def test_render_and_eval_agree_on_a_seed(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "gru", "--seed", "3", "--json"]) == 0
    trace = json.loads(capsys.readouterr().out)["trace"]
    out = tmp_path / "gru.svg"
    assert main(["render", "gru", "--values", "--seed", "3", "-o", str(out)]) == 0
    shown = numbers(out.read_text(encoding="utf-8"))
    for node in ("x", "h_prev", "z", "r", "n", "h", "z.dense"):
        for r, value in enumerate(trace[node]):
            assert shown[f"{node}/{r}"] == format_number(value)
    cell = load("gru")
    w = cellviz.init_weights(cell, seed=3)
    assert shown["W_z/1/2"] == format_number(float(w["W_z"][1, 2]))


def test_x_sets_the_input(tmp_path: Path) -> None:
    out = tmp_path / "rnn.svg"
    assert main(["render", "rnn", "--x=-1,0.5,2", "-o", str(out)]) == 0
    shown = numbers(out.read_text(encoding="utf-8"))
    assert [shown[f"x/{r}"] for r in range(3)] == ["−1.00", "0.50", "2.00"]


def test_same_bytes_every_run() -> None:
    code = ("import sys; from cellviz.cli import main; "
            "sys.exit(main(['render','lstm','--seed','2','--unroll','2','-o','-']))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True,
                           check=True).stdout for _ in range(2)}
    assert len(outs) == 1


@pytest.mark.parametrize("module", ["draw/render", "draw/compose", "draw/unroll", "draw/values",
                                    "draw/glyphs", "draw/layout", "draw/scene", "lang/substitute"])
def test_the_renderer_does_not_import_numpy(module: str) -> None:
    # Only the values path reaches numpy, through the evaluator, inside functions.
    source = (Path(cellviz.__file__).parent / f"{module}.py").read_text(encoding="utf-8")
    top = [node for node in ast.parse(source).body if isinstance(node, ast.Import | ast.ImportFrom)]
    names = [a.name for n in top for a in n.names] + [n.module or "" for n in top
                                                      if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.startswith("numpy") or "numeric" in n]


def test_colours_diverge_around_zero() -> None:
    light, grey = THEMES["light"], THEMES["print"]
    assert value_colours(light, 0.0, 1.0)[0] == BU_RD[4]
    assert value_colours(light, -1.0, 1.0)[0] == BU_RD[0]
    assert value_colours(light, 5.0, 1.0)[0] == BU_RD[-1]  # saturates
    assert value_colours(light, -1.0, 1.0)[1] == "#ffffff"  # white on dark blue
    assert value_colours(light, 0.1, 1.0)[1] == "#000000"
    fill, _ = value_colours(grey, -0.7, 1.0)
    assert fill[1:3] == fill[3:5] == fill[5:7]
    assert value_colours(grey, -0.7, 1.0) == value_colours(grey, 0.7, 1.0)


@pytest.mark.parametrize("steps", [2, 3, 4, 5])
def test_unrolled_structure(steps: int, tmp_path: Path) -> None:
    out = tmp_path / "u.svg"
    xs = [f"--x={k},{-k},0.5" for k in range(steps)]
    assert main(["render", "lstm", *xs, "--unroll", str(steps), "-o", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    groups = list(root.iter(f"{SVG}g"))
    assert [g.get("data-id") for g in groups if g.get("class") == "step"] == [
        f"s{k + 1}" for k in range(steps)]
    carries = {g.get("data-id") for g in groups if g.get("class") == "carry"}
    # Into each step from the state before it; c also out of each step into its glyph.
    assert carries == {f"s{k}:carry:{s}" for k in range(1, steps + 1) for s in ("h", "c")} | {
        f"s{k}:carry:c:out" for k in range(1, steps + 1)}
    words = [t.text for t in root.iter(f"{SVG}text")]
    assert "h[0]" in words and f"h[{steps}]" in words and f"x[{steps}]" in words
    assert "x[t]" not in words
    # The sequence: x[k] in a row below step k's frame, h[k] in a row above it, each linked.
    by_id = {g.get("data-id"): g for g in groups}
    for k in range(1, steps + 1):
        frame = next(by_id[f"s{k}"].iter(f"{SVG}rect"))
        top, bottom = float(frame.get("y")), float(frame.get("y")) + float(frame.get("height"))
        h_row = next(by_id[f"s{k}:seq:h"].iter(f"{SVG}rect"))
        x_row = next(by_id[f"s{k}:seq:x"].iter(f"{SVG}rect"))
        assert float(h_row.get("y")) + float(h_row.get("height")) < top
        assert float(x_row.get("y")) > bottom
        assert [t.text for t in by_id[f"s{k}:seq:x"].iter(f"{SVG}text")][-2:] == [f"x[{k}]", "3×1"]
        assert f"s{k}:link:h" in by_id and f"s{k}:link:x" in by_id
    cell = load("lstm")
    weights = cellviz.init_weights(cell, seed=0)
    state = None
    shown = numbers(svg)
    for k in range(steps):
        outputs, trace = cell.step(weights, [k, -k, 0.5], state)
        state = outputs
        want = expected(cell, trace, {}, prefix=f"s{k + 1}:")
        if k:  # the state before step k + 1 is drawn once, as step k's new state
            want = {key: v for key, v in want.items() if "_prev/" not in key}
        assert {key: shown[key] for key in want} == want


def test_one_step_unrolled_is_the_plain_figure() -> None:
    cell = load("gru")
    assert cellviz.render(cell, options=RenderOptions(unroll=1)) == cellviz.render(cell)


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["render", "gru", "--x", "1,2"], 2, "--x 1,2 has 2 numbers, but x[t] has 3 (i=3)"),
    (["render", "gru", "--unroll", "0"], 2, "argument --unroll: not a whole number "
     f"from 1 to {MAX_UNROLL} (more would not fit a readable figure): '0'"),
    (["render", "gru", "--unroll", "9"], 2, f"from 1 to {MAX_UNROLL}"),
    (["render", "gru", "--unroll", "2", "--x", "1,2,3"], 2,
     "--unroll 2 but --x is given 1 time"),
    (["render", "gru", "--weights", "w.txt"], 1, "unknown weights file type '.txt'"),
    (["render", "gru", "--weights", "nosuch.npz"], 1, "nosuch.npz: no such weights file"),
], ids=["x-length", "unroll-0", "unroll-9", "unroll-and-x", "weights-suffix", "no-file"])
def test_bad_input_is_one_line(argv: list[str], code: int, message: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "f.svg"
    assert main([*argv, "-o", str(out)]) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not out.exists()


def test_bad_options_in_python() -> None:
    with pytest.raises(cellviz.UsageError, match="unroll must be a whole number"):
        RenderOptions(unroll=MAX_UNROLL + 1)
    values = values_of({"x": [1.0]})
    with pytest.raises(cellviz.UsageError, match="values for 2 steps but unroll=3"):
        RenderOptions(values=(values, values), unroll=3)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"limit": 0}, "limit must be a positive number, not 0"),
    ({"limit": float("inf")}, "limit must be a positive number"),
    ({"digits": -1}, "digits must be a whole number from 0 to 12, not -1"),
])
def test_values_of_checks_its_options(kwargs: dict[str, float], message: str) -> None:
    cell = load("gru")
    _, trace = cell.step(cellviz.init_weights(cell), [1.0, 2.0, 3.0])
    with pytest.raises(cellviz.UsageError, match=message.replace("(", r"\(")):
        values_of(trace, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("other", ["bigger", "batch"])
def test_values_must_fit_the_cell_drawn(other: str) -> None:
    cell = load("gru")
    weights = cellviz.init_weights(cell)
    if other == "bigger":
        drawn = load("gru", n=3)
        _, trace = cell.step(weights, [1.0, 2.0, 3.0])
    else:
        drawn = cell
        _, trace = cell.step(weights, [[1.0, 2.0, 3.0]] * 4)
    with pytest.raises(cellviz.UsageError, match=r"values for .* hold \d+ numbers but"):
        cellviz.render(drawn, options=RenderOptions(values=(values_of(trace, weights),)))
