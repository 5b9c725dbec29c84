"""The ``cellviz walkthrough`` command: a page that steps through a sequence."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..errors import UsageError
from .args import add_cell_arguments, cell_from_args, whole_number
from .inputs import add_input_arguments, run_from_args, run_grads, step_values

if TYPE_CHECKING:
    from ..draw.values import Values
    from ..pages.chain import Row
    from .args import Subparsers

__all__ = ["add_walkthrough"]


def _steps(text: str) -> int:
    from ..pages.walkthrough import MAX_STEPS

    return whole_number(text, least=1, most=MAX_STEPS)


def _run_walkthrough(args: argparse.Namespace) -> int:
    from ..draw.layout import check_drawable
    from ..draw.render import write_atomic
    from ..draw.themes import get_theme
    from ..pages.chain import chain_rows
    from ..pages.mathml import MathWords
    from ..pages.walkthrough import walkthrough_html

    get_theme(args.theme)
    if args.output == "":
        raise UsageError("-o: an empty file name (give a path such as page.html, or - for "
                         "stdout)")
    cell = cell_from_args(args)
    check_drawable(cell)  # before the numbers are computed
    steps = args.steps if args.steps is not None or args.x else 3
    run = run_from_args(cell, args, steps, "--steps")
    backward: list[tuple[Values, tuple[Row, ...], tuple[Row, ...]]] = []
    if args.grads:
        grads = run_grads(cell, run)
        with_grads = step_values(run, grads=grads)
        for t in reversed(range(len(run.traces))):
            later = grads.trace[t + 1] if t + 1 < len(run.traces) else None
            step = (cell, run.traces[t], grads.trace[t], later, run.weights)
            backward.append((with_grads[t], chain_rows(*step),
                             chain_rows(*step, words=MathWords(t + 1))))
    page = walkthrough_html(cell, step_values(run), run.traces, theme=args.theme,
                            source=run.source, backward=backward)
    if args.output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(page.encode("utf-8"))  # the page says it is UTF-8
        return 0
    write_atomic(args.output, page.encode("utf-8"))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def add_walkthrough(sub: Subparsers) -> None:
    """Add ``cellviz walkthrough CELL`` to the command line."""
    from ..draw.themes import THEMES

    p = sub.add_parser(
        "walkthrough", help="an HTML page stepping through a sequence, with the numbers",
        description="Run a cell over a sequence from a zero state and write one self-contained "
        "HTML page: for each time step the figure with that step's numbers and the equations "
        "with the numbers put in; a slider, buttons and the arrow keys move between steps.")
    add_cell_arguments(p)
    add_input_arguments(p)
    p.add_argument("--steps", type=_steps, default=None, metavar="T",
                   help="number of time steps (default: 3, or one per --x)")
    p.add_argument("--grads", action="store_true",
                   help="after the last step, run back to the first: each step's gradients "
                   "dL/dv (L = the sum of h over the steps) and its chain rule with numbers")
    p.add_argument("--theme", choices=tuple(THEMES), default="light",
                   help="the figures' theme (default: light)")
    p.add_argument("-o", "--output", metavar="PATH", default="output/walkthrough.html",
                   help="the page to write, or - for stdout (default: output/walkthrough.html)")
    p.set_defaults(run=_run_walkthrough)
