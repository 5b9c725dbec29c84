"""Figure themes: colours by role from the Okabe–Ito palette, type sizes and stroke widths."""

from __future__ import annotations

from typing import Any, Literal

from ..errors import UsageError
from ..record import record, replace
from .metrics import SUBSCRIPT_SIZE

__all__ = ["THEMES", "Theme", "contrast", "get_theme", "luminance", "mix"]


@record
class Theme:
    """Everything a figure's look depends on; colours are ``#rrggbb`` strings.

    Role colours (``input``, ``state``, ``output``, ``dense``, ``pointwise``, ``activation``,
    ``vector``) stroke their glyphs; the matching ``*_fill`` tints fill them. ``grid`` draws
    the cells of weight matrices, biases and element-wise weights: the dense colour, darkened
    or lightened until it stands out 3:1 from the background.

    Sizes: ``font_size`` for names and symbols, ``captions`` times it for shape captions and
    edge labels (``small``), ``subscript`` times a text's size for its subscripts; the geometry
    (glyph cells, gaps, arrows) is measured in ``space``. ``arrangement``: "narrow", a dense
    node's terms name their weight above what it multiplies (``W_f`` over ``·x[t]``); "short",
    a vector's shape stands beside its name, not under it; else neither. ``fit``: the width
    over the height of the slide the theme's figures are made to fill (0: none), for which
    each figure takes the arrangement that fills it best (``fit.py``).
    """

    name: str
    background: str
    text: str
    muted: str
    line: str
    input: str
    state: str
    output: str
    dense: str
    pointwise: str
    activation: str
    vector: str
    input_fill: str
    state_fill: str
    output_fill: str
    dense_fill: str
    pointwise_fill: str
    activation_fill: str
    vector_fill: str
    gate_fill: str
    gate_stroke: str
    legend_fill: str
    grid: str
    font_size: float = 11.0
    stroke: float = 1.1
    geometry: float = 0.0
    captions: float = 0.85
    subscript: float = SUBSCRIPT_SIZE
    arrangement: Literal["", "narrow", "short"] = ""
    fit: float = 0.0

    @property
    def space(self) -> float:
        """The size the geometry is measured in (gaps between boxes, glyph cells, arrows):
        ``geometry`` if set, else the font size. The slides theme sets its text larger than
        its geometry, so that the type stays large once the figure is fitted to a slide."""
        return self.geometry or self.font_size

    @property
    def small(self) -> float:
        """The size of shape captions and edge labels."""
        return round(self.font_size * self.captions, 2)

    @property
    def title_size(self) -> float:
        return round(self.font_size * 1.45, 2)

    @property
    def unit(self) -> float:
        """The side of one cell of a vector or matrix glyph."""
        return round(self.space * 0.8, 2)


def luminance(colour: str) -> float:
    """The relative luminance of ``#rrggbb`` (WCAG 2)."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[k:k + 2], 16)) for k in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours, from 1 to 21.

    >>> round(contrast("#ffffff", "#000000"), 1), round(contrast("#E69F00", "#ffffff"), 2)
    (21.0, 2.25)
    """
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


def _standing_out(colour: str, background: str, towards: str, ratio: float = 3.0) -> str:
    """``colour`` moved towards ``towards`` in small steps until it stands out ``ratio``:1
    from ``background``."""
    for step in range(21):
        mixed = mix(colour, towards, step / 20)
        if contrast(mixed, background) >= ratio:
            return mixed
    return towards


def mix(colour: str, other: str, amount: float) -> str:
    """``colour`` moved ``amount`` of the way towards ``other`` (both ``#rrggbb``)."""
    a = [int(colour[k:k + 2], 16) for k in (1, 3, 5)]
    b = [int(other[k:k + 2], 16) for k in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b, strict=True))


# Okabe & Ito (2008), the colour-blind-safe palette: blue, bluish green, vermillion, orange,
# reddish purple, sky blue.
_ROLES = {
    "input": "#0072B2", "state": "#009E73", "output": "#D55E00", "dense": "#E69F00",
    "pointwise": "#CC79A7", "activation": "#56B4E9", "vector": "#6b6b6b",
}


