"""Unrolled figures, measured on the SVG: each vector once, inputs under their step, outputs
above it, links that reach what they join, frames of one width, state lines between steps."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from svgmarks import entries

import cellviz
from cellviz import example_inputs
from cellviz.draw.lines import line_dash
from cellviz.draw.render import RenderOptions
from cellviz.draw.themes import THEMES
from cellviz.draw.values import values_of

pytestmark = pytest.mark.dot
SVG = "{http://www.w3.org/2000/svg}"
FIXTURES = Path(__file__).parents[1] / "fixtures"
Box = tuple[float, float, float, float]


def cell_named(name: str) -> cellviz.Cell:
    if name in ("two-inputs", "indrnn"):  # cell files of the tests' own
        return cellviz.load(str(FIXTURES / f"{name}.cell"), input_size=3, hidden_size=2)
    return cellviz.load(name, input_size=3, hidden_size=2,
                        proj_size=1 if name == "lstm-proj" else None)


def unrolled(name: str, steps: int = 3, theme: str = "light", numbers: bool = False) -> ET.Element:
    cell = cell_named(name)
    values = None
    if numbers:
        weights, xs = example_inputs(cell, seed=0)
        state = None
        steps_values = []
        for k in range(steps):
            state, trace = cell.step(weights, xs["x"][0] * (k + 1), state)
            steps_values.append(values_of(trace, weights, step=k + 1))
        values = tuple(steps_values)
    return ET.fromstring(cellviz.render(cell, options=RenderOptions(
        theme=theme, unroll=steps, values=values)))


def groups(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-id", ""): g for g in root.iter(f"{SVG}g")}


def rect_of(g: ET.Element) -> Box:
    r = next(g.iter(f"{SVG}rect"))
    x, y, w, h = (float(r.get(k, "0")) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def words(g: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]


def points(d: str) -> list[tuple[float, float]]:
    nums = [float(v) for v in re.findall(r"-?[\d.]+", d)]
    return list(zip(nums[::2], nums[1::2], strict=True))


def on_boundary(p: tuple[float, float], shape: ET.Element, tolerance: float = 1.0) -> bool:
    """Whether point p lies on the outline of a rect or circle (within ``tolerance``)."""
    if shape.tag == f"{SVG}circle":
        cx, cy, r = (float(shape.get(k, "0")) for k in ("cx", "cy", "r"))
        return abs(math.dist(p, (cx, cy)) - r) <= tolerance
    x0, y0, x1, y1 = (float(shape.get("x", "0")), float(shape.get("y", "0")),
                      float(shape.get("x", "0")) + float(shape.get("width", "0")),
                      float(shape.get("y", "0")) + float(shape.get("height", "0")))
    inside = x0 - tolerance <= p[0] <= x1 + tolerance and y0 - tolerance <= p[1] <= y1 + tolerance
    near = min(abs(p[0] - x0), abs(p[0] - x1), abs(p[1] - y0), abs(p[1] - y1)) <= tolerance
    return inside and near


CELL_NAMES = ["gru", "lstm", "lstm-peephole", "rnn", "two-inputs"]


@pytest.mark.parametrize("name", CELL_NAMES)
def test_each_vector_is_drawn_once(name: str) -> None:
    root = unrolled(name)
    cell = cell_named(name)
    names = [w for g in root.iter(f"{SVG}g") if g.get("class") == "node" for w in words(g)]
    for k in range(4):
        for state in cell.graph.states:
            assert names.count(f"{state}[{k}]") == 1, (state, k)
    for k in range(1, 4):
        for vector in cell.graph.inputs:
            assert names.count(f"{vector}[{k}]") == 1, (vector, k)
    assert not [n for n in names if "[t" in n]


@pytest.mark.parametrize(("name", "numbers"), [(n, False) for n in CELL_NAMES]
                         + [(n, True) for n in ("gru", "lstm", "lstm-peephole")])
def test_inputs_stand_under_their_step_and_outputs_above(name: str, numbers: bool) -> None:
    """Each input of step k below step k's frame and within its width, no two overlapping
    (with two inputs, y[t] was drawn exactly on top of x[t]); each output above its frame."""
    root = unrolled(name, numbers=numbers)
    by_id = groups(root)
    cell = cell_named(name)
    frames = [rect_of(by_id[f"s{k}"]) for k in range(1, 4)]
    assert len({round(f[2] - f[0], 2) for f in frames}) == 1  # frames of one width
    for k, (fx0, fy0, fx1, fy1) in enumerate(frames, start=1):
        boxes = [rect_of(by_id[f"s{k}:seq:{n}"]) for n in cell.graph.inputs]
        for x0, y0, x1, _ in boxes:
            assert y0 > fy1 and fx0 <= (x0 + x1) / 2 <= fx1
        for a, b in ((a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]):
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
        x0, _, x1, y1 = rect_of(by_id[f"s{k}:seq:h"])
        assert y1 < fy0 and fx0 <= (x0 + x1) / 2 <= fx1


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("name", CELL_NAMES)
def test_links_reach_the_nodes_they_join(name: str, theme: str) -> None:
    """Every link's arrowhead tip lies on the outline of a vector glyph or a port, and every
    link starts on one, or on a junction of another link."""
    root = unrolled(name, theme=theme)
    outlines = [next(iter(g)) for g in root.iter(f"{SVG}g")
                if g.get("class") in ("node", "port") and len(g)]
    junctions = [c for g in root.iter(f"{SVG}g") if g.get("class") == "carry"
                 for c in g.iter(f"{SVG}circle")]
    links = [g for g in root.iter(f"{SVG}g") if g.get("class") in ("link", "carry")]
    assert links
    for g in links:
        paths = list(g.iter(f"{SVG}path"))
        heads = [p for p in paths if p.get("fill") != "none"]
        assert len(heads) == 1, g.get("data-id")
        tip = points(heads[0].get("d", ""))[0]
        assert any(on_boundary(tip, s) for s in outlines), (g.get("data-id"), tip)
        start = points(paths[0].get("d", ""))[0]
        assert any(on_boundary(start, s) for s in outlines) or any(
            math.dist(start, (float(c.get("cx", 0)), float(c.get("cy", 0)))) < 0.5
            for c in junctions), (g.get("data-id"), start)


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("name", ["gru", "lstm"])
def test_states_are_carried_on_state_lines(name: str, theme: str) -> None:
    """Between steps a state travels on the state line (heavy, dash-dot), which the legend
    lists; nothing heavy is drawn solid."""
    root = unrolled(name, theme=theme)
    t = THEMES[theme]
    carries = [p for g in root.iter(f"{SVG}g") if g.get("class") == "carry"
               for p in g.iter(f"{SVG}path") if p.get("fill") == "none"]
    assert carries
    for p in carries:
        assert float(p.get("stroke-width", 0)) == pytest.approx(t.stroke * 2.2, abs=0.01)
        assert p.get("stroke-dasharray") == line_dash("pointwise", t)
    assert entries(root)["state_line"].text == "state line: a state carried on"


@pytest.mark.parametrize("name", ["gru", "lstm"])
def test_a_state_rises_to_its_box_on_the_state_line(name: str) -> None:
    """A state set above its step (the GRU's and the LSTM's h[k]) rises on the state line's
    heavy dash-dot, as it is carried on: the thin solid line is the legend's dense W·v + b."""
    root = unrolled(name, steps=2)
    t = THEMES["light"]
    by_id = groups(root)
    for k in (1, 2):
        paths = [p for p in by_id[f"s{k}:link:h"].iter(f"{SVG}path") if p.get("fill") == "none"]
        assert paths
        for p in paths:
            assert float(p.get("stroke-width", 0)) == pytest.approx(t.stroke * 2.2, abs=0.01)
            assert p.get("stroke-dasharray") == line_dash("pointwise", t)


