"""The figure's legend: a sample and a line of text for each kind of mark drawn, and totals."""

from __future__ import annotations

import math

from ..cell import Cell
from ..graph import POINTWISE_OPS
from ..record import record
from .glyphs import activation_glyph, translate
from .layout import DotPlan
from .lines import edge_shapes, line_dash
from .metrics import line_height, text_width
from .scene import Circle, Rect, Shape, Text, fmt
from .themes import Theme
from .values import BU_RD, Values, value_colours

__all__ = ["Marks", "legend", "legend_min_width", "marks_of"]


@record
class Marks:
    """The kinds of mark a figure draws, in legend order: ``lines`` (dense, pointwise, state),
    ``nodes`` (vector roles by colour: input, state, output, vector; then dense, pointwise,
    port), ``glyphs`` (matrix, bias, diag), the pointwise ``symbols`` and the
    ``activations`` on its edges."""

    lines: tuple[str, ...]
    nodes: tuple[str, ...]
    glyphs: tuple[str, ...]
    symbols: tuple[str, ...]
    activations: tuple[str, ...]


def marks_of(cell: Cell, p: DotPlan, *, unrolled: bool = False) -> Marks:
    """What the figure of plan ``p`` draws; an ``unrolled`` figure's plan has ports in place
    of its vectors, which it draws outside the steps as inputs, states (carried on a state
    line) and outputs."""
    graph = cell.graph
    lines = {seg.style for seg in p.segments if not seg.highway}
    if p.highways or (unrolled and graph.states):
        lines.add("state_line")
    kinds: set[str] = {node.kind for node in graph.nodes}
    if unrolled:
        kinds.add("port")
    roles = [k for k in ("input", "state", "output", "vector", "dense", "pointwise", "port")
             if k in kinds]
    params = {param.role for param in graph.params}
    ops = {node.op for node in graph.nodes if node.kind == "pointwise"}
    return Marks(
        lines=tuple(k for k in ("dense", "pointwise", "state_line") if k in lines),
        nodes=tuple(roles),
        glyphs=tuple(k for k in ("matrix", "bias", "diag") if k in params),
        symbols=tuple(dict.fromkeys(sym for op, (sym, _) in POINTWISE_OPS.items() if op in ops)),
        activations=tuple(dict.fromkeys(e.activation for e in graph.edges
                                        if e.activation != "identity")))


#: Each kind of mark's line in the legend; the vector roles are worded for one step and, where
#: they differ, for an unrolled figure (a state there lies between two steps).
_TEXTS = {
    "dense": "dense connection: W·v + b",
    "pointwise": "pointwise connection",
    "state_line": "state line: a state carried on",
    "input": "input vector",
    "state_vector": "state from the step before",
    "state_vector_unrolled": "state between two steps",
    "output": "state or output the step writes",
    "output_unrolled": "output of the step",
    "vector": "vector inside the cell",
    "dense_node": "dense node: its terms and parameter count",
    "port": "where a vector enters or leaves a step",
    "matrix": "weight matrix, rows×cols",
    "bias": "bias, n×1",
    "diag": "element-wise weight (p⊙v), n×1",
}


def _items(marks: Marks, values: Values | None) -> list[tuple[str, str, str]]:
    """The legend's entries (kind, text, the symbol or activation its sample shows)."""
    unrolled = "port" in marks.nodes
    items = [(kind, _TEXTS[kind], "") for kind in marks.lines]
    for role in marks.nodes:
        if role == "pointwise":
            items.append(("op", "element-wise " + " ".join(marks.symbols), marks.symbols[0]))
        elif role == "dense":
            items.append(("dense_node", _TEXTS["dense_node"], ""))
        elif role in ("state", "output") and unrolled:
            items.append((role, _TEXTS[f"{role}_vector_unrolled" if role == "state"
                                       else "output_unrolled"], ""))
        else:
            items.append((role, _TEXTS["state_vector" if role == "state" else role], ""))
    items += [(kind, _TEXTS[kind], "") for kind in marks.glyphs]
    if marks.activations:
        items.append(("activation", "activation on its edge", marks.activations[0]))
    if values is not None:
        items.append(("scale", f"value: −{fmt(values.limit)} or less, 0, "
                               f"+{fmt(values.limit)} or more", ""))
    if values is not None and values.grads is not None:
        limit = f"{values.grads.limit:g}"
        items.append(("gradients", f"gradient ∂L/∂v beside or below each value: −{limit} or "
                                   f"less, 0, +{limit} or more", ""))
    return items


