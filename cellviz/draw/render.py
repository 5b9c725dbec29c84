"""Render a cell's figure: the Jinja2 environment, SVG, TikZ (PNG and PDF through raster.py),
and whole-file writes."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..arguments import require
from ..errors import CellvizError, CellvizTypeError, CellvizValueError, UsageError, shorten
from ..files import write_atomic
from ..stack import Stack
from .raster import rasterize
from .scene import fmt

if TYPE_CHECKING:
    import jinja2

    from ..cell import Cell
    from ..graph import Gate
    from .scene import Scene
    from .values import Values

__all__ = ["FORMATS", "SUFFIX", "RenderOptions", "check_id_prefix", "check_scale", "environment",
           "file_part", "output_format", "rasterize", "render", "render_bytes", "save",
           "scene_bytes", "write_atomic"]

#: Output formats; png and pdf need the raster extra (cairosvg); tikz is LaTeX.
FORMATS = ("svg", "png", "pdf", "tikz")

#: The file suffix of each format, and the suffixes that name one.
SUFFIX = {"svg": "svg", "png": "png", "pdf": "pdf", "tikz": "tex"}
_BY_SUFFIX = {**{v: k for k, v in SUFFIX.items()}, "tikz": "tikz"}

#: The range of ``scale``: smaller figures are specks (and cairo fails on them), larger ones
#: are tens of thousands of pixels wide.
MIN_SCALE, MAX_SCALE = 0.05, 20.0


def file_part(name: str) -> str:
    """A name (a cell's, a gate's) as one safe file-name part: no directories, no leading dot.

    >>> file_part("../my cell"), file_part("..")
    ('my_cell', 'cell')
    """
    safe = re.sub(r"[^\w.+-]+", "_", name).strip("_.")
    return safe or "cell"


def check_scale(scale: object) -> float:
    """``scale`` if it is a number from MIN_SCALE to MAX_SCALE, else a UsageError."""
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not (
        MIN_SCALE <= scale <= MAX_SCALE
    ):
        raise UsageError(f"scale must be a number from {MIN_SCALE:g} to {MAX_SCALE:g}, "
                         f"not {scale!r}")
    return float(scale)


#: What an id prefix may hold: it starts every id in the figure, so it is a valid XML name
#: and CSS identifier on its own.
_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def check_id_prefix(prefix: object) -> None:
    """A UsageError unless ``prefix`` is None or an id prefix (a letter, then up to 63 letters,
    digits, ``-`` or ``_``)."""
    if prefix is not None and not (isinstance(prefix, str) and _ID_PREFIX.fullmatch(prefix)):
        raise UsageError(f"id_prefix must be a letter followed by up to 63 letters, digits, '-' "
                         f"or '_', not {shorten(repr(prefix), 40)}")


def output_format(path: str | Path, format: str | None = None) -> str:
    """The format to write ``path`` in: ``format`` if given, else the path's suffix, else svg.
    A known suffix (.svg, .png, .pdf, .tex or .tikz for tikz) that disagrees with ``format``,
    an unknown suffix without ``format``, or an unknown ``format`` is a UsageError."""
    choices = ", ".join(FORMATS)
    if format is not None and format not in FORMATS:
        raise UsageError(f"unknown format: {format!r} (must be one of {choices})")
    suffix = "" if str(path) == "-" else Path(str(path)).suffix.lstrip(".").lower()
    if suffix in _BY_SUFFIX:
        named = _BY_SUFFIX[suffix]
        if format is not None and format != named:
            raise UsageError(f"format {format!r} disagrees with the file name {str(path)!r} "
                             f"(name it .{SUFFIX[format]}, or ask for format {named!r})")
        return named
    if suffix and format is None:
        raise UsageError(f"unknown format: {suffix!r} (must be one of {choices}; name the file "
                         f".svg, .png, .pdf or .tex, or give the format)")
    return format or "svg"


@dataclass(frozen=True, kw_only=True)
class RenderOptions:
    """How to draw a figure: ``theme`` (light, dark, slides, print), ``scale`` (the factor from
    the viewBox to the SVG's width and height, and to raster pixels), ``values`` (the numbers
    to print: one ``Values`` for one step, or one per step of an unrolled figure), ``unroll``
    (how many steps to draw side by side, 1 to MAX_UNROLL), ``heading`` and ``legend``
    (whether the title lines and the legend are drawn: a slide has a title of its own, and
    without both the drawing fills more of it), ``id_prefix`` (what every ``id`` in the figure
    starts with; by default ``cellviz-`` and a hash of the figure, so that different figures on
    one page never share an id and the same figure always gets the same bytes), ``highlight``
    (gates to draw at full strength, with the edges into and out of them, the rest dimmed:
    names as in the cell file's comments or the gates' vectors, ``("f", "output")``, or one
    comma-separated string), ``standalone`` (tikz only: a whole LaTeX document rather than a
    ``tikzpicture`` to ``\\input``), ``detail`` (full: every weight matrix with its shape
    and count; compact: each gate one small box, for slides and stacked networks), ``title``
    (the figure's title line in place of the cell's name, convention and sizes; a stack's
    figure names its own), ``cells`` (a stack's figure: ``auto`` draws each cell at the
    compact detail level where the figure fits a slide, else as a labelled box; ``compact``
    and ``box`` choose)."""

    theme: str = "light"
    scale: float = 1.0
    values: Values | tuple[Values, ...] | None = None
    unroll: int = 1
    heading: bool = True
    legend: bool = True
    id_prefix: str | None = None
    highlight: tuple[str, ...] | str = ()
    standalone: bool = False
    detail: str = "full"
    title: str | None = None
    cells: str = "auto"

    def __post_init__(self) -> None:
        from .compact import check_cells, check_detail
        from .themes import get_theme

        get_theme(self.theme)
        check_detail(self.detail)
        require("title", self.title, (str, type(None)), "a str or None")
        check_cells(self.cells)
        check_scale(self.scale)
        from .values import check_unroll

        object.__setattr__(self, "unroll", check_unroll(self.unroll))
        for name in ("heading", "legend", "standalone"):
            if not isinstance(getattr(self, name), bool):
                raise UsageError(f"{name} must be True or False, not "
                                 f"{shorten(repr(getattr(self, name)), 40)}")
        check_id_prefix(self.id_prefix)
        from .values import Values

        values = self.values if isinstance(self.values, tuple) else (self.values,)
        if self.values is not None and not all(isinstance(v, Values) for v in values):
            raise CellvizTypeError(f"values must be Values (cellviz.draw.values.values_of), a "
                                   f"tuple of them or None, not "
                                   f"{shorten(repr(self.values), 40)}")
        object.__setattr__(self, "highlight", _gate_names(self.highlight))
        steps = self.steps()
        if steps and len(steps) != self.unroll:
            raise UsageError(f"values for {len(steps)} steps but unroll={self.unroll} "
                             "(one Values per drawn step)")

    def steps(self) -> tuple[Values, ...]:
        """The values of each drawn step, or () for a figure without numbers."""
        if self.values is None:
            return ()
        return self.values if isinstance(self.values, tuple) else (self.values,)


def _gate_names(value: object) -> tuple[str, ...]:
    """``highlight`` as a tuple of names: a string is split at commas; empty names dropped."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (tuple, list)) or not all(isinstance(v, str) for v in value):
        raise UsageError("highlight must be gate names: a tuple of strings or one "
                         f"comma-separated string, not {shorten(repr(value), 40)}")
    return tuple(v.strip() for v in value if v.strip())


