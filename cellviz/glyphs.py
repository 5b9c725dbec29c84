"""Node glyphs: the size and the shapes of every kind of node, in the node's own coordinates."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .cell import Cell
from .graph import ACTIVATIONS, POINTWISE_OPS, CellGraph, Node
from .metrics import line_height, text_width
from .params import shape_text
from .scene import Circle, Rect, Shape, Text
from .themes import Theme

__all__ = ["Glyph", "activation_glyph", "node_glyph", "slots", "translate"]

#: A vector or matrix side longer than this is abbreviated: first cells, an ellipsis, the last.
MAX_CELLS = 4


@dataclass(frozen=True)
class Glyph:
    """A node's drawing: its box (``width`` × ``height``, origin top-left) and its shapes."""

    width: float
    height: float
    shapes: tuple[Shape, ...]
    circle: bool = False


def slots(count: int) -> tuple[int | None, ...]:
    """Which cells of a side to draw, ``None`` standing for the ellipsis.

    >>> slots(3), slots(7)
    ((0, 1, 2), (0, 1, None, 6))
    """
    if count <= MAX_CELLS:
        return tuple(range(count))
    return (*range(MAX_CELLS - 2), None, count - 1)


def translate(shapes: tuple[Shape, ...], dx: float, dy: float) -> tuple[Shape, ...]:
    """The shapes moved by (dx, dy); glyphs hold rects, circles and texts only."""
    out: list[Shape] = []
    for s in shapes:
        if isinstance(s, Rect):
            out.append(replace(s, x=s.x + dx, y=s.y + dy))
        elif isinstance(s, Circle):
            out.append(replace(s, cx=s.cx + dx, cy=s.cy + dy))
        elif isinstance(s, Text):
            out.append(replace(s, x=s.x + dx, y=s.y + dy))
        else:
            raise TypeError(f"a glyph cannot hold {type(s).__name__}")
    return tuple(out)


def _baseline(center_y: float, size: float) -> float:
    # DejaVu Sans: the middle of the lower-case letters sits about 0.36 em above the baseline.
    return center_y + 0.36 * size


def _grid(key: str, rows: int, cols: int, x: float, y: float, unit: float, stroke: str,
          fill: str, width: float) -> tuple[list[Shape], float, float]:
    """A rows×cols grid of cell rects (abbreviated past MAX_CELLS) at (x, y); its size."""
    shapes: list[Shape] = []
    row_slots, col_slots = slots(rows), slots(cols)
    for a, r in enumerate(row_slots):
        for b, c in enumerate(col_slots):
            cx, cy = x + b * unit, y + a * unit
            if r is None or c is None:
                # The ellipsis: a small dot in the middle of the skipped cell.
                shapes.append(Circle(cx + unit / 2, cy + unit / 2, unit * 0.09, stroke, "none"))
                continue
            cell_key = f"{key}/{r}" if cols == 1 else f"{key}/{r}/{c}"
            shapes.append(Rect(cx, cy, unit, unit, fill, stroke, width, key=cell_key))
    return shapes, len(col_slots) * unit, len(row_slots) * unit


def _colours(theme: Theme, role: str) -> tuple[str, str]:
    stroke = str(getattr(theme, role))
    fill = str(getattr(theme, f"{role}_fill"))
    return stroke, fill


def vector_glyph(node: Node, cell: Cell, theme: Theme) -> Glyph:
    """An input, state, output or named vector: a column of cells, its name and its shape."""
    role = {"input": "input", "state": "state", "output": "output"}.get(node.kind, "vector")
    stroke, fill = _colours(theme, role)
    size = cell.size(node.size)
    unit, pad = theme.unit, theme.font_size * 0.55
    name, shape = node.label, shape_text((size,))
    name_w = text_width(name, theme.font_size, bold=True)
    shape_w = text_width(shape, theme.small)
    text_h = line_height(theme.font_size) + line_height(theme.small) * 1.05
    column_h = len(slots(size)) * unit
    inner_h = max(column_h, text_h)
    width = pad + unit + pad * 0.9 + max(name_w, shape_w) + pad
    height = inner_h + 2 * pad
    sw = theme.stroke * 0.8
    shapes: list[Shape] = [Rect(0, 0, width, height, fill, stroke, theme.stroke, rx=pad * 0.8)]
    cells, _, _ = _grid(node.id, size, 1, pad, (height - column_h) / 2, unit, stroke,
                        theme.background, sw)
    shapes += cells
    tx = pad + unit + pad * 0.9
    top = (height - text_h) / 2
    shapes.append(Text(tx, top + 0.93 * theme.font_size, name, theme.font_size, theme.text,
                       weight="bold"))
    shapes.append(Text(tx, top + line_height(theme.font_size) * 1.05 + 0.93 * theme.small,
                       shape, theme.small, theme.muted))
    return Glyph(width, height, tuple(shapes))


