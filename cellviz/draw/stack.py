"""The figure of a stack: layers as rows, directions as two lanes, time steps as columns.

Every position is computed here, without dot: the figure is a grid of cells (``stack_cells``:
labelled boxes, or the cells at the compact detail level). Layer 0 is the lowest row, the
input x[t] below it and the top layer's output y[t] above; in each row the forward lane runs
left to right and, above it, the reverse lane right to left, its cells mirrored. In a
bidirectional stack the reverse lane stands a little to the right of the forward one, so that
the line from the input to a reverse cell rises beside the forward cell, between two forward
cells, and the forward cell's output beside the reverse one; the two outputs meet in a
concatenation drawn as a pointwise operation. Each lane's state lines run from its first
state to its final one, drawn at its ends. Where a line crosses a state line it is broken
around it (a bridge).
"""

from __future__ import annotations

from ..errors import CellvizError, UsageError
from ..params import shape_text
from ..record import record
from ..stack import Stack
from .compact import check_cells
from .compose import place
from .layout import MAX_FIGURE_NODES
from .metrics import line_height, text_width
from .scene import Circle, Group, Path, Scene, Shape, Text, fmt
from .stack_cells import (
    Piece,
    box_piece,
    box_size,
    compact_marks,
    compact_piece,
    gate_text,
    mirror_groups,
)
from .stack_frame import stack_frame
from .stack_lanes import (
    Grid,
    LaneEnd,
    Line,
    draw_lines,
    end_states,
    lane,
    lane_name,
    vector,
)
from .themes import THEMES, Theme

__all__ = ["MAX_COMPACT_CELLS", "SCREEN", "cell_form", "check_stack_figure", "compose_stack",
           "stack_boxes"]

Point = tuple[float, float]

#: The screen a stack's figure must fit at its own size (light theme, no title or legend) for
#: ``cells="auto"`` to draw its cells at the compact detail level: a full-HD display.
SCREEN = (1920.0, 1080.0)
#: The most cells a figure draws at the compact detail level, even when asked to.
MAX_COMPACT_CELLS = 32


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


def cell_form(stack: Stack, steps: int, cells: str) -> str:
    """How the figure draws its cells, ``box`` or ``compact``: as ``cells`` says, and for
    ``auto`` compact when that figure, in the light theme without title and legend, fits
    SCREEN at its own size (shown whole on a full-HD display, no text is smaller than the
    theme sets it), else boxes. A UsageError if compact is asked for more than
    MAX_COMPACT_CELLS cells."""
    count = stack.num_layers * stack.directions * steps
    if check_cells(cells) == "compact" and count > MAX_COMPACT_CELLS:
        raise UsageError(f"cells=compact: the figure would hold {count} cells, and cellviz "
                         f"draws at most {MAX_COMPACT_CELLS} at the compact detail level "
                         "(draw fewer steps or layers, or the cells as boxes)")
    if cells != "auto":
        return cells
    if count > MAX_COMPACT_CELLS:
        return "box"
    light = THEMES["light"]
    # The cells alone, side by side and one above another, already too large: no need to
    # draw the rest.
    sizes = [compact_piece(layer[0], light, stack.hidden, "") for layer in stack.cells]
    if (steps * max(p.width for p in sizes) > SCREEN[0]
            or stack.directions * sum(p.height for p in sizes) > SCREEN[1]):
        return "box"
    body, marks = _drawing(stack, light, steps, "compact")
    scene = stack_frame(stack, light, body, steps, marks, heading=False, legend=False)
    fits = scene.width <= SCREEN[0] and scene.height <= SCREEN[1]
    return "compact" if fits else "box"


def compose_stack(stack: Stack, theme: Theme, steps: int = 1, *, heading: bool = True,
                  legend: bool = True, cells: str = "auto") -> Scene:
    """The whole figure of a stack unrolled over ``steps`` columns, as a positioned scene;
    ``cells`` as ``cell_form`` takes it."""
    check_stack_figure(stack, steps)
    form = cell_form(stack, steps, cells)
    body, marks = _drawing(stack, theme, steps, form)
    return stack_frame(stack, theme, body, steps, marks, heading=heading, legend=legend)


