"""Around a stack's drawing: its title, its legend (line styles, marks, parameters per layer)."""

from __future__ import annotations

from ..stack import DIRECTIONS, Stack
from .compose import figure_title, framed, translate_any
from .glyphs import activation_glyph, translate
from .legend import TEXTS as CELL_TEXTS
from .lines import edge_shapes, line_dash
from .metrics import line_height, text_width
from .scene import Circle, Group, Path, Rect, Scene, Shape, Text, bounds, fmt
from .themes import Theme

__all__ = ["bounds", "member_title", "stack_frame", "stack_title"]


def stack_title(stack: Stack, steps: int) -> str:
    """``LSTM, pytorch convention, i=3, n=2: 3 layers, bidirectional, unrolled over 4 steps``."""
    sizes = ", ".join(f"{s}={v}" for s, v in stack.sizes)
    layers = f"{stack.num_layers} layer{'s' if stack.num_layers != 1 else ''}"
    kind = ", bidirectional" if stack.bidirectional else ""
    unrolled = f", unrolled over {steps} steps" if steps > 1 else ""
    return (f"{stack.name.upper()}, {stack.convention} convention, {sizes}: {layers}{kind}"
            f"{unrolled}")


def member_title(stack: Stack, layer: int, direction: int) -> str:
    """The title of one cell of a stack drawn on its own: ``LSTM, paper convention, i=4, n=2:
    layer 1, reverse, of a 3-layer bidirectional stack``."""
    kind = " bidirectional" if stack.bidirectional else ""
    way = f", {DIRECTIONS[direction]}," if stack.bidirectional else ""
    return (f"{figure_title(stack.cells[layer][direction])}: layer {layer}{way} of a "
            f"{stack.num_layers}-layer{kind} stack")


def _layer_lines(stack: Stack) -> list[str]:
    """A line per layer: what it reads and its parameters, per direction and in all."""
    table = stack.params()
    out = []
    for k in range(stack.num_layers):
        reads = "x[t], " if k == 0 else "the layer below, "
        each = table.tables[k][0].total
        count = (f"{stack.directions} × {each:,} = {table.layer_total(k):,}"
                 if stack.bidirectional else f"{each:,}")
        out.append(f"layer {k} reads {reads}{stack.reads(k)}={stack.input_size(k)}: "
                   f"{count} parameters")
    return out


def _total(stack: Stack) -> str:
    total = stack.params().total
    layers = f"{stack.num_layers} layer{'s' if stack.num_layers != 1 else ''}"
    return f"{total:,} parameters in {layers}, the same at every step"


#: What each kind of mark a stack's figure draws reads in its legend: the single-cell legend's
#: words where the mark is the same.
_TEXTS = {
    **{kind: CELL_TEXTS[kind] for kind in ("pointwise", "gate", "dense_box", "activation",
                                            "junction")},
    "vector_box": CELL_TEXTS["vector"],
    "box": "a cell: its gates and parameters",
    "frame": "a cell, at the compact detail level",
    "input": "input x[t]",
    "state": "a lane's first state (its entry [k] in the states given)",
    "output": "output y[t], or a lane's final state (its entry [k] in those returned)",
    "dense": "a vector a cell reads (through its W)",
    "state_line": "state line: a state carried on to the next step",
    "op": "element-wise",
    "port": "where a vector enters or leaves a cell",
    "concat": "concatenation of both directions, no parameters",
    "bridge": "a line passing under a state line, not joining it",
}


def _entries(marks: tuple[tuple[str, str], ...]) -> list[tuple[str, str, str]]:
    """The legend's entries (kind, text, what its sample shows) of the marks drawn."""
    return [(kind, f"{_TEXTS[kind]} {sample}" if kind == "op" else _TEXTS[kind], sample)
            for kind, sample in marks]


