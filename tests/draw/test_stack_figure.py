"""The figure of a stack, its cells as labelled boxes and at the compact detail level: what it
holds, measured on the scene and the SVG; inside its viewBox; no crossing but bridges over
state lines; arrowheads apart; the same bytes every run; no text overlapping in Chromium; the
rule that picks the cells' form; and refusals."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser import check_figures
from svgmarks import drawn, stack_marks
from svgmeasure import SVG, arrow_gap, crossings, figure

import cellviz
from cellviz.cli import main
from cellviz.draw.render import RenderOptions, scene_of
from cellviz.draw.scene import Circle, Scene, Text
from cellviz.draw.stack import MAX_COMPACT_CELLS, SCREEN, cell_form, compose_stack, stack_boxes
from cellviz.draw.stack_cells import gate_text
from cellviz.draw.stack_frame import bounds, member_title
from cellviz.draw.themes import THEMES


def lstm3() -> cellviz.Stack:
    return cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=3, bidirectional=True,
                         convention="pytorch")


FORMS = ("box", "compact")


def scene(stack: cellviz.Stack, steps: int = 4, theme: str = "light",
          cells: str = "box") -> Scene:
    return scene_of(stack, RenderOptions(theme=theme, unroll=steps, cells=cells))


def svg_of(stack: cellviz.Stack, steps: int, cells: str, theme: str = "light") -> str:
    return cellviz.render(stack, options=RenderOptions(theme=theme, unroll=steps, cells=cells))


def texts(s: Scene) -> list[str]:
    return [t.text for t in s.texts()]


def test_every_cell_step_and_layer_is_drawn_with_its_count() -> None:
    """As boxes: each cell its name, gates and count; the concatenations and shapes."""
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
    # Beside each direction's output, and in each lane's first and final state.
    assert words.count("2×1") == 2 * 3 * 4 + 3 * 2 * 2
    # Each lane runs from its first state to its final one, named by step (forward 0 to T,
    # reverse T + 1 to 1) and captioned with their entry in h_0, c_0 and h_n, c_n.
    assert words.count("h[0], c[0]") == words.count("h[4], c[4]") == 3
    assert words.count("h[5], c[5]") == words.count("h[1], c[1]") == 3
    assert [w for w in words if "_0[" in w or "_n[" in w] == [
        f"h_{when}[{e}], c_{when}[{e}]" for e in range(6) for when in "0n"]
    assert words.count("3×1") == words.count("4×1") == 4  # the glyphs of x[t] and y[t]
    concatenations = [sh for g in s.groups for sh in g.shapes if g.role == "concat"
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


@pytest.mark.parametrize("cells", FORMS)
@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize(("layers", "bidirectional", "steps"),
                         [(3, True, 4), (1, True, 1), (2, False, 3), (4, False, 1)])
def test_everything_inside_the_view_box(theme: str, layers: int, bidirectional: bool,
                                        steps: int, cells: str) -> None:
    stack = cellviz.stack("gru", input_size=5, hidden_size=3, num_layers=layers,
                          bidirectional=bidirectional)
    s = scene(stack, steps, theme, cells)
    x0, y0, x1, y1 = bounds([shape for g in s.groups for shape in g.shapes])
    assert x0 >= 0 and y0 >= 0 and x1 <= s.width and y1 <= s.height


#: Stacks measured in both forms and every theme: (cell, convention, layers, bidirectional,
#: steps).
MEASURED = [("lstm", "pytorch", 3, True, 4), ("gru", "pytorch", 1, False, 3),
            ("lstm", "pytorch", 2, True, 1), ("gru", "paper", 2, True, 2),
            ("cifg", "paper", 2, False, 2), ("lstm-peephole", "paper", 1, True, 2),
            ("lstm-proj", "pytorch", 1, True, 2), ("mgu", "paper", 2, False, 1)]
MEASURED_IDS = [f"{n}-{c}-L{k}-{'bi' if b else 'one'}-T{t}" for n, c, k, b, t in MEASURED]


def measured_stack(name: str, convention: str, layers: int, bi: bool) -> cellviz.Stack:
    # lstm-proj's output passes its o gate's edge inside the compact cell, a bridge there.
    return cellviz.stack(name, input_size=3, hidden_size=2, num_layers=layers,
                         bidirectional=bi, convention=convention,
                         proj_size=1 if name == "lstm-proj" else None)


def _pieces(path: ET.Element) -> list[list[tuple[float, float]]]:
    """A path's runs (a pen lift, M, starts the next), each as its points."""
    runs = []
    for command, body in re.findall(r"([MCL])([^MCL]*)", path.get("d", "")):
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", body)]
        points = list(zip(numbers[0::2], numbers[1::2], strict=True))
        if command == "M":
            runs.append(points)
        else:
            runs[-1] += points
    return runs


