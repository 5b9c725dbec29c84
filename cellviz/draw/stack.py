"""The figure of a stack: layers as rows, directions as two lanes, time steps as columns.

Every position is computed here, without dot: the figure is a grid. Layer 0 is the lowest row,
the input x[t] below it and the top layer's output y[t] above; in each row the forward lane
runs left to right and, above it, the reverse lane right to left. Each cell is a labelled box
(its gates and parameter count). In a bidirectional stack the two directions sit half a box
apart, so that the line from the input to the reverse cell passes beside the forward cell and
the forward cell's output beside the reverse one; where such a line crosses a lane's state
line it bridges it (the state line is cut around it), and the two outputs meet in a
concatenation drawn as a pointwise operation.
"""

from __future__ import annotations

import itertools

from ..cell import Cell
from ..errors import CellvizError
from ..graph import ACTIVATIONS, Node
from ..params import shape_text
from ..record import record
from ..stack import Stack
from .compose import place
from .glyphs import Glyph, vector_glyph
from .layout import MAX_FIGURE_NODES
from .lines import edge_shapes, line_dash
from .metrics import line_height, text_width
from .scene import Circle, Group, Path, Rect, Scene, Shape, Text, fmt
from .stack_frame import stack_frame
from .themes import Theme

__all__ = ["check_stack_figure", "compose_stack", "stack_boxes"]

Point = tuple[float, float]


def stack_boxes(stack: Stack, steps: int) -> int:
    """The boxes of a stack's figure: a cell per layer, direction and step, a concatenation
    per layer and step when bidirectional, and the input and output of every step."""
    per_step = stack.num_layers * stack.directions + (stack.num_layers if
                                                       stack.bidirectional else 0) + 2
    return per_step * steps


def check_stack_figure(stack: Stack, steps: int) -> None:
    """A CellvizError if the figure would hold more than MAX_FIGURE_NODES boxes."""
    boxes = stack_boxes(stack, steps)
    if boxes > MAX_FIGURE_NODES:
        raise CellvizError(
            f"the stack is too large to draw: {stack.num_layers} layers × {stack.directions} "
            f"direction{'s' if stack.bidirectional else ''} over {steps} step"
            f"{'s' if steps != 1 else ''} make {boxes} boxes, and cellviz draws at most "
            f"{MAX_FIGURE_NODES} (draw fewer steps or layers; its parameters and evaluation "
            "still work)")


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


def _arrow(points: list[Point], theme: Theme, *, dash: str = "", width: float | None = None,
           head: bool = True) -> list[Shape]:
    """A polyline through ``points``, with an arrowhead at the last point if ``head``."""
    size = theme.font_size * 0.75
    pts = list(points)
    tip: Point | None = None
    if head:
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        length = max(abs(x1 - x0), abs(y1 - y0)) or 1.0
        tip = (x1, y1)
        pts[-1] = (x1 - (x1 - x0) / length * size, y1 - (y1 - y0) / length * size)
    route = [pts[0]]
    for a, b in itertools.pairwise(pts):
        route += [a, b, b]
    return edge_shapes(tuple(route), tip, 0, 0, theme.line, width or theme.stroke, dash, size)


def _halo(theme: Theme, x: float, y: float) -> Shape:
    """A short stroke of the background along a state line where a vertical line passes it,
    drawn over the vertical line and under the state line: the vertical line is broken there
    (a bridge), as in unrolled figures, so the two never read as a junction."""
    half = theme.font_size * 0.5
    return Path(f"M{fmt(x - half)},{fmt(y)}L{fmt(x + half)},{fmt(y)}", theme.background,
                theme.stroke * 2.2 + theme.font_size * 0.6)


def _box(theme: Theme, cx: float, cy: float, w: float, h: float,
         lines: tuple[str, str, str]) -> tuple[Shape, ...]:
    fs, small = theme.font_size, theme.small
    top = cy - h / 2
    title, gates, count = lines
    return (
        Rect(cx - w / 2, top, w, h, theme.dense_fill, theme.dense, theme.stroke, rx=fs * 0.5),
        Text(cx, top + fs * 0.5 + 0.93 * fs, title, fs, theme.text, anchor="middle",
             weight="bold"),
        Text(cx, top + fs * 0.5 + line_height(fs) + fs * 0.2 + 0.93 * small, gates, small,
             theme.text, anchor="middle"),
        Text(cx, top + fs * 0.5 + line_height(fs) + line_height(small) + fs * 0.4
             + 0.93 * small, count, small, theme.muted, anchor="middle"),
    )


