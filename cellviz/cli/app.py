"""The command line: ``cellviz list | params | eval | render | gallery | walkthrough``; every
error is one line and an exit code."""

from __future__ import annotations

import argparse
import difflib
import errno
import gc
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..errors import CellvizError, UsageError
from ..files import printable
from ..lang.library import BUILTIN_CELLS, CONVENTIONS, builtin_conventions, load_graph
from ..params import TABLE_FORMATS
from .args import MissingCommand, Parser, ParserExit, add_cell_arguments, cell_from_args
from .convert import add_convert
from .evaluate import add_eval
from .flow import add_gradient_flow
from .layout import add_layout
from .render import add_gallery, add_render
from .sequence import add_sequence
from .stack import add_stack_arguments, stack_from_args
from .streams import json_ascii, plain, usable_streams, utf8_stdout
from .walkthrough import add_walkthrough

if TYPE_CHECKING:
    from .args import Subparsers

__all__ = ["COMMANDS", "build_parser", "entry", "main"]


def _run_list(args: argparse.Namespace) -> int:
    rows = []
    for name in BUILTIN_CELLS:
        graph = load_graph(name, args.convention)
        rows.append((name, plain(graph.formula()), ", ".join(builtin_conventions(name)),
                     graph.description or ""))
    widths = [max(len(r[k]) for r in rows) for k in range(3)]
    for r in rows:
        print("  ".join(r[k].ljust(widths[k]) for k in range(3)) + "  " + r[3])
    return 0


def _run_params(args: argparse.Namespace) -> int:
    if args.json and args.format not in (None, "json"):
        raise UsageError(f"--json and --format {args.format} disagree (--json is --format json)")
    stack = stack_from_args(args)
    table = stack.params() if stack is not None else cell_from_args(args).params()
    fmt = "json" if args.json else args.format or "text"
    text = table.to_format(fmt)
    sys.stdout.write(json_ascii(text) if fmt == "json" and not utf8_stdout() else text)
    return 0


def _add_list(sub: Subparsers) -> None:
    p = sub.add_parser("list", help="the built-in cells and their parameter formulas",
                       description="List the built-in cells, a line each: name, parameter "
                       "formula, conventions with a form of their own, source.")
    p.add_argument("--convention", choices=CONVENTIONS, default="paper",
                   help="count the parameters of this convention's form (default: paper)")
    p.set_defaults(run=_run_list)


def _add_params(sub: Subparsers) -> None:
    p = sub.add_parser("params", help="a cell's parameter table",
                       description="Print every parameter of a cell with its shape and count.")
    add_cell_arguments(p)
    add_stack_arguments(p)
    p.add_argument("--format", choices=TABLE_FORMATS, default=None,
                   help="text (default), json (an object with total and tensors), markdown "
                   "(a GitHub table), latex (a booktabs tabular) or csv")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.set_defaults(run=_run_params)


#: Each adds one subcommand; a command's module adds its own function here.
COMMANDS: list[Callable[[Subparsers], None]] = [
    _add_list, _add_params, add_eval, add_render, add_gallery, add_walkthrough,
    add_gradient_flow, add_sequence, add_layout, add_convert,
]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="cellviz", description="Draw the inside of recurrent cells and run "
                     "them: Elman RNN, GRU, LSTM and variants, or any cell you write.")
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"cellviz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(sub)
    return parser


def entry() -> int:
    """The ``cellviz`` program (and ``python -m cellviz``): ``main`` with the garbage collector
    kept out of the way. A command lives a fraction of a second and makes little cyclic
    garbage, but Python collects many times while it imports Jinja2 and graphviz, and walks
    every object again while it shuts down: about 50 ms of a 300 ms ``cellviz render`` on the
    development machine. Objects frozen at the end are left out of that last walk; they are
    freed with the process, as every object then is."""
    gc.disable()
    try:
        return main()
    finally:
        gc.freeze()
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 cellviz error, 2 usage error)."""
    with usable_streams():
        try:
            return _main(argv)
        except CellvizError as exc:
            if isinstance(exc, MissingCommand):
                sys.stderr.write(exc.usage)
            _error(str(exc))
            return exc.exit_code
        except ParserExit as done:
            return done.status
        except MemoryError:
            _error("out of memory: use smaller sizes or fewer steps")
            return 1
        except BrokenPipeError:
            return 1
        except OSError as exc:
            _error(_os_error(exc))
            return 1
        except KeyboardInterrupt:
            print("cellviz: interrupted", file=sys.stderr)
            return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        raise UsageError(_unrecognized(parser, args.command, extra))
    code: int = args.run(args)
    sys.stdout.flush()  # a full disk or a closed pipe shows here, not after main returns
    return code


def _unrecognized(parser: argparse.ArgumentParser, command: str, extra: list[str]) -> str:
    """argparse's complaint about words a command does not take, naming the option an unknown
    one resembles: options are never abbreviated, so ``--layer`` is not ``--layers``."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    known = [o for a in sub.choices[command]._actions for o in a.option_strings
             if o.startswith("--")]
    message = f"cellviz {command}: unrecognized arguments: {' '.join(extra)}"
    for word in extra:
        flag = word.partition("=")[0]
        close = difflib.get_close_matches(flag, known, n=1) if flag.startswith("--") else []
        if close:
            return (f"{message} ({flag} is no option of {command}; did you mean {close[0]}? "
                    "options are written in full)")
    return message


def _error(message: str) -> None:
    # A file name in the message may hold control characters or undecodable bytes.
    print(f"cellviz: error: {printable(message)}", file=sys.stderr)


def _os_error(exc: OSError) -> str:
    """An OSError that cellviz's own code did not name: too many open files, a file, or most
    often standard output (closed, a full disk)."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EMFILE, errno.ENFILE):
        return (f"{reason}: cellviz needs a few more files open at once (dot's pipes, the "
                "output); raise the limit, e.g. with ulimit -n 256")
    if exc.filename:
        return f"cannot write {exc.filename!r}: {reason}"
    return f"cannot write to standard output: {reason}"
