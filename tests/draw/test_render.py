"""The rendered SVG: structure, labels, shapes and totals, themes, determinism, escaping."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import cellviz
from cellviz.draw.busdot import figure_dot
from cellviz.draw.layout import dot_source, plan
from cellviz.draw.render import RenderOptions, render_bytes
from cellviz.draw.themes import THEMES, get_theme
from cellviz.pages.gallery import gallery_cells

pytestmark = pytest.mark.dot
SVG = "{http://www.w3.org/2000/svg}"
CELLS = {c.name: c for c in gallery_cells()}
GOLDEN = Path(__file__).parents[1] / "golden"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    """Every text as read (a name's subscript is a tspan of its own: W_z reads Wz)."""
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("name", list(CELLS))
def test_svg_stands_alone(name: str, theme: str) -> None:
    svg = cellviz.render(CELLS[name], theme=theme)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    _, _, w, h = (float(v) for v in root.get("viewBox", "").split())
    assert float(root.get("width", 0)) == pytest.approx(w)
    assert float(root.get("height", 0)) == pytest.approx(h)
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    lowered = svg.lower()
    for banned in ("<script", "href", "url(", "var(", "@import", "<style", "@font-face"):
        assert banned not in lowered
    assert "NaN" not in svg and "inf" not in lowered.replace("information", "")


@pytest.mark.parametrize("name", list(CELLS))
def test_labels_shapes_and_totals_are_on_the_figure(name: str) -> None:
    cell = CELLS[name]
    words = texts(parse(cellviz.render(cell)))
    graph = cell.graph
    for node in graph.nodes:
        if node.kind in ("input", "state", "output", "vector"):
            assert node.label in words
    for param, shape in cell.param_shapes().items():
        assert cellviz.params.shape_text(shape) in words, param
    assert any(cell.params().summary() in w for w in words)
    for gate in graph.gates:
        if any(graph.node(n).kind not in ("input", "state", "output") for n in gate.nodes):
            assert gate.label in words
    # Every shape uses the multiplication sign, never a letter x.
    assert not [w for w in words if any(c.isdigit() for c in w) and "x" in w.replace("x[", "")]


def test_gru_figure_matches_the_article() -> None:
    words = texts(parse(cellviz.render(CELLS["gru"])))
    for expected in ("x[t]", "h[t-1]", "h[t]", "z[t]", "r[t]", "n[t]", "3×1", "2×1", "2×3",
                     "2×2", "Wz·x[t]", "Un·(r[t]⊙h[t-1])", "σ", "tanh", "⊙", "1−", "+",
                     "update gate", "reset gate", "12 parameters"):
        assert expected in words, expected
    assert any("36 parameters: 6 weight matrices, 3 bias vectors" in w for w in words)


@pytest.mark.parametrize("name", list(CELLS))
def test_node_counts_by_kind(name: str) -> None:
    cell = CELLS[name]
    root = parse(cellviz.render(cell))
    nodes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    ids = [g.get("data-id") for g in nodes]
    graph = cell.graph
    assert set(ids) >= {n.id for n in graph.nodes}
    circles = [g for g in nodes if g.find(f"{SVG}circle") is not None
               and g.get("data-id") in {n.id for n in graph.nodes if n.kind == "pointwise"}]
    assert len(circles) == sum(1 for n in graph.nodes if n.kind == "pointwise")
    marks = [i for i in ids if i and i.startswith("act")]
    assert len(marks) == sum(1 for e in graph.edges if e.activation != "identity")
    gates = [g for g in root.iter(f"{SVG}g") if g.get("class") == "gate"]
    assert len(gates) == len(plan(cell, get_theme("light")).clusters)


def test_glyph_cells_have_stable_keys() -> None:
    root = parse(cellviz.render(CELLS["lstm"]))
    keys = [r.get("data-key") for r in root.iter(f"{SVG}rect") if r.get("data-key")]
    assert keys[:3] == ["x/0", "x/1", "x/2"]
    assert "W_f/1/2" in keys and "b_f/1" in keys and "c_prev/1" in keys


def test_long_vectors_are_abbreviated() -> None:
    cell = cellviz.load("gru", input_size=9, hidden_size=6)
    words = texts(parse(cellviz.render(cell)))
    assert "2×3" not in words and "6×9" in words and "9×1" in words
    keys = [r.get("data-key") for r in parse(cellviz.render(cell)).iter(f"{SVG}rect")]
    assert "x/8" in keys and "x/4" not in keys


@pytest.mark.parametrize("name", ["gru", "lstm"])
@pytest.mark.parametrize("convention", ["paper", "pytorch", "keras"])
def test_golden_dot(name: str, convention: str, update_golden: bool) -> None:
    cell = cellviz.load(name, input_size=3, hidden_size=2, convention=convention)
    text = figure_dot(cell, get_theme("light"))
    path = GOLDEN / f"{name}.{convention}.dot"
    if update_golden:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [n for n in CELLS if n not in ("gru", "lstm")])
