"""The figure's legend: a sample and a line of text for each kind of mark drawn, and totals."""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..cell import Cell
from ..graph import POINTWISE_OPS
from ..record import record
from .glyphs import Glyph, activation_glyph, translate
from .lines import edge_shapes, line_dash
from .metrics import line_height, text_width
from .scene import Circle, Group, Path, Rect, Shape, Text, fmt
from .themes import Theme
from .values import BU_RD, Values, value_colours, value_outline

__all__ = ["KINDS", "TEXTS", "VECTOR_BOXES", "Marks", "legend", "legend_min_width", "line_kind",
           "marks_of"]


#: The kinds of mark, in legend order: the line styles and a line's gap where it passes
#: another (a bridge), then what glyphs draw (their
#: ``Glyph.marks``: a vector of each role as a column of cells, or ``_box`` as a named box; a
#: dense node in full, a gate's box or a dense node's box at compact detail; an element-wise
#: circle; a port; a junction, where a line branches; the weight glyphs; an activation
#: mark). A glyph's mark may carry what its
#: sample shows after a colon (``op:⊙``, ``gate:σ f``, ``activation:tanh``).
KINDS = ("dense", "pointwise", "state_line", "bridge",
         "input", "input_box", "state", "state_box", "output", "output_box", "vector",
         "vector_box", "dense_node", "gate", "dense_box", "op", "port", "junction", "matrix",
         "bias", "diag", "activation")

#: A vector drawn as a named box (compact detail), by its role.
VECTOR_BOXES = ("input_box", "state_box", "output_box", "vector_box")
#: The pointwise symbols in the order the legend names them.
_SYMBOLS = [symbol for symbol, _ in POINTWISE_OPS.values()]


@record
class Marks:
    """The kinds of mark a figure draws (of KINDS, in that order), each with the samples it
    was drawn with (the pointwise symbols, the gates' texts, the activations); ``unrolled``:
    a figure of several steps, whose states lie between two steps."""

    kinds: tuple[tuple[str, tuple[str, ...]], ...]
    unrolled: bool = False


def line_kind(style: str, heavy: bool) -> str:
    """The legend's kind of a connection drawn in ``style``, ``heavy`` on a state line."""
    return "state_line" if heavy else style


def marks_of(glyphs: Iterable[Glyph], lines: Iterable[str], *,
             unrolled: bool = False) -> Marks:
    """What a figure draws, from its glyphs' ``marks`` and the kinds of its ``lines`` (as
    ``line_kind`` names them)."""
    found: dict[str, list[str]] = {kind: [] for kind in dict.fromkeys(lines)}
    for glyph in glyphs:
        for mark in glyph.marks:
            kind, _, sample = mark.partition(":")
            samples = found.setdefault(kind, [])
            if sample and sample not in samples:
                samples.append(sample)
    unknown = set(found) - set(KINDS)
    if unknown:
        raise ValueError(f"no legend entry for {sorted(unknown)}")
    return Marks(tuple((k, tuple(found[k])) for k in KINDS if k in found), unrolled)


#: Each kind of mark's line in the legend; the vector roles are worded for one step and, where
#: they differ, for an unrolled figure (a state there lies between two steps).
TEXTS = {
    "dense": "dense connection: W·v + b",
    "pointwise": "pointwise connection",
    "state_line": "state line: a state carried on",
    "input": "input vector",
    "state": "state from the step before",
    "state_unrolled": "state between two steps",
    "output": "state or output the step writes",
    "output_unrolled": "output of the step",
    "vector": "vector inside the cell",
    "dense_node": "dense node: its terms and parameter count",
    "gate": "gate: its activation and name",
    "dense_box": "dense node: the weights it sums",
    "port": "where a vector enters or leaves a step",
    "junction": "a line branching: one vector on to two places",
    "bridge": "a line passing another, not joining it",
    "matrix": "weight matrix, rows×cols",
    "bias": "bias, n×1",
    "diag": "element-wise weight (p⊙v), n×1",
    "activation": "activation on its edge",
}


def _items(marks: Marks, values: Values | None) -> list[tuple[str, str, str]]:
    """The legend's entries (kind, text, the sample it shows, if any)."""
    items = []
    for kind, samples in marks.kinds:
        role = kind.removesuffix("_box") if kind in VECTOR_BOXES else kind
        if kind == "op":
            symbols = sorted(samples, key=_SYMBOLS.index)
            items.append((kind, "element-wise " + " ".join(symbols), symbols[0]))
            continue
        if marks.unrolled and role in ("state", "output"):
            role += "_unrolled"
        items.append((kind, TEXTS[role], samples[0] if samples else ""))
    if values is not None:
        items.append(("scale", f"value: −{fmt(values.limit)} or less, 0, "
                               f"+{fmt(values.limit)} or more", ""))
    if values is not None and values.grads is not None:
        limit = f"{values.grads.limit:g}"
        of = f", L = {values.grads.loss}," if values.grads.loss else ""
        items.append(("gradients", f"gradient ∂L/∂v{of} beside or below each value: −{limit} "
                                   f"or less, 0, +{limit} or more", ""))
    return items


