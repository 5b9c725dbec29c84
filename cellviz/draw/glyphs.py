"""Node glyphs: the size and the shapes of every kind of node, in the node's own coordinates."""

from __future__ import annotations

from ..cell import Cell
from ..graph import ACTIVATIONS, POINTWISE_OPS, CellGraph, Node
from ..params import shape_text
from ..record import record
from .metrics import SUBSCRIPT_DROP, line_height, text_width
from .scene import Circle, Path, Rect, Shape, Text
from .themes import Theme
from .values import Values, value_colours, value_outline

__all__ = ["Glyph", "activation_glyph", "node_glyph", "port_glyph", "slots", "translate"]

#: A vector or matrix side longer than this is abbreviated: first cells, an ellipsis, the last.
MAX_CELLS = 4


@record
class Glyph:
    """A node's drawing: its box (``width`` × ``height``, origin top-left) and its shapes;
    ``ports`` are, for a dense node, how far from its left side each operand's term stands
    (where an edge carrying that operand enters it); ``marks`` the kinds of mark it draws,
    as the legend names them (``input``, ``matrix``, ``op:⊙``: see ``legend.marks_of``)."""

    width: float
    height: float
    shapes: tuple[Shape, ...]
    circle: bool = False
    ports: tuple[float, ...] = ()
    marks: tuple[str, ...] = ()


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
        if isinstance(s, Path):
            raise TypeError(f"a glyph cannot hold {type(s).__name__}")
        out.append(s.moved(dx, dy))
    return tuple(out)


def _baseline(center_y: float, size: float) -> float:
    # DejaVu Sans: the middle of the lower-case letters sits about 0.36 em above the baseline.
    return center_y + 0.36 * size


@record
class _Cells:
    """How a grid's cells look: their size, stroke and fill, and the numbers to print (none,
    or ``values`` with ``numbers`` on: a fill by value and the value printed in the cell)."""

    w: float
    h: float
    stroke: str
    fill: str
    width: float
    theme: Theme
    values: Values | None = None
    numbers: bool = True
    round: bool = False


def _cells(theme: Theme, unit: float, stroke: str, width: float, values: Values | None,
           numbers: bool = True, *, round: bool = False) -> _Cells:
    """Plain square cells, or with values cells wide enough for a printed number; ``round``
    cells (an element-wise weight's) are pills."""
    if values is None or not numbers:
        return _Cells(unit, unit, stroke, theme.background, width, theme, values, False, round)
    size = value_size(theme)
    return _Cells(text_width(values.widest, size) + size * 0.5, line_height(size) + size * 0.2,
                  stroke, theme.background, width, theme, values, True, round)


def _grads(values: Values | None, key: str) -> Values | None:
    """The gradients to draw beside the values of ``key`` (a node id or parameter), if any."""
    grads = values.grads if values is not None else None
    return grads if grads is not None and grads.cell(key, 0, 0) is not None else None


def value_size(theme: Theme) -> float:
    """The font size of the numbers printed in glyph cells."""
    return theme.small


def _grid(key: str, rows: int, cols: int, x: float, y: float,
          look: _Cells) -> tuple[list[Shape], float, float]:
    """A rows×cols grid of cell rects (abbreviated past MAX_CELLS) at (x, y); its size. With
    values, each cell is filled by its value and, if ``look.numbers``, prints it."""
    shapes: list[Shape] = []
    row_slots, col_slots = slots(rows), slots(cols)
    w, h = look.w, look.h
    rx = min(w, h) / 2 if look.round else 0.0
    for a, r in enumerate(row_slots):
        for b, c in enumerate(col_slots):
            cx, cy = x + b * w, y + a * h
            if r is None or c is None:
                # The ellipsis: a small dot in the middle of the skipped cell.
                shapes.append(Circle(cx + w / 2, cy + h / 2, min(w, h) * 0.09, look.stroke,
                                     "none"))
                continue
            cell_key = f"{key}/{r}" if cols == 1 else f"{key}/{r}/{c}"
            value = look.values.cell(key, r, c) if look.values is not None else None
            if look.values is not None:
                cell_key = look.values.prefix + cell_key
            if value is None:
                shapes.append(Rect(cx, cy, w, h, look.fill, look.stroke, look.width, rx=rx,
                                   key=cell_key))
                continue
            assert look.values is not None
            fill, ink = value_colours(look.theme, value, look.values.limit, look.values.stops)
            shapes.append(Rect(cx, cy, w, h, fill, value_outline(fill), look.width, rx=rx,
                               key=cell_key))
            if look.numbers:
                size = value_size(look.theme)
                shapes.append(Text(cx + w - size * 0.25, _baseline(cy + h / 2, size),
                                   look.values.text(value), size, ink, anchor="end",
                                   key=cell_key))
    return shapes, len(col_slots) * w, len(row_slots) * h


