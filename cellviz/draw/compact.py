"""The compact detail level: each gate one small box (its activation and name), vectors without
their cells, every text at the theme's full size, so that a whole cell reads in a lecture hall."""

from __future__ import annotations

from ..cell import Cell
from ..graph import ACTIVATIONS, CellGraph, Node
from ..params import shape_text
from .glyphs import Glyph, node_glyph, pointwise_glyph
from .metrics import line_height, text_width
from .scene import Rect, Shape, Text
from .themes import Theme
from .values import Values

__all__ = ["CELL_FORMS", "DETAILS", "check_cells", "check_detail", "detailed_glyph", "folded",
           "gate_chains", "gate_glyph", "vector_glyph"]

#: The detail levels: full draws every weight matrix with its shape and count, compact one
#: box per gate.
DETAILS = ("full", "compact")
#: How a stack's figure draws its cells: at the compact detail level where the figure fits a
#: slide (auto), as labelled boxes, or at the compact detail level.
CELL_FORMS = ("auto", "box", "compact")


def check_detail(detail: object) -> str:
    """``detail`` if it is one of DETAILS, else a UsageError naming them."""
    from ..errors import UsageError, shorten

    if detail not in DETAILS:
        raise UsageError(f"unknown detail: {shorten(repr(detail), 40)} (must be one of "
                         f"{', '.join(DETAILS)})")
    return str(detail)


def check_cells(cells: object) -> str:
    """``cells`` if it is one of CELL_FORMS, else a UsageError naming them."""
    from ..errors import UsageError, shorten

    if cells not in CELL_FORMS:
        raise UsageError(f"unknown cells: {shorten(repr(cells), 40)} (must be one of "
                         f"{', '.join(CELL_FORMS)})")
    return str(cells)


def gate_chains(graph: CellGraph) -> dict[str, tuple[str, str]]:
    """The gates that compact draws as one box: a named vector computed from a dense node and
    nothing else (``f[t] = σ(W_f x[t] + ...)``), by the dense node's id: (the vector's id, the
    activation between them)."""
    outs: dict[str, int] = {}
    for edge in graph.edges:
        outs[edge.source] = outs.get(edge.source, 0) + 1
    chains: dict[str, tuple[str, str]] = {}
    for edge in graph.edges:
        target = graph.node(edge.target)
        if (target.kind == "vector" and len(target.operands) == 1
                and graph.node(edge.source).kind == "dense" and outs[edge.source] == 1):
            chains[edge.source] = (edge.target, edge.activation)
    return chains


def folded(node: Node, values: Values | None) -> str:
    """The activation that compact draws inside this node's box (``tanh n[t]``), not as a mark
    on the edge into it: a named vector computed by one activation (of a sum, not a gate's
    box, which holds its activation itself), unless it prints values. Else empty."""
    if node.kind != "vector" or len(node.operands) != 1 or (
            values is not None and values.vector(node.id)):
        return ""
    activation = node.operands[0].activation
    return "" if activation == "identity" else activation


def _name(label: str) -> str:
    """A vector's name without its time step: ``f[t]`` reads ``f``."""
    return label[:-3] if label.endswith("[t]") else label


def gate_glyph(node: Node, graph: CellGraph, theme: Theme,
               chain: tuple[str, str] | None) -> Glyph:
    """A dense node as one small box: ``σ f`` for a gate (its activation and its vector's
    name), else the names of its weights (``W_hr``)."""
    if chain is not None:
        vector, activation = chain
        symbol = ACTIVATIONS.get(activation, activation)
        text = f"{symbol} {_name(graph.node(vector).label)}".strip()
        mark = "gate"
    else:
        text = " ".join(o.param for o in node.operands if o.param and o.role != "bias")
        text = text or node.label
        mark = "dense_box"
    fs, space = theme.font_size, theme.space
    fed = [k for k, o in enumerate(node.operands) if o.source]
    # Wide enough that the arrows of the operands coming in stand well apart.
    width = max(text_width(text, fs, bold=True, sub=theme.subscript) + space * 1.4,
                (len(fed) + 1) * space * 1.2)
    height = line_height(fs) + space * 0.9
    shapes: tuple[Shape, ...] = (
        Rect(0, 0, width, height, theme.dense_fill, theme.dense, theme.stroke, rx=space * 0.35),
        Text(width / 2, height / 2 + 0.36 * fs, text, fs, theme.text, anchor="middle",
             weight="bold", sub=theme.subscript),
    )
    # Operands that come in over an edge enter side by side, spread over the box's width.
    ports = [0.0] * len(node.operands)
    for j, k in enumerate(fed):
        ports[k] = width * (j + 1) / (len(fed) + 1)
    return Glyph(width, height, shapes, ports=tuple(ports), marks=(f"{mark}:{text}",))


def vector_glyph(node: Node, cell: Cell, theme: Theme, activation: str = "") -> Glyph:
    """An input, state, output or named vector as its name (after the ``activation`` that
    computes it, if given), with its shape below it (beside it in a short arrangement) when it
    is one the cell reads or writes (a gate's own vector is drawn inside its gate's box)."""
    role = {"input": "input", "state": "state", "output": "output"}.get(node.kind, "vector")
    stroke, fill = str(getattr(theme, role)), str(getattr(theme, f"{role}_fill"))
    fs = theme.font_size
    symbol = ACTIVATIONS.get(activation, activation)
    lines = [f"{symbol} {node.label}" if symbol else node.label]
    if node.kind != "vector":
        lines.append(shape_text((cell.size(node.size),)))
    pad = theme.space * 0.45
    widths = [text_width(t, fs, bold=k == 0, sub=theme.subscript) for k, t in enumerate(lines)]
    # (x, y) of each line's start: under each other, or side by side in a short arrangement.
    if theme.arrangement == "short":
        starts = [(pad * 1.3 + sum(widths[:k]) + pad * k, pad) for k in range(len(lines))]
        width, height = sum(widths) + pad * (len(lines) - 1) + 2.6 * pad, line_height(fs)
    else:
        # Lines a little further apart than their height: Chromium's text boxes are taller.
        step = line_height(fs) * 1.08
        width, height = max(widths) + 2.6 * pad, line_height(fs) + step * (len(lines) - 1)
        starts = [((width - w) / 2, pad + step * k) for k, w in enumerate(widths)]
    height += 2 * pad
    shapes: list[Shape] = [Rect(0, 0, width, height, fill, stroke, theme.stroke, rx=pad)]
    for k, (text, (x, y)) in enumerate(zip(lines, starts, strict=True)):
        shapes.append(Text(x, y + 0.93 * fs, text, fs, theme.text if k == 0 else theme.muted,
                           weight="bold" if k == 0 else "normal", sub=theme.subscript))
    return Glyph(width, height, tuple(shapes), marks=(f"{role}_box:{lines[0]}",))


def detailed_glyph(node: Node, cell: Cell, theme: Theme, values: Values | None,
           chains: dict[str, tuple[str, str]] | None, below: bool) -> Glyph:
    """A node's glyph at full detail, or (``chains`` given) at compact detail, where vectors
    that print values keep their cells; ``below``: dense nodes are read from below."""
    if chains is None or node.kind == "pointwise":
        return node_glyph(node, cell, theme, values, below) if chains is None else (
            pointwise_glyph(node, theme))
    if node.kind == "dense":
        return gate_glyph(node, cell.graph, theme, chains.get(node.id))
    if values is not None and values.vector(node.id):
        return node_glyph(node, cell, theme, values)
    return vector_glyph(node, cell, theme, folded(node, values))
