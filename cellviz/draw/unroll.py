"""An unrolled figure: T steps of a cell side by side, each vector drawn once where it belongs."""

from __future__ import annotations

import dataclasses

from ..cell import Cell
from ..graph import NodeKind
from ..record import record, replace
from .compact import detailed_glyph, gate_chains
from .compose import body, drawn_lines, figure_title, frame, place
from .glyphs import Glyph
from .layout import Layout, layout, plan
from .legend import marks_of
from .lines import edge_shapes, line_dash, polyline
from .metrics import line_height
from .scene import Circle, Group, Rect, Scene, Shape, Text
from .themes import Theme
from .values import Values, check_unroll

__all__ = ["compose_unrolled", "relabel", "step_label"]


def step_label(text: str, step: int) -> str:
    """A label of the cell's figure at step ``step`` (1-based): ``h[t-1]`` -> ``h[0]``,
    ``x[t]`` -> ``x[1]``.

    >>> step_label("U_n·(r[t]⊙h[t-1])", 2)
    'U_n·(r[2]⊙h[1])'
    """
    return text.replace("[t-1]", f"[{step - 1}]").replace("[t]", f"[{step}]")


def relabel(group: Group, step: int, *, prefix: str = "", title: str = "",
            role: str = "") -> Group:
    """A group of a cell's drawing at one step: its labels name the step (``h[t-1]`` ->
    ``h[0]``), its id and glyph keys get ``prefix``, a ``title`` replaces its first text
    (the figure's title line) and ``role``, if given, its role."""
    shapes: list[Shape] = []
    for s in group.shapes:
        if isinstance(s, Text):
            text = title if title and not shapes else step_label(s.text, step)
            s = replace(s, text=text, key=prefix + s.key if s.key else "")
        elif isinstance(s, Rect):
            s = replace(s, key=prefix + s.key if s.key else "")
        shapes.append(s)
    return Group(role or group.role, prefix + group.id, tuple(shapes), group.links)


@record
class _Steps:
    """Where things stand: the steps' frames (left edges, width, top, height), the body's
    offset inside a frame, the gap between frames, and the drawing's size."""

    lefts: tuple[float, ...]
    width: float
    top: float
    height: float
    inset_x: float
    inset_y: float
    gap: float

    def at(self, step: int, lay: Layout, node: str) -> tuple[float, float]:
        """Node ``node`` of step ``step`` (1-based) in figure coordinates."""
        placed = lay.nodes[node]
        return self.lefts[step - 1] + self.inset_x + placed.x, self.top + self.inset_y + placed.y

    def boundary(self, k: int) -> float:
        """The middle of the gap before step k + 1 (k = 0 is left of the first step)."""
        return self.lefts[0] - self.gap / 2 + k * (self.width + self.gap)


def _arrow(theme: Theme, points: list[tuple[float, float]], *, heavy: bool = False,
           dash: str = "") -> list[Shape]:
    """A link along ``points`` with rounded corners and an arrowhead at the last point."""
    head = theme.font_size * 0.75
    *rest, (tx, ty) = points
    px, py = rest[-1]
    length = max(abs(tx - px) + abs(ty - py), 1e-9)  # runs are horizontal or vertical
    end = (tx - (tx - px) / length * head, ty - (ty - py) / length * head)
    path = polyline([*rest, end], theme.font_size * 0.6)
    return edge_shapes(path, (tx, ty), 0, 0, theme.line,
                       theme.stroke * (2.2 if heavy else 1.0), dash, head)


def _plain(theme: Theme, points: list[tuple[float, float]], *, heavy: bool = False,
           dash: str = "") -> list[Shape]:
    """A link along ``points`` without an arrowhead."""
    return edge_shapes(polyline(points, theme.font_size * 0.6), None, 0, 0, theme.line,
                       theme.stroke * (2.2 if heavy else 1.0), dash, 0)


def _vertical_with_bridges(x: float, y0: float, y1: float, lines: list[float],
                           gap: float) -> list[list[tuple[float, float]]]:
    """The runs of a vertical link from y0 up to y1 at ``x``, broken around the horizontal
    lines at ``lines`` that it passes (a bridge, so that it does not read as a junction)."""
    runs, start = [], y0
    for y in sorted((y for y in lines if y1 + gap < y < y0 - gap), reverse=True):
        runs.append([(x, start), (x, y + gap)])
        start = y - gap
    runs.append([(x, start), (x, y1)])
    return runs


