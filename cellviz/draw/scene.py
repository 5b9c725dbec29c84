"""A positioned scene: frozen shapes with all geometry computed, which templates only print."""

from __future__ import annotations

import re
from typing import Literal

from ..record import record
from .metrics import SUBSCRIPT_DROP, SUBSCRIPT_SIZE, runs, text_width

__all__ = ["Circle", "Group", "Path", "Rect", "Scene", "Shape", "Text", "bounds", "escape",
           "fmt"]


def fmt(value: float) -> str:
    """A coordinate as the SVG writes it: at most two decimals, no trailing zeros, no ``-0``.

    >>> fmt(1.0), fmt(2.345), fmt(-0.001)
    ('1', '2.35', '0')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def escape(text: str) -> str:
    """Text made safe for an XML attribute or element, as ``html.escape`` does it (& < > " ').
    Written out here because ``import html`` also loads its table of 2,000 entities, about
    3 ms of every command's start.

    >>> escape('a<b & "c"')
    'a&lt;b &amp; &quot;c&quot;'
    """
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))


def _attrs(*pairs: tuple[str, str | float | None]) -> str:
    """SVG attributes as text (`` name="value"`` each), skipping None: numbers written by
    ``fmt`` (which needs no escaping), text escaped."""
    return "".join(
        f' {name}="{escape(value) if isinstance(value, str) else fmt(value)}"'
        for name, value in pairs
        if value is not None
    )


def _stroke(stroke: str, width: float) -> tuple[str, float | None]:
    return ("stroke-width", width if stroke != "none" else None)


@record
class Rect:
    """A rectangle; ``key`` names a glyph cell (``"x/0"``, ``"W_z/1/2"``) so that a later pass can
    fill it with a value, ``dash`` is an SVG dash array or empty."""

    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str = "none"
    stroke_width: float = 1.0
    rx: float = 0.0
    dash: str = ""
    key: str = ""
    kind: Literal["rect"] = "rect"

    def attrs(self) -> str:
        """The attributes of its ``<rect>``."""
        return _attrs(("x", self.x), ("y", self.y), ("width", self.w),
                      ("height", self.h), ("rx", self.rx if self.rx else None),
                      ("fill", self.fill), ("stroke", self.stroke),
                      _stroke(self.stroke, self.stroke_width),
                      ("stroke-dasharray", self.dash or None), ("data-key", self.key or None))

    def moved(self, dx: float, dy: float) -> Rect:
        """The same rectangle, moved by (dx, dy)."""
        return Rect(self.x + dx, self.y + dy, self.w, self.h, self.fill, self.stroke,
                    self.stroke_width, self.rx, self.dash, self.key)


@record
class Circle:
    cx: float
    cy: float
    r: float
    fill: str
    stroke: str
    stroke_width: float = 1.0
    kind: Literal["circle"] = "circle"

    def attrs(self) -> str:
        """The attributes of its ``<circle>``."""
        return _attrs(("cx", self.cx), ("cy", self.cy), ("r", self.r),
                      ("fill", self.fill), ("stroke", self.stroke),
                      _stroke(self.stroke, self.stroke_width))

    def moved(self, dx: float, dy: float) -> Circle:
        """The same circle, moved by (dx, dy)."""
        return Circle(self.cx + dx, self.cy + dy, self.r, self.fill, self.stroke,
                      self.stroke_width)


@record
class Path:
    """An open or closed path; ``d`` is already formatted with fixed precision."""

    d: str
    stroke: str
    stroke_width: float = 1.0
    fill: str = "none"
    dash: str = ""
    kind: Literal["path"] = "path"

    def attrs(self) -> str:
        """The attributes of its ``<path>``."""
        line = self.stroke != "none"
        return _attrs(("d", self.d), ("fill", self.fill), ("stroke", self.stroke),
                      _stroke(self.stroke, self.stroke_width),
                      ("stroke-linecap", "round" if line else None),
                      ("stroke-linejoin", "round" if line else None),
                      ("stroke-dasharray", self.dash or None))


@record
class Text:
    """One line of text; ``y`` is the baseline, ``anchor`` start|middle|end; ``key`` names the
    glyph cell whose number it prints (as Rect.key); ``sub`` is the size of its subscripts, as
    a fraction of its own."""

    x: float
    y: float
    text: str
    size: float
    fill: str
    anchor: Literal["start", "middle", "end"] = "start"
    weight: Literal["normal", "bold"] = "normal"
    italic: bool = False
    key: str = ""
    sub: float = SUBSCRIPT_SIZE
    kind: Literal["text"] = "text"

    def attrs(self) -> str:
        """The attributes of its ``<text>``. A text with subscripts is placed from its start,
        its width worked out here: cairosvg would anchor each of its runs on its own."""
        x, anchor = self.x, self.anchor
        if anchor != "start" and len(runs(self.text)) > 1:
            width = text_width(self.text, self.size, bold=self.weight == "bold", sub=self.sub)
            x, anchor = x - (width / 2 if anchor == "middle" else width), "start"
        return _attrs(("x", x), ("y", self.y), ("font-size", self.size),
                      ("fill", self.fill),
                      ("text-anchor", anchor if anchor != "start" else None),
                      ("font-weight", self.weight if self.weight != "normal" else None),
                      ("font-style", "italic" if self.italic else None),
                      ("data-key", self.key or None))

    def content(self) -> str:
        """What goes inside its ``<text>``, escaped: the text, or its runs as ``<tspan>``s,
        each subscript set smaller and lower by ``dy`` (which browsers, cairosvg and
        Inkscape all honour) and the run after it raised back."""
        parts = runs(self.text)
        if len(parts) == 1:
            return escape(self.text)
        drop = fmt(self.size * SUBSCRIPT_DROP)
        out, low = [], False
        for run, sub in parts:
            if sub:
                out.append(f'<tspan dy="{drop}" font-size="{fmt(self.size * self.sub)}">'
                           f"{escape(run)}</tspan>")
            else:
                out.append(f'<tspan dy="-{drop}">{escape(run)}</tspan>' if low
                           else f"<tspan>{escape(run)}</tspan>")
            low = sub
        return "".join(out)

    def moved(self, dx: float, dy: float) -> Text:
        """The same text, moved by (dx, dy)."""
        return Text(self.x + dx, self.y + dy, self.text, self.size, self.fill, self.anchor,
                    self.weight, self.italic, self.key, self.sub)


Shape = Rect | Circle | Path | Text

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def bounds(shapes: list[Shape]) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) that holds every shape, strokes and text included (text by
    its estimated width, from its baseline up an ascent and down a descent)."""
    xs: list[float] = []
    ys: list[float] = []
    for s in shapes:
        if isinstance(s, Rect):
            half = s.stroke_width / 2 if s.stroke != "none" else 0.0
            xs += [s.x - half, s.x + s.w + half]
            ys += [s.y - half, s.y + s.h + half]
        elif isinstance(s, Circle):
            reach = s.r + (s.stroke_width / 2 if s.stroke != "none" else 0.0)
            xs += [s.cx - reach, s.cx + reach]
            ys += [s.cy - reach, s.cy + reach]
        elif isinstance(s, Text):
            width = text_width(s.text, s.size, bold=s.weight == "bold", sub=s.sub)
            start = {"start": s.x, "middle": s.x - width / 2, "end": s.x - width}[s.anchor]
            xs += [start, start + width]
            ys += [s.y - 0.95 * s.size, s.y + 0.25 * s.size]
        else:
            half = s.stroke_width / 2 if s.stroke != "none" else 0.0
            numbers = [float(v) for v in _NUMBER.findall(s.d)]
            xs += [v + e for v in numbers[0::2] for e in (-half, half)]
            ys += [v + e for v in numbers[1::2] for e in (-half, half)]
    return min(xs), min(ys), max(xs), max(ys)


@record
class Group:
    """Shapes drawn together, for one node, edge or region; ``role`` is written as a class.
    ``links`` names the graph's nodes (and activation marks, ``act3:f.dense``) the group
    belongs to: a node's own id, an edge's tail and head, a gate region's members; none for
    the title and legend. Highlighting reads them; the SVG does not print them."""

    role: str
    id: str
    shapes: tuple[Shape, ...]
    links: tuple[str, ...] = ()


@record
class Scene:
    """A whole figure: its size, background, accessible title and description, and groups in
    drawing order (regions, then edges, then nodes, then labels, then the legend)."""

    width: float
    height: float
    background: str
    font_family: str
    title: str
    desc: str
    groups: tuple[Group, ...] = ()

    def texts(self) -> list[Text]:
        """Every text of the scene, in drawing order."""
        return [s for g in self.groups for s in g.shapes if isinstance(s, Text)]
