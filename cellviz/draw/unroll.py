"""An unrolled figure: T steps of a cell side by side, each step's states feeding the next."""

from __future__ import annotations

from ..cell import Cell
from ..record import replace
from .compose import body, figure_title, frame, place
from .glyphs import Glyph, vector_glyph
from .layout import Layout, layout, plan
from .lines import edge_shapes
from .metrics import line_height
from .scene import Group, Rect, Scene, Shape, Text
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


def relabel(group: Group, step: int, *, prefix: str = "", title: str = "") -> Group:
    """A group of a cell's drawing at one step: its labels name the step (``h[t-1]`` ->
    ``h[0]``), its id and glyph keys get ``prefix``, and a ``title`` replaces its first text
    (the figure's title line)."""
    shapes: list[Shape] = []
    for s in group.shapes:
        if isinstance(s, Text):
            text = title if title and not shapes else step_label(s.text, step)
            s = replace(s, text=text, key=prefix + s.key if s.key else "")
        elif isinstance(s, Rect):
            s = replace(s, key=prefix + s.key if s.key else "")
        shapes.append(s)
    return Group(group.role, prefix + group.id, tuple(shapes), group.links)


def _carry(cell: Cell, lay: Layout, theme: Theme, left: float, right: float,
           gy: float) -> list[Group]:
    """The state connections from the block at x ``left`` to the next block at x ``right``."""
    graph = cell.graph
    groups = []
    for state in graph.states:
        out, prev = lay.nodes[state], lay.nodes[graph.prev_id(state)]
        x0, y0 = left + out.x + out.w / 2, gy + out.y
        x1, y1 = right + prev.x - prev.w / 2, gy + prev.y
        mid = (x0 + x1) / 2
        head = theme.font_size * 0.75
        points = ((x0, y0), (mid, y0), (mid, y1), (x1 - head, y1))
        shapes = edge_shapes(points, (x1, y1), 0, 0, theme.line, theme.stroke * 2.2, "", head)
        groups.append(Group("carry", f"carry:{state}", tuple(shapes)))
    return groups


def _sequence_row(cell: Cell, theme: Theme, lay: Layout, node_ids: tuple[str, ...],
                  values: tuple[Values, ...], steps: int) -> list[list[Glyph]]:
    """For each step, the glyphs of the named vectors drawn in a row outside the blocks."""
    return [[vector_glyph(cell.graph.node(n), cell, theme, values[k] if values else None)
             for n in node_ids if n in lay.nodes] for k in range(steps)]


def _link(theme: Theme, x: float, y0: float, y1: float) -> list[Shape]:
    """A vertical connection from y0 to an arrowhead at y1."""
    head = theme.font_size * 0.75
    step = head if y1 > y0 else -head
    return edge_shapes(((x, y0), (x, y0), (x, y1 - step), (x, y1 - step)), (x, y1), 0, 0,
                        theme.line, theme.stroke, "", head)


def compose_unrolled(cell: Cell, theme: Theme, steps: int, values: tuple[Values, ...] = (),
                     *, heading: bool = True, legend: bool = True) -> Scene:
    """``steps`` copies of the cell's drawing from left to right, captioned t = 1, 2, ...;
    the state outputs of each step feed the state inputs of the next, the inputs x[1..T] stand
    in a row below and the output h[1..T] in a row above, as unrolled networks are drawn.
    ``values`` holds each step's numbers, or is empty; ``heading`` and ``legend`` as in
    ``compose.frame``. Every step shares one layout (the glyphs' sizes do not depend on the
    numbers), so the cell is laid out once."""
    check_unroll(steps)
    first = values[0] if values else None
    _, lay = layout(cell, theme, first)
    graph = cell.graph
    fs = theme.font_size
    pad, gap, link = fs * 0.8, fs * 6, fs * 2.2
    caption_h = line_height(fs) + fs * 0.4
    block_w = lay.width + 2 * pad
    block_h = lay.height + 2 * pad
    shown = "h" if "h" in graph.outputs else graph.outputs[0]
    above = _sequence_row(cell, theme, lay, (shown,), values, steps)
    below = _sequence_row(cell, theme, lay, graph.inputs, values, steps)
    above_h = max((g.height for row in above for g in row), default=0.0)
    below_h = max((g.height for row in below for g in row), default=0.0)
    width = steps * block_w + (steps - 1) * gap
    height = above_h + link + caption_h + block_h + link + below_h

    def draw(gx: float, gy: float) -> list[Group]:
        groups: list[Group] = []
        carries: list[Group] = []
        top = gy + above_h + link + caption_h
        for k in range(steps):
            x = gx + k * (block_w + gap)
            step_plan = plan(cell, theme, values[k] if values else None)
            frame_shapes = (
                Rect(x, top, block_w, lay.height + 2 * pad, theme.background, theme.gate_stroke,
                     theme.stroke, rx=fs * 0.6),
                Text(x + block_w / 2, gy + 0.93 * fs, f"t = {k + 1}", fs, theme.text,
                     anchor="middle", weight="bold"),
            )
            groups.append(Group("step", f"s{k + 1}", frame_shapes))
            drawn = body(step_plan, lay, theme, x + pad, top + pad)
            groups += [relabel(g, k + 1, prefix=f"s{k + 1}:") for g in drawn]
            # The sequence: x[k] below the block, pointing up into it; h[k] above, out of it.
            for node_id, glyph in zip((shown,), above[k], strict=False):
                cx = x + pad + lay.nodes[node_id].x
                cy = gy + above_h - glyph.height / 2
                row = Group("node", f"seq:{node_id}", place(glyph, cx, cy))
                groups.append(relabel(row, k + 1, prefix=f"s{k + 1}:"))
                carries.append(Group("link", f"s{k + 1}:link:{node_id}",
                                     tuple(_link(theme, cx, top, gy + above_h))))
            bottom = top + block_h
            for node_id, glyph in zip(graph.inputs, below[k], strict=False):
                cx = x + pad + lay.nodes[node_id].x
                cy = bottom + link + glyph.height / 2
                row = Group("node", f"seq:{node_id}", place(glyph, cx, cy))
                groups.append(relabel(row, k + 1, prefix=f"s{k + 1}:"))
                carries.append(Group("link", f"s{k + 1}:link:{node_id}",
                                     tuple(_link(theme, cx, bottom + link, bottom))))
            if k + 1 < steps:
                carry = _carry(cell, lay, theme, x + pad, x + block_w + gap + pad, top + pad)
                carries += [Group(g.role, f"s{k + 1}:{g.id}", g.shapes, g.links)
                            for g in carry]
        # Last, so that no step's frame covers an arrowhead.
        return groups + carries

    title = f"{figure_title(cell)}, unrolled over {steps} steps"
    return frame(cell, theme, width, height, draw, first, title, heading=heading, legend=legend)
