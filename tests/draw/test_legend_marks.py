"""The legend lists exactly the kinds of mark the figure draws, each entry's sample drawn as
the figure draws that mark: worked out from the SVG (``svgmarks.drawn``), for every built-in
cell and convention, both detail levels and every theme, with values, gradients, unrolled and
highlighted."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from svgmarks import SVG, Entry, drawn, entries, line_kind, role_colours, stack_marks

import cellviz
from cellviz.cli import main
from cellviz.draw.themes import THEMES, Theme
from cellviz.lang.library import builtin_conventions

pytestmark = pytest.mark.dot
FIXTURES = Path(__file__).parents[1] / "fixtures"
CELLS = [(name, convention) for name in cellviz.BUILTIN_CELLS
         for convention in builtin_conventions(name)]
IDS = [f"{name}-{convention}" for name, convention in CELLS]

#: What the legend must say for each kind of mark; a vector's box says what its column says.
TEXTS = {
    "dense": "dense connection: W·v + b",
    "pointwise": "pointwise connection",
    "state_line": "state line: a state carried on",
    "input": "input vector",
    "state": "state from the step before",
    "output": "state or output the step writes",
    "vector": "vector inside the cell",
    "dense_node": "dense node: its terms and parameter count",
    "gate": "gate: its activation and name",
    "dense_box": "dense node: the weights it sums",
    "port": "where a vector enters or leaves a step",
    "junction": "a line branching: one vector on to two places",
    "bridge": "a line passing another, not joining it",
    "matrix": "weight matrix, rows×cols",
    "bias": "bias, n×1",
    "diag": "element-wise weight (p⊙v), n×1",
    "activation": "activation on its edge",
}
UNROLLED = {"state": "state between two steps", "output": "output of the step"}
VECTORS = ("input", "state", "output", "vector")


def render(tmp_path: Path, *args: str) -> ET.Element:
    out = tmp_path / "figure.svg"
    # lstm-proj's p=1 makes its U matrices one column wide, like a bias.
    sizes = ["-p", "1"] if args[0] == "lstm-proj" else []
    assert main(["render", *args, *sizes, "-o", str(out)]) == 0
    return ET.fromstring(out.read_text(encoding="utf-8"))


def _rects(entry: Entry) -> list[ET.Element]:
    return [s for s in entry.sample if s.tag == f"{SVG}rect"]


def check_sample(kind: str, entry: Entry, texts: set[str], theme: Theme) -> None:
    """The entry's sample looks like what the figure draws of that kind."""
    roles = role_colours(theme)
    rects = _rects(entry)
    outline = roles.get((rects[0].get("stroke", "").lower(), rects[0].get("fill", "").lower()),
                        "") if rects else ""
    if kind in ("dense", "pointwise", "state_line"):
        lines = [s for s in entry.sample if s.tag == f"{SVG}path" and s.get("fill") == "none"]
        assert [line_kind(p, theme) for p in lines] == [kind]
    elif kind in VECTORS:  # a column of cells inside the role's box
        assert outline == kind and len(rects) >= 3 and not entry.sample_texts()
    elif kind.removesuffix("_box") in VECTORS or kind in ("gate", "dense_box"):
        # a box as compact draws it, with the name of one drawn
        role = "dense" if kind in ("gate", "dense_box") else kind.removesuffix("_box")
        assert outline == role and len(rects) == 1
        assert len(entry.sample_texts()) == 1 and entry.sample_texts()[0] in texts
    elif kind == "dense_node":
        assert outline == "dense" and len(rects) == 1 and not entry.sample_texts()
    elif kind in ("matrix", "bias", "diag"):
        assert len(rects) == (6 if kind == "matrix" else 2)
        assert all(bool(r.get("rx")) == (kind == "diag") for r in rects)
    elif kind == "port":
        assert [s.tag for s in entry.sample] == [f"{SVG}circle"]
    elif kind == "junction":  # a dot on a line that branches
        assert [s.tag for s in entry.sample] == [f"{SVG}path", f"{SVG}circle"]
        assert entry.sample[0].get("d", "").count("M") == 2
    elif kind == "bridge":  # a line in two pieces either side of another
        assert [s.tag for s in entry.sample] == [f"{SVG}path", f"{SVG}path"]
        assert entry.sample[0].get("d", "").count("M") == 2
    elif kind in ("op", "activation"):
        assert entry.sample_texts()[0] in texts
    elif kind in ("box", "frame", "concat"):  # a stack's cell, its outline, a circle ‖
        assert (len(rects), len(entry.sample)) == ((1, 1) if kind != "concat" else (0, 2))
    else:
        raise AssertionError(f"a legend entry for {kind}")