def test_a_riser_bridges_the_state_line_it_passes() -> None:
    """The LSTM's h[k] rises past the cell state's line: its link is broken there (a
    bridge), and nowhere else does a link pass a state line."""
    root = unrolled("lstm", steps=2)
    by_id = groups(root)
    c_line = [p for p in by_id["s1:carry:c:out"].iter(f"{SVG}path") if p.get("fill") == "none"]
    (y_line,) = {round(y, 1) for _, y in points(c_line[0].get("d", ""))}
    runs = [points(p.get("d", "")) for p in by_id["s1:link:h"].iter(f"{SVG}path")
            if p.get("fill") == "none"]
    assert len(runs) == 2
    below, above = runs
    assert min(y for _, y in below) > y_line > max(y for _, y in above)


def test_a_cell_without_state_unrolls(tmp_path: Path) -> None:
    """Nothing is carried from step to step: the steps stand side by side, each with its
    input under it and its output above."""
    source = tmp_path / "ff.cell"
    source.write_text("cell ff\ninput x: i\noutput y: n\ny[t] = tanh(W_y @ x[t] + b_y)\n",
                      encoding="utf-8")
    cell = cellviz.load(str(source), input_size=3, hidden_size=2)
    root = ET.fromstring(cellviz.render(cell, options=RenderOptions(unroll=2)))
    by_id = groups(root)
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "carry"]
    assert "state_line" not in entries(root) and "port" in entries(root)
    for k in (1, 2):
        assert words(by_id[f"s{k}:seq:y"])[0] == f"y[{k}]"
        assert words(by_id[f"s{k}:seq:x"])[0] == f"x[{k}]"
