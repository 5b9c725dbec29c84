"""Compose a figure's scene: dot's layout, the node glyphs, edges, gate regions, title, legend."""

from __future__ import annotations

import math
from collections.abc import Callable

from ..cell import Cell
from ..graph import POINTWISE_OPS
from ..params import shape_text
from .glyphs import Glyph, activation_glyph, translate
from .labels import Grid, free_spot, gate_label_at, hug, route_points
from .layout import REGION_INSET, DotPlan, Layout, gate_label_size, layout
from .metrics import FONT_FAMILY, line_height, text_width
from .scene import Circle, Group, Path, Rect, Scene, Shape, Text, fmt
from .themes import Theme
from .values import Values, value_colours

__all__ = ["body", "compose", "edge_shapes", "figure_title", "frame", "place", "translate_any"]


def figure_title(cell: Cell) -> str:
    """The title line: cell name, convention and sizes (``LSTM, paper convention, i=3, n=2``)."""
    sizes = ", ".join(f"{s}={v}" for s, v in cell.sizes)
    return f"{cell.name.upper()}, {cell.convention} convention, {sizes}"


def _dash(style: str, theme: Theme) -> str:
    if style != "pointwise":
        return ""
    u = theme.stroke
    return " ".join(fmt(v * max(u, 1.0)) for v in (7, 3, 1.5, 3))


def edge_shapes(route_points: tuple[tuple[float, float], ...], tip: tuple[float, float] | None,
                 dx: float, dy: float, stroke: str, width: float, dash: str,
                 arrow_size: float) -> list[Shape]:
    pts = [(x + dx, y + dy) for x, y in route_points]
    d = f"M{fmt(pts[0][0])},{fmt(pts[0][1])}"
    for k in range(1, len(pts) - 2, 3):
        d += "C" + " ".join(f"{fmt(x)},{fmt(y)}" for x, y in pts[k:k + 3])
    shapes: list[Shape] = []
    if tip is not None:
        tx, ty = tip[0] + dx, tip[1] + dy
        bx, by = pts[-1]
        length = math.hypot(tx - bx, ty - by) or 1.0
        ux, uy = (tx - bx) / length, (ty - by) / length
        # The arrowhead spans from the spline's end to dot's tip; a fixed size keeps them alike.
        bx, by = tx - ux * arrow_size, ty - uy * arrow_size
        half = arrow_size * 0.38
        d += f"L{fmt(bx)},{fmt(by)}"
        head = (f"M{fmt(tx)},{fmt(ty)}L{fmt(bx - uy * half)},{fmt(by + ux * half)}"
                f"L{fmt(bx + uy * half)},{fmt(by - ux * half)}Z")
        shapes.append(Path(d, stroke, width, dash=dash))
        shapes.append(Path(head, "none", 0, fill=stroke))
    else:
        shapes.append(Path(d, stroke, width, dash=dash))
    return shapes


def _legend(cell: Cell, theme: Theme, width: float,
            values: Values | None = None) -> tuple[float, list[Shape]]:
    """The legend at (0, 0) for a figure ``width`` wide: line styles, glyphs, the colour
    scale of the values if any, totals."""
    fs, small, unit = theme.font_size, theme.small, theme.unit
    pad = fs * 0.8
    sample_w = fs * 3.2
    row_h = max(line_height(fs), unit * 3) + fs * 0.5
    items = _legend_items(cell, values)
    # A wide activation mark (tanh, softsign) gets a wider sample box than the others.
    sample_ws = [max(sample_w, activation_glyph(sample, theme).width + fs * 0.8)
                 if kind == "activation" else sample_w for kind, _, sample in items]
    widths = [sw + fs * 0.5 + text_width(text, small) + fs * 1.4
              for sw, (_, text, _) in zip(sample_ws, items, strict=True)]
    shapes: list[Shape] = []
    y = pad - row_h
    for row in _rows(widths, width - 2 * pad):
        x, y = pad, y + row_h
        cy = y + row_h / 2
        for k in row:
            kind, text, sample = items[k]
            shapes += _legend_sample(kind, sample, theme, x, cy, sample_ws[k], values)
            shapes.append(Text(x + sample_ws[k] + fs * 0.5, cy + 0.36 * small, text, small,
                               theme.text))
            x += widths[k]
    y += row_h + fs * 0.3
    table = cell.params()
    total = f"{table.summary()}  ({cell.graph.formula()})"
    shapes.append(Text(pad, y + 0.93 * fs, total, fs, theme.text, weight="bold"))
    height = y + line_height(fs) + pad
    frame = Rect(0, 0, width, height, theme.legend_fill, theme.gate_stroke, theme.stroke * 0.8,
                 rx=fs * 0.4)
    return height, [frame, *shapes]


