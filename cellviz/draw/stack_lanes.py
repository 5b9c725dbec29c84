"""The lines of a stack's figure: the grid its cells stand on, each lane's state lines from its
first state through its cells to its final state, and every line drawn with a bridge (a gap)
where it rises past another."""

from __future__ import annotations

import itertools

from ..cell import Cell
from ..graph import Node, NodeKind
from ..params import shape_text
from ..record import record
from ..stack import Stack
from .compose import place, translate_any
from .glyphs import Glyph, vector_glyph
from .lines import bridged, edge_shapes, line_dash
from .scene import Group, Shape, Text
from .stack_cells import Piece
from .themes import Theme

__all__ = ["Grid", "LaneEnd", "Line", "draw_lines", "end_states", "lane", "lane_name",
           "vector"]

Point = tuple[float, float]


@record
class Line:
    """A line of the figure before it is drawn: its points, its style (dense, pointwise or
    state: a state line), whether it ends in an arrowhead, its group's id."""

    points: tuple[Point, ...]
    style: str
    head: bool
    id: str


@record
class LaneEnd:
    """The two ends of one state line of a lane: its first state and its final one, each a
    vector and a caption naming it among the framework's states."""

    first: Glyph
    final: Glyph
    captions: tuple[str, str]


@record
class Grid:
    """Where the cells stand: the width of a cell and of a gap, the offset of the reverse lane
    and of the riser in each gap (from the side the state lines leave), the length of the
    state lines beyond the first and last cells, and the width of the widest state drawn at
    a lane's end."""

    steps: int
    width: float
    gap: float
    shift: float
    riser: float
    stub: float
    end: float

    @property
    def pitch(self) -> float:
        return self.width + self.gap

    def x(self, direction: int, step: int, x: float) -> float:
        """A cell's own x at ``step`` (0-based) in the figure; a reverse cell is mirrored."""
        if direction == 0:
            return step * self.pitch + x
        return step * self.pitch + self.shift + self.width - x

    def axis(self) -> float:
        """The reverse lane is the forward lane's drawing reflected about x = axis."""
        return (self.steps - 1) * self.pitch + self.shift + self.width


def lane_name(theme: Theme, grid: Grid, y: float, text: str) -> Text:
    fs = theme.font_size
    return Text(-grid.stub - grid.end - fs * 0.8, y + 0.36 * fs, text, fs, theme.text,
                anchor="end", weight="bold")


def lane(piece: Piece, grid: Grid, top: float, key: str, theme: Theme, small: float,
         ends: list[LaneEnd]) -> tuple[list[Group], list[Line], list[Shape], list[Point]]:
    """A lane drawn facing right, its top at ``top``: its cells, its state lines (from each
    cell's state out to the next cell's, from the state line's first state, at the left,
    into the first cell, and from the last cell into its final state, at the right; ``ends``
    holds them, a pair per state line), their labels and the ends' captions, in type of size
    ``small``, and where the lines crossing its cells are cut."""
    fs = theme.font_size
    pitch, width = grid.pitch, grid.width
    groups: list[Group] = []
    for t in range(grid.steps):
        groups += [Group(g.role, f"s{t + 1}:{g.id}", translate_any(list(g.shapes), t * pitch,
                                                                   top), g.links)
                   for g in piece.groups]
    cuts = [(t * pitch + x, top + y) for t in range(grid.steps) for x, y in piece.cuts]
    lines: list[Line] = []
    labels: list[Shape] = []
    bend = grid.riser + fs * 1.2
    last = (grid.steps - 1) * pitch
    for n, (way, end) in enumerate(zip(piece.states, ends, strict=True)):
        (ix, iy), (ox, oy) = way.into, way.out
        iy, oy = iy + top, oy + top
        right = last + width + grid.stub
        for glyph, cx, cy, caption, which in (
                (end.first, -grid.stub - end.first.width / 2, iy, end.captions[0], "first"),
                (end.final, right + end.final.width / 2, oy, end.captions[1], "final")):
            groups.append(Group("node", f"{key}:{n}:{which}", place(glyph, cx, cy)))
            labels.append(Text(cx, cy - glyph.height / 2 - fs * 0.35, caption, small,
                               theme.muted, anchor="middle"))
        lines.append(Line(((-grid.stub, iy), (ix, iy)), "state", True, f"{key}:{n}:first"))
        for t in range(grid.steps - 1):
            x0 = t * pitch
            points = [(x0 + ox, oy), (x0 + pitch + ix, iy)]
            if abs(iy - oy) > 0.5:
                points[1:1] = [(x0 + width + bend, oy), (x0 + width + bend, iy)]
            lines.append(Line(tuple(points), "state", True, f"{key}:{n}:s{t + 1}"))
            labels.append(Text(x0 + width + fs * 0.4, oy - fs * 0.45, way.label, small,
                               theme.muted))
        lines.append(Line(((last + ox, oy), (right, oy)), "state", True, f"{key}:{n}:last"))
        if abs(iy - oy) > 0.5:
            bend += fs * 1.2
    return groups, lines, labels, cuts