def _colours(theme: Theme, role: str) -> tuple[str, str]:
    stroke = str(getattr(theme, role))
    fill = str(getattr(theme, f"{role}_fill"))
    return stroke, fill


def vector_glyph(node: Node, cell: Cell, theme: Theme, values: Values | None = None, *,
                 shape: str = "") -> Glyph:
    """An input, state, output or named vector: a column of cells, its name and its shape (under
    the name, or beside it in a short arrangement; ``shape``, if given, is written instead);
    with values, each cell coloured by its number and printing it."""
    role = {"input": "input", "state": "state", "output": "output"}.get(node.kind, "vector")
    stroke, fill = _colours(theme, role)
    size = cell.size(node.size)
    unit, pad = theme.unit, theme.space * 0.55
    name, shape = node.label, shape or shape_text((size,))
    name_w = text_width(name, theme.font_size, bold=True, sub=theme.subscript)
    shape_w = text_width(shape, theme.small)
    short = theme.arrangement == "short"
    text_h = line_height(theme.font_size) + (0.0 if short else line_height(theme.small) * 1.05)
    text_w = name_w + shape_w + pad * 0.6 if short else max(name_w, shape_w)
    look = _cells(theme, unit, stroke, theme.stroke * 0.8,
                  values if values and values.vector(node.id) else None)
    grads = _grads(values, node.id)
    # The gradients, if any, stand in a second column just right of the values.
    grad_look = _cells(theme, unit, stroke, theme.stroke * 0.8, grads) if grads else None
    gap = pad * 0.3
    columns_w = look.w + (gap + grad_look.w if grad_look else 0.0)
    column_h = len(slots(size)) * look.h
    inner_h = max(column_h, text_h)
    width = pad + columns_w + pad * 0.9 + text_w + pad
    height = inner_h + 2 * pad
    shapes: list[Shape] = [Rect(0, 0, width, height, fill, stroke, theme.stroke, rx=pad * 0.8)]
    cells, _, _ = _grid(node.id, size, 1, pad, (height - column_h) / 2, look)
    shapes += cells
    if grad_look is not None:
        cells, _, _ = _grid(node.id, size, 1, pad + look.w + gap, (height - column_h) / 2,
                            grad_look)
        shapes += cells
    tx = pad + columns_w + pad * 0.9
    top = (height - text_h) / 2
    shapes.append(Text(tx, top + 0.93 * theme.font_size, name, theme.font_size, theme.text,
                       weight="bold", sub=theme.subscript))
    if short:
        shapes.append(Text(tx + name_w + pad * 0.6, top + 0.93 * theme.font_size, shape,
                           theme.small, theme.muted))
    else:
        shapes.append(Text(tx, top + line_height(theme.font_size) * 1.05 + 0.93 * theme.small,
                           shape, theme.small, theme.muted))
    return Glyph(width, height, tuple(shapes), marks=(role,))


