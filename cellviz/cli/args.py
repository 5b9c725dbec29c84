"""Shared pieces of the command line: the parser class, size options, loading CELL."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from ..cell import Cell
from ..errors import UsageError, shorten
from ..lang.library import CONVENTIONS, MAX_SIZE, load

__all__ = [
    "DEFAULT_HIDDEN_SIZE",
    "DEFAULT_INPUT_SIZE",
    "MissingCommand",
    "Parser",
    "ParserExit",
    "add_cell_arguments",
    "cell_from_args",
    "cell_sizes",
    "format_number",
    "positive_int",
    "whole_number",
]

#: Sizes of the article's worked example, the default of every command.
DEFAULT_INPUT_SIZE = 3
DEFAULT_HIDDEN_SIZE = 2


class ParserExit(Exception):
    """--help or --version has been printed: ``main`` returns ``status`` rather than the
    process exiting under a program that called it."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class MissingCommand(UsageError):
    """``cellviz`` alone: the usage line goes before the error line, then a hint."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is a UsageError (one line, exit 2) rather than an exit, and
    no option may be abbreviated: ``--layer`` must not quietly mean ``--layers`` on a command
    that has only the second."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._print_message(message, sys.stderr)
        raise ParserExit(status)

    def error(self, message: str) -> NoReturn:
        if "argument --x: expected one argument" in message:
            message += " (write --x=-1,2,3 when the first number is negative)"
        if self.prog == "cellviz" and "required: COMMAND" in message:
            commands = next(a for a in self._actions
                            if isinstance(a, argparse._SubParsersAction)).choices
            raise MissingCommand(
                f"no command given: choose one of {', '.join(commands)} (cellviz COMMAND "
                "--help for one command's options, cellviz --help for all)", self.format_usage())
        # The top-level parser's name is already the start of every error line.
        raise UsageError(message if self.prog == "cellviz" else f"{self.prog}: {message}")


def whole_number(text: str, *, least: int, most: int, why: str = "") -> int:
    """A whole number written in ASCII digits, from ``least`` to ``most``, or an argparse
    error naming the bad value, the range and, if given, why the range is what it is."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(most)) or not (
        least <= int(text) <= most
    ):
        reason = f" ({why})" if why else ""
        raise argparse.ArgumentTypeError(
            f"not a whole number from {least} to {most:,}{reason}: {shorten(text)!r}"
        )
    return int(text)


def positive_int(text: str) -> int:
    """An argparse type: a positive integer (a size, a count of steps) up to MAX_SIZE."""
    return whole_number(text, least=1, most=MAX_SIZE)


def _size_binding(text: str) -> tuple[str, int]:
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=INT such as k=4, not {shorten(text)!r}")
    return name, positive_int(value)


def add_cell_arguments(parser: argparse.ArgumentParser) -> None:
    """CELL and its sizes and convention, shared by every command that loads a cell."""
    parser.add_argument("cell", metavar="CELL", help="a built-in cell name, a cell file, or a "
                        "model file (.onnx, .keras) whose weights are used")
    parser.add_argument("-i", "--input-size", type=positive_int, default=None, metavar="I",
                        help=f"size i of the input x[t] (default: {DEFAULT_INPUT_SIZE})")
    parser.add_argument("-n", "--hidden-size", type=positive_int, default=None, metavar="N",
                        help=f"size n of the state, neurons (default: {DEFAULT_HIDDEN_SIZE})")
    parser.add_argument("-p", "--proj-size", type=positive_int, default=None, metavar="P",
                        help="size p of a projection (lstm-proj)")
    parser.add_argument("--size", type=_size_binding, action="append", default=[],
                        metavar="NAME=INT", help="bind another size symbol of a cell file")
    parser.add_argument("--convention", choices=CONVENTIONS, default="paper",
                        help="whose form of the cell: paper (default), pytorch, keras or flax")
    parser.add_argument("--no-bias", action="store_true",
                        help="the built-in cell's form without biases (PyTorch's bias=False, "
                        "Keras' use_bias=False)")
    parser.add_argument("--node", metavar="NAME", default=None,
                        help="the recurrent node (.onnx) or layer (.keras) of a model file")


def cell_sizes(args: argparse.Namespace) -> dict[str, int]:
    """The sizes add_cell_arguments' options give, by symbol; a size given twice is an error."""
    sizes: dict[str, int] = {}
    said: dict[str, str] = {}
    for name, flag, value in (("i", "--input-size", args.input_size),
                              ("n", "--hidden-size", args.hidden_size),
                              ("p", "--proj-size", args.proj_size)):
        if value is not None:
            sizes[name], said[name] = value, f"{flag} {value}"
    for name, value in args.size:
        if name in sizes:
            raise UsageError(f"size {name} is given twice: {said[name]} and --size {name}={value}")
        sizes[name], said[name] = value, f"--size {name}={value}"
    return sizes


def cell_from_args(args: argparse.Namespace) -> Cell:
    """Load the cell that add_cell_arguments' options name; a model file's weights are kept in
    ``args.model_weights`` for the commands that run the cell."""
    from .models import is_model, model_cell

    args.model_weights = None
    if is_model(args.cell):
        model, args.model_weights = model_cell(args)
        if isinstance(model, Cell):
            return model
        raise UsageError(f"{args.cell} holds a stack ({model.num_layers} layer"
                         f"{'s' if model.num_layers > 1 else ''}, {model.directions} "
                         f"direction{'s' if model.directions > 1 else ''}); cellviz "
                         f"{args.command} works on one cell (params, eval and render take "
                         "the stack; render --layer K draws one of its cells)")
    if args.node is not None:
        raise UsageError(f"--node chooses a node of a model file (.onnx, .keras), not of "
                         f"{args.cell!r}")
    sizes = cell_sizes(args)
    return load(
        args.cell,
        input_size=sizes.pop("i", DEFAULT_INPUT_SIZE),
        hidden_size=sizes.pop("n", DEFAULT_HIDDEN_SIZE),
        proj_size=sizes.pop("p", None),
        convention=args.convention,
        bias=not args.no_bias,
        **sizes,
    )


def format_number(value: float) -> str:
    """A number as eval prints it: six decimals (scientific notation past a million), never a
    negative zero."""
    value = value + 0.0 if round(value, 6) != 0 else 0.0
    return f"{value: .6f}" if abs(value) < 1e6 else f"{value: .6e}"


if TYPE_CHECKING:
    #: What a command's ``add_*`` function receives to add its subparser to.
    Subparsers: TypeAlias = argparse._SubParsersAction[Parser]
