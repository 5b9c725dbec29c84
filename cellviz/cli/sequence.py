"""The ``cellviz sequence`` command: a cell's build-up for slides, a figure per step."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from .args import add_cell_arguments, cell_from_args
from .render import scale_type

if TYPE_CHECKING:
    from .args import Subparsers

__all__ = ["add_sequence"]


def _run_sequence(args: argparse.Namespace) -> int:
    from ..draw.render import RenderOptions
    from ..pages.slides import write_sequence

    if not args.output:
        raise UsageError("-o: an empty folder name (give a folder such as output/lstm-slides)")
    if args.standalone and args.format != "tikz":
        raise UsageError(f"--standalone is for --format tikz, not {args.format}")
    cell = cell_from_args(args)
    options = RenderOptions(theme=args.theme, scale=args.scale, heading=not args.no_title,
                            legend=not args.no_legend, standalone=args.standalone,
                            detail=args.detail)
    written = write_sequence(cell, Path(args.output), args.format, options,
                             deck=not args.no_deck)
    print(f"wrote {len(written)} files into {args.output}", file=sys.stderr)
    return 0


def add_sequence(sub: Subparsers) -> None:
    """Add ``cellviz sequence CELL -o DIR`` to the command line."""
    from ..draw.compact import DETAILS
    from ..draw.render import FORMATS
    from ..draw.themes import THEMES

    p = sub.add_parser(
        "sequence", help="a cell's build-up for slides: a figure per gate, a PDF and a PPTX",
        description="Write the build-up of a cell into a folder, one figure a step: the state "
        "line alone, then each gate in the cell's order highlighted, then the whole cell, all "
        "of the same size so that they align on consecutive slides; with a PDF of one page a "
        "figure and a PowerPoint deck of one slide a figure (the slides extra).")
    add_cell_arguments(p)
    p.add_argument("-o", "--output", metavar="DIR", required=True,
                   help="the folder to write (made if missing)")
    p.add_argument("--format", choices=FORMATS, default="svg",
                   help="the figures' format: svg (default), png, pdf or tikz")
    p.add_argument("--theme", choices=tuple(THEMES), default="slides",
                   help="light, dark, slides (default: large type) or print")
    p.add_argument("--detail", choices=DETAILS, default="full",
                   help="full (default: every matrix and shape) or compact (a box per gate, "
                   "readable on a slide)")
    p.add_argument("--scale", type=scale_type, default=1.0,
                   help="size factor of the figures (default: 1)")
    p.add_argument("--no-title", action="store_true", help="leave out the figures' title lines")
    p.add_argument("--no-legend", action="store_true", help="leave out the legend")
    p.add_argument("--standalone", action="store_true",
                   help="with --format tikz: whole LaTeX documents")
    p.add_argument("--no-deck", action="store_true",
                   help="write the figures only, without the PDF and the PowerPoint deck")
    p.set_defaults(run=_run_sequence)
