"""The figure's legend: a sample and a line of text for each kind of mark drawn, and totals."""

from __future__ import annotations

import math

from ..cell import Cell
from ..graph import POINTWISE_OPS
from .glyphs import activation_glyph, translate
from .lines import edge_shapes, line_dash
from .metrics import line_height, text_width
from .scene import Circle, Rect, Shape, Text, fmt
from .themes import Theme
from .values import BU_RD, Values, value_colours

__all__ = ["legend", "legend_min_width"]


def legend(cell: Cell, theme: Theme, width: float,
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
                           theme.line, theme.stroke, line_dash(kind, theme), fs * 0.75)
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
    if kind == "gradients":
        return _scale_sample(theme, values.grads if values else None, x, cy, sample_w)
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
    if values is not None and values.grads is not None:
        limit = f"{values.grads.limit:g}"
        items.append(("gradients", f"gradient ∂L/∂v beside or below each value: −{limit} or "
                                   f"less, 0, +{limit} or more", ""))
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
