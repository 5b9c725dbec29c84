"""The ``cellviz gradient-flow`` command: how far back gradients reach, as a plot and a table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from .args import positive_int, whole_number

if TYPE_CHECKING:
    from .args import Subparsers

__all__ = ["add_gradient_flow"]

#: The lags (T − t) the table prints, where the run is that long.
_LAGS = (1, 10, 50, 99)


def _steps(text: str) -> int:
    from ..numeric.flow import MAX_FLOW_STEPS

    return whole_number(text, least=1, most=MAX_FLOW_STEPS)


def _seeds(text: str) -> int:
    return whole_number(text, least=1, most=1000)


def _run(args: argparse.Namespace) -> int:
    from ..draw.flowplot import PLOT_FORMATS, flow_plot
    from ..draw.render import write_atomic
    from ..draw.themes import get_theme
    from ..lang.library import load
    from ..numeric.flow import gradient_flow
    from ..numeric.weightfile import load_weights_file

    get_theme(args.theme)
    if args.output == "":
        raise UsageError("-o: an empty file name (give a path such as flow.svg, or - for "
                         "stdout)")
    suffix = Path(args.output).suffix.lstrip(".") if args.output not in (None, "-") else ""
    fmt = args.format or suffix or "svg"
    if fmt not in PLOT_FORMATS or (args.format and suffix and suffix != args.format):
        raise UsageError(f"-o {args.output}: the format must be one of "
                         f"{', '.join(PLOT_FORMATS)}, and agree with --format")
    cells = [load(name, input_size=args.input_size, hidden_size=args.hidden_size,
                  convention=args.convention) for name in args.cells]
    if args.weights and len(args.weights) != len(cells):
        raise UsageError(f"--weights is given {len(args.weights)} time"
                         f"{'s' if len(args.weights) != 1 else ''} for {len(cells)} cell"
                         f"{'s' if len(cells) != 1 else ''}: give one file per cell, in order")
    weights = {cell.name: load_weights_file(cell, path)
               for cell, path in zip(cells, args.weights or (), strict=False)}
    seeds = range(args.seed, args.seed + args.seeds)
    flow = gradient_flow(cells, steps=args.steps, seeds=seeds, weights=weights,
                         forget_bias=args.forget_bias)
    source = "weights from " + ", ".join(args.weights) if args.weights else \
        "weights drawn as PyTorch draws them"
    bias = f", forget-gate bias {args.forget_bias:g}" if args.forget_bias is not None else ""
    subtitle = (f"i={args.input_size}, n={args.hidden_size}, {args.convention} convention; "
                f"{source}{bias}; input from N(0, 1); seeds {seeds.start} to {seeds.stop - 1}")
    data = flow_plot(flow, theme=args.theme, fmt=fmt, subtitle=subtitle)
    lags = [k for k in _LAGS if k < args.steps]
    # With -o -, stdout carries the plot: the table goes to stderr.
    table = sys.stderr if args.output == "-" else sys.stdout
    plural = "s" if len(seeds) != 1 else ""
    print(f"median over {len(seeds)} seed{plural}, T={args.steps}: ‖∂h[T]/∂h[t]‖ | "
          f"‖∂h[T]/∂x[t]‖ at T−t = {', '.join(map(str, lags))}", file=table)
    for name in flow.cells:
        state, inputs = flow.band(name, "state")[0], flow.band(name, "input")[0]
        print(f"{name:<14}" + " ".join(f"{state[k]:9.2e}" for k in lags) + "  | "
              + " ".join(f"{inputs[k]:9.2e}" for k in lags), file=table)
    if args.output == "-":
        sys.stdout.buffer.write(data)
        return 0
    out = args.output or f"output/gradient-flow.{'-'.join(flow.cells)}.{fmt}"
    write_atomic(out, data)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def add_gradient_flow(sub: Subparsers) -> None:
    """``cellviz gradient-flow CELL...``: the gradient-flow plot of some cells."""
    from ..draw.flowplot import PLOT_FORMATS
    from ..draw.themes import THEMES
    from ..lang.library import CONVENTIONS

    p = sub.add_parser(
        "gradient-flow", help="how far back in time gradients reach, for some cells",
        description="Run each cell over T steps from a zero state, for many seeds, and plot "
        "the norm of the Jacobians dh[T]/dh[t] and dh[T]/dx[t] against T - t on a log scale: "
        "the median over the seeds, and the 10th to 90th percentiles as a band. Prints the "
        "medians at a few lags; needs pip install 'cellviz[plot]' for the plot.")
    p.add_argument("cells", nargs="+", metavar="CELL", help="built-in cell names or cell files")
    p.add_argument("--steps", type=_steps, default=100, metavar="T",
                   help="how many steps back (default: 100)")
    p.add_argument("--seed", type=lambda t: whole_number(t, least=0, most=2**32 - 1),
                   default=0, metavar="S", help="the first seed (default: 0)")
    p.add_argument("--seeds", type=_seeds, default=20, metavar="K",
                   help="how many seeds, from S on (default: 20)")
    p.add_argument("--weights", action="append", default=[], metavar="FILE",
                   help="the weights of a cell from a file (one per cell, in the cells' order; "
                   "the seeds then vary only the input)")
    p.add_argument("--forget-bias", type=float, default=None, metavar="B",
                   help="set the bias of the forget gate f[t] of every cell that has one to B "
                   "(an open forget gate, f near 1, carries the gradient back)")
    p.add_argument("-i", "--input-size", type=positive_int, default=16, metavar="I",
                   help="size i of the input (default: 16)")
    p.add_argument("-n", "--hidden-size", type=positive_int, default=32, metavar="N",
                   help="size n of the state (default: 32)")
    p.add_argument("--convention", choices=CONVENTIONS, default="paper",
                   help="whose form of the cells (default: paper)")
    p.add_argument("--theme", choices=tuple(THEMES), default="light",
                   help="the plot's colours (default: light)")
    p.add_argument("--format", choices=PLOT_FORMATS, default=None,
                   help="svg, png or pdf (default: from -o's suffix, else svg)")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="the plot to write, or - for stdout (default: "
                   "output/gradient-flow.<cells>.<format>)")
    p.set_defaults(run=_run)
