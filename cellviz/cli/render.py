"""The ``cellviz render`` and ``cellviz gallery`` commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..draw.render import MAX_SCALE, MIN_SCALE, check_scale, file_part
from ..draw.values import MAX_UNROLL
from ..errors import CellvizError, UsageError, shorten
from .args import add_cell_arguments, cell_from_args, whole_number
from .inputs import add_input_arguments, run_from_args, run_grads, step_values, wants_values
from .stack import add_stack_arguments, member_from_args, stack_from_args, stack_parts

if TYPE_CHECKING:
    from ..cell import Cell
    from ..stack import Stack
    from .args import Subparsers

__all__ = ["add_gallery", "add_render", "default_path", "scale_type"]

#: The most steps ``render --steps`` runs (the figure draws the last of them).
MAX_RUN_STEPS = 10_000


def scale_type(text: str) -> float:
    try:
        return check_scale(float(text))
    except (ValueError, UsageError):
        raise argparse.ArgumentTypeError(f"not a number from {MIN_SCALE:g} to {MAX_SCALE:g}: "
                                         f"{text!r}") from None


def _steps(text: str) -> int:
    return whole_number(text, least=1, most=MAX_UNROLL,
                        why="more would not fit a readable figure")


def _run_steps(text: str) -> int:
    return whole_number(text, least=1, most=MAX_RUN_STEPS)


def default_path(name: str, convention: str, theme: str, fmt: str,
                 extra: tuple[str, ...] = ()) -> Path:
    """Where ``cellviz render`` writes by default: ``output/<name>[.<convention>][.<theme>]
    [.<extra>...].<fmt>``, always directly in output/, where ``name`` is the cell's name (its
    ``cell`` line or its file's stem); the convention and theme only when they are not the
    defaults; ``extra`` such as ``values``, ``unroll3``."""
    parts = [file_part(name)]
    if convention != "paper":
        parts.append(convention)
    if theme != "light":
        parts.append(theme)
    parts += extra
    return Path("output") / f"{'.'.join(parts)}.{fmt}"


def _refuse_large_file(name: str) -> None:
    """Refuse a cell file with more equations than a figure has room for boxes before it is
    parsed (every equation is at least one box): parsing 100,000 lines takes seconds."""
    from ..draw.layout import MAX_FIGURE_NODES
    from ..files import check_input_file
    from ..lang.library import BUILTIN_CELLS, MAX_CELL_FILE_BYTES
    from ..lang.syntax import count_equations
    from .models import is_model

    if name in BUILTIN_CELLS or is_model(name):
        return
    if not check_input_file(name, "cell file", MAX_CELL_FILE_BYTES):
        return
    try:
        count = count_equations(Path(name).read_text(encoding="utf-8"))
    except (OSError, UnicodeError):
        return  # loading the cell names the problem
    if count > MAX_FIGURE_NODES:
        raise CellvizError(
            f"cell file {shorten(repr(name), 60)} is too large to draw: its {count} equations "
            f"would be at least {count} boxes, and cellviz draws at most {MAX_FIGURE_NODES} "
            "(a larger figure is unreadable); its parameters and evaluation still work")


def _run_render(args: argparse.Namespace) -> int:
    from ..draw.layout import check_drawable
    from ..draw.render import SUFFIX, RenderOptions, output_format, save
    from ..draw.themes import THEMES

    if args.output == "":
        raise UsageError("-o: an empty file name (give a path such as lstm.svg, or - for "
                         "stdout)")
    if args.output is not None:
        output_format(args.output, args.format)
    if args.theme not in THEMES:
        raise UsageError(f"unknown theme: {args.theme!r} (must be one of {', '.join(THEMES)})")
    stack = stack_from_args(args)
    member = member_from_args(stack, args) if stack is not None else None
    values = None
    if args.steps is not None and args.unroll > 1 and args.steps != args.unroll:
        raise UsageError(f"--steps {args.steps} and --unroll {args.unroll}: an unrolled figure "
                         "draws every step it runs (give one of them, or the same number)")
    numbers = args.values or args.grads or args.steps is not None or wants_values(args)
    highlight = tuple(n.strip() for n in (args.highlight or "").split(",") if n.strip())
    if args.highlight is not None and not highlight:
        raise UsageError("--highlight: no gate name given (give names such as f,o or forget)")
    drawn: Cell | Stack
    if stack is None:
        _refuse_large_file(args.cell)
        drawn = cell = cell_from_args(args)
        check_drawable(cell)  # before the numbers are computed
        if numbers:
            steps = args.steps if args.steps is not None else args.unroll
            run = run_from_args(cell, args, steps, "--steps" if args.steps else "--unroll")
            values = step_values(run, grads=run_grads(cell, run) if args.grads else None,
                                 last=args.unroll)
    elif numbers:
        raise UsageError("--values, --grads, --steps, --x, --seed and --weights print the "
                         "numbers of one cell run on its own; a stack's figure, and its "
                         "--layer K, show none")
    elif highlight and member is None:
        raise UsageError("--highlight marks gates in one cell's figure: draw one cell of the "
                         "stack with --layer K")
    else:
        drawn = member[2] if member is not None else stack
    if args.cells is not None and (stack is None or member is not None):
        raise UsageError(f"--cells {args.cells} sets how a stack's figure draws its cells: "
                         "give --layers N without --layer (one cell's figure takes --detail)")
    if stack is not None and member is None and args.detail != "full":
        raise UsageError(f"--detail {args.detail} sets one cell's figure; a stack's figure "
                         f"takes --cells {args.detail} (or --layer K for one of its cells)")
    title = None
    if stack is not None and member is not None:
        from ..draw.stack_frame import member_title

        title = member_title(stack, member[0], member[1])
    extra = (*stack_parts(stack, member),
             *(("compact",) if args.detail == "compact" else ()),
             *((f"{args.cells}cells",) if args.cells not in (None, "auto") else ()),
             *(("grads",) if args.grads else ("values",) if values else ()),
             *((f"steps{args.steps}",) if args.steps and args.unroll == 1 else ()),
             *((f"highlight-{'-'.join(file_part(n) for n in highlight)}",) if highlight
               else ()),
             *((f"unroll{args.unroll}",) if args.unroll > 1 else ()),
             *(("notitle",) if args.no_title else ()), *(("nolegend",) if args.no_legend else ()))
    out = args.output
    if out is None:
        out = str(default_path(drawn.name, args.convention, args.theme,
                               SUFFIX[args.format or "svg"], extra))
    fmt = output_format(out, args.format)
    if args.standalone and fmt != "tikz":
        raise UsageError(f"--standalone is for --format tikz (a .tex file), not {fmt}")
    options = RenderOptions(theme=args.theme, scale=args.scale, values=values,
                            unroll=args.unroll, heading=not args.no_title,
                            legend=not args.no_legend, highlight=highlight,
                            standalone=args.standalone, detail=args.detail, title=title,
                            cells=args.cells or "auto")
    written = save(drawn, out, format=fmt, options=options)
    if written is not None:
        print(f"wrote {written}", file=sys.stderr)
    return 0


def _run_gallery(args: argparse.Namespace) -> int:
    from ..pages.gallery import write_gallery

    if not args.output:
        raise UsageError("-o: an empty directory name (give a directory such as "
                         "output/gallery)")
    index = write_gallery(Path(args.output), scale=args.scale)
    print(f"wrote {index}", file=sys.stderr)
    return 0


def add_render(sub: Subparsers) -> None:
    """``cellviz render CELL``: one figure as SVG, PNG or PDF."""
    from ..draw.compact import DETAILS
    from ..draw.render import FORMATS
    from ..draw.themes import THEMES

    p = sub.add_parser("render", help="draw a cell's figure (SVG, PNG, PDF or TikZ)",
                       description="Draw a cell as an annotated figure. By default it goes to "
                       "output/<cell>[.<convention>][.<theme>].svg; -o - writes to stdout.")
    add_cell_arguments(p)
    add_stack_arguments(p, member=True)
    p.add_argument("--theme", choices=tuple(THEMES), default="light",
                   help="light (default), dark, slides (large type) or print (grayscale)")
    p.add_argument("--detail", choices=DETAILS, default="full",
                   help="full (default: every weight matrix with its shape and count) or "
                   "compact (each gate one small box, for slides)")
    p.add_argument("-o", "--output", metavar="PATH", default=None,
                   help="the file to write, or - for stdout")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="svg, png, pdf or tikz (default: from PATH's suffix, .tex for tikz, "
                   "else svg); png and pdf need pip install 'cellviz[raster]'")
    p.add_argument("--scale", type=scale_type, default=1.0,
                   help="size factor of the figure (default: 1)")
    p.add_argument("--values", action="store_true",
                   help="run the cell and print its numbers on the figure (implied by --x, "
                   "--seed and --weights)")
    p.add_argument("--grads", action="store_true",
                   help="run the cell forward and back and print, beside every value, its "
                   "gradient dL/dv for L = the sum of h over every step (implies --values)")
    add_input_arguments(p)
    p.add_argument("--steps", type=_run_steps, default=None, metavar="T",
                   help="run T steps from a zero state and draw the last (default: 1, or "
                   "the number of --unroll steps)")
    p.add_argument("--unroll", type=_steps, default=1, metavar="T",
                   help=f"draw T steps side by side (1 to {MAX_UNROLL}; default: 1)")
    p.add_argument("--no-title", action="store_true",
                   help="leave out the title lines (a slide has its own title)")
    p.add_argument("--no-legend", action="store_true",
                   help="leave out the legend (line styles, glyphs, totals)")
    p.add_argument("--standalone", action="store_true",
                   help="with --format tikz: a whole LaTeX document (pdflatex compiles it), "
                   "rather than a tikzpicture to \\input")
    p.add_argument("--highlight", metavar="GATE[,GATE...]", default=None,
                   help="draw these gates and the edges into and out of them at full "
                   "strength and dim the rest (names as in the cell file's comments, or the "
                   "gates' vectors: f, forget)")
    p.set_defaults(run=_run_render)


def add_gallery(sub: Subparsers) -> None:
    """``cellviz gallery``: every built-in cell in every theme, and an index.html."""
    p = sub.add_parser("gallery", help="every built-in cell in every theme, with an index.html",
                       description="Render every built-in cell (i=3, n=2, p=1) in every theme "
                       "into DIR, with an index.html showing them and their parameter tables.")
    p.add_argument("-o", "--output", metavar="DIR", default="output/gallery",
                   help="the directory to write (default: output/gallery)")
    p.add_argument("--scale", type=scale_type, default=1.0, help="size factor of the figures")
    p.set_defaults(run=_run_gallery)
