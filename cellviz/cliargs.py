"""Shared pieces of the command line: the parser class, size options, loading CELL."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from .cell import Cell
from .errors import UsageError
from .library import CONVENTIONS, load

__all__ = [
    "DEFAULT_HIDDEN_SIZE",
    "DEFAULT_INPUT_SIZE",
    "Parser",
    "add_cell_arguments",
    "cell_from_args",
    "positive_int",
]

#: Sizes of the article's worked example, the default of every command.
DEFAULT_INPUT_SIZE = 3
DEFAULT_HIDDEN_SIZE = 2


class Parser(argparse.ArgumentParser):
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


if TYPE_CHECKING:
    #: What a command's ``add_*`` function receives to add its subparser to.
    Subparsers: TypeAlias = argparse._SubParsersAction[Parser]