def check_legend(root: ET.Element, theme: Theme, texts: dict[str, str] | None = None) -> None:
    """Every kind of mark drawn has its entry, worded for it (as ``texts`` says, by default
    TEXTS), and no other kind has one."""
    marks = drawn(root, theme)
    marks.update(stack_marks(root, theme))
    listed = entries(root)
    assert set(listed) == set(marks), (
        f"drawn, not in the legend: {sorted(set(marks) - set(listed))}; "
        f"in the legend, not drawn: {sorted(set(listed) - set(marks))}")
    unrolled = "port" in marks
    for kind, entry in listed.items():
        role = kind.removesuffix("_box") if kind.removesuffix("_box") in VECTORS else kind
        if kind == "op":
            symbols = entry.text.removeprefix("element-wise ").split(" ")
            assert sorted(symbols) == sorted(marks["op"]), entry.text
        elif kind in ("scale", "gradients"):
            assert entry.text.startswith("value:" if kind == "scale" else "gradient ∂L/∂v")
            continue
        elif texts is not None:
            assert entry.text == texts[role], kind
        else:
            text = UNROLLED.get(role, TEXTS[role]) if unrolled else TEXTS[role]
            assert entry.text == text, kind
        check_sample(kind, entry, marks[kind], theme)


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("detail", ["full", "compact"])
@pytest.mark.parametrize(("name", "convention"), CELLS, ids=IDS)
def test_the_legend_lists_exactly_the_marks_drawn(tmp_path: Path, name: str, convention: str,
                                                   detail: str, theme: str) -> None:
    root = render(tmp_path, name, "--convention", convention, "--detail", detail,
                  "--theme", theme)
    check_legend(root, THEMES[theme])


def _highlight(name: str) -> str:
    gates = cellviz.load_graph(name).gates
    return gates[0].equation if gates else ""


#: Each way of drawing more or less, in a theme of its own so that all four are covered.
OPTIONS = {
    "values": ("dark", ["--values", "--seed", "0"]),
    "grads": ("slides", ["--grads", "--seed", "0"]),
    "unroll": ("print", ["--unroll", "3"]),
    "highlight": ("light", ["--highlight"]),
}


@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("detail", ["full", "compact"])
@pytest.mark.parametrize(("name", "convention"), CELLS, ids=IDS)
def test_the_legend_follows_what_the_options_draw(tmp_path: Path, name: str, convention: str,
                                                  detail: str, option: str) -> None:
    theme, args = OPTIONS[option]
    if option == "highlight":
        if not _highlight(name):
            pytest.skip(f"{name} has no gates to highlight")
        args = [*args, _highlight(name)]
    root = render(tmp_path, name, "--convention", convention, "--detail", detail,
                  "--theme", theme, *args)
    check_legend(root, THEMES[theme])
    if option in ("values", "grads"):
        assert "scale" in entries(root)
    assert ("gradients" in entries(root)) == (option == "grads")


@pytest.mark.parametrize("detail", ["full", "compact"])
@pytest.mark.parametrize("unroll", ["1", "2"])
@pytest.mark.parametrize("name", ["two-inputs", "indrnn"])
def test_the_legend_of_cells_of_other_shapes(tmp_path: Path, name: str, unroll: str,
                                             detail: str) -> None:
    """A cell of two inputs, and one of element-wise weights (IndRNN)."""
    root = render(tmp_path, str(FIXTURES / f"{name}.cell"), "--detail", detail,
                  "--unroll", unroll)
    check_legend(root, THEMES["light"])


#: The stack figure's own words for what it draws.
STACK_TEXTS = {**TEXTS,
               "box": "a cell: its gates and parameters",
               "frame": "a cell, at the compact detail level",
               "input": "input x[t]",
               "state": "a lane's first state (its entry [k] in the states given)",
               "output": "output y[t], or a lane's final state (its entry [k] in those returned)",
               "dense": "a vector a cell reads (through its W)",
               "state_line": "state line: a state carried on to the next step",
               "vector": "vector inside the cell",
               "port": "where a vector enters or leaves a cell",
               "concat": "concatenation of both directions, no parameters",
               "bridge": "a line passing under a state line, not joining it"}


@pytest.mark.parametrize("cells", ["auto", "box", "compact"])
@pytest.mark.parametrize("theme", list(THEMES))
def test_the_stack_figures_legend_lists_exactly_the_marks_drawn(tmp_path: Path, theme: str,
                                                                 cells: str) -> None:
    root = render(tmp_path, "lstm", "--layers", "2", "--bidirectional", "--unroll", "2",
                  "--cells", cells, "--theme", theme)
    check_legend(root, THEMES[theme], STACK_TEXTS)