def _sample_width(kind: str, sample: str, theme: Theme) -> float:
    """How wide an entry's sample is: a box with a name (a gate's ``σ f``) as wide as it
    needs, anything else a fixed width."""
    fs = theme.font_size
    if kind in ("gate", "dense_box", "vector_box"):
        return max(fs * 3.2, text_width(sample, theme.small, bold=True) + fs * 1.4)
    if kind == "activation":
        return max(fs * 3.2, activation_glyph(sample, theme).width + fs * 0.8)
    return fs * 3.2


def _sample(kind: str, sample: str, theme: Theme, x: float, cy: float,
            w: float) -> list[Shape]:
    """The small picture of an entry, as the figure draws that mark, ``w`` wide from x."""
    fs, small, unit = theme.font_size, theme.small, theme.unit
    end, mid = x + w, x + w / 2
    if kind in ("dense", "pointwise", "state_line"):
        width = theme.stroke * (2.2 if kind == "state_line" else 1.0)
        dash = line_dash("dense" if kind == "dense" else "pointwise", theme)
        return edge_shapes(((x, cy), (x, cy), (end - fs * 0.75, cy), (end - fs * 0.75, cy)),
                           (end, cy), 0, 0, theme.line, width, dash, fs * 0.75)
    if kind in ("box", "frame"):
        fill, stroke = ((theme.dense_fill, theme.dense) if kind == "box" else
                        (theme.background, theme.gate_stroke))
        return [Rect(x + w * 0.15, cy - fs * 0.6, w * 0.7, fs * 1.2, fill, stroke,
                     theme.stroke, rx=fs * 0.3)]
    if kind in ("input", "state", "output"):
        stroke, fill = str(getattr(theme, kind)), str(getattr(theme, f"{kind}_fill"))
        m = unit * 0.8
        return [Rect(mid - m * 1.4, cy - m * 1.5, m * 2.8, m * 3, fill, stroke, theme.stroke,
                     rx=m * 0.4),
                *(Rect(mid - m / 2, cy - m + r * m, m, m, theme.background, stroke,
                       theme.stroke * 0.8) for r in range(2))]
    if kind in ("gate", "dense_box", "vector_box"):
        role = "vector" if kind == "vector_box" else "dense"
        stroke, fill = str(getattr(theme, role)), str(getattr(theme, f"{role}_fill"))
        h = line_height(small) + small * 0.6
        return [Rect(x + fs * 0.3, cy - h / 2, w - fs * 0.6, h, fill, stroke, theme.stroke,
                     rx=small * 0.35),
                Text(mid, cy + 0.36 * small, sample, small, theme.text, anchor="middle",
                     weight="bold")]
    if kind in ("op", "concat"):
        r = fs * 0.9
        circle = Circle(mid, cy, r, theme.pointwise_fill, theme.pointwise, theme.stroke)
        if kind == "op":
            return [circle, Text(mid, cy + 0.36 * small, sample.split()[0], small, theme.text,
                                 anchor="middle", weight="bold")]
        bars = "".join(f"M{fmt(mid + dx)},{fmt(cy - r / 2)}L{fmt(mid + dx)},{fmt(cy + r / 2)}"
                       for dx in (-r * 0.18, r * 0.18))
        return [circle, Path(bars, theme.text, theme.stroke * 1.2)]
    if kind == "port":
        return [Circle(mid, cy, unit * 0.32, theme.line, "none", 0)]
    if kind == "junction":  # a line in from the left, on to the right and up
        return [Path(f"M{fmt(x)},{fmt(cy)}L{fmt(end)},{fmt(cy)}M{fmt(mid)},{fmt(cy)}"
                     f"L{fmt(mid)},{fmt(cy - fs * 0.9)}", theme.line, theme.stroke),
                Circle(mid, cy, theme.stroke * 2.2, theme.line, "none", 0)]
    if kind == "activation":
        pill = activation_glyph(sample, theme)
        return list(translate(pill.shapes, mid - pill.width / 2, cy - pill.height / 2))
    half, gap = fs * 0.9, fs * 0.5
    return [Path(f"M{fmt(mid)},{fmt(cy - half)}L{fmt(mid)},{fmt(cy - gap)}"
                 f"M{fmt(mid)},{fmt(cy + gap)}L{fmt(mid)},{fmt(cy + half)}", theme.line,
                 theme.stroke),
            Path(f"M{fmt(x)},{fmt(cy)}L{fmt(end)},{fmt(cy)}", theme.line, theme.stroke * 2.2,
                 dash=line_dash("pointwise", theme))]


