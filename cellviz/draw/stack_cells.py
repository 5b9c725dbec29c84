"""The cells of a stack's figure: each a labelled box, or the cell itself at the compact detail
level, drawn facing right with the ways its input, output and states join it; mirrored for the
reverse direction, which runs right to left."""

from __future__ import annotations

from ..cell import Cell
from ..graph import ACTIVATIONS
from ..record import record, replace
from .compose import body, drawn_lines, map_d, translate_any
from .layout import layout
from .legend import marks_of
from .lines import level_crossings
from .metrics import line_height, text_width
from .scene import Circle, Group, Path, Rect, Shape, Text
from .themes import Theme

__all__ = ["Piece", "StateWay", "box_piece", "box_size", "compact_marks", "compact_piece",
           "gate_text", "mirror_groups"]

Point = tuple[float, float]


@record
class StateWay:
    """How one state line joins a cell: the tip of the line coming in (on the cell's left),
    where the line going out starts (leaving to the right), the line's label between cells
    and the states it carries (their ids in the cell's graph)."""

    into: Point
    out: Point
    label: str
    names: tuple[str, ...]


@record
class Piece:
    """One cell of the figure, its frame's top left at (0, 0), facing right: its size, its
    drawing, the way of its input from the bottom edge to the arrow's tip, the way of its
    output from where it starts to the top edge, its state lines' ends, and where those
    lines, running level inside it, pass one of its own edges (a bridge there)."""

    width: float
    height: float
    groups: tuple[Group, ...]
    entry: tuple[Point, ...]
    exit: tuple[Point, ...]
    states: tuple[StateWay, ...]
    cuts: tuple[Point, ...] = ()


def gate_text(cell: Cell) -> str:
    """The gates of a cell as a box lists them: each dense node's activation and vector,
    ``σ i  σ f  tanh g  σ o``."""
    graph = cell.graph
    parts = []
    for edge in graph.edges:
        if graph.node(edge.source).kind == "dense":
            target = graph.node(edge.target)
            name = target.name or target.id
            mark = ACTIVATIONS.get(edge.activation, edge.activation)
            parts.append(f"{mark} {name}" if mark else name)
    return "  ".join(parts)


def _box_lines(theme: Theme) -> tuple[float, float, float]:
    fs, small = theme.font_size, theme.small
    return fs, small, fs * 1.1 + line_height(fs) + 2 * line_height(small)


def box_size(lines: list[tuple[str, str, str]], theme: Theme) -> tuple[float, float]:
    """The width and height of a box that holds each of these (title, gates, count)."""
    fs, small, height = _box_lines(theme)
    width = max(text_width(t, size, bold=bold) for texts in lines
                for t, size, bold in zip(texts, (fs, small, small), (True, False, False),
                                         strict=True)) + fs * 1.6
    return width, height


def box_piece(theme: Theme, texts: tuple[str, str, str], size: tuple[float, float],
              carry: tuple[str, tuple[str, ...]], key: str) -> Piece:
    """A cell as a labelled box (its title, gates and parameter count): its input enters at
    the middle of its bottom, its output leaves at the middle of its top, and one state line
    (``carry``: its label ``h, c: 2×1`` and the states) passes through its middle."""
    fs, small, _ = _box_lines(theme)
    w, h = size
    title, gates, count = texts
    shapes: tuple[Shape, ...] = (
        Rect(0, 0, w, h, theme.dense_fill, theme.dense, theme.stroke, rx=fs * 0.5),
        Text(w / 2, fs * 0.5 + 0.93 * fs, title, fs, theme.text, anchor="middle",
             weight="bold"),
        Text(w / 2, fs * 0.5 + line_height(fs) + fs * 0.2 + 0.93 * small, gates, small,
             theme.text, anchor="middle"),
        Text(w / 2, fs * 0.5 + line_height(fs) + line_height(small) + fs * 0.4 + 0.93 * small,
             count, small, theme.muted, anchor="middle"),
    )
    return Piece(w, h, (Group("cell", key, shapes),), ((w / 2, h),), ((w / 2, 0.0),),
                 (StateWay((0.0, h / 2), (w, h / 2), *carry),))