def _concat(theme: Theme, cx: float, cy: float) -> tuple[Shape, ...]:
    """A concatenation: a pointwise node, the circle with two bars (‖), drawn as paths so that
    no font needs the character."""
    r = theme.font_size * 0.9
    bar = r * 0.5
    d = "".join(f"M{fmt(cx + dx)},{fmt(cy - bar)}L{fmt(cx + dx)},{fmt(cy + bar)}"
                for dx in (-r * 0.18, r * 0.18))
    return (Circle(cx, cy, r, theme.pointwise_fill, theme.pointwise, theme.stroke),
            Path(d, theme.text, theme.stroke * 1.2))


def _vector(stack: Stack, theme: Theme, label: str, size: int, role: str) -> Glyph:
    """A vector drawn as the cell figures draw theirs (a column of cells, its name and shape).
    The glyph reads the size through a cell, so it gets a cell binding one symbol to it."""
    node = Node(id=label, kind="input" if role == "input" else "output", size="v", label=label)
    return vector_glyph(node, Cell(stack.graph, (("v", size),)), theme)


@record
class _Row:
    """The heights of one layer: its lanes' centres, its concatenation and its split."""

    reverse: float
    forward: float
    concat: float
    split: float


def _rows(stack: Stack, theme: Theme, h: float, top: float, link: float) -> list[_Row]:
    """Each layer's heights, layer 0 first, with the top layer's concatenation (or its cell's
    top) at ``top`` and ``link`` between one layer and the next."""
    fs, r = theme.font_size, theme.font_size * 0.9
    rows = []
    y = top
    for _ in range(stack.num_layers):
        if stack.bidirectional:
            concat = y + r
            reverse = concat + r + fs * 2.6 + h / 2
            forward = reverse + h + fs * 2.6
            split = forward + h / 2 + fs * 1.6
            rows.append(_Row(reverse, forward, concat, split))
            y = split + link
        else:
            forward = y + h / 2
            rows.append(_Row(forward, forward, forward, forward + h / 2))
            y = forward + h / 2 + link
    return rows[::-1]