def _pieces(stack: Stack, theme: Theme, form: str) -> list[list[Piece]]:
    """Each layer's cells, forward then reverse, all of one width, facing right."""
    bi = stack.bidirectional
    keys = {(k, d): f"l{k}{'r' if d else 'f'}" for k, d, _ in stack.members()}
    if form == "compact":
        widths = [compact_piece(layer[0], theme, stack.hidden, "").width
                  for layer in stack.cells]
        return [[compact_piece(cell, theme, stack.hidden, keys[k, d], max(widths))
                 for d, cell in enumerate(layer)] for k, layer in enumerate(stack.cells)]
    tables = stack.params().tables
    arrows = ("→", "←")
    texts = {(k, d): (f"{stack.name.upper()} {arrows[d]}" if bi else stack.name.upper(),
                      gate_text(cell), f"{tables[k][d].total:,} parameters")
             for k, d, cell in stack.members()}
    size = box_size(list(texts.values()), theme)
    carry = (_carry_label(stack), tuple(stack.graph.states))
    return [[box_piece(theme, texts[k, d], size, carry, keys[k, d])
             for d in range(stack.directions)] for k in range(stack.num_layers)]


def _drawing(stack: Stack, theme: Theme, steps: int,
             form: str) -> tuple[list[Group], tuple[tuple[str, str], ...]]:
    """The groups of the drawing (cells, lines, nodes, labels), in its own coordinates, and
    the kinds of mark it draws, each with what its legend sample shows."""
    fs = theme.font_size
    # The compact detail level sets every text at the theme's full size.
    small = fs if form == "compact" else theme.small
    bi = stack.bidirectional
    pieces = _pieces(stack, theme, form)
    first = pieces[0][0]
    width, entry_x, exit_x = first.width, first.entry[0][0], first.exit[-1][0]
    r_c = fs * 0.9
    label_w = max(text_width(way.label, small) for layer in pieces for way in layer[0].states)
    # The riser in each gap stands past the state lines' labels, and far enough from the
    # concatenation's centre for the circle to sit between the two outputs.
    riser = max(fs * 1.0 + label_w, 2 * (r_c + fs * 0.8) - (width - exit_x))
    bends = max(sum(1 for way in layer[0].states if way.into[1] != way.out[1])
                for layer in pieces)
    gap = riser + fs * 1.2 * bends + fs * 1.8
    lane_ends = {(k, d): [end_states(stack, theme, k, d, steps, way.names)
                          for way in pieces[k][d].states] for k, d, _ in stack.members()}
    end_w = max(g.width for pair in lane_ends.values() for end in pair
                for g in (end.first, end.final))
    # A lane's last state lines pass the riser before they reach its final states.
    grid = Grid(steps, width, gap, riser + entry_x, riser, riser + fs * 1.8, end_w)
    link = fs * 3.4
    out = stack.output_size
    one = shape_text((out,))
    up = f"{stack.reads(1) if bi else stack.graph.node(stack.hidden).size}×1"
    link_label = f"{up} = {shape_text((stack.directions * out,))}" if bi else one
    xs = [vector(stack, theme, f"x[{t + 1}]", stack.input_size(0), "input")
          for t in range(steps)]
    ys = [vector(stack, theme, f"y[{t + 1}]", stack.directions * out, "output")
          for t in range(steps)]
    # The columns: bidirectional, the concatenation and the split between the forward output
    # rising beside the reverse cell and the reverse output; one way, the cell's own ends.
    cx = [grid.x(0, t, entry_x) / 2 + grid.x(1, t, exit_x) / 2 for t in range(steps)]
    x_in = cx if bi else [grid.x(0, t, entry_x) for t in range(steps)]
    x_out = cx if bi else [grid.x(0, t, exit_x) for t in range(steps)]
    caption_h = line_height(fs) + fs * 0.4
    y_out = caption_h + ys[0].height / 2
    top = caption_h + ys[0].height + link
    rows = []  # per layer, top layer first
    for k in reversed(range(stack.num_layers)):
        h = pieces[k][0].height
        if bi:
            concat = top + r_c
            r_top = concat + r_c + fs * 2.6
            f_top = r_top + h + fs * 2.4
            split = f_top + h + fs * 1.6
            rows.append(_Row(r_top, f_top, concat, split))
            top = split + link
        else:
            rows.append(_Row(top, top, top, top + h))
            top += h + link
    rows.reverse()
    y_in = rows[0].split + link + xs[0].height / 2
    joins = _Joins(stack, theme, small, grid, pieces, rows, (one, link_label),
                   lane_ends)
    for t in range(steps):
        joins.labels.append(Text(x_out[t], 0.93 * fs, f"t = {t + 1}", fs, theme.text,
                                 anchor="middle", weight="bold"))
        joins.nodes.append(Group("node", f"y{t + 1}", place(ys[t], x_out[t], y_out)))
        joins.nodes.append(Group("node", f"x{t + 1}", place(xs[t], x_in[t], y_in)))
    for k in range(stack.num_layers):
        joins.lanes(k)
        for t in range(steps):
            ends = (y_in - xs[t].height / 2, y_out + ys[t].height / 2)
            if bi:
                joins.two_ways(k, t, cx[t], ends)
            else:
                joins.one_way(k, t, ends)
    drawn, bridges = draw_lines(joins.lines, theme, joins.cuts)
    junctions = any(g.role == "junction" for g in [*joins.groups, *joins.nodes])
    marks = _marks(stack, theme, form, {ln.style for ln in joins.lines}, bridges, junctions)
    return [*joins.groups, *drawn, *joins.nodes, Group("label", "labels",
                                                       tuple(joins.labels))], marks


