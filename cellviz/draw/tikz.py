"""TikZ: a positioned scene as a ``tikzpicture`` for LaTeX, text set in the document's font.

The picture is drawn from the same scene as the SVG, in the SVG's own coordinates: the
picture's x and y units are one SVG pixel (0.75 bp, as cairosvg's PDF has it, times the
scale), y pointing down, so that every number below is the SVG's. Colours are the theme's,
defined by role (``cellvizDense``, ``cellvizGateFill``); any other colour (a value's, a
dimmed one) gets a numbered name. Text is a node in the surrounding document's font family
at the figure's size, so that it fits the boxes drawn for it.
"""

from __future__ import annotations

import re

from ..errors import CellvizError, shorten
from ..record import fields
from ..tables import latex_escape
from .metrics import runs
from .scene import Circle, Path, Rect, Scene, Shape, Text, fmt
from .themes import Theme

__all__ = ["PX", "path_to_tikz", "tikz_picture", "tikz_standalone"]

#: One SVG pixel in big points (CSS: 96 px to the inch, 72 bp to the inch).
PX = 0.75

_ANCHORS = {"start": "base west", "middle": "base", "end": "base east"}


def _camel(field: str) -> str:
    return "cellviz" + "".join(part.capitalize() for part in field.split("_"))


class _Colours:
    """Colour names: the theme's roles first, in the theme's field order, then the others in
    the order the picture first uses them."""

    def __init__(self, theme: Theme) -> None:
        self.names: dict[str, str] = {}
        for name in _theme_colour_fields(theme):
            colour = getattr(theme, name).lower()
            self.names.setdefault(colour, _camel(name))
        self.used: dict[str, str] = {}

    def __call__(self, colour: str) -> str:
        colour = colour.lower()
        if colour not in self.names:
            self.names[colour] = f"cellvizColour{len(self.names) + 1}"
        self.used.setdefault(colour, self.names[colour])
        return self.names[colour]

    def definitions(self) -> list[str]:
        return [rf"\definecolor{{{name}}}{{HTML}}{{{colour[1:].upper()}}}"
                for colour, name in self.used.items()]


def _theme_colour_fields(theme: Theme) -> list[str]:
    """The theme's colour fields, in order (every ``#rrggbb`` string it holds)."""
    return [name for name in fields(theme)
            if re.fullmatch(r"#[0-9a-fA-F]{6}", str(getattr(theme, name)))]


_PATH_TOKEN = re.compile(r"([MCLZ])([^MCLZ]*)")
_PATH_TEXT = re.compile(r"(?:[MCLZ][-0-9., ]*)*")


def path_to_tikz(d: str) -> str:
    """An SVG path of absolute M, C, L and Z commands (all a scene's paths hold) as a TikZ
    path in the same coordinates.

    >>> path_to_tikz("M0,0C1,2 3,4 5,6L7,8Z")
    '(0,0) .. controls (1,2) and (3,4) .. (5,6) -- (7,8) -- cycle'
    >>> path_to_tikz("M0,0A5,5 0 0 1 9,9")
    Traceback (most recent call last):
    cellviz.errors.CellvizError: TikZ output draws paths of M, C, L and Z commands only, ...
    """
    if not _PATH_TEXT.fullmatch(d):
        raise CellvizError(f"TikZ output draws paths of M, C, L and Z commands only, not "
                           f"{shorten(d)!r}")
    parts: list[str] = []
    for command, body in _PATH_TOKEN.findall(d):
        numbers = [float(v) for v in re.split(r"[ ,]+", body.strip()) if v]
        points = [f"({fmt(x)},{fmt(y)})" for x, y in zip(numbers[::2], numbers[1::2],
                                                          strict=True)]
        if command == "M":
            parts.append(points[0])
        elif command == "L":
            parts += [f"-- {p}" for p in points]
        elif command == "C":
            for k in range(0, len(points), 3):
                a, b, end = points[k:k + 3]
                parts.append(f".. controls {a} and {b} .. {end}")
        else:
            parts.append("-- cycle")
    return " ".join(parts)


def _bp(value: float, unit: float) -> str:
    return f"{fmt(value * unit)}bp"


def _paint(shape: Rect | Circle | Path, colours: _Colours, unit: float) -> list[str]:
    """The fill, draw, line width and dash options of a shape."""
    options = []
    if shape.fill != "none":
        options.append(f"fill={colours(shape.fill)}")
    if shape.stroke != "none":
        options += [f"draw={colours(shape.stroke)}",
                    f"line width={_bp(shape.stroke_width, unit)}"]
        dash = shape.dash if not isinstance(shape, Circle) else ""
        if dash:
            lengths = [float(v) for v in dash.split()]
            pattern = " ".join(f"{'on' if k % 2 == 0 else 'off'} {_bp(v, unit)}"
                               for k, v in enumerate(lengths))
            options.append(f"dash pattern={pattern}")
    return options