def _legend_sample(kind: str, sample: str, theme: Theme, x: float, cy: float, sample_w: float,
                   values: Values | None) -> list[Shape]:
    """The small picture of one legend entry, in a box ``sample_w`` wide from ``x``, centred
    on ``cy``; ``sample`` is the symbol or activation it shows, if any."""
    fs, unit = theme.font_size, theme.unit
    mid = x + sample_w / 2
    if kind in ("dense", "pointwise"):
        end = x + sample_w - fs * 0.6
        return edge_shapes(((x, cy), (x, cy), (end, cy), (end, cy)), (x + sample_w, cy), 0, 0,
                           theme.line, theme.stroke, _dash(kind, theme), fs * 0.75)
    if kind == "vector":
        return [Rect(mid - unit / 2, cy - 1.5 * unit + r * unit, unit, unit, theme.background,
                     theme.vector, theme.stroke * 0.8) for r in range(3)]
    if kind == "matrix":
        m = unit * 0.8
        return [Rect(mid - 1.5 * m + c * m, cy - m + r * m, m, m, theme.background, theme.dense,
                     theme.stroke * 0.7) for r in range(2) for c in range(3)]
    if kind == "op":
        return [Circle(mid, cy, fs * 0.9, theme.pointwise_fill, theme.pointwise, theme.stroke),
                Text(mid, cy + 0.36 * fs, sample, fs, theme.text, anchor="middle",
                     weight="bold")]
    if kind == "scale":
        return _scale_sample(theme, values, x, cy, sample_w)
    pill = activation_glyph(sample, theme)
    return list(translate(pill.shapes, mid - pill.width / 2, cy - pill.height / 2))


def _legend_items(cell: Cell, values: Values | None) -> list[tuple[str, str, str]]:
    """The legend's entries (kind, text, the symbol or activation its sample shows): only
    what the figure holds."""
    graph = cell.graph
    kinds = {node.kind for node in graph.nodes}
    items: list[tuple[str, str, str]] = []
    if "dense" in kinds:
        items.append(("dense", "dense connection: W·v + b", ""))
    if "pointwise" in kinds:
        items.append(("pointwise", "pointwise connection", ""))
    items.append(("vector", "vector, n×1", ""))
    if any(param.role == "matrix" for param in graph.params):
        items.append(("matrix", "weight matrix, rows×cols", ""))
    ops = {node.op for node in graph.nodes if node.kind == "pointwise"}
    symbols = list(dict.fromkeys(sym for op, (sym, _) in POINTWISE_OPS.items() if op in ops))
    if symbols:
        items.append(("op", "element-wise " + " ".join(symbols), symbols[0]))
    activations = [e.activation for e in graph.edges if e.activation != "identity"]
    if activations:
        items.append(("activation", "activation on its edge", activations[0]))
    if values is not None:
        items.append(("scale", f"value: −{fmt(values.limit)} or less, 0, "
                               f"+{fmt(values.limit)} or more", ""))
    return items


def _rows(widths: list[float], room: float) -> list[list[int]]:
    """Items of these widths in rows at most ``room`` wide, in order: as few rows as filling
    each in turn needs, then as even as they can be, so that no item stands alone below."""
    count = 1
    used = 0.0
    for k, w in enumerate(widths):
        if k and used + w > room:
            count, used = count + 1, 0.0
        used += w
    for per_row in range(math.ceil(len(widths) / count), len(widths) + 1):
        rows = [list(range(k, min(k + per_row, len(widths))))
                for k in range(0, len(widths), per_row)]
        if all(sum(widths[k] for k in row) <= room or len(row) == 1 for row in rows):
            return rows
    return [[k] for k in range(len(widths))]


def _scale_sample(theme: Theme, values: Values | None, x: float, cy: float,
                  width: float) -> list[Shape]:
    """The colour scale as a strip of cells from −limit to +limit."""
    limit = values.limit if values is not None else 1.0
    count = 9
    w, h = width / count, theme.unit * 1.2
    out: list[Shape] = []
    for k in range(count):
        fill, _ = value_colours(theme, limit * (2 * k / (count - 1) - 1), limit)
        out.append(Rect(x + k * w, cy - h / 2, w, h, fill, theme.muted, theme.stroke * 0.4))
    return out


