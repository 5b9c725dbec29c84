"""Text widths estimated in Python, from DejaVu Sans advance widths, so layout needs no fonts;
and where a name's subscript starts (W_f is drawn W with a subscripted f)."""

from __future__ import annotations

import re

__all__ = ["FONT_FAMILY", "SUBSCRIPT_DROP", "SUBSCRIPT_SIZE", "line_height", "runs",
           "text_width"]

#: A subscript's size (by default: a theme may set its own) and how far its baseline drops, as
#: fractions of the text's size.
SUBSCRIPT_SIZE, SUBSCRIPT_DROP = 0.7, 0.22

# A one-letter name, an underscore and its subscript (W_f, U_hz, b_in, p_o), not inside a
# longer word (my_cell stays as it is).
_SUBSCRIPTED = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z])_([A-Za-z0-9]+)(?![A-Za-z0-9_])")


def runs(text: str) -> list[tuple[str, bool]]:
    """``text`` as runs of (text, whether it is a subscript), underscores of names dropped.

    >>> runs("W_f·x[t]"), runs("h[t-1]")
    ([('W', False), ('f', True), ('·x[t]', False)], [('h[t-1]', False)])
    """
    out: list[tuple[str, bool]] = []
    start = 0
    for found in _SUBSCRIPTED.finditer(text):
        out.append((text[start:found.start()] + found.group(1), False))
        out.append((found.group(2), True))
        start = found.end()
    out.append((text[start:], False))
    merged: list[tuple[str, bool]] = []
    for run, sub in out:
        if merged and merged[-1][1] == sub:
            merged[-1] = (merged[-1][0] + run, sub)
        elif run:
            merged.append((run, sub))
    return merged or [("", False)]

#: The font stack every figure asks for; the widths below are DejaVu Sans's, the widest of these.
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"

# Advance widths in units of 1/2048 em (DejaVu Sans Book), printable ASCII from space to '~'.
_ASCII = (
    651, 823, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087,
    2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612,
    1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024,
    1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253,
    1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
)
_OTHER = {
    "×": 1716, "−": 1716, "⊙": 1880, "·": 651, "…": 2048, "σ": 1233, "Σ": 1300, "²": 821,
    "³": 821, "¹": 821, "⁰": 821, "⁴": 821, "⁵": 821, "⁶": 821, "⁷": 821, "⁸": 821, "⁹": 821,
    "—": 2048, "–": 1024, "→": 1716, "≤": 1716,
}
_UNKNOWN = 1716  # wide enough for most symbols, so estimates err on the roomy side
_SAFETY = 1.04


def text_width(text: str, size: float, *, bold: bool = False,
               sub: float = SUBSCRIPT_SIZE) -> float:
    """The estimated width of ``text`` at font size ``size`` (px), a little on the wide side,
    as drawn: subscripts (``runs``) ``sub`` times smaller and without their underscore.

    >>> round(text_width("2×3", 10), 1), round(text_width("W_f", 10), 1)
    (21.9, 12.8)
    """
    parts = runs(text) if "_" in text else []
    if len(parts) > 1:
        return sum(text_width(run, size * sub if low else size, bold=bold)
                   for run, low in parts)
    units = 0
    for ch in text:
        code = ord(ch)
        if 32 <= code <= 126:
            units += _ASCII[code - 32]
        else:
            units += _OTHER.get(ch, _UNKNOWN)
    width = units / 2048 * size * _SAFETY
    return width * 1.1 if bold else width


def line_height(size: float) -> float:
    """The height a line of text takes, ascent plus descent (DejaVu Sans: 1.164 em)."""
    return size * 1.17
