"""The kinds of mark a figure draws, read from its SVG alone (the stroke and dash of its
lines, the outline and fill of its boxes, whether a box holds cells, the symbols it prints),
and the entries of its legend, for the legend tests. Nothing here calls the code that builds
the legend: it knows the theme's colours and the figure's vocabulary, as a reader would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from cellviz.draw.highlight import DIM
from cellviz.draw.themes import Theme, mix
from cellviz.graph import ACTIVATIONS

__all__ = ["SVG", "Entry", "drawn", "entries", "line_kind", "role_colours", "stack_marks",
           "text_of"]

SVG = "{http://www.w3.org/2000/svg}"
ROLES = ("input", "state", "output", "vector", "dense")


def text_of(element: ET.Element) -> str:
    """A text's content as read (subscripts joined to their base: W_f reads ``Wf``)."""
    return "".join(element.itertext())


def role_colours(theme: Theme) -> dict[tuple[str, str], str]:
    """Each role's (outline, fill), and the same dimmed as a highlight dims it: the role."""
    out: dict[tuple[str, str], str] = {}
    for role in ROLES:
        stroke, fill = getattr(theme, role).lower(), getattr(theme, f"{role}_fill").lower()
        for pair in ((stroke, fill), (mix(stroke, theme.background, DIM).lower(),
                                      mix(fill, theme.background, DIM).lower())):
            assert out.get(pair, role) == role, f"{role} and {out[pair]} look alike"
            out[pair] = role
    return out


def line_kind(path: ET.Element, theme: Theme) -> str:
    """A stroked line's kind: thin solid (dense), thin dash-dot (pointwise), heavy dash-dot
    (the state line), anything else named as it looks."""
    heavy = float(path.get("stroke-width", "0")) > theme.stroke * 1.5
    dashed = path.get("stroke-dasharray") is not None
    return {(False, False): "dense", (False, True): "pointwise",
            (True, True): "state_line"}.get((heavy, dashed), "a heavy solid line")


def _weights(g: ET.Element, node_id: str) -> set[str]:
    """The kinds of weight glyph in a dense node's drawing, from its keyed cells: a grid of
    rows and columns is a matrix (a one-column matrix by its caption ``W·v``), round cells an
    element-wise weight, a column captioned by its name alone a bias; the node's own sum is
    none of them."""
    captions = {text_of(t) for t in g.iter(f"{SVG}text")}
    cells: dict[str, list[ET.Element]] = {}
    for r in g.iter(f"{SVG}rect"):
        key = r.get("data-key", "").split(":")[-1]
        if key:
            cells.setdefault(key.split("/")[0], []).append(r)
    out = set()
    for name, rects in cells.items():
        if name == node_id:
            continue
        shown = name.replace("_", "")
        if any(len(r.get("data-key", "").split(":")[-1].split("/")) == 3 for r in rects) or \
                any(c.startswith(f"{shown}·") for c in captions):
            out.add("matrix")
        elif all(r.get("rx") for r in rects):
            out.add("diag")
        elif shown in captions:
            out.add("bias")
        else:
            out.add(f"an unknown glyph {name}")
    return out


def drawn(root: ET.Element, theme: Theme) -> dict[str, set[str]]:
    """What the figure draws outside its legend, by kind, each with the texts it was drawn
    with: a vector of each role as a column of cells (``input``) or as a named box
    (``input_box``, with its names), a dense node with its terms (``dense_node``) and the
    kinds of weight in it, a compact gate's box (``gate``: an activation and a name) or a
    dense node's box (``dense_box``: weight names), element-wise circles (``op`` with their
    symbols), activation marks (``activation``), ports, lines, a line's gap where it passes
    another (``bridge``), a dot where a line branches (``junction``), and printed values
    (``scale``) and gradients (``gradients``)."""
    roles = role_colours(theme)
    symbols = set(ACTIVATIONS.values())
    out: dict[str, set[str]] = {}

    def add(kind: str, text: str = "") -> None:
        out.setdefault(kind, set()).update({text} if text else set())

    for g in root.iter(f"{SVG}g"):
        role, gid = g.get("class"), g.get("data-id", "")
        if role in ("legend", "legend-entry"):
            continue
        for t in g.iter(f"{SVG}text"):
            key = t.get("data-key")
            if key:
                add("gradients" if "grad:" in key else "scale")
        if role in ("edge", "link", "carry"):
            strokes = [p for p in g.iter(f"{SVG}path") if p.get("fill") == "none"]
            for p in strokes:
                add(line_kind(p, theme))
            # A line in pieces (a pen lift, or runs drawn apart) leaves a gap: a bridge.
            if sum(p.get("d", "").count("M") for p in strokes) > 1:
                add("bridge")
            if any(True for _ in g.iter(f"{SVG}circle")):
                add("junction")
        elif role == "junction":
            add("junction")
        elif role == "port":
            add("port")
        elif role == "node":
            node_id = gid.split(":")[-1]
            texts = [text_of(t) for t in g.iter(f"{SVG}text")]
            first = next(iter(g))
            if node_id.startswith("act"):
                add("activation", texts[0])
            elif first.tag == f"{SVG}circle":
                add("op", texts[0])
            else:
                kind = roles.get(((first.get("stroke") or "").lower(),
                                  (first.get("fill") or "").lower()),
                                 f"a box outlined {first.get('stroke')}")
                has_cells = any(r.get("data-key") for r in g.iter(f"{SVG}rect"))
                if kind == "dense" and has_cells:
                    add("dense_node")
                    for weight in _weights(g, node_id):
                        add(weight)
                elif kind == "dense":
                    add("gate" if texts[0].split()[0] in symbols else "dense_box", texts[0])
                elif has_cells:
                    add(kind)
                else:
                    add(f"{kind}_box", texts[0])
    return out


def stack_marks(root: ET.Element, theme: Theme) -> dict[str, set[str]]:
    """What a stack's figure draws besides what ``drawn`` reads: its cells as boxes (filled
    like a dense node) or as frames (at the compact detail level), and the concatenations
    of both directions."""
    out: dict[str, set[str]] = {}
    for g in root.iter(f"{SVG}g"):
        role = g.get("class")
        if role == "cell":
            fill = (next(iter(g)).get("fill") or "").lower()
            dense = {theme.dense_fill.lower(), mix(theme.dense_fill, theme.background,
                                                   DIM).lower()}
            out["box" if fill in dense else "frame"] = set()
        elif role == "concat":
            out["concat"] = set()
    return out


@dataclass
class Entry:
    """A legend entry: its text (the last of its texts) and its sample's shapes."""

    text: str
    sample: list[ET.Element] = field(default_factory=list)

    def sample_texts(self) -> list[str]:
        return [text_of(s) for s in self.sample if s.tag == f"{SVG}text"]


def entries(root: ET.Element) -> dict[str, Entry]:
    """The legend's entries by their id."""
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "legend-entry":
            shapes = list(g)
            out[g.get("data-id", "")] = Entry(text_of(shapes[-1]), shapes[:-1])
    return out