def legend(cell: Cell, theme: Theme, width: float, marks: Marks,
           values: Values | None = None) -> tuple[float, list[Shape]]:
    """The legend at (0, 0) for a figure ``width`` wide: one entry for every kind of mark
    drawn (``marks``), the colour scale of the values if any, totals."""
    fs, small, unit = theme.font_size, theme.small, theme.unit
    pad = fs * 0.8
    sample_w = fs * 3.2
    row_h = max(line_height(fs), unit * 3) + fs * 0.5
    items = _items(marks, values)
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
            shapes += _sample(kind, sample, theme, x, cy, sample_ws[k], values)
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


def _sample(kind: str, sample: str, theme: Theme, x: float, cy: float, sample_w: float,
            values: Values | None) -> list[Shape]:
    """The small picture of one legend entry, in a box ``sample_w`` wide from ``x``, centred
    on ``cy``; ``sample`` is the symbol or activation it shows, if any."""
    fs, unit = theme.font_size, theme.unit
    mid = x + sample_w / 2
    if kind in ("dense", "pointwise", "state_line"):
        end = x + sample_w - fs * 0.6
        heavy = kind == "state_line"  # the state line is a heavy pointwise line
        return edge_shapes(((x, cy), (x, cy), (end, cy), (end, cy)), (x + sample_w, cy), 0, 0,
                           theme.line, theme.stroke * (2.2 if heavy else 1.0),
                           line_dash("pointwise" if heavy else kind, theme), fs * 0.75)
    if kind in ("input", "state", "output", "vector"):
        stroke, fill = str(getattr(theme, kind)), str(getattr(theme, f"{kind}_fill"))
        m = unit * 0.8
        box = Rect(mid - m * 1.4, cy - m * 1.5, m * 2.8, m * 3, fill, stroke, theme.stroke,
                   rx=m * 0.4)
        return [box, *(Rect(mid - m / 2, cy - m + r * m, m, m, theme.background, stroke,
                            theme.stroke * 0.8) for r in range(2))]
    if kind == "dense_node":
        m = unit * 0.8
        return [Rect(mid - m * 2, cy - m * 1.4, m * 4, m * 2.8, theme.dense_fill, theme.dense,
                     theme.stroke, rx=m * 0.3)]
    if kind in ("matrix", "bias", "diag"):
        m = unit * 0.8
        cols = 3 if kind == "matrix" else 1
        return [Rect(mid - cols * m / 2 + c * m, cy - m + r * m, m, m, theme.background,
                     theme.grid, theme.stroke * 0.7, rx=m / 2 if kind == "diag" else 0)
                for r in range(2) for c in range(cols)]
    if kind == "port":
        return [Circle(mid, cy, unit * 0.32, theme.line, "none", 0)]
    if kind == "op":
        return [Circle(mid, cy, fs * 0.9, theme.pointwise_fill, theme.pointwise, theme.stroke),
                Text(mid, cy + 0.36 * fs, sample, fs, theme.text, anchor="middle",
                     weight="bold")]
    if kind == "scale":
        return _scale_sample(theme, values, x, cy, sample_w)
    if kind == "gradients":
        return _scale_sample(theme, values.grads if values else None, x, cy, sample_w)
    pill = activation_glyph(sample, theme)
    return list(translate(pill.shapes, mid - pill.width / 2, cy - pill.height / 2))


def _rows(widths: list[float], room: float) -> list[list[int]]:
    """Items of these widths in rows at most ``room`` wide, in order: as few rows as filling
    each in turn needs, then as even as they can be, so that no item stands alone below."""
    count = 1
    used = 0.0
    for k, w in enumerate(widths):
        if k and used + w > room:
            count, used = count + 1, 0.0
        used += w
    # Rows of unequal items may not fit as evenly as that: then fewer to a row.
    for per_row in range(math.ceil(len(widths) / count), 0, -1):
        rows = [list(range(k, min(k + per_row, len(widths))))
                for k in range(0, len(widths), per_row)]
        if all(sum(widths[k] for k in row) <= room or len(row) == 1 for row in rows):
            return rows
    return [[k] for k in range(len(widths))]


def _scale_sample(theme: Theme, values: Values | None, x: float, cy: float,
                  width: float) -> list[Shape]:
    """The colour scale as a strip of cells from −limit to +limit."""
    limit = values.limit if values is not None else 1.0
    stops = values.stops if values is not None else BU_RD
    count = 9
    w, h = width / count, theme.unit * 1.2
    out: list[Shape] = []
    for k in range(count):
        fill, _ = value_colours(theme, limit * (2 * k / (count - 1) - 1), limit, stops)
        out.append(Rect(x + k * w, cy - h / 2, w, h, fill, theme.muted, theme.stroke * 0.4))
    return out


def legend_min_width(cell: Cell, theme: Theme) -> float:
    total = f"{cell.params().summary()}  ({cell.graph.formula()})"
    return text_width(total, theme.font_size, bold=True) + theme.font_size * 1.6
