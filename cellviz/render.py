"""Render a cell's figure: the Jinja2 environment, SVG, PNG and PDF, and whole-file writes."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CellvizError, UsageError
from .scene import fmt

if TYPE_CHECKING:
    import jinja2

    from .cell import Cell
    from .scene import Scene
    from .values import Values

__all__ = ["FORMATS", "RenderOptions", "environment", "render", "render_bytes", "save",
           "write_atomic"]

#: Output formats; png and pdf need the raster extra (cairosvg).
FORMATS = ("svg", "png", "pdf")


@dataclass(frozen=True, kw_only=True)
class RenderOptions:
    """How to draw a figure: ``theme`` (light, dark, slides, print), ``scale`` (the factor from
    the viewBox to the SVG's width and height, and to raster pixels), ``values`` (the numbers
    to print: one ``Values`` for one step, or one per step of an unrolled figure), ``unroll``
    (how many steps to draw side by side, 1 to MAX_UNROLL)."""

    theme: str = "light"
    scale: float = 1.0
    values: Values | tuple[Values, ...] | None = None
    unroll: int = 1

    def __post_init__(self) -> None:
        from .themes import get_theme

        get_theme(self.theme)
        if isinstance(self.scale, bool) or not isinstance(self.scale, (int, float)) or not (
            0 < self.scale <= 20
        ):
            raise UsageError(f"scale must be a number in (0, 20], not {self.scale!r}")
        from .values import check_unroll

        check_unroll(self.unroll)
        steps = self.steps()
        if steps and len(steps) != self.unroll:
            raise UsageError(f"values for {len(steps)} steps but unroll={self.unroll} "
                             "(one Values per drawn step)")

    def steps(self) -> tuple[Values, ...]:
        """The values of each drawn step, or () for a figure without numbers."""
        if self.values is None:
            return ()
        return self.values if isinstance(self.values, tuple) else (self.values,)


def _template_dir() -> Path:
    """Templates: in the installed package (cellviz/templates) or the source tree's top level."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "figure.svg.j2").is_file():
            return candidate
    raise CellvizError(f"cellviz's templates are missing (looked in {here / 'templates'} and "
                       f"{here.parent / 'templates'}); reinstall cellviz")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment: autoescape on for SVG and HTML, undefined names fail."""
    import jinja2

    env = jinja2.Environment(
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


def render_scene(scene: Scene, scale: float = 1.0) -> str:
    """The SVG text of a positioned scene."""
    return environment().get_template("figure.svg.j2").render(scene=scene, scale=scale)


def scene_of(cell: Cell, options: RenderOptions) -> Scene:
    """The positioned scene of a cell's figure."""
    from .themes import get_theme

    theme = get_theme(options.theme)
    steps = options.steps()
    if options.unroll > 1:
        from .unroll import compose_unrolled

        return compose_unrolled(cell, theme, options.unroll, steps)
    from .compose import compose

    return compose(cell, theme, values=steps[0] if steps else None)


def render(cell: Cell, *, theme: str = "light", scale: float = 1.0,
           options: RenderOptions | None = None) -> str:
    """The figure of a cell as SVG text.

    ``options`` gives every option at once; otherwise ``theme`` and ``scale`` build it.
    """
    opts = options or RenderOptions(theme=theme, scale=scale)
    return render_scene(scene_of(cell, opts), opts.scale)


def render_bytes(cell: Cell, fmt_: str, options: RenderOptions) -> bytes:
    """The figure in a format: svg (UTF-8), png or pdf (through cairosvg, the raster extra)."""
    if fmt_ not in FORMATS:
        raise UsageError(f"unknown format: {fmt_!r} (must be one of {', '.join(FORMATS)})")
    svg = render(cell, options=options)
    if fmt_ == "svg":
        return svg.encode("utf-8")
    return rasterize(svg, fmt_, options.scale)


def rasterize(svg: str, fmt_: str, scale: float = 1.0) -> bytes:
    """PNG or PDF from SVG text, through cairosvg (``pip install cellviz[raster]``)."""
    try:
        import cairosvg  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:
        raise CellvizError(
            f"{fmt_} output needs the raster extra: pip install 'cellviz[raster]' ({exc})"
        ) from None
    data = svg.encode("utf-8")
    # The SVG's own width and height already carry the scale.
    out = cairosvg.svg2png(bytestring=data) if fmt_ == "png" else cairosvg.svg2pdf(bytestring=data)
    if not isinstance(out, bytes):
        raise CellvizError(f"cairosvg returned no {fmt_} data")
    _ = scale
    return out


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(cell: Cell, path: str | Path, *, theme: str = "light", scale: float = 1.0,
         format: str | None = None, options: RenderOptions | None = None) -> Path | None:
    """Write a cell's figure to ``path`` (``"-"`` for stdout); the format defaults to the
    path's suffix, else svg. Returns the path written (None for stdout)."""
    opts = options or RenderOptions(theme=theme, scale=scale)
    fmt_ = format or (Path(str(path)).suffix.lstrip(".").lower() if str(path) != "-" else "svg")
    fmt_ = fmt_ or "svg"
    data = render_bytes(cell, fmt_, opts)
    if str(path) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return None
    write_atomic(path, data)
    return Path(path)