def _text(shape: Text, colours: _Colours, unit: float) -> str:
    size = shape.size * unit
    font = rf"\fontsize{{{fmt(size)}bp}}{{{fmt(size * 1.2)}bp}}\selectfont"
    if shape.weight == "bold":
        font += r"\bfseries"
    if shape.italic:
        font += r"\itshape"
    return (rf"\node[cellviz text, anchor={_ANCHORS[shape.anchor]}, "
            rf"text={colours(shape.fill)}, font={font}] at ({fmt(shape.x)},{fmt(shape.y)}) "
            f"{{{_latex_text(shape.text)}}};")


def _latex_text(text: str) -> str:
    """A text for a node: escaped, its subscripts (``W_f``) as ``\\textsubscript``, as the
    SVG sets them smaller and lower."""
    return "".join(rf"\textsubscript{{{latex_escape(run)}}}" if sub else latex_escape(run)
                   for run, sub in runs(text))


def _shape(shape: Shape, colours: _Colours, unit: float) -> str:
    if isinstance(shape, Text):
        return _text(shape, colours, unit)
    options = _paint(shape, colours, unit)
    if isinstance(shape, Rect):
        if shape.rx:
            options.append(f"rounded corners={_bp(shape.rx, unit)}")
        where = (f"({fmt(shape.x)},{fmt(shape.y)}) rectangle "
                 f"({fmt(shape.x + shape.w)},{fmt(shape.y + shape.h)})")
    elif isinstance(shape, Circle):
        where = f"({fmt(shape.cx)},{fmt(shape.cy)}) circle[radius={fmt(shape.r)}]"
    else:
        if shape.stroke != "none":
            options += ["line cap=round", "line join=round"]
        where = path_to_tikz(shape.d)
    return rf"\path[{', '.join(options)}] {where};"


def tikz_picture(scene: Scene, theme: Theme, scale: float = 1.0) -> str:
    """The scene as a ``tikzpicture`` (needs ``\\usepackage{tikz}``), ``scale`` times the
    SVG's size: a comment with its title and description, the colours it uses, a fixed
    bounding box of the figure's size, its background, then a scope per group of the scene."""
    unit = PX * scale
    colours = _Colours(theme)
    body = [rf"\path[use as bounding box] (0,0) rectangle ({fmt(scene.width)},"
            rf"{fmt(scene.height)});",
            rf"\path[fill={colours(scene.background)}] (0,0) rectangle ({fmt(scene.width)},"
            rf"{fmt(scene.height)});"]
    for group in scene.groups:
        body.append(f"% {group.role} {_comment(group.id)}")
        body += [_shape(s, colours, unit) for s in group.shapes]
    head = [f"% {_comment(scene.title)}", f"% {_comment(scene.desc)}",
            r"% Drawn by cellviz; needs \usepackage{tikz}. Text is set in the document's font.",
            rf"\begin{{tikzpicture}}[x={unit:.6g}bp, y=-{unit:.6g}bp, "
            r"cellviz text/.style={inner sep=0pt, outer sep=0pt}]",
            *colours.definitions()]
    # The closing % keeps the line's end from adding a space after the picture, which would
    # widen an \hbox or \resizebox around an \input of the file.
    return "\n".join([*head, *body, r"\end{tikzpicture}%"]) + "\n"


def _comment(text: str) -> str:
    return " ".join(text.split())


def tikz_standalone(scene: Scene, theme: Theme, scale: float = 1.0) -> str:
    """A LaTeX document of the picture alone on a page exactly its size, which pdfLaTeX,
    LuaLaTeX and XeLaTeX compile as it is: the picture is boxed, the page made the box's size,
    and the box shipped out as the page. fix-cm lets the Computer Modern fonts take the
    figure's exact sizes (without it LaTeX rounds them to the nearest of its fixed sizes)."""
    return "\n".join([
        r"\RequirePackage{fix-cm}",
        r"\documentclass{article}",
        r"\usepackage{tikz}",
        r"\begin{document}",
        r"\newsavebox\cellvizbox",
        r"\savebox\cellvizbox{%",
        tikz_picture(scene, theme, scale).rstrip("\n"),
        "}",
        r"\ifdefined\pdfpagewidth \pdfpagewidth=\wd\cellvizbox \pdfpageheight=\ht\cellvizbox"
        r"\else \pagewidth=\wd\cellvizbox \pageheight=\ht\cellvizbox \fi",
        r"\hoffset=-1in \voffset=-1in",
        r"\shipout\box\cellvizbox",
        r"\end{document}",
    ]) + "\n"