@record
class _Term:
    """One term of a dense node's sum as drawn: the key of its glyph (a parameter's name, or
    the node's id for its sum), its grid, caption, shape and the sign before it."""

    key: str
    rows: int
    cols: int
    caption: str
    dims: str
    look: _Cells
    joint: str = "+"
    grads: _Cells | None = None

    @property
    def glyph_w(self) -> float:
        return len(slots(self.cols)) * max(self.look.w, self.grads.w if self.grads else 0.0)

    @property
    def values_h(self) -> float:
        return len(slots(self.rows)) * self.look.h

    @property
    def glyph_h(self) -> float:
        """The values' grid, and below it the gradients' grid if there is one."""
        if self.grads is None:
            return self.values_h
        return self.values_h + self.look.h * 0.25 + len(slots(self.rows)) * self.grads.h

    def lines(self, stacked: bool) -> tuple[str, ...]:
        """The caption as drawn: one line, or (``stacked``) the weight's name over what it
        multiplies (``W_f`` over ``·x[t]``)."""
        cut = len(self.key) if self.caption.startswith(self.key) else 0
        if not stacked or not 0 < cut < len(self.caption):
            return (self.caption,)
        return self.caption[:cut], self.caption[cut:]

    def width(self, theme: Theme) -> float:
        return max(*(text_width(t, theme.small, sub=theme.subscript)
                     for t in self.lines(theme.arrangement == "narrow")),
                   text_width(self.dims, theme.small), self.glyph_w)


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


def dense_glyph(node: Node, cell: Cell, theme: Theme, values: Values | None = None,
                below: bool = False) -> Glyph:
    """A dense node: each term's matrix or vector glyph with its name and shape, and the node's
    parameter count; with values, the weights (printed up to MAX_CELLS×MAX_CELLS, coloured
    beyond) and ``= sum``, the node's value before its activation. ``below``: the terms'
    names along the bottom, where their operands come in from below, the count on top."""
    stroke, fill = _colours(theme, "dense")
    unit, pad, small = theme.unit * 0.8, theme.space * 0.6, theme.small
    plus_w = text_width("+", theme.font_size) + pad * 0.9
    sw = theme.stroke * 0.7
    terms = []
    for index, operand in enumerate(node.operands):
        param = cell.graph.param(operand.param) if operand.param else None
        shape = cell.shape(param.dims) if param else ()
        rows, cols = (shape[0], shape[1]) if len(shape) == 2 else (shape[0] if shape else 1, 1)
        small_enough = rows <= MAX_CELLS and cols <= MAX_CELLS
        look = _cells(theme, unit, theme.grid, sw, values, small_enough,
                      round=param is not None and param.role == "diag")
        grads = _grads(values, operand.param or "")
        grad_look = (_cells(theme, unit, theme.grid, sw, grads, small_enough, round=look.round)
                     if grads else None)
        terms.append(_Term(operand.param or "", rows, cols, term_text(cell.graph, node, index),
                           shape_text(shape), look, grads=grad_look))
    count = sum(t.rows * t.cols for t in terms)
    if values is not None and values.vector(node.id):
        look = _cells(theme, unit, theme.grid, sw, values)
        grads = _grads(values, node.id)
        terms.append(_Term(node.id, cell.size(node.size), 1, "sum",
                           shape_text((cell.size(node.size),)), look, joint="=",
                           grads=_cells(theme, unit, theme.grid, sw, grads) if grads else None))
    total = f"{count} parameter{'s' if count != 1 else ''}"
    glyph_h = max(t.glyph_h for t in terms)
    line = line_height(small)
    terms_w = sum(t.width(theme) for t in terms) + plus_w * (len(terms) - 1)
    inner_w = max(terms_w, text_width(total, small, bold=True))
    width = inner_w + 2 * pad
    top = pad
    # A caption's second line stands clear of the first one's subscripts.
    step = line + small * SUBSCRIPT_DROP
    extra = step * (max(len(t.lines(theme.arrangement == "narrow")) for t in terms) - 1)
    glyph_top = top + line * 1.15 + extra
    shape_top = glyph_top + glyph_h + line * 0.15
    count_top = shape_top + line * 1.2
    height = count_top + line + pad
    if below:
        # From the top: the count, each term's shape, its grid, its name.
        count_top, shape_top = top, top + line * 1.2
        glyph_top = shape_top + line * 1.15
        top = glyph_top + glyph_h + line * 0.15
    shapes: list[Shape] = [Rect(0, 0, width, height, fill, stroke, theme.stroke, rx=pad * 0.5)]
    x = pad + (inner_w - terms_w) / 2
    last_right = 0.0
    ports: list[float] = []
    for k, term in enumerate(terms):
        w, gw, gh = term.width(theme), term.glyph_w, term.glyph_h
        mid = x + w / 2
        if k:
            # Midway between the two glyphs, not the two columns: a wide caption (W_hz·h[t-1])
            # would otherwise push its + away from the glyph before it.
            shapes.append(Text((last_right + mid - gw / 2) / 2,
                               _baseline(glyph_top + glyph_h / 2, theme.font_size),
                               term.joint, theme.font_size, theme.text, anchor="middle"))
        last_right = mid + gw / 2
        ports.append(mid)
        for k_line, caption in enumerate(term.lines(theme.arrangement == "narrow")):
            shapes.append(Text(mid, top + step * k_line + 0.93 * small, caption, small,
                               theme.text, anchor="middle", sub=theme.subscript))
        top_of = glyph_top + (glyph_h - gh) / 2
        columns = len(slots(term.cols))
        cells, _, _ = _grid(term.key, term.rows, term.cols, mid - columns * term.look.w / 2,
                            top_of, term.look)
        shapes += cells
        if term.grads is not None:
            cells, _, _ = _grid(term.key, term.rows, term.cols, mid - columns * term.grads.w / 2,
                                top_of + term.values_h + term.look.h * 0.25, term.grads)
            shapes += cells
        shapes.append(Text(mid, shape_top + 0.93 * small, term.dims, small, theme.muted,
                           anchor="middle"))
        x += w + plus_w
    shapes.append(Text(width / 2, count_top + 0.93 * small, total, small, theme.text,
                       anchor="middle", weight="bold"))
    kinds = {cell.graph.param(o.param).role for o in node.operands if o.param}
    marks = ("dense_node", *(k for k in ("matrix", "bias", "diag") if k in kinds))
    return Glyph(width, height, tuple(shapes), ports=tuple(ports[:len(node.operands)]),
                 marks=marks)