def compose_unrolled(cell: Cell, theme: Theme, steps: int, values: tuple[Values, ...] = (),
                     *, heading: bool = True, legend: bool = True,
                     detail: str = "full", title: str | None = None) -> Scene:
    """``steps`` copies of the cell's drawing from left to right, captioned t = 1, 2, ...,
    each vector drawn once: a state s[k] in the gap between step k and step k + 1 (s[0] left
    of the first step), carried on by a heavy state line; the inputs x[k] side by side under
    step k, each rising to where it enters; the output h[k] above step k, where its riser
    also carries it into the next step. ``values`` holds each step's numbers, or is empty;
    ``heading``, ``legend``, ``detail`` and ``title`` as in ``compose.compose``.
    Every step shares one layout, in which the vectors entering and leaving the cell are
    small ports."""
    check_unroll(steps)
    first = values[0] if values else None
    ported, lay = layout(cell, theme, first, detail, ports=True)
    graph = cell.graph
    fs = theme.font_size
    pad, link, riser = fs * 0.8, fs * 2.2, fs * 1.2
    shown = "h" if "h" in graph.outputs else graph.outputs[0]
    above = [o for o in graph.outputs if o == shown or o not in graph.states]
    gapped = [s for s in graph.states if s not in above]

    chains = gate_chains(graph) if detail == "compact" else None

    def glyph(node_id: str, kind: NodeKind, k: int) -> Glyph:
        # The k-th step's values hold the vector as node_id; kind sets its colour. At compact
        # detail a vector without numbers is a named box, as inside the step.
        node = dataclasses.replace(graph.node(node_id), kind=kind)
        return detailed_glyph(node, cell, theme, values[k - 1] if values else None, chains,
                              below=False)

    ins = [[glyph(n, "input", k) for n in graph.inputs] for k in range(1, steps + 1)]
    outs = [[glyph(n, "output", k) for n in above] for k in range(1, steps + 1)]
    carried = {s: [glyph(graph.prev_id(s), "state", 1)]
               + [glyph(s, "state", k) for k in range(1, steps + 1)] for s in graph.states}
    in_w = sum(g.width for g in ins[0]) + fs * (len(graph.inputs) - 1)
    inset_x = pad + riser * len(graph.inputs) + fs * 1.2
    width = max(lay.width + inset_x + pad + riser * len(above), in_w + 2 * pad)
    # Room between two steps for the states drawn there (and s[0] before the first).
    gap = max((g.width for s in graph.states for k, g in enumerate(carried[s])
               if k == 0 or s in gapped), default=fs) + 2 * link
    out_h = max((g.height for row in outs for g in row), default=0.0)
    in_h = max((g.height for row in ins for g in row), default=0.0)
    caption_h = line_height(fs) + fs * 0.4
    top = max(out_h, caption_h) + link
    at = _Steps(tuple(gap + k * (width + gap) for k in range(steps)), width, top,
                lay.height + 2 * pad, inset_x, pad, gap)
    total_w = steps * width + (steps + 1) * gap
    total_h = top + at.height + link * (len(graph.inputs) + 1) / 2 + in_h
    state_dash = line_dash("pointwise", theme)
    port_r = theme.unit * 0.32

    seen: set[str] = set()  # the bridges and junctions drawn, for the legend

    def draw(gx: float, gy: float) -> list[Group]:
        moved = replace(at, lefts=tuple(x + gx for x in at.lefts), top=at.top + gy)
        groups: list[Group] = []
        links: list[Group] = []
        outer = {*graph.inputs, *map(graph.prev_id, graph.states), *graph.outputs}
        for k in range(1, steps + 1):
            left = moved.lefts[k - 1]
            step_plan = plan(cell, theme, values[k - 1] if values else None, detail,
                             ports=True)
            groups.append(Group("step", f"s{k}", (
                Rect(left, moved.top, width, at.height, theme.background, theme.gate_stroke,
                     theme.stroke, rx=fs * 0.6),
                Text(left + width / 2, moved.top - link / 2, f"t = {k}", fs, theme.text,
                     anchor="middle", weight="bold"),
            )))
            for g in body(step_plan, lay, theme, left + inset_x, moved.top + pad):
                port = g.role == "node" and g.id in outer
                groups.append(relabel(g, k, prefix=f"s{k}:", role="port" if port else ""))
            links += _inputs(k, ins[k - 1], moved)
        for s in graph.states:
            for k in range(steps + 1):
                links += _state(s, k, moved)
        for k in range(1, steps + 1):
            links += _outputs(k, outs[k - 1], moved)
        return groups + links

    def _inputs(k: int, row: list[Glyph], where: _Steps) -> list[Group]:
        """Step k's inputs side by side under its frame; each rises in a column of its own
        at the frame's left and turns into its port, the lowest port innermost."""
        out: list[Group] = []
        left, bottom = where.lefts[k - 1], where.top + at.height
        order = sorted(graph.inputs, key=lambda n: lay.nodes[n].y)  # outermost column first
        entries = [where.at(k, lay, graph.prev_id(s))[1] for s in graph.states]
        x = left + pad
        for j, node_id in enumerate(graph.inputs):
            g = row[j]
            q = order.index(node_id)
            column = left + pad + riser * (q + 0.5)
            cy = bottom + link * (len(graph.inputs) + 1) / 2 + g.height / 2
            out.append(relabel(Group("node", f"seq:{node_id}", place(g, x + g.width / 2, cy)),
                               k, prefix=f"s{k}:"))
            px, py = where.at(k, lay, node_id)
            start = (column if x <= column <= x + g.width else x + g.width / 2, cy - g.height / 2)
            turn = bottom + link * (len(order) - q) / (len(order) + 1)
            lead = [start] if start[0] == column else [start, (start[0], turn), (column, turn)]
            # Bridges where the riser passes a state entering the step below this input.
            runs = _vertical_with_bridges(column, lead[-1][1], py, entries, fs * 0.5)
            seen.update(["bridge"] * (len(runs) > 1))
            runs[0][:1] = lead
            runs[-1].append((px - port_r, py))
            shapes = [s for run in runs[:-1] for s in _plain(theme, run)]
            out.append(Group("link", f"s{k}:link:{node_id}",
                             (*shapes, *_arrow(theme, runs[-1]))))
            x += g.width + fs
        return out

    def _state(s: str, k: int, where: _Steps) -> list[Group]:
        """State s[k] in the gap before step k + 1: from step k's port, on to step k + 1's."""
        if s in above and k > 0:
            return []  # drawn above step k, and carried on from its riser
        out: list[Group] = []
        g = carried[s][k]
        bx = where.boundary(k)
        prev = graph.prev_id(s)
        if k > 0:
            px, py = where.at(k, lay, s)
        else:
            px, py = where.at(1, lay, prev)
        out.append(relabel(Group("node", f"state:{s}", place(g, bx, py)), max(k, 1),
                           prefix=f"s{max(k, 1)}:"))
        if k > 0:
            out.append(Group("carry", f"s{k}:carry:{s}:out", tuple(_arrow(
                theme, [(px + port_r, py), (bx - g.width / 2, py)], heavy=True,
                dash=state_dash))))
        if k < steps:
            nx, ny = where.at(k + 1, lay, prev)
            points = [(bx + g.width / 2, py), (nx - port_r, ny)]
            if abs(ny - py) > 0.5:
                mid = bx + g.width / 2 + link / 2
                points[1:1] = [(mid, py), (mid, ny)]
            out.append(Group("carry", f"s{k + 1}:carry:{s}", tuple(_arrow(
                theme, points, heavy=True, dash=state_dash))))
        return out

    def _outputs(k: int, row: list[Glyph], where: _Steps) -> list[Group]:
        """Step k's outputs above its frame, at its right end, each on a riser from its port
        in a column of its own; a state among them is carried on from its riser into the
        next step."""
        out: list[Group] = []
        right = where.lefts[k - 1] + width
        crossing = [where.at(k, lay, s)[1] for s in gapped]
        for j, node_id in enumerate(above):
            g = row[j]
            column = right - pad - riser * (len(above) - j - 0.5)
            px, py = where.at(k, lay, node_id)
            cy = where.top - link - g.height / 2
            out.append(relabel(Group("node", f"seq:{node_id}", place(g, column, cy)), k,
                               prefix=f"s{k}:"))
            runs = _vertical_with_bridges(column, py, cy + g.height / 2, crossing, fs * 0.5)
            seen.update(["bridge"] * (len(runs) > 1))
            runs[0].insert(0, (px + port_r, py))
            # A state rises to its box as what it is, a state carried on (the heavy line), not
            # as a thin line, which the legend gives to a dense connection.
            heavy = node_id in graph.states
            dash = state_dash if heavy else ""
            shapes = [s for run in runs[:-1] for s in _plain(theme, run, heavy=heavy, dash=dash)]
            shapes += _arrow(theme, runs[-1], heavy=heavy, dash=dash)
            out.append(Group("link", f"s{k}:link:{node_id}", tuple(shapes)))
            if node_id in graph.states and k < steps:
                nx, ny = where.at(k + 1, lay, graph.prev_id(node_id))
                mid = where.boundary(k)
                points = [(column, py), (mid, py), (mid, ny), (nx - port_r, ny)]
                if abs(ny - py) <= 0.5:
                    points = [points[0], points[-1]]
                seen.add("junction")
                shapes = [Circle(column, py, port_r * 1.2, theme.line, "none", 0),
                          *_arrow(theme, points, heavy=True, dash=state_dash)]
                out.append(Group("carry", f"s{k + 1}:carry:{node_id}", tuple(shapes)))
        return out

    outside = [g for rows in (ins, outs, carried.values()) for row in rows for g in row]
    links = ["dense"] if graph.inputs or set(above) - set(graph.states) else []
    carries = ["state_line"] if graph.states else []
    # The legend's samples name the first step's vectors (x[1], not x[t]).
    shown_marks = [replace(g, marks=tuple(step_label(m, 1) for m in g.marks))
                   for g in [*ported.glyphs.values(), *outside]]
    return frame(cell, theme, total_w, total_h, draw, first,
                 f"{title or figure_title(cell)}, unrolled over {steps} steps", heading=heading,
                 legend=legend, marks=lambda: marks_of(
                     shown_marks, [*drawn_lines(ported, lay), *links, *carries, *sorted(seen)],
                     unrolled=True))

