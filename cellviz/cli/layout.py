"""``cellviz layout``: which slice of which framework tensor holds which gate's parameters."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..numeric.layouts import FRAMEWORKS
from .args import add_cell_arguments, cell_from_args

if TYPE_CHECKING:
    from .args import Subparsers

__all__ = ["add_layout"]


def _run_layout(args: argparse.Namespace) -> int:
    from ..interop.packing import packed

    if args.output == "":
        raise UsageError("-o: an empty file name (give a path such as layout.svg, or - for "
                         "stdout)")
    layout = packed(cell_from_args(args), args.framework)
    if args.output is not None:
        from ..draw.packed import render_packed
        from ..draw.render import write_atomic
        from ..draw.themes import get_theme

        get_theme(args.theme)
        if args.output != "-" and not args.output.lower().endswith(".svg"):
            raise UsageError(f"-o {args.output}: the layout figure is SVG (give a path ending "
                             "in .svg, or - for stdout)")
        svg = render_packed(layout, args.theme)
        if args.output == "-":
            sys.stdout.write(svg)
        else:
            write_atomic(args.output, svg.encode("utf-8"))
            print(f"wrote {args.output}", file=sys.stderr)
        return 0
    if args.json:
        print(json.dumps(layout.to_dict(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(layout.to_text())
    return 0


def add_layout(sub: Subparsers) -> None:
    """Add ``cellviz layout`` to the command line."""
    p = sub.add_parser(
        "layout", help="which slice of which framework tensor is which gate",
        description="Print, for each tensor a framework packs the cell's parameters into, the "
        "slice each parameter takes and its gate, in the framework's gate order; -o draws it.")
    add_cell_arguments(p)
    p.add_argument("--framework", choices=FRAMEWORKS, required=True,
                   help="pytorch, keras, onnx or flax")
    p.add_argument("--json", action="store_true",
                   help="print an object {cell, convention, sizes, framework, module, tensors}")
    p.add_argument("-o", "--output", metavar="PATH", default=None,
                   help="draw the tensors and their gate bands into an SVG file (- for stdout)")
    p.add_argument("--theme", default="light", help="light (default), dark, slides or print")
    p.set_defaults(run=_run_layout)