def compact_piece(cell: Cell, theme: Theme, hidden: str, key: str,
                  width: float = 0.0) -> Piece:
    """The cell at the compact detail level in a frame at least ``width`` wide, as an unrolled
    figure draws one step: the vectors entering and leaving it are ports; its input rises in
    the frame's left margin and turns into its port; its output ``hidden`` leaves its port
    for the right margin and rises there, where a dot hands it on to the next step too; every
    other state leaves its port to the right."""
    fs = theme.font_size
    p, lay = layout(cell, theme, None, "compact", ports=True)
    graph = cell.graph
    pad, riser = fs * 0.8, fs * 1.2
    port_r = theme.unit * 0.32
    inset_x = pad + riser + fs * 1.2
    w = max(lay.width + inset_x + pad + riser, width)
    h = lay.height + 2 * pad
    column_in, column_out = pad + riser / 2, w - pad - riser / 2

    def at(node: str) -> Point:
        placed = lay.nodes[node]
        return inset_x + placed.x, pad + placed.y

    outer = {*graph.inputs, *map(graph.prev_id, graph.states), *graph.outputs}
    groups = [Group("cell", key, (Rect(0, 0, w, h, theme.background, theme.gate_stroke,
                                       theme.stroke, rx=fs * 0.6),))]
    for g in body(p, lay, theme, inset_x, pad):
        port = g.role == "node" and g.id in outer
        groups.append(Group("port" if port else g.role, f"{key}:{g.id}", g.shapes, g.links))
    (name,) = graph.inputs
    px, py = at(name)
    ox, oy = at(hidden)
    groups.append(Group("junction", f"{key}:hand-on", (
        Circle(column_out, oy, port_r * 1.2, theme.line, "none", 0),)))
    states = []
    for s in graph.states:
        ix, iy = at(graph.prev_id(s))
        sx, sy = (column_out, oy) if s == hidden else (at(s)[0] + port_r, at(s)[1])
        label = graph.node(s).label.removesuffix("[t]")
        states.append(StateWay((ix - port_r, iy), (sx, sy), label, (s,)))
    # The level runs drawn across the cell: into the input's port, out of the output's,
    # each state in from the left edge and out to the right one.
    runs = [(py, column_in, px - port_r), (oy, ox + port_r, column_out),
            *((way.into[1], 0.0, way.into[0]) for way in states),
            *((way.out[1], way.out[0], w) for way in states)]
    edges = [shape.d for g in groups if g.role == "edge" for shape in g.shapes
             if isinstance(shape, Path) and shape.fill == "none"]
    cuts = tuple(dict.fromkeys((x, y) for y, x0, x1 in runs for d in edges
                               for x in level_crossings(d, y, x0, x1)))
    return Piece(w, h, tuple(groups), ((column_in, h), (column_in, py), (px - port_r, py)),
                 ((ox + port_r, oy), (column_out, oy), (column_out, 0.0)), tuple(states),
                 cuts)


def _reflect(shape: Shape, axis: float) -> Shape:
    """A shape reflected about the vertical line x = axis; a text keeps its letters and runs
    the other way from its anchor."""
    if isinstance(shape, Rect):
        return replace(shape, x=axis - shape.x - shape.w)
    if isinstance(shape, Circle):
        return replace(shape, cx=axis - shape.cx)
    if isinstance(shape, Text):
        anchor = {"start": "end", "end": "start"}.get(shape.anchor, "middle")
        return replace(shape, x=axis - shape.x, anchor=anchor)
    return replace(shape, d=map_d(shape.d, lambda x, y: (axis - x, y)))


def mirror_groups(groups: tuple[Group, ...], axis: float) -> tuple[Group, ...]:
    """Groups reflected about x = axis; nodes and ports (glyphs, whose first shape is their
    outline) move to their reflected place and read as before."""
    out = []
    for g in groups:
        if g.role in ("node", "port"):
            first = g.shapes[0]
            centre = (first.cx if isinstance(first, Circle) else
                      first.x + first.w / 2 if isinstance(first, Rect) else axis / 2)
            shapes = translate_any(list(g.shapes), axis - 2 * centre, 0)
        else:
            shapes = tuple(_reflect(s, axis) for s in g.shapes)
        out.append(Group(g.role, g.id, shapes, g.links))
    return tuple(out)


def compact_marks(cell: Cell, theme: Theme) -> list[tuple[str, tuple[str, ...]]]:
    """The kinds of mark (as ``legend.marks_of`` reads them) a cell at the compact detail
    level draws inside its frame, each with the samples it was drawn with."""
    p, lay = layout(cell, theme, None, "compact", ports=True)
    return list(marks_of(p.glyphs.values(), drawn_lines(p, lay)).kinds)