@pytest.mark.parametrize("cells", FORMS)
@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize(("name", "convention", "layers", "bi", "steps"), MEASURED,
                         ids=MEASURED_IDS)
def test_no_line_crosses_another_and_arrowheads_stand_apart(
        name: str, convention: str, layers: int, bi: bool, steps: int, theme: str,
        cells: str) -> None:
    """No two lines cross (a line that passes a state line is broken there, a bridge), and
    no two arrowheads are closer than 4 px, measured on the SVG as for a cell's figure."""
    svg = svg_of(measured_stack(name, convention, layers, bi), steps, cells, theme)
    fig = figure(svg)
    assert crossings(fig) == []
    assert arrow_gap(fig) >= 4.0


@pytest.mark.parametrize("cells", FORMS)
def test_every_bridge_is_a_state_line_passing(cells: str) -> None:
    """Every gap in a line is where a heavy (state) line passes it, across the gap's middle;
    and there are as many as the lines that rise past the state lines need."""
    svg = svg_of(lstm3(), 4, cells)
    root = ET.fromstring(svg)
    heavy = THEMES["light"].stroke * 2.2
    paths = [p for g in root.iter(f"{SVG}g") if g.get("class") == "edge"
             for p in g.iter(f"{SVG}path") if p.get("fill", "none") == "none"]
    state = [run for p in paths if float(p.get("stroke-width", 0)) >= heavy - 1e-6
             for run in _pieces(p)]
    # The stack's own lines (a cell's own drawing, ids s1:l0f:..., has bridges over buses).
    own = [p for g in root.iter(f"{SVG}g") if g.get("class") == "edge"
           and not g.get("data-id", "").startswith("s") for p in g.iter(f"{SVG}path")
           if p.get("fill", "none") == "none"]
    gaps = []
    for p in own:
        runs = _pieces(p)
        gaps += [(a[-1], b[0]) for a, b in itertools.pairwise(runs)]
    assert gaps
    for (x0, y0), (x1, y1) in gaps:
        assert abs(x0 - x1) < 1e-6  # a gap in an upright run
        mid = (y0 + y1) / 2
        assert any(abs(ya - mid) < 1e-6 and abs(yb - mid) < 1e-6
                   and min(xa, xb) < x0 < max(xa, xb)
                   for run in state for (xa, ya), (xb, yb) in itertools.pairwise(run))
    # Boxes: the line into each reverse cell and out of each forward cell passes one state
    # line. Compact LSTM: two (h and c) each, and each cell's output rises past its c line.
    assert len(gaps) == (2 * 3 * 4 if cells == "box" else 2 * 2 * 3 * 4 + 2 * 3 * 4)


def test_the_reverse_lane_is_mirrored_and_reads_as_the_forward_one() -> None:
    """At the compact detail level a reverse cell runs right to left: its gates in the
    opposite order, its texts as in the forward cell."""
    s = scene(lstm3(), 1, cells="compact")
    def gates(direction: str) -> list[str]:
        found = [(sh.x, sh.text) for g in s.groups for sh in g.shapes
                 if isinstance(sh, Text) and g.id.startswith(f"s1:l0{direction}:")
                 and sh.text.startswith(("σ", "tanh "))]
        return [text for _, text in sorted(found)]
    assert gates("f") == ["σ f", "σ i", "tanh g", "σ o"]
    assert gates("r") == ["σ o", "tanh g", "σ i", "σ f"]


def test_the_same_bytes_every_run(tmp_path: Path) -> None:
    stack = lstm3()
    for cells in FORMS:
        svg = svg_of(stack, 4, cells, "dark")
        assert svg_of(stack, 4, cells, "dark") == svg
        out = tmp_path / f"{cells}.svg"
        subprocess.run([sys.executable, "-m", "cellviz", "render", "lstm", "--convention",
                        "pytorch", "--layers", "3", "--bidirectional", "--unroll", "4",
                        "--theme", "dark", "--cells", cells, "-o", str(out)], check=True,
                       capture_output=True)
        assert out.read_text(encoding="utf-8") == svg