@record
class _Row:
    """The heights of one layer: the tops of its reverse and forward lanes, its
    concatenation and the split of what it reads (one way: both lanes' top is the lane's,
    the split its cells' bottom)."""

    reverse: float
    forward: float
    concat: float
    split: float


class _Joins:
    """The parts of the drawing as they are made, layer by layer and step by step: the lanes
    and their cells, and the lines that join one layer to the next with their labels."""

    def __init__(self, stack: Stack, theme: Theme, small: float, grid: Grid,
                 pieces: list[list[Piece]], rows: list[_Row], shapes: tuple[str, str],
                 ends: dict[tuple[int, int], list[LaneEnd]]) -> None:
        self.stack, self.theme, self.small, self.grid = stack, theme, small, grid
        self.pieces, self.rows, self.ends = pieces, rows, ends
        self.one, self.link_label = shapes  # a direction's output, what a layer reads
        self.groups: list[Group] = []
        self.lines: list[Line] = []
        self.labels: list[Shape] = []
        self.nodes: list[Group] = []
        self.cuts: list[Point] = []

    def lanes(self, k: int) -> None:
        """Layer k's lanes: the forward one, and the reverse one mirrored."""
        theme, grid, row = self.theme, self.grid, self.rows[k]
        bi = self.stack.bidirectional
        for d, top in ((0, row.forward), *(((1, row.reverse),) if bi else ())):
            piece = self.pieces[k][d]
            groups, lines, labels, cuts = lane(piece, grid, top, f"l{k}{'r' if d else 'f'}",
                                               theme, self.small, self.ends[k, d])
            if d:
                axis = grid.axis()
                groups = list(mirror_groups(tuple(groups), axis))
                lines = [Line(tuple((axis - x, y) for x, y in ln.points), ln.style, ln.head,
                              ln.id) for ln in lines]
                labels = list(mirror_groups((Group("label", "", tuple(labels)),),
                                            axis)[0].shapes)
                cuts = [(axis - x, y) for x, y in cuts]
            self.groups += groups
            self.lines += lines
            self.labels += labels
            self.cuts += cuts
            name = f"layer {k} {'←' if d else '→'}" if bi else f"layer {k}"
            self.labels.append(lane_name(theme, grid, top + piece.height / 2, name))

    def _ways(self, k: int, d: int, t: int) -> tuple[list[Point], list[Point]]:
        """The ways into and out of layer k's cell of direction d at step t, placed."""
        piece, row = self.pieces[k][d], self.rows[k]
        top = row.reverse if d else row.forward
        return ([(self.grid.x(d, t, x), top + y) for x, y in piece.entry],
                [(self.grid.x(d, t, x), top + y) for x, y in piece.exit])

    def two_ways(self, k: int, t: int, c: float, ends: tuple[float, float]) -> None:
        """At step t: what layer k reads rises to a split at column c, and on to the forward
        cell's input and, between two forward cells, to the reverse one's; the forward
        output runs across under the reverse lane and rises beside the reverse cell, the
        reverse output rises from its own cell, and both meet in the concatenation."""
        fs, small, theme, row = self.theme.font_size, self.small, self.theme, self.rows[k]
        r_c = fs * 0.9
        step = f"l{k}s{t + 1}"
        f_entry, f_exit = self._ways(k, 0, t)
        r_entry, r_exit = self._ways(k, 1, t)
        rise = self.grid.x(0, t, self.pieces[k][0].entry[0][0])
        start = ends[0] if k == 0 else self.rows[k - 1].concat - r_c
        self.lines += [
            Line(((c, start), (c, row.split)), "dense", False, f"{step}:in"),
            Line(((c, row.split), (f_entry[0][0], row.split), *f_entry), "dense", True,
                 f"{step}:in:f"),
            Line(((c, row.split), (r_entry[0][0], row.split), *r_entry), "dense", True,
                 f"{step}:in:r")]
        self.nodes.append(Group("junction", f"{step}:split", (
            Circle(c, row.split, theme.stroke * 2.2, theme.line, "none"),)))
        strip = row.reverse + self.pieces[k][0].height + fs * 1.2
        self.lines += [
            Line((*f_exit, (f_exit[-1][0], strip), (rise, strip), (rise, row.concat),
                  (c - r_c, row.concat)), "pointwise", True, f"{step}:out:f"),
            Line((*r_exit, (r_exit[-1][0], row.concat), (c + r_c, row.concat)), "pointwise",
                 True, f"{step}:out:r")]
        self.nodes.append(Group("concat", f"{step}:concat", _concat(theme, c, row.concat)))
        mid = (row.reverse + row.concat + r_c) / 2 + 0.36 * small
        self.labels += [Text(rise - fs * 0.4, mid, self.one, small, theme.muted, anchor="end"),
                        Text(r_exit[-1][0] + fs * 0.4, mid, self.one, small, theme.muted)]
        if k:
            self.labels.append(Text(c + fs * 0.4, (start + row.split) / 2 + 0.36 * small,
                                    self.link_label, small, theme.muted))
        if k == self.stack.num_layers - 1:
            top = row.concat - r_c
            self.lines.append(Line(((c, top), (c, ends[1])), "dense", True, f"{step}:y"))
            self.labels.append(Text(c + fs * 0.4, (top + ends[1]) / 2 + 0.36 * small,
                                    self.link_label, small, theme.muted))

    def one_way(self, k: int, t: int, ends: tuple[float, float]) -> None:
        """At step t: x[t], or the output of the cell below, runs into layer k's cell (across
        under it from the cell below's output to its input); the top layer's output rises
        to y[t]."""
        fs, small, theme, row = self.theme.font_size, self.small, self.theme, self.rows[k]
        step = f"l{k}s{t + 1}"
        f_entry, f_exit = self._ways(k, 0, t)
        bottom = row.forward + self.pieces[k][0].height
        if k == 0:
            self.lines.append(Line(((f_entry[0][0], ends[0]), *f_entry), "dense", True,
                                   f"{step}:in"))
        else:
            below = self._ways(k - 1, 0, t)[1]
            turn = (below[-1][1] + bottom) / 2
            self.lines.append(Line((*below, (below[-1][0], turn), (f_entry[0][0], turn),
                                    *f_entry), "dense", True, f"{step}:in"))
            self.labels.append(_link_label(theme, small, self.one, f_entry[0][0],
                                           below[-1][0], turn, bottom))
        if k == self.stack.num_layers - 1:
            self.lines.append(Line((*f_exit, (f_exit[-1][0], ends[1])), "dense", True,
                                   f"{step}:y"))
            self.labels.append(Text(f_exit[-1][0] + fs * 0.4, (row.forward + ends[1]) / 2
                                    + 0.36 * small, self.one, small, theme.muted))