def legend(cell: Cell, theme: Theme, width: float, marks: Marks,
           values: Values | None = None) -> tuple[float, list[Group]]:
    """The legend at (0, 0) for a figure ``width`` wide: its frame and totals, then an entry
    (a group of its sample and text, its kind as id) for every kind of mark drawn
    (``marks``) and for the colour scales of the values if any."""
    fs, small, unit = theme.font_size, theme.small, theme.unit
    pad = fs * 0.8
    sample_w = fs * 3.2
    row_h = max(line_height(fs), unit * 3) + fs * 0.5
    items = _items(marks, values)
    # A sample with a wide text (tanh, a gate's σ f) gets a wider box than the others.
    sample_ws = [max(sample_w, _sample_text_w(kind, sample, theme) + fs * 0.8)
                 for kind, _, sample in items]
    widths = [sw + fs * 0.5 + text_width(text, small) + fs * 1.4
              for sw, (_, text, _) in zip(sample_ws, items, strict=True)]
    entries: list[Group] = []
    y = pad - row_h
    for row in _rows(widths, width - 2 * pad):
        x, y = pad, y + row_h
        cy = y + row_h / 2
        for k in row:
            kind, text, sample = items[k]
            entries.append(Group("legend-entry", kind, (
                *_sample(kind, sample, theme, x, cy, sample_ws[k], values),
                Text(x + sample_ws[k] + fs * 0.5, cy + 0.36 * small, text, small, theme.text))))
            x += widths[k]
    y += row_h + fs * 0.3
    table = cell.params()
    total = f"{table.summary()}  ({cell.graph.formula()})"
    height = y + line_height(fs) + pad
    frame = Rect(0, 0, width, height, theme.legend_fill, theme.gate_stroke, theme.stroke * 0.8,
                 rx=fs * 0.4)
    totals = Text(pad, y + 0.93 * fs, total, fs, theme.text, weight="bold")
    return height, [Group("legend", "legend", (frame, totals)), *entries]


def _sample_text_w(kind: str, sample: str, theme: Theme) -> float:
    """How wide the sample of an entry is drawn, if it shows a text: an activation's mark, a
    gate's or a vector's box."""
    if kind == "activation":
        return activation_glyph(sample, theme).width
    if kind in ("gate", "dense_box", *VECTOR_BOXES):
        return text_width(sample, theme.small, bold=True, sub=theme.subscript) + \
            theme.font_size * 0.8
    return 0.0


def _sample(kind: str, sample: str, theme: Theme, x: float, cy: float, sample_w: float,
            values: Values | None) -> list[Shape]:
    """The small picture of one legend entry, in a box ``sample_w`` wide from ``x``, centred
    on ``cy``, drawn as the figure draws that kind of mark; ``sample`` is the symbol,
    activation or name it shows, if any."""
    fs, small, unit = theme.font_size, theme.small, theme.unit
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
    if kind in ("gate", "dense_box", *VECTOR_BOXES):
        # A box as the compact figure draws it: the gate's or vector's name inside.
        role = "dense" if kind in ("gate", "dense_box") else kind.removesuffix("_box")
        stroke, fill = str(getattr(theme, role)), str(getattr(theme, f"{role}_fill"))
        w, h = _sample_text_w(kind, sample, theme), line_height(small) + small * 0.6
        return [Rect(mid - w / 2, cy - h / 2, w, h, fill, stroke, theme.stroke, rx=small * 0.35),
                Text(mid, cy + 0.36 * small, sample, small, theme.text, anchor="middle",
                     weight="bold", sub=theme.subscript)]
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
    if kind == "junction":  # a line in from the left, on to the right and up
        half = fs * 0.9
        return [Path(f"M{fmt(x)},{fmt(cy)}L{fmt(x + sample_w)},{fmt(cy)}M{fmt(mid)},{fmt(cy)}"
                     f"L{fmt(mid)},{fmt(cy - half)}", theme.line, theme.stroke),
                Circle(mid, cy, unit * 0.32 * 1.2, theme.line, "none", 0)]
    if kind == "bridge":  # an upright line with a gap where it passes a level one
        half, gap = fs * 0.9, fs * 0.35
        return [Path(f"M{fmt(mid)},{fmt(cy + half)}L{fmt(mid)},{fmt(cy + gap)}"
                     f"M{fmt(mid)},{fmt(cy - gap)}L{fmt(mid)},{fmt(cy - half)}", theme.line,
                     theme.stroke),
                Path(f"M{fmt(x)},{fmt(cy)}L{fmt(x + sample_w)},{fmt(cy)}", theme.line,
                     theme.stroke)]
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
        out.append(Rect(x + k * w, cy - h / 2, w, h, fill, value_outline(fill),
                        theme.stroke * 0.4))
    return out


def legend_min_width(cell: Cell, theme: Theme) -> float:
    total = f"{cell.params().summary()}  ({cell.graph.formula()})"
    return text_width(total, theme.font_size, bold=True) + theme.font_size * 1.6
