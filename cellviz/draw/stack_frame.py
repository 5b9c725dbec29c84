"""Around a stack's drawing: its title, its legend (line styles, marks, parameters per layer)."""

from __future__ import annotations

from ..stack import Stack
from .compose import title_lines, translate_any
from .lines import edge_shapes, line_dash
from .metrics import FONT_FAMILY, line_height, text_width
from .scene import Circle, Group, Path, Rect, Scene, Shape, Text, bounds, fmt
from .themes import Theme

__all__ = ["bounds", "stack_frame", "stack_title"]


def stack_title(stack: Stack, steps: int) -> str:
    """``LSTM, pytorch convention, i=3, n=2: 3 layers, bidirectional, unrolled over 4 steps``."""
    sizes = ", ".join(f"{s}={v}" for s, v in stack.sizes)
    layers = f"{stack.num_layers} layer{'s' if stack.num_layers != 1 else ''}"
    kind = ", bidirectional" if stack.bidirectional else ""
    unrolled = f", unrolled over {steps} steps" if steps > 1 else ""
    return (f"{stack.name.upper()}, {stack.convention} convention, {sizes}: {layers}{kind}"
            f"{unrolled}")


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


def _entries(stack: Stack) -> list[tuple[str, str]]:
    """The legend's entries (sample, text): only the marks the figure holds."""
    entries = [("box", "a cell: its gates and parameters"),
               ("dense", "a vector a cell reads (through its W)"),
               ("carry", "state line: a state carried on to the next step")]
    if stack.bidirectional:
        entries += [("pointwise", "pointwise connection"),
                    ("concat", "concatenation of both directions, no parameters"),
                    ("bridge", "a line passing under a state line, not joining it")]
    return entries


def _sample(kind: str, theme: Theme, x: float, cy: float, w: float) -> list[Shape]:
    fs = theme.font_size
    end = x + w
    if kind in ("dense", "pointwise", "carry"):
        width = theme.stroke * (2.2 if kind == "carry" else 1.0)
        dash = line_dash("dense" if kind == "dense" else "pointwise", theme)
        return edge_shapes(((x, cy), (x, cy), (end - fs * 0.75, cy), (end - fs * 0.75, cy)),
                           (end, cy), 0, 0, theme.line, width, dash, fs * 0.75)
    if kind == "box":
        return [Rect(x + w * 0.15, cy - fs * 0.6, w * 0.7, fs * 1.2, theme.dense_fill,
                     theme.dense, theme.stroke, rx=fs * 0.3)]
    mid = x + w / 2
    if kind == "concat":
        r = fs * 0.9
        bars = "".join(f"M{fmt(mid + dx)},{fmt(cy - r / 2)}L{fmt(mid + dx)},{fmt(cy + r / 2)}"
                       for dx in (-r * 0.18, r * 0.18))
        return [Circle(mid, cy, r, theme.pointwise_fill, theme.pointwise, theme.stroke),
                Path(bars, theme.text, theme.stroke * 1.2)]
    half = fs * 0.9
    return [Path(f"M{fmt(mid)},{fmt(cy - half)}L{fmt(mid)},{fmt(cy + half)}", theme.line,
                 theme.stroke),
            Path(f"M{fmt(mid - fs * 0.5)},{fmt(cy)}L{fmt(mid + fs * 0.5)},{fmt(cy)}",
                 theme.background, theme.stroke * 2.2 + fs * 0.6),
            Path(f"M{fmt(x)},{fmt(cy)}L{fmt(end)},{fmt(cy)}", theme.line, theme.stroke * 2.2,
                 dash=line_dash("pointwise", theme))]


def _legend_width(stack: Stack, theme: Theme) -> float:
    fs, small = theme.font_size, theme.small
    texts = [text_width(t, small) for t in _layer_lines(stack)]
    texts += [text_width(t, small) + fs * 4.2 for _, t in _entries(stack)]
    return max([*texts, text_width(_total(stack), fs, bold=True)]) + fs * 1.6


def _legend(stack: Stack, theme: Theme, width: float) -> tuple[float, list[Shape]]:
    """The legend at (0, 0), ``width`` wide: the marks in rows, a line per layer, the total."""
    fs, small = theme.font_size, theme.small
    pad, sample_w = fs * 0.8, fs * 3.2
    row_h = line_height(fs) + fs * 0.9
    shapes: list[Shape] = []
    x, y = pad, pad
    for kind, text in _entries(stack):
        item_w = sample_w + fs * 0.5 + text_width(text, small) + fs * 1.4
        if x > pad and x + item_w > width - pad:
            x, y = pad, y + row_h
        cy = y + row_h / 2
        shapes += _sample(kind, theme, x, cy, sample_w)
        shapes.append(Text(x + sample_w + fs * 0.5, cy + 0.36 * small, text, small, theme.text))
        x += item_w
    y += row_h + fs * 0.3
    for line in _layer_lines(stack):
        shapes.append(Text(pad, y + 0.93 * small, line, small, theme.text))
        y += line_height(small) * 1.15
    y += fs * 0.2
    shapes.append(Text(pad, y + 0.93 * fs, _total(stack), fs, theme.text, weight="bold"))
    height = y + line_height(fs) + pad
    frame = Rect(0, 0, width, height, theme.legend_fill, theme.gate_stroke, theme.stroke * 0.8,
                 rx=fs * 0.4)
    return height, [frame, *shapes]


def _description(stack: Stack, steps: int) -> str:
    table = stack.params()
    parts = [f"A stack of {stack.num_layers} {stack.name} layer"
             f"{'s' if stack.num_layers != 1 else ''}"
             + (", each in two directions (forward and reverse)" if stack.bidirectional else ""),
             f"drawn over {steps} time step{'s' if steps != 1 else ''}",
             *_layer_lines(stack), f"{table.total} parameters in all"]
    return "; ".join(parts) + "."


def stack_frame(stack: Stack, theme: Theme, body: list[Group], steps: int, *,
                heading: bool = True, legend: bool = True) -> Scene:
    """The figure around a stack's drawing (``body``, in any coordinates): the title lines
    above it, the legend below, everything moved inside the viewBox."""
    fs = theme.font_size
    margin = fs * 1.6
    x0, y0, x1, y1 = bounds([s for g in body for s in g.shapes])
    title = stack_title(stack, steps)
    subtitle = stack.graph.description or ""
    widths = [x1 - x0]
    if heading:
        widths += [text_width(title, theme.title_size, bold=True), text_width(subtitle, fs)]
    if legend:
        widths.append(_legend_width(stack, theme))
    content_w = max(widths)
    groups: list[Group] = []
    gy = margin
    if heading:
        head, title_h = title_lines(theme, title, subtitle, margin)
        groups.append(head)
        gy += title_h + fs * 1.2
    dx = margin + (content_w - (x1 - x0)) / 2 - x0
    groups += [Group(g.role, g.id, translate_any(list(g.shapes), dx, gy - y0)) for g in body]
    height = gy + (y1 - y0) + margin
    if legend:
        ly0 = gy + (y1 - y0) + fs * 1.4
        legend_h, shapes = _legend(stack, theme, content_w)
        groups.append(Group("legend", "legend", translate_any(shapes, margin, ly0)))
        height = ly0 + legend_h + margin
    return Scene(round(content_w + 2 * margin, 2), round(height, 2), theme.background,
                 FONT_FAMILY, title, _description(stack, steps), tuple(groups))