def compose_stack(stack: Stack, theme: Theme, steps: int = 1, *, heading: bool = True,
                  legend: bool = True) -> Scene:
    """The whole figure of a stack unrolled over ``steps`` columns, as a positioned scene."""
    check_stack_figure(stack, steps)
    fs, small = theme.font_size, theme.small
    bi = stack.bidirectional
    tables = stack.params().tables
    arrows = ("→", "←")
    texts = {(k, d): (f"{stack.name.upper()} {arrows[d]}" if bi else stack.name.upper(),
                      gate_text(cell), f"{tables[k][d].total:,} parameters")
             for k, d, cell in stack.members()}
    w = max(text_width(t, size, bold=bold) for lines in texts.values()
            for t, size, bold in zip(lines, (fs, small, small), (True, False, False),
                                     strict=True)) + fs * 1.6
    h = fs * 1.1 + line_height(fs) + 2 * line_height(small)
    carry = _carry_label(stack)
    label_w = text_width(carry, small)
    margin, r, link = fs * 0.8, fs * 0.9, fs * 3.4
    a = w / 4 + margin if bi else 0.0  # each direction's offset from its column's centre
    stub = 2 * margin + label_w + fs * 2.4  # a state line's length outside the cells
    pitch = w + stub
    out = stack.output_size
    one = shape_text((out,))
    up = f"{stack.reads(1) if bi else stack.graph.node(stack.hidden).size}×1"
    link_label = f"{up} = {shape_text((stack.directions * out,))}" if bi else one
    xs = [_vector(stack, theme, f"x[{t + 1}]", stack.input_size(0), "input")
          for t in range(steps)]
    ys = [_vector(stack, theme, f"y[{t + 1}]", stack.directions * out, "output")
          for t in range(steps)]
    caption_h = line_height(fs) + fs * 0.4
    y_out = caption_h + ys[0].height / 2
    rows = _rows(stack, theme, h, caption_h + ys[0].height + link, link)
    y_in = rows[0].split + link + xs[0].height / 2
    cx = [t * pitch for t in range(steps)]
    lanes: list[Shape] = []
    halos: list[Shape] = []
    lines: list[Shape] = []
    nodes: list[Shape] = []
    labels: list[Shape] = []
    pointwise = line_dash("pointwise", theme)
    for t, c in enumerate(cx):
        f_x, b_x = c - a, c + a
        labels.append(Text(c, 0.93 * fs, f"t = {t + 1}", fs, theme.text, anchor="middle",
                           weight="bold"))
        nodes += place(ys[t], c, y_out)
        nodes += place(xs[t], c, y_in)
        below = y_in - xs[t].height / 2  # where the line into layer 0 starts
        for k, row in enumerate(rows):
            nodes += _box(theme, f_x, row.forward, w, h, texts[k, 0])
            if bi:
                nodes += _box(theme, b_x, row.reverse, w, h, texts[k, 1])
                lines += _arrow([(c, below), (c, row.split)], theme, head=False)
                nodes.append(Circle(c, row.split, theme.stroke * 2.2, theme.line, "none"))
                lines += _arrow([(c, row.split), (f_x, row.split),
                                 (f_x, row.forward + h / 2)], theme)
                lines += _arrow([(c, row.split), (b_x, row.split),
                                 (b_x, row.reverse + h / 2)], theme)
                # Both outputs rise to the concatenation, the forward one past the reverse cell.
                lines += _arrow([(f_x, row.forward - h / 2), (f_x, row.concat),
                                 (c - r, row.concat)], theme, dash=pointwise)
                lines += _arrow([(b_x, row.reverse - h / 2), (b_x, row.concat),
                                 (c + r, row.concat)], theme, dash=pointwise)
                halos += [_halo(theme, b_x, row.forward), _halo(theme, f_x, row.reverse)]
                nodes += _concat(theme, c, row.concat)
                mid = (row.reverse - h / 2 + row.concat) / 2 + 0.36 * small
                labels += [Text(f_x - fs * 0.4, mid, one, small, theme.muted, anchor="end"),
                           Text(b_x + fs * 0.4, mid, one, small, theme.muted)]
                top = row.concat - r
            else:
                lines += _arrow([(c, below), (c, row.forward + h / 2)], theme)
                top = row.forward - h / 2
            if k:
                labels.append(Text(c + fs * 0.4, (below + _entry(rows, k, h, bi)) / 2
                                   + 0.36 * small, link_label, small, theme.muted))
            below = top
        lines += _arrow([(c, below), (c, y_out + ys[t].height / 2)], theme)
        labels.append(Text(c + fs * 0.4, (below + y_out + ys[t].height / 2) / 2 + 0.36 * small,
                           link_label, small, theme.muted))
    # The state lines: forward left to right, reverse right to left, each with a stub at both
    # ends, for the first state and the final one.
    lane_names: list[Shape] = []
    left = cx[0] - a - w / 2 - stub - fs * 0.8
    for k, row in enumerate(rows):
        for d in range(stack.directions):
            way = -1.0 if d else 1.0
            y_lane = row.reverse if d else row.forward
            centres = [c + (a if d else -a) for c in (cx if way > 0 else cx[::-1])]
            entries = [x - way * w / 2 for x in centres]
            exits = [x + way * w / 2 for x in centres]
            for s, e in zip([entries[0] - way * stub, *exits],
                            [*entries, exits[-1] + way * stub], strict=True):
                lanes += _arrow([(s, y_lane), (e, y_lane)], theme, width=theme.stroke * 2.2,
                                dash=pointwise)
                labels.append(Text(e - way * (fs * 1.2 + label_w / 2), y_lane - fs * 0.5,
                                   carry, small, theme.muted, anchor="middle"))
            name = f"layer {k} {arrows[d]}" if bi else f"layer {k}"
            lane_names.append(Text(left, y_lane + 0.36 * fs, name, fs, theme.text,
                                   anchor="end", weight="bold"))
    body = [Group("edges", "edges", tuple(lines)), Group("bridges", "bridges", tuple(halos)),
            Group("lanes", "lanes", tuple(lanes)), Group("nodes", "nodes", tuple(nodes)),
            Group("labels", "labels", (*labels, *lane_names))]
    return stack_frame(stack, theme, body, steps, heading=heading, legend=legend)


def _entry(rows: list[_Row], k: int, h: float, bi: bool) -> float:
    """Where the line from the layer below enters layer ``k``: its split, or its cell."""
    return rows[k].split if bi else rows[k].forward + h / 2


def _carry_label(stack: Stack) -> str:
    """The label of a state line: ``h, c: 2×1``, or each state's shape where they differ."""
    states = stack.graph.states
    sizes = {s: shape_text((stack.first.size(stack.graph.node(s).size),)) for s in states}
    if len(set(sizes.values())) == 1:
        return f"{', '.join(states)}: {sizes[states[0]]}"
    return ", ".join(f"{s} {v}" for s, v in sizes.items())