def _coloured(name: str, background: str, text: str, muted: str, line: str, tint: float,
              font_size: float, stroke: float, geometry: float = 0.0) -> Theme:
    roles: dict[str, Any] = {role: mix(c, text, 0.0) for role, c in _ROLES.items()}
    roles |= {f"{role}_fill": mix(c, background, tint) for role, c in _ROLES.items()}
    return Theme(
        name=name, background=background, text=text, muted=muted, line=line,
        gate_fill=mix(muted, background, 0.93), gate_stroke=mix(muted, background, 0.55),
        legend_fill=mix(muted, background, 0.96), font_size=font_size, stroke=stroke,
        geometry=geometry, grid=_standing_out(_ROLES["dense"], background, text),
        **roles,
    )


def _light(name: str = "light", font_size: float = 11.0, stroke: float = 1.1,
           geometry: float = 0.0) -> Theme:
    return _coloured(name, "#ffffff", "#1a1a1a", "#5a5a5a", "#333333", 0.82, font_size, stroke,
                     geometry)


def _dark() -> Theme:
    theme = _coloured("dark", "#16181d", "#e8e8e8", "#b4b8bf", "#c8ccd2", 0.72, 11.0, 1.1)
    # On a dark ground the vector role needs a light grey, not the light theme's mid grey, and
    # Okabe-Ito's blue and bluish green outlines (contrast 3.4 and 5.2 against the ground) are
    # lightened towards the text colour, same hues, to 5.4 and 7.0. The muted grey of the shape
    # captions reads 5.2:1 on the dense nodes' fill. Gate regions need more than the light
    # theme's faint tint to show at all on a dark ground: fill 1.4:1, border 4:1.
    return Theme(**{**theme.__dict__, "vector": "#b0b0b0", "vector_fill": "#3a3c41",
                    "input": mix(_ROLES["input"], theme.text, 0.3),
                    "state": mix(_ROLES["state"], theme.text, 0.3),
                    "gate_fill": mix(theme.muted, theme.background, 0.82),
                    "gate_stroke": mix(theme.muted, theme.background, 0.4)})


def _slides() -> Theme:
    # Type a quarter larger than the geometry, captions and subscripts shrunk less than on
    # paper, each figure arranged to fill a 16:9 slide: fitted to one, every text of the LSTM
    # and the GRU at full detail stays at 10 pt or more, at compact 16 pt or more
    # (tests/draw/test_measures.py; subscripts: test_slide_type.py).
    return replace(_light("slides", font_size=20.0, stroke=2.2, geometry=16.0), captions=0.95,
                   subscript=0.9, fit=16 / 9)


def _print() -> Theme:
    grey: dict[str, Any] = {
        "input": "#000000", "state": "#000000", "output": "#000000", "dense": "#000000",
        "pointwise": "#000000", "activation": "#000000", "vector": "#000000",
        "input_fill": "#d9d9d9", "state_fill": "#ececec", "output_fill": "#bdbdbd",
        "dense_fill": "#f5f5f5", "pointwise_fill": "#ffffff", "activation_fill": "#ffffff",
        "vector_fill": "#ffffff",
    }
    return Theme(name="print", background="#ffffff", text="#000000", muted="#404040",
                 line="#000000", gate_fill="#f7f7f7", gate_stroke="#8c8c8c",
                 legend_fill="#ffffff", grid="#000000", font_size=11.0, stroke=1.0,
                 geometry=0.0, **grey)


#: The themes by name, in the order the gallery shows them.
THEMES: dict[str, Theme] = {
    "light": _light(),
    "dark": _dark(),
    "slides": _slides(),
    "print": _print(),
}


def get_theme(name: str) -> Theme:
    """The theme with this name, or a UsageError naming the choices."""
    try:
        return THEMES[name]
    except KeyError:
        raise UsageError(
            f"unknown theme: {name!r} (must be one of {', '.join(THEMES)})"
        ) from None