def vector(stack: Stack, theme: Theme, label: str, size: int, role: NodeKind,
           shape: str = "") -> Glyph:
    """A vector drawn as the cell figures draw theirs (a column of cells, its name and shape,
    or ``shape``). The glyph reads the size through a cell, so it gets a cell binding one
    symbol to it."""
    node = Node(id=label, kind=role, size="v", label=label)
    return vector_glyph(node, Cell(stack.graph, (("v", size),)), theme, shape=shape)


def end_states(stack: Stack, theme: Theme, k: int, d: int, steps: int,
               names: tuple[str, ...]) -> LaneEnd:
    """The ends of a state line of layer k's lane of direction d: the states it carries
    (``names``) before the lane's first step, coloured as a state from before, and after
    its last, coloured as what a step writes; each named by its step, as x[t] is (forward,
    step 0 and T; reverse, which starts after the last step, T + 1 and 1), and captioned
    with its entry in the framework's first states (``h_0[2]``) and final ones
    (``h_n[2]``), stacked layers × directions."""
    sizes = [stack.first.size(stack.graph.node(s).size) for s in names]
    shape = ", ".join(shape_text((n,)) for n in sizes) if len(set(sizes)) > 1 else ""
    entry = k * stack.directions + d
    steps_at = (steps + 1, 1) if d else (0, steps)
    roles: tuple[NodeKind, NodeKind] = ("state", "output")
    first, final = (vector(stack, theme, ", ".join(f"{s}[{t}]" for s in names), max(sizes),
                           role, shape) for t, role in zip(steps_at, roles, strict=True))
    first_name, final_name = (", ".join(f"{s}_{when}[{entry}]" for s in names)
                              for when in "0n")
    return LaneEnd(first, final, (first_name, final_name))


def _crossings(line: Line, others: list[Line]) -> list[Point]:
    """Where the upright runs of ``line`` cross the level runs of the other lines."""
    cuts = []
    for (ax, ay), (bx, by) in itertools.pairwise(line.points):
        if abs(ax - bx) > 1e-6:
            continue
        for other in others:
            for (cx, cy), (dx, dy) in itertools.pairwise(other.points):
                if (abs(cy - dy) < 1e-6 and min(cx, dx) < ax < max(cx, dx)
                        and min(ay, by) < cy < max(ay, by)):
                    cuts.append((ax, cy))
    return cuts


def draw_lines(lines: list[Line], theme: Theme,
               cuts: list[Point]) -> tuple[list[Group], bool]:
    """Each line as an edge group: state lines heavy and dash-dot, the rest thin and solid;
    an upright run that crosses a level run of another line is broken around it, and a line
    at each of ``cuts`` on it (where it passes an edge inside a cell); the second value is
    whether any line was broken."""
    fs = theme.font_size
    head = fs * 0.75
    out = []
    bridges = False
    for line in lines:
        points = [p for k, p in enumerate(line.points) if k == 0 or p != line.points[k - 1]]
        tip = None
        if line.head:
            (x0, y0), tip = points[-2], points[-1]
            length = abs(tip[0] - x0) + abs(tip[1] - y0)
            points[-1] = (tip[0] - (tip[0] - x0) / length * head,
                          tip[1] - (tip[1] - y0) / length * head)
        route, gaps = bridged(points, [*_crossings(line, [o for o in lines if o is not line]),
                                       *cuts], fs * 0.5, fs * 0.6)
        bridges = bridges or bool(gaps)
        width = theme.stroke * (2.2 if line.style == "state" else 1.0)
        dash = line_dash("dense" if line.style == "dense" else "pointwise", theme)
        out.append(Group("edge", line.id, tuple(edge_shapes(
            route, tip, 0, 0, theme.line, width, dash, head, gaps))))
    return out, bridges