def _legend_min_width(cell: Cell, theme: Theme) -> float:
    total = f"{cell.params().summary()}  ({cell.graph.formula()})"
    return text_width(total, theme.font_size, bold=True) + theme.font_size * 1.6


def place(glyph: Glyph, cx: float, cy: float) -> tuple[Shape, ...]:
    """A glyph's shapes moved so that the glyph is centred on (cx, cy)."""
    return translate(glyph.shapes, cx - glyph.width / 2, cy - glyph.height / 2)


def _description(cell: Cell, values: Values | None = None) -> str:
    graph = cell.graph
    parts = [graph.description or f"The {graph.name} cell"]
    vectors = [f"{graph.node(n).label} {shape_text((cell.size(graph.node(n).size),))}"
               for n in (*graph.inputs, *(graph.prev_id(s) for s in graph.states))]
    parts.append("reads " + ", ".join(vectors))
    outs = [f"{graph.node(n).label} {shape_text((cell.size(graph.node(n).size),))}"
            for n in graph.outputs]
    parts.append("writes " + ", ".join(outs))
    parts.append(cell.params().summary())
    if values is not None:
        parts.append(f"each vector and weight shows its value ({values.digits} decimals), "
                     f"coloured from blue (−{fmt(values.limit)}) through white (0) to red "
                     f"(+{fmt(values.limit)})")
    return "; ".join(parts) + "."


def compose(cell: Cell, theme: Theme, laid: tuple[DotPlan, Layout] | None = None,
            values: Values | None = None, *, heading: bool = True,
            legend: bool = True) -> Scene:
    """The whole figure of a cell in a theme, as a positioned scene; ``values`` prints one
    step's numbers on it (``laid`` must then come from a plan with the same values);
    ``heading`` and ``legend`` say whether the title lines and the legend are drawn."""
    p, lay = laid or layout(cell, theme, values)
    return frame(cell, theme, lay.width, lay.height,
                 lambda gx, gy: body(p, lay, theme, gx, gy), values, heading=heading,
                 legend=legend)


def frame(cell: Cell, theme: Theme, body_w: float, body_h: float,
          draw: Callable[[float, float], list[Group]], values: Values | None = None,
          title: str | None = None, *, heading: bool = True, legend: bool = True) -> Scene:
    """A figure around a drawing ``body_w`` × ``body_h``: title, the drawing (``draw`` makes
    its groups at an offset), and the legend (with the colour scale when there are values).
    Without the ``heading`` (a slide has a title of its own) or the ``legend`` the drawing
    fills more of the figure; the SVG keeps its accessible title and description."""
    fs = theme.font_size
    margin = fs * 1.6
    title = title or figure_title(cell)
    subtitle = cell.graph.description or ""
    widths = [body_w]
    if heading:
        widths += [text_width(title, theme.title_size, bold=True), text_width(subtitle, fs)]
    if legend:
        widths.append(_legend_min_width(cell, theme))
    content_w = max(widths)
    width = content_w + 2 * margin
    gx = margin + (content_w - body_w) / 2
    groups: list[Group] = []
    gy = margin
    if heading:
        head: list[Shape] = [Text(margin, margin + 0.93 * theme.title_size, title,
                                  theme.title_size, theme.text, weight="bold")]
        if subtitle:
            head.append(Text(margin, margin + line_height(theme.title_size) + 0.93 * fs * 1.05,
                             subtitle, fs, theme.muted))
        groups.append(Group("title", "title", tuple(head)))
        title_h = line_height(theme.title_size) + (line_height(fs) * 1.1 if subtitle else 0)
        gy += title_h + fs * 1.2
    groups += draw(gx, gy)
    height = gy + body_h + margin
    if legend:
        ly0 = gy + body_h + fs * 1.4
        legend_h, legend_shapes = _legend(cell, theme, content_w, values)
        groups.append(Group("legend", "legend", translate_any(legend_shapes, margin, ly0)))
        height = ly0 + legend_h + margin
    return Scene(round(width, 2), round(height, 2), theme.background, FONT_FAMILY, title,
                 _description(cell, values), tuple(groups))