def _marks(stack: Stack, theme: Theme, form: str, styles: set[str], bridges: bool,
           junctions: bool) -> tuple[tuple[str, str], ...]:
    """What the figure draws, in legend order: its cells, x[t], the lanes' first states, y[t]
    and their final states, the kinds of line
    (between the cells and, compact, inside them) and of mark inside the cells, the
    concatenations, the bridges (between the cells or inside them) and the junctions."""
    found: dict[str, list[str]] = {"box" if form == "box" else "frame": [], "input": [],
                                   "state": [], "output": []}
    lines = {"state_line" if style == "state" else style for style in styles}
    inner: list[tuple[str, tuple[str, ...]]] = []
    if form == "compact":
        for layer in stack.cells:
            inner += compact_marks(layer[0], theme)
    lines |= {kind for kind, _ in inner if kind in ("dense", "pointwise", "state_line")}
    for kind in ("dense", "pointwise", "state_line"):
        if kind in lines:
            found[kind] = []
    for kind, samples in inner:
        if kind not in lines and kind != "bridge":
            found.setdefault(kind, []).extend(s for s in samples if s not in found[kind])
    if stack.bidirectional:
        found["concat"] = []
    if bridges or any(kind == "bridge" for kind, _ in inner):
        found["bridge"] = []
    if junctions:
        found["junction"] = []
    # The legend names every element-wise symbol, and shows the first of anything else.
    return tuple((kind, " ".join(samples) if kind == "op" else (samples or [""])[0])
                 for kind, samples in found.items())


