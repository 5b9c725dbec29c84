"""The command line: ``cellviz list | params | ...``; every error is one line and an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from .cell import Cell
from .errors import CellvizError, UsageError
from .library import BUILTIN_CELLS, CONVENTIONS, builtin_conventions, load, load_graph

__all__ = ["add_cell_arguments", "build_parser", "cell_from_args", "main", "positive_int"]

#: Sizes of the article's worked example, the default of every command.
DEFAULT_INPUT_SIZE = 3
DEFAULT_HIDDEN_SIZE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is a UsageError (one line, exit 2) rather than an exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def positive_int(text: str) -> int:
    """An argparse type: a positive integer, or a message naming the bad value."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a positive integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive integer: {text!r}")
    return value


def _size_binding(text: str) -> tuple[str, int]:
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=INT such as k=4, not {text!r}")
    return name, positive_int(value)


def add_cell_arguments(parser: argparse.ArgumentParser) -> None:
    """CELL and its sizes and convention, shared by every command that loads a cell."""
    parser.add_argument("cell", metavar="CELL", help="a built-in cell name or a cell file")
    parser.add_argument("-i", "--input-size", type=positive_int, default=DEFAULT_INPUT_SIZE,
                        metavar="I", help="size i of the input x[t] (default: 3)")
    parser.add_argument("-n", "--hidden-size", type=positive_int, default=DEFAULT_HIDDEN_SIZE,
                        metavar="N", help="size n of the hidden state, neurons (default: 2)")
    parser.add_argument("-p", "--proj-size", type=positive_int, default=None, metavar="P",
                        help="size p of a projection (lstm-proj)")
    parser.add_argument("--size", type=_size_binding, action="append", default=[],
                        metavar="NAME=INT", help="bind another size symbol of a cell file")
    parser.add_argument("--convention", choices=CONVENTIONS, default="paper",
                        help="whose form of the cell: paper (default), pytorch or keras")


def cell_from_args(args: argparse.Namespace) -> Cell:
    """Load the cell that add_cell_arguments' options name."""
    return load(
        args.cell,
        input_size=args.input_size,
        hidden_size=args.hidden_size,
        proj_size=args.proj_size,
        convention=args.convention,
        **dict(args.size),
    )


def _run_list(args: argparse.Namespace) -> int:
    rows = []
    for name in BUILTIN_CELLS:
        graph = load_graph(name, args.convention)
        rows.append((name, graph.formula(), ", ".join(builtin_conventions(name)),
                     graph.description or ""))
    widths = [max(len(r[k]) for r in rows) for k in range(3)]
    for r in rows:
        print("  ".join(r[k].ljust(widths[k]) for k in range(3)) + "  " + r[3])
    return 0


def _run_params(args: argparse.Namespace) -> int:
    table = cell_from_args(args).params()
    if args.json:
        print(json.dumps(table.to_dict(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(table.to_text())
    return 0


def _add_list(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser("list", help="the built-in cells and their parameter formulas",
                       description="List the built-in cells, a line each: name, parameter "
                       "formula, conventions with a form of their own, source.")
    p.add_argument("--convention", choices=CONVENTIONS, default="paper")
    p.set_defaults(run=_run_list)


def _add_params(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser("params", help="a cell's parameter table",
                       description="Print every parameter of a cell with its shape and count.")
    add_cell_arguments(p)
    p.add_argument("--json", action="store_true",
                   help="print an object with total and tensors (name, shape, count)")
    p.set_defaults(run=_run_params)


#: Each adds one subcommand; a command's module adds its own function here.
COMMANDS: list[Callable[[argparse._SubParsersAction[_Parser]], None]] = [_add_list, _add_params]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cellviz", description="Draw the inside of recurrent cells and run "
                     "them: Elman RNN, GRU, LSTM and variants, or any cell you write.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 cellviz error, 2 usage error)."""
    try:
        args = build_parser().parse_args(argv)
        code: int = args.run(args)
        return code
    except CellvizError as exc:
        print(f"cellviz: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cellviz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