def term_text(graph: CellGraph, node: Node, index: int) -> str:
    """How a dense node's term reads: ``W_z·x[t]``, ``p_f⊙c[t-1]``, ``b_z``."""
    operand = node.operands[index]
    if operand.source is None:
        return operand.param or ""
    source = graph.node(operand.source)
    what = source.label
    if source.kind == "pointwise":
        symbol, arity = POINTWISE_OPS[source.op or ""]
        parts = [graph.node(o.source).label if o.source and graph.node(o.source).kind
                 not in ("pointwise", "dense") else "…" for o in source.operands]
        what = f"({symbol}{parts[0]})" if arity == 1 else f"({symbol.join(parts)})"
    elif source.kind == "dense":
        what = "(…)"
    joint = "⊙" if operand.role == "diag" else "·"
    return f"{operand.param}{joint}{what}"


def dense_glyph(node: Node, cell: Cell, theme: Theme) -> Glyph:
    """A dense node: each term's matrix or vector glyph with its name and shape, and the node's
    parameter count."""
    stroke, fill = _colours(theme, "dense")
    unit, pad, small = theme.unit * 0.8, theme.font_size * 0.6, theme.small
    plus_w = text_width("+", theme.font_size) + pad * 0.9
    terms = []
    for index, operand in enumerate(node.operands):
        param = cell.graph.param(operand.param) if operand.param else None
        shape = cell.shape(param.dims) if param else ()
        rows, cols = (shape[0], shape[1]) if len(shape) == 2 else (shape[0] if shape else 1, 1)
        caption, dims = term_text(cell.graph, node, index), shape_text(shape)
        glyph_w, glyph_h = len(slots(cols)) * unit, len(slots(rows)) * unit
        w = max(text_width(caption, small), text_width(dims, small), glyph_w)
        terms.append((operand.param or "", rows, cols, caption, dims, w, glyph_w, glyph_h))
    count = sum(rows * cols for _, rows, cols, *_ in terms)
    total = f"{count} parameter{'s' if count != 1 else ''}"
    glyph_h = max(t[7] for t in terms)
    line = line_height(small)
    inner_w = sum(t[5] for t in terms) + plus_w * (len(terms) - 1)
    inner_w = max(inner_w, text_width(total, small, bold=True))
    width = inner_w + 2 * pad
    top = pad
    glyph_top = top + line * 1.15
    shape_top = glyph_top + glyph_h + line * 0.15
    count_top = shape_top + line * 1.2
    height = count_top + line + pad
    shapes: list[Shape] = [Rect(0, 0, width, height, fill, stroke, theme.stroke, rx=pad * 0.5)]
    x = pad + (inner_w - (sum(t[5] for t in terms) + plus_w * (len(terms) - 1))) / 2
    for k, (key, rows, cols, caption, dims, w, gw, gh) in enumerate(terms):
        mid = x + w / 2
        shapes.append(Text(mid, top + 0.93 * small, caption, small, theme.text, anchor="middle"))
        cells, _, _ = _grid(key, rows, cols, mid - gw / 2, glyph_top + (glyph_h - gh) / 2, unit,
                            stroke, theme.background, theme.stroke * 0.7)
        shapes += cells
        shapes.append(Text(mid, shape_top + 0.93 * small, dims, small, theme.muted,
                           anchor="middle"))
        x += w
        if k < len(terms) - 1:
            shapes.append(Text(x + plus_w / 2, _baseline(glyph_top + glyph_h / 2, theme.font_size),
                               "+", theme.font_size, theme.text, anchor="middle"))
            x += plus_w
    shapes.append(Text(width / 2, count_top + 0.93 * small, total, small, theme.text,
                       anchor="middle", weight="bold"))
    return Glyph(width, height, tuple(shapes))


def pointwise_glyph(node: Node, theme: Theme) -> Glyph:
    """A pointwise node: a circle with its operation's symbol."""
    stroke, fill = _colours(theme, "pointwise")
    symbol = POINTWISE_OPS[node.op or ""][0]
    size = theme.font_size * 1.25
    radius = max(theme.font_size * 1.15, text_width(symbol, size, bold=True) / 2 + size * 0.35)
    d = 2 * radius
    shapes: tuple[Shape, ...] = (
        Circle(radius, radius, radius, fill, stroke, theme.stroke * 1.1),
        Text(radius, _baseline(radius, size), symbol, size, theme.text, anchor="middle",
             weight="bold"),
    )
    return Glyph(d, d, shapes, circle=True)


def activation_glyph(activation: str, theme: Theme) -> Glyph:
    """An activation's mark on its edge: a pill with σ, tanh, ..."""
    stroke, fill = _colours(theme, "activation")
    label = ACTIVATIONS.get(activation, activation)
    size = theme.small * 1.1
    height = line_height(size) + size * 0.3
    width = max(text_width(label, size, bold=True) + size * 1.0, height * 1.25)
    shapes: tuple[Shape, ...] = (
        Rect(0, 0, width, height, fill, stroke, theme.stroke, rx=height / 2),
        Text(width / 2, _baseline(height / 2, size), label, size, theme.text, anchor="middle",
             weight="bold"),
    )
    return Glyph(width, height, shapes)


def node_glyph(node: Node, cell: Cell, theme: Theme) -> Glyph:
    """The glyph of any node of the graph."""
    if node.kind == "dense":
        return dense_glyph(node, cell, theme)
    if node.kind == "pointwise":
        return pointwise_glyph(node, theme)
    return vector_glyph(node, cell, theme)