def _link_label(theme: Theme, small: float, text: str, entry: float, exit_: float,
                turn: float, bottom: float) -> Text:
    """The shape on the line from one layer up to the next: beside it where it rises
    straight, else above its run from the cell's output across to the next cell's input."""
    fs = theme.font_size
    if abs(entry - exit_) < 1:
        return Text(entry + fs * 0.4, (turn + bottom) / 2 + 0.36 * small, text, small,
                    theme.muted)
    return Text((entry + exit_) / 2, turn - fs * 0.35, text, small, theme.muted,
                anchor="middle")


def _concat(theme: Theme, cx: float, cy: float) -> tuple[Shape, ...]:
    """A concatenation: a pointwise node, the circle with two bars (‖), drawn as paths so that
    no font needs the character."""
    r = theme.font_size * 0.9
    bar = r * 0.5
    d = "".join(f"M{fmt(cx + dx)},{fmt(cy - bar)}L{fmt(cx + dx)},{fmt(cy + bar)}"
                for dx in (-r * 0.18, r * 0.18))
    return (Circle(cx, cy, r, theme.pointwise_fill, theme.pointwise, theme.stroke),
            Path(d, theme.text, theme.stroke * 1.2))


def _carry_label(stack: Stack) -> str:
    """The label of a state line: ``h, c: 2×1``, or each state's shape where they differ."""
    states = stack.graph.states
    sizes = {s: shape_text((stack.first.size(stack.graph.node(s).size),)) for s in states}
    if len(set(sizes.values())) == 1:
        return f"{', '.join(states)}: {sizes[states[0]]}"
    return ", ".join(f"{s} {v}" for s, v in sizes.items())