def pointwise_glyph(node: Node, theme: Theme) -> Glyph:
    """A pointwise node: a circle with its operation's symbol."""
    stroke, fill = _colours(theme, "pointwise")
    symbol = POINTWISE_OPS[node.op or ""][0]
    # Every circle has one radius; a wide symbol (1−) is set smaller to fit, not drawn larger.
    radius = theme.font_size * 1.15
    per_size = text_width(symbol, 1.0, bold=True) / 2 + 0.35
    size = min(theme.font_size * 1.25, radius / per_size)
    d = 2 * radius
    shapes: tuple[Shape, ...] = (
        Circle(radius, radius, radius, fill, stroke, theme.stroke * 1.1),
        Text(radius, _baseline(radius, size), symbol, size, theme.text, anchor="middle",
             weight="bold"),
    )
    return Glyph(d, d, shapes, circle=True, marks=(f"op:{symbol}",))


def activation_glyph(activation: str, theme: Theme, size: float = 0.0) -> Glyph:
    """An activation's mark on its edge: a pill with σ, tanh, ... in type of ``size`` (by
    default a little larger than the theme's small type)."""
    stroke, fill = _colours(theme, "activation")
    label = ACTIVATIONS.get(activation, activation)
    size = size or theme.small * 1.1
    height = line_height(size) + size * 0.3
    width = max(text_width(label, size, bold=True) + size * 1.0, height * 1.25)
    shapes: tuple[Shape, ...] = (
        Rect(0, 0, width, height, fill, stroke, theme.stroke, rx=height / 2),
        Text(width / 2, _baseline(height / 2, size), label, size, theme.text, anchor="middle",
             weight="bold"),
    )
    return Glyph(width, height, shapes, marks=(f"activation:{label}",))


def port_glyph(theme: Theme) -> Glyph:
    """Where a vector drawn outside a step of an unrolled figure enters or leaves it: a dot."""
    r = theme.unit * 0.32
    return Glyph(2 * r, 2 * r, (Circle(r, r, r, theme.line, "none", 0),), circle=True,
                 marks=("port",))


def node_glyph(node: Node, cell: Cell, theme: Theme, values: Values | None = None,
               below: bool = False) -> Glyph:
    """The glyph of any node of the graph, with its numbers when ``values`` holds them;
    ``below`` as in ``dense_glyph``."""
    if node.kind == "dense":
        return dense_glyph(node, cell, theme, values, below)
    if node.kind == "pointwise":
        return pointwise_glyph(node, theme)
    return vector_glyph(node, cell, theme, values)