def test_golden_dot_other_cells(name: str, update_golden: bool) -> None:
    text = figure_dot(CELLS[name], get_theme("light"))
    path = GOLDEN / f"{name}.paper.dot"
    if update_golden:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_same_bytes_across_processes_and_hash_seeds() -> None:
    code = ("import cellviz,sys; c=cellviz.load('lstm',input_size=3,hidden_size=2);"
            "sys.stdout.write(cellviz.render(c, theme='dark'))")
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outs) == 1
    assert outs.pop().decode() == cellviz.render(CELLS["lstm"], theme="dark")


def test_text_from_the_cell_file_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "odd.cell"
    path.write_text(
        '# A cell with <odd> & "quoted" \'text\'\n'
        "cell odd\ninput x: i\nstate h: n\n"
        'h[t] = tanh(W_h @ x[t] + U_h @ h[t-1] + b_h)  # <gate> & "friends"\n',
        encoding="utf-8")
    cell = cellviz.load(path, input_size=3, hidden_size=2)
    svg = cellviz.render(cell)
    root = parse(svg)  # would fail on a raw < or &
    words = texts(root)
    assert '<gate> & "friends"' in words
    assert any('<odd> & "quoted"' in w for w in words)
    assert '<odd>' in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    assert "<gate>" not in svg


def test_scale_sets_width_and_height_not_the_viewbox() -> None:
    one = parse(cellviz.render(CELLS["rnn"]))
    two = parse(cellviz.render(CELLS["rnn"], scale=2))
    assert one.get("viewBox") == two.get("viewBox")
    assert float(two.get("width", 0)) == pytest.approx(2 * float(one.get("width", 0)), abs=0.02)


def test_bad_options_are_usage_errors() -> None:
    with pytest.raises(cellviz.UsageError, match="unknown theme: 'neon'"):
        RenderOptions(theme="neon")
    with pytest.raises(cellviz.UsageError, match="scale"):
        RenderOptions(scale=0)
    with pytest.raises(cellviz.UsageError, match="unknown format: 'gif'"):
        render_bytes(CELLS["rnn"], "gif", RenderOptions())
    with pytest.raises(cellviz.UsageError, match="heading must be True or False, not 'no'"):
        RenderOptions(heading="no")  # type: ignore[arg-type]
    with pytest.raises(cellviz.UsageError, match="legend must be True or False, not 0"):
        RenderOptions(legend=0)  # type: ignore[arg-type]


def test_png_and_pdf(tmp_path: Path) -> None:
    pytest.importorskip("cairosvg")
    png = cellviz.save(CELLS["gru"], tmp_path / "gru.png", scale=2)
    pdf = cellviz.save(CELLS["gru"], tmp_path / "gru.pdf")
    assert png is not None and png.read_bytes().startswith(b"\x89PNG")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")


def test_jupyter_shows_the_figure() -> None:
    svg = CELLS["gru"]._repr_svg_()
    root = parse(svg)
    assert root.get("width") and root.get("viewBox")


def test_dot_runs_once_per_dot_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import cellviz.draw.dot as dot_module

    calls: list[object] = []
    real = subprocess.Popen

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[call-overload]

    dot_module.clear_cache()
    monkeypatch.setattr(dot_module.subprocess, "Popen", counting)
    first = cellviz.render(CELLS["mgu"])
    runs = len(calls)
    assert runs >= 1
    assert cellviz.render(CELLS["mgu"]) == first and len(calls) == runs


def test_options_and_loose_keywords_do_not_mix() -> None:
    with pytest.raises(cellviz.UsageError, match="not both"):
        cellviz.render(CELLS["gru"], theme="dark", options=cellviz.RenderOptions())


def groups(root: ET.Element, role: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == role]


@pytest.mark.parametrize("unroll", [1, 2], ids=["one-step", "unrolled"])
@pytest.mark.parametrize(("heading", "legend"), [(False, True), (True, False), (False, False)],
                         ids=["no-title", "no-legend", "bare"])
