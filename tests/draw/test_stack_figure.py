"""The figure of a stack: what it holds, measured on the scene and the SVG; inside its viewBox;
bridges wherever a line crosses a state line; the same bytes every run; no text overlapping in
Chromium; and refusals."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser import check_figures

import cellviz
from cellviz.cli import main
from cellviz.draw.render import RenderOptions, scene_of
from cellviz.draw.scene import Circle, Scene, Text
from cellviz.draw.scene import Path as PathShape
from cellviz.draw.stack import gate_text, stack_boxes
from cellviz.draw.stack_frame import bounds
from cellviz.draw.themes import THEMES

Segment = tuple[tuple[float, float], tuple[float, float]]


def lstm3() -> cellviz.Stack:
    return cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=3, bidirectional=True,
                         convention="pytorch")


def scene(stack: cellviz.Stack, steps: int = 4, theme: str = "light") -> Scene:
    return scene_of(stack, RenderOptions(theme=theme, unroll=steps))


def texts(s: Scene) -> list[str]:
    return [t.text for t in s.texts()]


def segments(s: Scene, role: str) -> list[Segment]:
    """The straight pieces of the lines (not the arrowheads) of the groups with ``role``."""
    out = []
    for group in s.groups:
        for shape in group.shapes:
            if group.role == role and isinstance(shape, PathShape) and shape.fill == "none":
                numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", shape.d)]
                points = list(zip(numbers[0::2], numbers[1::2], strict=True))
                out += [(a, b) for a, b in itertools.pairwise(points) if a != b]
    return out


def test_every_cell_step_and_layer_is_drawn_with_its_count() -> None:
    stack = lstm3()
    s = scene(stack)
    words = texts(s)
    table = stack.params()
    assert words.count("LSTM →") == words.count("LSTM ←") == 3 * 4
    assert words.count(f"{table.tables[0][0].total} parameters") == 2 * 4  # layer 0: 56
    assert words.count(f"{table.tables[1][0].total} parameters") == 2 * 2 * 4  # 64 above
    assert words.count("σ i  σ f  tanh g  σ o") == 24
    assert [w for w in words if re.fullmatch(r"[xy]\[\d\]", w)] == [
        "y[1]", "x[1]", "y[2]", "x[2]", "y[3]", "x[3]", "y[4]", "x[4]"]
    assert words.count("t = 3") == 1
    # The shapes between layers: each direction's 2×1, and 2·n×1 after the concatenation.
    assert words.count("2·n×1 = 4×1") == 3 * 4
    assert words.count("2×1") == 2 * 3 * 4  # beside each direction's output
    assert words.count("3×1") == words.count("4×1") == 4  # the glyphs of x[t] and y[t]
    concatenations = [sh for g in s.groups for sh in g.shapes if g.role == "nodes"
                      and isinstance(sh, Circle) and sh.fill == THEMES["light"].pointwise_fill]
    assert len(concatenations) == 3 * 4
    for k in range(3):
        assert f"layer {k} →" in words and f"layer {k} ←" in words
    assert "layer 0 reads x[t], i=3: 2 × 56 = 112 parameters" in words
    assert "layer 2 reads the layer below, 2·n=4: 2 × 64 = 128 parameters" in words
    assert f"{table.total} parameters in 3 layers, the same at every step" in words
    assert stack_boxes(stack, 4) == 4 * (3 * 2 + 3 + 2)


def test_gate_text() -> None:
    assert gate_text(lstm3().first) == "σ i  σ f  tanh g  σ o"
    rnn = cellviz.load("rnn", input_size=3, hidden_size=2)
    assert gate_text(rnn) == "tanh h"


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize(("layers", "bidirectional", "steps"),
                         [(3, True, 4), (1, True, 1), (2, False, 3), (4, False, 1)])
def test_everything_inside_the_view_box(theme: str, layers: int, bidirectional: bool,
                                        steps: int) -> None:
    stack = cellviz.stack("gru", input_size=5, hidden_size=3, num_layers=layers,
                          bidirectional=bidirectional)
    s = scene(stack, steps, theme)
    x0, y0, x1, y1 = bounds([shape for g in s.groups for shape in g.shapes])
    assert x0 >= 0 and y0 >= 0 and x1 <= s.width and y1 <= s.height


def _crosses(h: Segment, v: Segment) -> tuple[float, float] | None:
    (hx0, hy), (hx1, _) = h
    (vx, vy0), (_, vy1) = v
    if min(hx0, hx1) < vx < max(hx0, hx1) and min(vy0, vy1) < hy < max(vy0, vy1):
        return vx, hy
    return None


def test_every_line_crossing_a_state_line_bridges_it() -> None:
    s = scene(lstm3())
    lanes = [seg for seg in segments(s, "lanes") if seg[0][1] == seg[1][1]]
    upright = [seg for seg in segments(s, "edges") if seg[0][0] == seg[1][0]]
    crossing = {p for h in lanes for v in upright if (p := _crosses(h, v))}
    halos = set()
    for (a, b) in segments(s, "bridges"):
        halos.add(((a[0] + b[0]) / 2, a[1]))
    assert len(crossing) == 2 * 3 * 4  # two per layer and step
    assert {(round(x, 1), round(y, 1)) for x, y in crossing} == {
        (round(x, 1), round(y, 1)) for x, y in halos}
    # No two lines of the edges cross other than at a shared point.
    flat = [seg for seg in segments(s, "edges") if seg[0][1] == seg[1][1]]
    assert not [(h, v) for h in flat for v in upright if _crosses(h, v)]


def test_the_same_bytes_every_run(tmp_path: Path) -> None:
    stack = lstm3()
    svg = cellviz.render(stack, options=RenderOptions(unroll=4, theme="dark"))
    assert cellviz.render(stack, options=RenderOptions(unroll=4, theme="dark")) == svg
    out = tmp_path / "s.svg"
    subprocess.run([sys.executable, "-m", "cellviz", "render", "lstm", "--convention",
                    "pytorch", "--layers", "3", "--bidirectional", "--unroll", "4", "--theme",
                    "dark", "-o", str(out)], check=True, capture_output=True)
    assert out.read_text(encoding="utf-8") == svg


@pytest.mark.browser
def test_no_text_overlaps_in_chromium(tmp_path: Path) -> None:
    figures = []
    for theme in THEMES:
        figures.append((f"lstm3bi-{theme}", cellviz.render(
            lstm3(), options=RenderOptions(unroll=4, theme=theme))))
    for cell, layers, bi, steps in [("lstm-proj", 2, True, 2), ("gru", 3, False, 3),
                                    ("rnn", 1, True, 1)]:
        stack = cellviz.stack(cell, input_size=3, hidden_size=4, num_layers=layers,
                              bidirectional=bi, proj_size=2 if cell == "lstm-proj" else None,
                              convention="pytorch")
        figures.append((f"{cell}-{layers}-{bi}", cellviz.render(
            stack, options=RenderOptions(unroll=steps))))
    check_figures(figures, tmp_path)


def test_one_layer_and_direction_in_detail(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["render", "lstm", "--layers", "3", "--bidirectional", "--layer", "1",
                 "--direction", "reverse", "-o", str(tmp_path / "l1.svg")])
    assert code == 0
    member = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=3,
                           bidirectional=True).cells[1][1]
    assert member.sizes == (("i", 4), ("n", 2))
    assert (tmp_path / "l1.svg").read_text(encoding="utf-8") == cellviz.render(member)
    capsys.readouterr()


def test_default_file_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["render", "gru", "--layers", "2", "--bidirectional", "--unroll", "2"]) == 0
    assert main(["render", "gru", "--layers", "2", "--layer", "1"]) == 0
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == [
        "gru.L2.bi.unroll2.svg", "gru.L2.layer1.svg"]
    capsys.readouterr()


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["--layers", "4", "--bidirectional", "--unroll", "8"], 1,
     "the stack is too large to draw: 4 layers × 2 directions over 8 steps make 112 boxes, "
     "and cellviz draws at most 100"),
    (["--layer", "1"], 2, "--layer picks a cell of a stack: give --layers N"),
    (["--layers", "2", "--layer", "2"], 2, "--layer 2: the stack has layers 0 to 1"),
    (["--layers", "2", "--layer", "1", "--direction", "reverse"], 2,
     "--direction reverse: the stack runs one way; add --bidirectional"),
    (["--layers", "2", "--direction", "reverse", "--bidirectional"], 2,
     "--direction picks the direction of the cell --layer K draws: give --layer too"),
    (["--layers", "2", "--seed", "1"], 2, "a stack's figure, and its --layer K, show none"),
    (["--layers", "2", "--layer", "0", "--values"], 2, "show none"),
    (["--layers", "2", "--highlight", "f"], 2, "--highlight marks gates in one cell's figure"),
])
def test_refusals_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               argv: list[str], code: int, message: str) -> None:
    out = tmp_path / "f.svg"
    assert main(["render", "lstm", *argv, "-o", str(out)]) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not out.exists()


def test_values_on_a_stack_are_refused_in_python() -> None:
    from cellviz.draw.values import values_of

    cell = cellviz.load("rnn", input_size=3, hidden_size=2)
    weights, xs = cellviz.example_inputs(cell)
    values = values_of(cell.step(weights, xs["x"][0])[1], weights)
    stack = cellviz.stack("rnn", input_size=3, hidden_size=2, num_layers=2)
    with pytest.raises(cellviz.UsageError, match="a stack's figure shows no numbers"):
        cellviz.render(stack, options=RenderOptions(values=values))


def test_a_text_of_the_figure_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "a&b.cell"
    path.write_text("# x < y & z\ninput x: i\nstate h: n\nh[t] = tanh(W @ x[t] + U @ h[t-1])\n")
    svg = cellviz.render(cellviz.stack(str(path), input_size=3, hidden_size=2, num_layers=2))
    assert "x &lt; y &amp; z" in svg
    assert all(isinstance(t, Text) for t in scene(cellviz.stack(
        str(path), input_size=3, hidden_size=2, num_layers=2), 1).texts())
