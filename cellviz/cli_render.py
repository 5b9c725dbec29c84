"""The ``cellviz render`` and ``cellviz gallery`` commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .cliargs import add_cell_arguments, cell_from_args
from .cliinputs import add_input_arguments, run_from_args, step_values, wants_values
from .errors import UsageError
from .values import MAX_UNROLL, check_unroll

if TYPE_CHECKING:
    from .cliargs import Subparsers

__all__ = ["add_gallery", "add_render", "default_path"]


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 20:
        raise argparse.ArgumentTypeError(f"scale must be in (0, 20], not {text!r}")
    return value


def _steps(text: str) -> int:
    try:
        return check_unroll(int(text))
    except (ValueError, UsageError):
        raise argparse.ArgumentTypeError(f"not a whole number of steps from 1 to {MAX_UNROLL} "
                                         f"(more would not fit a readable figure): {text!r}"
                                         ) from None


def default_path(cell: str, convention: str, theme: str, fmt: str,
                 extra: tuple[str, ...] = ()) -> Path:
    """Where ``cellviz render`` writes by default: ``output/<cell>[.<convention>][.<theme>]
    [.<extra>...].<fmt>`` (the convention and theme only when they are not the defaults;
    ``extra`` such as ``values``, ``unroll3``)."""
    stem = Path(cell).name.split(".")[0] if cell.endswith(".cell") else cell
    parts = [stem]
    if convention != "paper":
        parts.append(convention)
    if theme != "light":
        parts.append(theme)
    parts += extra
    return Path("output") / f"{'.'.join(parts)}.{fmt}"


def _run_render(args: argparse.Namespace) -> int:
    from .render import RenderOptions, save
    from .themes import THEMES

    if args.theme not in THEMES:
        raise UsageError(f"unknown theme: {args.theme!r} (must be one of {', '.join(THEMES)})")
    cell = cell_from_args(args)
    check_unroll(args.unroll)
    values = None
    if args.values or wants_values(args):
        values = step_values(run_from_args(cell, args, args.unroll, "--unroll"))
    extra = (*(("values",) if values else ()),
             *((f"unroll{args.unroll}",) if args.unroll > 1 else ()))
    fmt = args.format
    out = args.output
    if out is None:
        fmt = fmt or "svg"
        out = str(default_path(args.cell, args.convention, args.theme, fmt, extra))
    elif fmt is None:
        suffix = Path(out).suffix.lstrip(".").lower()
        fmt = suffix if out != "-" and suffix in ("svg", "png", "pdf") else "svg"
    options = RenderOptions(theme=args.theme, scale=args.scale, values=values,
                            unroll=args.unroll)
    written = save(cell, out, format=fmt, options=options)
    if written is not None:
        print(f"wrote {written}", file=sys.stderr)
    return 0


def _run_gallery(args: argparse.Namespace) -> int:
    from .gallery import write_gallery

    index = write_gallery(Path(args.output), scale=args.scale)
    print(f"wrote {index}", file=sys.stderr)
    return 0


def add_render(sub: Subparsers) -> None:
    """``cellviz render CELL``: one figure as SVG, PNG or PDF."""
    from .render import FORMATS
    from .themes import THEMES

    p = sub.add_parser("render", help="draw a cell's figure (SVG, PNG or PDF)",
                       description="Draw a cell as an annotated figure. By default it goes to "
                       "output/<cell>[.<convention>][.<theme>].svg; -o - writes to stdout.")
    add_cell_arguments(p)
    p.add_argument("--theme", choices=tuple(THEMES), default="light",
                   help="light (default), dark, slides (large type) or print (grayscale)")
    p.add_argument("-o", "--output", metavar="PATH", default=None,
                   help="the file to write, or - for stdout")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="svg, png or pdf (default: from PATH's suffix, else svg); png and pdf "
                   "need pip install 'cellviz[raster]'")
    p.add_argument("--scale", type=_scale, default=1.0,
                   help="size factor of the figure (default: 1)")
    p.add_argument("--values", action="store_true",
                   help="run the cell and print its numbers on the figure (implied by --x, "
                   "--seed and --weights)")
    add_input_arguments(p)
    p.add_argument("--unroll", type=_steps, default=1, metavar="T",
                   help=f"draw T steps side by side (1 to {MAX_UNROLL}; default: 1)")
    p.set_defaults(run=_run_render)


def add_gallery(sub: Subparsers) -> None:
    """``cellviz gallery``: every built-in cell in every theme, and an index.html."""
    p = sub.add_parser("gallery", help="every built-in cell in every theme, with an index.html",
                       description="Render every built-in cell (i=3, n=2, p=1) in every theme "
                       "into DIR, with an index.html showing them and their parameter tables.")
    p.add_argument("-o", "--output", metavar="DIR", default="output/gallery",
                   help="the directory to write (default: output/gallery)")
    p.add_argument("--scale", type=_scale, default=1.0, help="size factor of the figures")
    p.set_defaults(run=_run_gallery)
