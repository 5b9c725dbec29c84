"""Highlighting gates: names, which groups stay at full strength, colours, the rasters."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from helpers import load

import cellviz
from cellviz import UsageError
from cellviz.cli.app import main
from cellviz.draw.compose import compose
from cellviz.draw.highlight import DIM, dim_scene, gate_nodes, line_nodes, resolve_gates
from cellviz.draw.render import RenderOptions, scene_of
from cellviz.draw.scene import Group, Scene
from cellviz.draw.themes import THEMES

pytestmark = pytest.mark.dot
GATE_CELLS = [(name, k) for name in cellviz.BUILTIN_CELLS
              for k in range(len(load(name).graph.gates))]


def _colours(group: Group) -> list[str]:
    return [c for s in group.shapes for c in (getattr(s, "fill", "none"), s.stroke if hasattr(
        s, "stroke") else "none") if c.startswith("#")]


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _distance(a: str, b: str) -> int:
    return max(abs(x - y) for x, y in zip(_rgb(a), _rgb(b), strict=True))


def _strong_groups(scene: Scene, lit: Scene) -> set[str]:
    return {f"{g.role}:{g.id}" for g, h in zip(scene.groups, lit.groups, strict=True) if g == h}


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize(("name", "index"), GATE_CELLS,
                         ids=[f"{n}-{load(n).graph.gates[k].equation}" for n, k in GATE_CELLS])
def test_a_gate_and_its_edges_stay_the_rest_dims(name: str, index: int, theme: str) -> None:
    cell = load(name)
    gate = cell.graph.gates[index]
    scene = compose(cell, THEMES[theme])
    lit = scene_of(cell, RenderOptions(theme=theme, highlight=gate.equation))
    assert (lit.width, lit.height) == (scene.width, scene.height)
    members = set(gate.nodes)
    for before, after in zip(scene.groups, lit.groups, strict=True):
        # Geometry never changes, only colours.
        assert [type(s) for s in before.shapes] == [type(s) for s in after.shapes]
        ends = [link.partition(":")[2] if link.startswith("act") else link
                for link in before.links]
        if before.role in ("title", "legend", "legend-entry"):
            stays = True
        elif before.role in ("edge", "label"):
            stays = any(e in members for e in ends)
        else:
            stays = bool(ends) and all(e in members for e in ends)
        if stays:
            assert after == before, (before.role, before.id)
            continue
        assert after != before, (before.role, before.id)
        for old, new in zip(_colours(before), _colours(after), strict=True):
            # Each colour moves DIM of the way to the background (rounding aside).
            assert _distance(new, scene.background) <= round(
                _distance(old, scene.background) * (1 - DIM)) + 1
    # The gate's own nodes, and an edge into it, are among what stays.
    strong = _strong_groups(scene, lit)
    assert {f"node:{n}" for n in gate.nodes} <= strong
    assert any(key.startswith("edge:") for key in strong)


@pytest.mark.parametrize(("text", "expected"), [
    ("f", ["f"]), ("forget", ["f"]), ("Forget Gate", ["f"]), ("learn", ["i", "g"]),
    ("i,output", ["i", "o"]), ("cell state", ["c"]), ("use", ["o", "h"]),
    ("candidate (learn)", ["g"]),
])
def test_gate_names(text: str, expected: list[str]) -> None:
    graph = load("lstm").graph
    names = RenderOptions(highlight=text).highlight
    assert isinstance(names, tuple)
    assert [g.equation for g in resolve_gates(graph, names)] == expected


def test_unknown_gate_names_the_choices() -> None:
    with pytest.raises(UsageError) as info:
        scene_of(load("gru"), RenderOptions(highlight=("z", "forget")))
    assert str(info.value) == ("unknown gate: 'forget' (gates of gru: z (update), r (reset), "
                               "n (candidate state), h (hidden state))")


def test_a_cell_without_gates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "plain.cell"
    path.write_text("input x: i\nstate h: n\nh[t] = tanh(W @ x[t] + U @ h[t-1] + b)\n")
    assert main(["render", str(path), "--highlight", "h", "-o", "-"]) == 2
    assert capsys.readouterr().err == (
        "cellviz: error: cell 'plain' has no gates to highlight (a gate is an equation with a "
        "trailing # comment in the cell file)\n")


def test_highlight_must_be_names() -> None:
    with pytest.raises(UsageError, match="highlight must be gate names"):
        RenderOptions(highlight=3)  # type: ignore[arg-type]
    assert RenderOptions(highlight=" f , ,o").highlight == ("f", "o")


def test_cli_highlight(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "lstm", "--highlight", "f,use", "-o", "-"]) == 0
    svg = capsys.readouterr().out
    assert svg == cellviz.render(load("lstm"), options=RenderOptions(highlight=("f", "use")))
    assert main(["render", "lstm", "--highlight", "forgot", "-o", "-"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("cellviz: error: unknown gate: 'forgot' (gates of lstm: f (forget), ")
    assert main(["render", "lstm", "--highlight", ",", "-o", "-"]) == 2
    assert "no gate name given" in capsys.readouterr().err


def test_default_file_name_says_what_is_highlighted(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["render", "gru", "--highlight", "z,reset gate"]) == 0
    assert Path("output/gru.highlight-z-reset_gate.svg").is_file()


def test_state_line_keeps_only_edges_along_it() -> None:
    cell = load("lstm")
    scene = compose(cell, THEMES["light"])
    lit = dim_scene(scene, line_nodes(cell), touching=False)
    strong = _strong_groups(scene, lit)
    assert {"node:c_prev", "node:c.mul", "node:c.add", "node:c", "node:x"} <= strong
    assert "node:f.dense" not in strong
    edges = {g.links for g in lit.groups if g.role == "edge" and f"edge:{g.id}" in strong}
    assert ("c_prev", "c.mul") in edges and ("c.mul", "c.add") in edges
    assert all(set(e) <= line_nodes(cell) for e in edges)


@pytest.mark.parametrize("theme", list(THEMES))
def test_the_png_shows_the_gate_dark_and_the_rest_pale(theme: str) -> None:
    """cairosvg's raster: inside the forget gate's dense node the strongest stroke keeps its
    contrast with the background; inside the output gate's it has lost most of it."""
    pytest.importorskip("cairosvg", reason="the raster extra")
    from PIL import Image

    cell = load("lstm")
    options = RenderOptions(theme=theme, highlight="f")
    png = cellviz.draw.render.render_bytes(cell, "png", options)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    scene = scene_of(cell, options)
    background = _rgb(scene.background)

    def contrast(node: str) -> int:
        group = next(g for g in scene.groups if g.role == "node" and g.id == node)
        rect = group.shapes[0]
        x, y, w, h = (round(v) for v in (rect.x, rect.y, rect.w, rect.h))  # type: ignore[union-attr]
        data = image.crop((x, y, x + w + 1, y + h + 1)).tobytes()
        return max(abs(data[k] - background[k % 3]) for k in range(len(data)))

    strong, dimmed = contrast("f.dense"), contrast("o.dense")
    assert dimmed < strong * (1 - DIM) + 12, (strong, dimmed)
    assert strong > 100


def test_gate_nodes_union() -> None:
    graph = load("gru").graph
    assert gate_nodes(graph.gates[:2]) == {"z.dense", "z", "r.dense", "r"}


@pytest.mark.parametrize("theme", list(THEMES))
def test_compact_detail_highlights_the_gates_box_and_its_taps(theme: str) -> None:
    """At compact detail a gate is one box: it, and the edges into and out of it, stay."""
    cell = load("lstm")
    whole = scene_of(cell, RenderOptions(theme=theme, detail="compact"))
    lit = scene_of(cell, RenderOptions(theme=theme, detail="compact", highlight="f"))
    assert (lit.width, lit.height) == (whole.width, whole.height)
    strong = _strong_groups(whole, lit)
    assert any(key.startswith("node:f") for key in strong)
    assert not any(key.startswith("node:o") for key in strong)
    edges = [g.links for g in lit.groups if g.role == "edge" and f"edge:{g.id}" in strong]
    assert edges and all(set(links) & set(cell.graph.gates[0].nodes) for links in edges)