def _legend_width(stack: Stack, theme: Theme, marks: tuple[tuple[str, str], ...]) -> float:
    fs, small = theme.font_size, theme.small
    texts = [text_width(t, small) for t in _layer_lines(stack)]
    texts += [text_width(t, small) + _sample_width(kind, sample, theme) + fs
              for kind, t, sample in _entries(marks)]
    return max([*texts, text_width(_total(stack), fs, bold=True)]) + fs * 1.6


def _legend(stack: Stack, theme: Theme, width: float,
            marks: tuple[tuple[str, str], ...]) -> tuple[float, list[Group]]:
    """The legend at (0, 0), ``width`` wide: its frame, a line per layer and the total, then
    an entry (a group of its sample and text, its kind as id) for each kind of mark drawn."""
    fs, small = theme.font_size, theme.small
    pad = fs * 0.8
    row_h = line_height(fs) + fs * 0.9
    entries: list[Group] = []
    x, y = pad, pad
    for kind, text, sample in _entries(marks):
        sample_w = _sample_width(kind, sample, theme)
        item_w = sample_w + fs * 0.5 + text_width(text, small) + fs * 1.4
        if x > pad and x + item_w > width - pad:
            x, y = pad, y + row_h
        cy = y + row_h / 2
        entries.append(Group("legend-entry", kind, (
            *_sample(kind, sample, theme, x, cy, sample_w),
            Text(x + sample_w + fs * 0.5, cy + 0.36 * small, text, small, theme.text))))
        x += item_w
    y += row_h + fs * 0.3
    shapes: list[Shape] = []
    for line in _layer_lines(stack):
        shapes.append(Text(pad, y + 0.93 * small, line, small, theme.text))
        y += line_height(small) * 1.15
    y += fs * 0.2
    shapes.append(Text(pad, y + 0.93 * fs, _total(stack), fs, theme.text, weight="bold"))
    height = y + line_height(fs) + pad
    frame = Rect(0, 0, width, height, theme.legend_fill, theme.gate_stroke, theme.stroke * 0.8,
                 rx=fs * 0.4)
    return height, [Group("legend", "legend", (frame, *shapes)), *entries]


def _description(stack: Stack, steps: int) -> str:
    table = stack.params()
    parts = [f"A stack of {stack.num_layers} {stack.name} layer"
             f"{'s' if stack.num_layers != 1 else ''}"
             + (", each in two directions (forward and reverse)" if stack.bidirectional else ""),
             f"drawn over {steps} time step{'s' if steps != 1 else ''}",
             *_layer_lines(stack), f"{table.total} parameters in all"]
    return "; ".join(parts) + "."


def stack_frame(stack: Stack, theme: Theme, body: list[Group], steps: int,
                marks: tuple[tuple[str, str], ...], *, heading: bool = True,
                legend: bool = True) -> Scene:
    """The figure around a stack's drawing (``body``, in any coordinates): the title lines
    above it, the legend of the ``marks`` it draws (each kind with what its sample shows)
    below, everything moved inside the viewBox."""
    x0, y0, x1, y1 = bounds([s for g in body for s in g.shapes])

    def draw(gx: float, gy: float) -> list[Group]:
        return [Group(g.role, g.id, translate_any(list(g.shapes), gx - x0, gy - y0), g.links)
                for g in body]

    texts = (stack_title(stack, steps), stack.graph.description or "",
             _description(stack, steps))
    return framed(theme, texts, x1 - x0, y1 - y0, draw,
                  (_legend_width(stack, theme, marks),
                   lambda width: _legend(stack, theme, width, marks)),
                  heading=heading, legend=legend)
