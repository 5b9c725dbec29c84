"""The figure of ``cellviz layout``: each framework tensor as a strip of gate bands, each band
labelled with its parameter and slice and coloured by its gate."""

from __future__ import annotations

from ..interop.packing import Band, Packed
from ..numeric.layouts import FRAMEWORK_NAMES
from .metrics import FONT_FAMILY, line_height, text_width
from .scene import Group, Rect, Scene, Text
from .themes import Theme, get_theme, mix

__all__ = ["packed_scene", "render_packed"]

_MARGIN = 16.0
_BAND_W = 78.0  # a band's side along the gate axis when bands run across
_BAND_H = 30.0  # a band's side along the gate axis when bands run down
_ROW_GAP = 14.0


def _gate_colours(packed: Packed, theme: Theme) -> dict[str, tuple[str, str]]:
    """Each gate's (stroke, fill) from the theme's role colours (Okabe–Ito; greys in the print
    theme), in the order of the cell's gates. A gate's colour follows its name, not its place,
    so that the update gate has one colour in PyTorch's figure (r, z, n) and Keras' (z, r, h)."""
    palette = [theme.input, theme.output, theme.state, theme.dense, theme.pointwise,
               theme.activation, theme.vector]
    used = [b.gate for t in packed.tensors for b in t.bands if b.note != "unused"]
    labels = [g.label for g in packed.cell.graph.gates if g.label in used]
    labels += [gate for gate in dict.fromkeys(used) if gate not in labels]
    ranks = sorted(labels)
    return {label: (palette[ranks.index(label) % len(palette)],
                    mix(palette[ranks.index(label) % len(palette)], theme.background, 0.72))
            for label in labels}


def _across(band: Band, ndim: int) -> bool:
    """Whether the bands of a tensor run across (columns, or a 1-D bias) rather than down."""
    return band.axis == ndim - 1


def packed_scene(packed: Packed, theme_name: str = "light") -> Scene:
    """The positioned scene of a packed layout."""
    theme = get_theme(theme_name)
    small, size = theme.small, theme.font_size
    colours = _gate_colours(packed, theme)
    title = (f"{packed.cell.name} in {FRAMEWORK_NAMES[packed.framework]}: "
             f"{packed.module}")
    groups: list[Group] = []
    y = _MARGIN + theme.title_size
    groups.append(Group("title", "title", (Text(_MARGIN, y, title, theme.title_size,
                                                theme.text, weight="bold"),)))
    y += line_height(size) + 4
    label_w = max(text_width(f"{t.name} {'×'.join(map(str, t.shape))}", size, bold=True)
                  for t in packed.tensors) + 18
    width = _MARGIN * 2 + label_w
    for tensor in packed.tensors:
        ndim = len(tensor.shape)
        across = _across(tensor.bands[0], ndim)
        rows = sorted({b.index for b in tensor.bands})  # Keras' GRU bias: two rows of bands
        shapes: list[Rect | Text] = [
            Text(_MARGIN, y + size, tensor.name, size, theme.text, weight="bold"),
            Text(_MARGIN, y + size + line_height(small), "×".join(map(str, tensor.shape)),
                 small, theme.muted)]
        counts: dict[int, int] = {}
        bottom = y
        for band in tensor.bands:
            row = rows.index(band.index)
            k = counts.get(row, 0)
            counts[row] = k + 1
            x0 = _MARGIN + label_w + (k * _BAND_W if across else 0)
            y0 = y + (row * _BAND_H if across else k * _BAND_H)
            stroke, fill = (theme.muted, theme.background) if band.note == "unused" else \
                colours[band.gate]
            shapes.append(Rect(x0, y0, _BAND_W if across else _BAND_W * 1.6, _BAND_H, fill,
                               stroke, theme.stroke, dash="3 2" if band.note else "",
                               key=f"{tensor.name}/{band.slice_text(ndim)}"))
            name = band.param + (" (+)" if band.note == "sum" else "")
            shapes.append(Text(x0 + 5, y0 + size + 2, name, size, theme.text))
            shapes.append(Text(x0 + 5, y0 + _BAND_H - 4, band.slice_text(ndim), small * 0.9,
                               theme.muted))
            width = max(width, x0 + (_BAND_W if across else _BAND_W * 1.6) + _MARGIN)
            bottom = max(bottom, y0 + _BAND_H)
        groups.append(Group("tensor", tensor.name, tuple(shapes)))
        y = max(bottom, y + 2 * line_height(size)) + _ROW_GAP
    legend: list[Rect | Text] = []
    x = _MARGIN
    for label, (stroke, fill) in colours.items():
        legend.append(Rect(x, y, 12, 12, fill, stroke, theme.stroke))
        legend.append(Text(x + 17, y + 10, label, small, theme.text))
        x += 17 + text_width(label, small) + 16
    notes = [n for n, used in (("(+) added to the parameter's first slice", "sum"),
                               ("dashed, no name: unused, zeros", "unused"))
             if any(b.note == used for t in packed.tensors for b in t.bands)]
    for note in notes:
        legend.append(Text(x, y + 10, note, small, theme.muted))
        x += text_width(note, small) + 16
    groups.append(Group("legend", "legend", tuple(legend)))
    width = max(width, x + _MARGIN - 16)
    height = y + 12 + _MARGIN
    desc = "; ".join(f"{t.name} {'×'.join(map(str, t.shape))}: " + ", ".join(
        f"{b.slice_text(len(t.shape))} {b.param} ({b.gate})" for b in t.bands)
        for t in packed.tensors)
    return Scene(round(width, 2), round(height, 2), theme.background, FONT_FAMILY, title, desc,
                 tuple(groups))


def render_packed(packed: Packed, theme: str = "light") -> str:
    """The layout's figure as standalone SVG text."""
    from .render import render_scene

    return render_scene(packed_scene(packed, theme))