@pytest.mark.browser
def test_no_text_overlaps_in_chromium(tmp_path: Path) -> None:
    figures = []
    for theme in THEMES:
        for cells in FORMS:
            figures.append((f"lstm3bi-{theme}-{cells}", svg_of(lstm3(), 4, cells, theme)))
    for cell, layers, bi, steps in [("lstm-proj", 2, True, 2), ("gru", 1, False, 3),
                                    ("gru", 3, False, 3), ("rnn", 1, True, 1),
                                    ("lstm", 2, True, 1)]:
        stack = cellviz.stack(cell, input_size=3, hidden_size=4, num_layers=layers,
                              bidirectional=bi, proj_size=2 if cell == "lstm-proj" else None,
                              convention="pytorch")
        for cells in FORMS:
            figures.append((f"{cell}-{layers}-{bi}-{cells}", svg_of(stack, steps, cells)))
    check_figures(figures, tmp_path)


def legend_texts(s: Scene) -> list[str]:
    """The legend's lines of text: each entry's (not its sample's, which is centred), then
    the layers' and the total."""
    return [sh.text for role in ("legend-entry", "legend") for g in s.groups if g.role == role
            for sh in g.shapes if isinstance(sh, Text) and sh.anchor == "start"]


FIRST = "a lane's first state (its entry [k] in the states given)"
FINAL = "output y[t], or a lane's final state (its entry [k] in those returned)"


def test_the_legend_names_the_marks_drawn() -> None:
    """Worked out by hand from each figure: the legend lists what it draws, nothing else."""
    box = legend_texts(scene(lstm3(), 4))
    assert box[:9] == ["a cell: its gates and parameters", "input x[t]", FIRST, FINAL,
                       "a vector a cell reads (through its W)", "pointwise connection",
                       "state line: a state carried on to the next step",
                       "concatenation of both directions, no parameters",
                       "a line passing under a state line, not joining it"]
    one_way = legend_texts(scene(cellviz.stack("lstm", input_size=3, hidden_size=2,
                                               num_layers=2), 2))
    assert one_way[:6] == ["a cell: its gates and parameters", "input x[t]", FIRST, FINAL,
                           "a vector a cell reads (through its W)",
                           "state line: a state carried on to the next step"]
    assert one_way[6].startswith("layer 0 reads")
    gru = cellviz.stack("gru", input_size=3, hidden_size=2, convention="pytorch")
    compact = legend_texts(scene(gru, 3, cells="compact"))
    # The GRU draws its candidate as a box (tanh n[t]), gates (σ r, σ z), two dense boxes
    # (W_in, W_hn), ⊙ + 1− and ports; inside each cell an input tap bridges the h[t-1] bus,
    # and the hidden state branches (a junction) on to the next step and up.
    assert compact[:12] == [
        "a cell, at the compact detail level", "input x[t]", FIRST, FINAL,
        "a vector a cell reads (through its W)", "pointwise connection",
        "state line: a state carried on to the next step", "vector inside the cell",
        "gate: its activation and name", "dense node: the weights it sums",
        "element-wise ⊙ + 1−", "where a vector enters or leaves a cell"]
    assert compact[12:14] == ["a line passing under a state line, not joining it",
                              "a line branching: one vector on to two places"]
    assert compact[14].startswith("layer 0 reads")
    drawn = texts(scene(gru, 3, cells="compact"))
    assert {"σ z", "σ r", "tanh n[t]", "1−", "W_in"} <= set(drawn)
    assert "tanh" not in drawn  # no activation mark of its own
    assert not [g for g in scene(gru, 3, cells="compact").groups if g.id.endswith("concat")]


@pytest.mark.parametrize("theme", ["light", "dark", "slides"])
@pytest.mark.parametrize("cells", FORMS)
@pytest.mark.parametrize(("name", "convention", "layers", "bi", "steps"), MEASURED,
                         ids=MEASURED_IDS)
def test_the_legend_lists_exactly_what_is_drawn(name: str, convention: str, layers: int,
                                                bi: bool, steps: int, cells: str,
                                                theme: str) -> None:
    """Read from the SVG alone (tests/draw/svgmarks.py: the cells' and vectors' marks,
    lines, bridges and junctions, and the stack's own cells' frames or boxes and
    concatenations), the kinds of mark drawn are the legend's entries, nothing more or less.
    (tests/draw/test_legend_marks.py checks the print theme and each entry's text and sample
    for the figure of lstm --layers 2 --bidirectional --unroll 2.)"""
    root = ET.fromstring(svg_of(measured_stack(name, convention, layers, bi), steps, cells,
                                theme))
    kinds = {*drawn(root, THEMES[theme]), *stack_marks(root, THEMES[theme])}
    legend = {g.get("data-id") for g in root.iter(f"{SVG}g")
              if g.get("class") == "legend-entry"}
    assert legend == kinds