def test_heading_and_legend_can_be_left_out(heading: bool, legend: bool, unroll: int) -> None:
    cell = CELLS["lstm"]
    full = parse(cellviz.render(cell, options=RenderOptions(unroll=unroll)))
    root = parse(cellviz.render(cell, options=RenderOptions(heading=heading, legend=legend,
                                                            unroll=unroll)))
    assert len(groups(full, "title")) == len(groups(full, "legend")) == 1
    assert len(groups(root, "title")) == int(heading)
    assert len(groups(root, "legend")) == int(legend)
    # The accessible title and description stay; the drawing itself is all there.
    assert root.findtext(f"{SVG}title") == full.findtext(f"{SVG}title")
    assert root.findtext(f"{SVG}desc") == full.findtext(f"{SVG}desc")
    assert len(groups(root, "node")) == len(groups(full, "node"))
    assert len(groups(root, "edge")) == len(groups(full, "edge"))
    _, _, w_full, h_full = (float(v) for v in full.get("viewBox", "").split())
    _, _, w, h = (float(v) for v in root.get("viewBox", "").split())
    assert h < h_full and w <= w_full
    # Nothing is drawn above the top margin or below the bottom one.
    ys = [float(r.get("y", 0)) for r in root.iter(f"{SVG}rect") if r.get("width") != str(w)]
    assert min(ys) >= 0 and max(ys) < h


def test_legend_rows_are_even() -> None:
    from cellviz.draw.legend import _rows

    assert _rows([3.0] * 6, 15.0) == [[0, 1, 2], [3, 4, 5]]  # not five and a lone one
    assert _rows([3.0] * 6, 18.0) == [[0, 1, 2, 3, 4, 5]]
    assert _rows([10.0, 1.0, 1.0], 5.0) == [[0], [1], [2]]  # an item wider than the room
    assert _rows([4.0, 4.0, 4.0, 1.0], 9.0) == [[0, 1], [2, 3]]
    # Filling in turn takes 2 rows, but 3 and 2 do not fit: 2 to a row, not 1 (5 rows).
    assert _rows([6.0, 6.0, 6.0, 1.0, 1.0], 13.0) == [[0, 1], [2, 3], [4]]


def test_both_orientations_are_laid_out_at_once() -> None:
    from cellviz.draw.dot import clear_cache, run_dot, run_dots

    the_plan = plan(CELLS["lstm"], get_theme("light"))
    upright = dot_source(CELLS["lstm"], get_theme("light"), the_plan)
    turned = dot_source(CELLS["lstm"], get_theme("light"), the_plan, flipped=True)
    clear_cache()
    both = run_dots(upright, turned)
    clear_cache()
    assert both == (run_dot(upright), run_dot(turned))
    assert both[0] != both[1]
    with pytest.raises(cellviz.CellvizError, match="dot failed"):
        run_dots(upright, "digraph { a -> }")
    with pytest.raises(cellviz.CellvizError, match="dot failed"):
        run_dots("digraph { a -> }", turned)


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("name", list(CELLS))
def test_state_lines_run_straight_along_the_top(name: str, theme: str) -> None:
    from cellviz.draw.layout import layout

    cell = CELLS[name]
    p, lay = layout(cell, get_theme(theme))
    for path in p.highways.values():
        ys = {round(lay.nodes[n].y, 1) for n in path}
        assert len(ys) == 1, (path, ys)  # straight
    if p.highways:
        top = lay.nodes[next(iter(p.highways.values()))[0]].y
        on_line = {n for path in p.highways.values() for n in path}
        assert all(top <= placed.y for n, placed in lay.nodes.items() if n not in on_line)


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("convention", ["paper", "pytorch", "keras"])
def test_lstm_gates_stand_in_order_beneath_the_cell_state(convention: str, theme: str) -> None:
    from cellviz.draw.layout import layout

    cell = cellviz.load("lstm", input_size=3, hidden_size=2, convention=convention)
    _, lay = layout(cell, get_theme(theme))
    # Side by side beneath the line in one row: forget, input, candidate, output, as in the
    # classic diagrams.
    xs = [lay.nodes[f"{gate}.dense"].x for gate in ("f", "i", "g", "o")]
    ys = {round(lay.nodes[f"{gate}.dense"].y, 1) for gate in ("f", "i", "g", "o")}
    assert xs == sorted(xs) and len(ys) == 1


@pytest.mark.parametrize("theme", ["light", "slides"])
@pytest.mark.parametrize("name", list(CELLS))
def test_edges_join_the_state_line_from_below(name: str, theme: str) -> None:
    from cellviz.draw.layout import layout

    p, lay = layout(CELLS[name], get_theme(theme))
    on_line = {n for path in p.highways.values() for n in path}
    joining = [seg for seg in p.segments if seg.head in on_line and seg.tail not in on_line]
    assert bool(joining) == bool(on_line)
    for seg in joining:
        route, node = lay.routes[seg.id], lay.nodes[seg.head]
        end = route.tip or route.points[-1]
        # Below the node, more below than beside it (y points down), clear of the line's own
        # arrow, which comes in from the left.
        assert end[1] - node.y > abs(end[0] - node.x), (seg.id, end, (node.x, node.y))