def _template_dir() -> Path:
    """Templates: in the installed package (cellviz/templates) or the source tree's top level."""
    package = Path(__file__).resolve().parent.parent
    installed, source = package / "templates", package.parent / "templates"
    for candidate in (installed, source):
        if (candidate / "figure.svg.j2").is_file():
            return candidate
    raise CellvizError(f"cellviz's templates are missing (looked in {installed} and {source}); "
                       "reinstall cellviz")


def cache_dir() -> Path | None:
    """Where compiled templates are kept between runs: ``$CELLVIZ_CACHE_DIR`` (empty: nowhere),
    else ``$XDG_CACHE_HOME/cellviz``, else ``~/.cache/cellviz``."""
    if "CELLVIZ_CACHE_DIR" in os.environ:
        given = os.environ["CELLVIZ_CACHE_DIR"]
        return Path(given) if given else None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative: the XDG specification says ignore it
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cellviz" if os.path.isabs(base) else None


def _private_dir(directory: Path) -> bool:
    """Make ``directory`` (mode 0700) if it is missing, and say whether it is safe to load
    compiled code from: a real directory, not a link, owned by this user and writable by no
    one else (the checks Jinja2 makes of its own default cache directory). Compiled templates
    are Python code: anyone who could write them could run code as whoever renders next."""
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        info = os.lstat(directory)
    except (OSError, ValueError):
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja2's bytecode cache in ``cache_dir()``: compiling the figure template costs a run of
    ``cellviz render`` about 12 ms, loading it compiled well under one. A directory that is not
    private (see ``_private_dir``) is not used; any other trouble with it (unwritable, a file
    in its place, a damaged entry) only means compiling again."""
    import hashlib

    import jinja2

    directory = cache_dir()
    if directory is None or not _private_dir(directory):
        return None

    class QuietCache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # unreadable or damaged (Jinja2 lets pickle's errors through)
                bucket.reset()

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    # Jinja2's own key covers the template's path and text and the Python version. The file
    # name adds Jinja2's version and this module's text, where the environment's options
    # (trimming, escaping), which the compiled code also depends on, are set.
    version = getattr(jinja2, "__version__", "unknown")
    settings = hashlib.sha1(Path(__file__).read_bytes(), usedforsecurity=False).hexdigest()[:12]
    return QuietCache(str(directory), f"template-jinja{version}-{settings}-%s.cache")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment: autoescape on for SVG and HTML, undefined names fail,
    compiled templates cached between runs."""
    import jinja2

    env = jinja2.Environment(
        bytecode_cache=_bytecode_cache(),
        loader=jinja2.FileSystemLoader(str(_template_dir())),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("svg", "html", "xml", "svg.j2", "html.j2"),
            default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["num"] = fmt
    return env


#: Stands for the id prefix while a figure is rendered without one: no text of a figure can
#: hold it (cell files refuse control characters).
_NO_PREFIX = "\x00"


def render_scene(scene: Scene, scale: float = 1.0, id_prefix: str | None = None) -> str:
    """The SVG text of a positioned scene; its ids start with ``id_prefix``, by default with
    ``cellviz-`` and the first ten hex digits of the SHA-1 of the figure's text."""
    svg = environment().get_template("figure.svg.j2").render(
        scene=scene, width=scene.width * scale, height=scene.height * scale,
        ids=id_prefix or _NO_PREFIX)
    if id_prefix is None:
        import hashlib

        digest = hashlib.sha1(svg.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
        svg = svg.replace(_NO_PREFIX, f"cellviz-{digest}-")
    return svg


def scene_of(cell: Cell | Stack, options: RenderOptions) -> Scene:
    """The positioned scene of a cell's figure, or of a stack's (``draw.stack``)."""
    from .layout import check_drawable
    from .themes import get_theme

    theme = get_theme(options.theme)
    steps = options.steps()
    if isinstance(cell, Stack):
        if steps or options.highlight:
            raise UsageError("a stack's figure shows no numbers and highlights no gates: draw "
                             "one of its cells (stack.cells[layer][direction]) for those")
        from .stack import compose_stack

        if options.title is not None:
            raise UsageError("a stack's figure names its title itself: title is for a cell's "
                             "figure")
        if options.detail != "full":
            raise UsageError(f"detail={options.detail!r} sets one cell's figure; a stack's "
                             f"figure takes cells={options.detail!r}")
        return compose_stack(cell, theme, options.unroll, heading=options.heading,
                             legend=options.legend, cells=options.cells)
    check_drawable(cell)
    for step in steps:
        step.check_fits(cell)
    gates: tuple[Gate, ...] = ()
    if options.highlight:
        from .highlight import resolve_gates

        gates = resolve_gates(cell.graph, tuple(options.highlight))
    if options.unroll > 1:
        from .unroll import compose_unrolled

        scene = compose_unrolled(cell, theme, options.unroll, steps, heading=options.heading,
                                 legend=options.legend, detail=options.detail,
                                 title=options.title)
    else:
        from .compose import compose

        scene = compose(cell, theme, values=steps[0] if steps else None,
                        heading=options.heading, legend=options.legend,
                        detail=options.detail, title=options.title)
    if gates:
        from .highlight import dim_scene, gate_nodes

        scene = dim_scene(scene, gate_nodes(gates))
    return scene


def _options(theme: str, scale: float, options: RenderOptions | None) -> RenderOptions:
    """The options object, from ``options`` or from ``theme`` and ``scale``, never both."""
    require("options", options, (RenderOptions, type(None)), "a RenderOptions or None")
    if options is None:
        return RenderOptions(theme=theme, scale=scale)
    if theme != "light" or scale != 1.0:
        raise UsageError("give the theme and scale inside options=RenderOptions(...), or "
                         "without options, not both")
    return options


def _check_model(cell: object) -> None:
    from ..cell import Cell

    require("cell", cell, (Cell, Stack), "a Cell or a Stack (cellviz.load(...))")


def render(cell: Cell | Stack, *, theme: str = "light", scale: float = 1.0,
           options: RenderOptions | None = None) -> str:
    """The figure of a cell as SVG text.

    ``options`` gives every option at once; otherwise ``theme`` and ``scale`` build it.
    """
    _check_model(cell)
    opts = _options(theme, scale, options)
    return render_scene(scene_of(cell, opts), opts.scale, opts.id_prefix)


def render_bytes(cell: Cell | Stack, fmt_: str, options: RenderOptions) -> bytes:
    """The figure in a format: svg (UTF-8), png or pdf (through cairosvg, the raster extra),
    tikz (UTF-8 LaTeX)."""
    if fmt_ not in FORMATS:
        raise UsageError(f"unknown format: {fmt_!r} (must be one of {', '.join(FORMATS)})")
    if options.standalone and fmt_ != "tikz":
        raise UsageError(f"standalone is for the tikz format, not {fmt_}")
    return scene_bytes(scene_of(cell, options), fmt_, options)


def scene_bytes(scene: Scene, fmt_: str, options: RenderOptions) -> bytes:
    """A positioned scene in a format, with the options' theme, scale, ids and standalone."""
    if fmt_ == "tikz":
        from .themes import get_theme
        from .tikz import tikz_picture, tikz_standalone

        write = tikz_standalone if options.standalone else tikz_picture
        return write(scene, get_theme(options.theme), options.scale).encode("utf-8")
    svg = render_scene(scene, options.scale, options.id_prefix)
    if fmt_ == "svg":
        return svg.encode("utf-8")
    return rasterize(svg, fmt_)


def save(cell: Cell | Stack, path: str | Path, *, theme: str = "light", scale: float = 1.0,
         format: str | None = None, options: RenderOptions | None = None) -> Path | None:
    """Write a cell's figure to ``path`` (``"-"`` for stdout); the format defaults to the
    path's suffix, else svg (``output_format``). Returns the path written (None for stdout)."""
    _check_model(cell)
    require("path", path, (str, os.PathLike), "a file name (str or pathlib.Path) or '-'")
    if "\0" in str(path):
        raise CellvizValueError(f"path {shorten(repr(str(path)), 60)} holds a NUL character")
    opts = _options(theme, scale, options)
    fmt_ = output_format(path, format)
    data = render_bytes(cell, fmt_, opts)
    if str(path) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return None
    write_atomic(path, data)
    return Path(path)