def test_auto_draws_compact_cells_where_the_figure_fits_a_screen() -> None:
    """The rule: compact where the compact figure (light theme, no title or legend) fits
    1920×1080 at its own size, else boxes; checked against the figure itself."""
    cases = {("gru", 1, False, 3): "compact", ("lstm", 1, True, 1): "compact",
             ("lstm", 2, False, 2): "compact", ("lstm", 2, True, 1): "box",
             ("lstm", 3, True, 4): "box", ("rnn", 2, True, 2): "compact"}
    for (name, layers, bi, steps), form in cases.items():
        stack = cellviz.stack(name, input_size=3, hidden_size=2, num_layers=layers,
                              bidirectional=bi, convention="pytorch")
        assert cell_form(stack, steps, "auto") == form
        bare = compose_stack(stack, THEMES["light"], steps, heading=False, legend=False,
                             cells="compact")
        fits = bare.width <= SCREEN[0] and bare.height <= SCREEN[1]
        assert fits == (form == "compact"), (name, layers, bi, steps, bare.width, bare.height)
        drawn = scene(stack, steps, cells="auto")
        assert drawn == scene(stack, steps, cells=form)


def test_compact_cells_are_refused_past_their_bound() -> None:
    stack = cellviz.stack("rnn", input_size=3, hidden_size=2, num_layers=4, bidirectional=True)
    assert stack.num_layers * 2 * 4 == MAX_COMPACT_CELLS
    assert cell_form(stack, 4, "compact") == "compact"
    with pytest.raises(cellviz.UsageError, match=r"40 cells.*at most 32"):
        cell_form(stack, 5, "compact")
    assert cell_form(stack, 5, "auto") == "box"
    with pytest.raises(cellviz.UsageError, match="unknown cells: 'round'"):
        RenderOptions(cells="round")


def test_one_layer_and_direction_in_detail(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """--layer K --direction reverse draws that cell alone, its title naming the layer and
    direction (also unrolled and at the compact detail level)."""
    stack = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=3, bidirectional=True)
    member = stack.cells[1][1]
    assert member.sizes == (("i", 4), ("n", 2))
    title = "LSTM, paper convention, i=4, n=2: layer 1, reverse, of a 3-layer bidirectional stack"
    assert member_title(stack, 1, 1) == title
    for extra, shown in [([], title), (["--unroll", "2", "--detail", "compact"],
                                       f"{title}, unrolled over 2 steps")]:
        out = tmp_path / "l1.svg"
        code = main(["render", "lstm", "--layers", "3", "--bidirectional", "--layer", "1",
                     "--direction", "reverse", *extra, "-o", str(out)])
        assert code == 0
        svg = out.read_text(encoding="utf-8")
        assert ET.fromstring(svg).find(f"{SVG}title").text == shown  # type: ignore[union-attr]
        assert f">{shown}</text>" in svg
    one_way = cellviz.stack("gru", input_size=3, hidden_size=2, num_layers=2)
    assert member_title(one_way, 0, 0).endswith(": layer 0 of a 2-layer stack")
    with pytest.raises(cellviz.UsageError, match="a stack's figure names its title itself"):
        cellviz.render(stack, options=RenderOptions(title="mine"))
    with pytest.raises(cellviz.UsageError, match="a stack's figure takes cells='compact'"):
        cellviz.render(stack, options=RenderOptions(detail="compact"))
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
    (["--cells", "box"], 2, "--cells box sets how a stack's figure draws its cells: give "
     "--layers N without --layer"),
    (["--layers", "2", "--layer", "1", "--cells", "compact"], 2, "give --layers N without "
     "--layer (one cell's figure takes --detail)"),
    (["--layers", "2", "--detail", "compact"], 2, "--detail compact sets one cell's figure; "
     "a stack's figure takes --cells compact"),
    (["--layers", "4", "--bidirectional", "--unroll", "5", "--cells", "compact"], 2,
     "the figure would hold 40 cells, and cellviz draws at most 32 at the compact detail "
     "level"),
    (["--layers", "2", "--cells", "round"], 2, "invalid choice: 'round'"),
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