def body(p: DotPlan, lay: Layout, theme: Theme, gx: float, gy: float) -> list[Group]:
    """The drawing of one laid-out cell at (gx, gy): gate regions, edges, nodes, edge labels."""
    fs = theme.font_size
    groups: list[Group] = []
    route_samples = {seg.id: route_points(lay.routes[seg.id].points) for seg in p.segments}
    samples = Grid([pt for pts in route_samples.values() for pt in pts], fs * 4)
    # The shape each edge carries, by its sample points: a segment before an activation mark
    # carries its labelled other part's shape (ids e3a and e3b).
    shape_of_id = {seg.id.rstrip("ab"): seg.label for seg in p.segments if seg.label}
    shape_at = {pt: shape_of_id.get(sid.rstrip("ab"), "") for sid, pts in route_samples.items()
                for pt in pts}
    misleading = {shape: {pt for pt, other in shape_at.items() if other != shape}
                  for shape in set(shape_of_id.values())}
    for k, box in enumerate(lay.clusters):
        lw, lh = gate_label_size(box.label, theme)
        inset = fs * REGION_INSET
        lx, ly = gate_label_at(box, lw, lh, samples, inset + fs * 0.6)
        # dot's label strip is the label's height and two insets; the label sits in its
        # lower part, an inset below the region's top (itself an inset inside dot's box).
        lx, ly = lx + gx, ly + gy + inset
        # Drawn a little inside dot's box, so that regions dot stacks edge to edge (the LSTM's
        # gates) stand apart rather than share a border.
        groups.append(Group("gate", f"gate{k}", (
            Rect(box.x0 + gx + inset, box.y0 + gy + inset, box.x1 - box.x0 - 2 * inset,
                 box.y1 - box.y0 - 2 * inset, theme.gate_fill, theme.gate_stroke,
                 theme.stroke * 0.8, rx=fs * 0.6),
            Text(lx, ly + 0.36 * theme.small, box.label, theme.small, theme.muted,
                 weight="bold"),
        )))
    lines: list[Shape] = []
    label_shapes: list[Shape] = []
    label_boxes = {}
    for seg in p.segments:
        at = lay.routes[seg.id].label
        if seg.label and at:
            w, h = p.label_size[seg.id]
            label_boxes[seg.id] = (at[0] - w / 2, at[1] - h / 2, at[0] + w / 2, at[1] + h / 2)
    for seg in p.segments:
        route = lay.routes[seg.id]
        width_ = theme.stroke * (2.2 if seg.highway else 1.0)
        lines += edge_shapes(route.points, route.tip, gx, gy, theme.line, width_,
                             _dash(seg.style, theme), fs * 0.75)
        if seg.label and route.label:
            others = [box for key, box in label_boxes.items() if key != seg.id]
            own = route_samples[seg.id]
            near = hug(route.label, p.label_size[seg.id], own)
            lx, ly = free_spot(near, p.label_size[seg.id], samples, lay, others, own,
                                misleading[seg.label],
                                fallback=route.label)
            w, h = p.label_size[seg.id]
            label_boxes[seg.id] = (lx - w / 2, ly - h / 2, lx + w / 2, ly + h / 2)
            label_shapes.append(Text(lx + gx, ly + gy + 0.36 * theme.small, seg.label,
                                     theme.small, theme.muted, anchor="middle"))
    groups.append(Group("edges", "edges", tuple(lines)))
    for node_id, glyph in p.glyphs.items():
        placed = lay.nodes[node_id]
        role = node_id.split(":")[0] if node_id.startswith("act") else node_id
        groups.append(Group("node", role, place(glyph, placed.x + gx, placed.y + gy)))
    groups.append(Group("labels", "labels", tuple(label_shapes)))
    return groups


def translate_any(shapes: list[Shape], dx: float, dy: float) -> tuple[Shape, ...]:
    """Move shapes including paths (whose ``d`` holds only absolute M, C, L and Z commands)."""
    out: list[Shape] = []
    plain = [s for s in shapes if not isinstance(s, Path)]
    moved = iter(translate(tuple(plain), dx, dy))
    for s in shapes:
        if isinstance(s, Path):
            out.append(Path(_move_d(s.d, dx, dy), s.stroke, s.stroke_width, s.fill, s.dash))
        else:
            out.append(next(moved))
    return tuple(out)


def _move_d(d: str, dx: float, dy: float) -> str:
    out, number = [], ""
    coords: list[str] = []
    for ch in d + " ":
        if ch in "MCLZ ":
            if number:
                coords.append(number)
                number = ""
            if ch != " ":
                out.append(_pairs(coords, dx, dy))
                coords = []
                out.append(ch)
        elif ch == ",":
            coords.append(number)
            number = ""
        else:
            number += ch
    out.append(_pairs(coords, dx, dy))
    return "".join(out)


def _pairs(coords: list[str], dx: float, dy: float) -> str:
    pairs = [f"{fmt(float(coords[k]) + dx)},{fmt(float(coords[k + 1]) + dy)}"
             for k in range(0, len(coords) - 1, 2)]
    return " ".join(pairs)

