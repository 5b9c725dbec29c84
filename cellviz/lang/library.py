"""Find cells by name or path, and load them: built-in cells, conventions, user cell files."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from ..arguments import as_index
from ..cell import Cell
from ..errors import (
    CellFileError,
    CellvizError,
    CellvizTypeError,
    CellvizValueError,
    Location,
    UnknownCellError,
    UsageError,
    shorten,
)
from ..files import check_input_file, printable
from ..graph import CellGraph
from .build import build
from .syntax import parse

__all__ = [
    "BUILTIN_CELLS",
    "CONVENTIONS",
    "MAX_CELL_FILE_BYTES",
    "MAX_SIZE",
    "bind",
    "builtin_conventions",
    "builtin_text",
    "load",
    "load_graph",
    "unknown_cell",
]

#: The built-in cells, in the order ``cellviz list`` shows them.
BUILTIN_CELLS = ("rnn", "gru", "lstm", "lstm-peephole", "cifg", "lstm-proj", "mgu")

#: Conventions: the article's and papers' form, and the forms PyTorch, Keras 3 and flax compute.
CONVENTIONS = ("paper", "pytorch", "keras", "flax")

#: The largest cell file read (a FIFO or device is never read): a cell of 100,000 equations
#: is under 3 MB.
MAX_CELL_FILE_BYTES = 16 * 2**20

#: The largest size a symbol may be bound to: far beyond any real cell, small enough that
#: every count stays an exact, printable integer.
MAX_SIZE = 10**12


def _cell_files() -> Path:
    """The built-in cell files' folder: beside this module, as the templates are (a plain path
    rather than importlib.resources, which costs the command line ~5 ms of imports)."""
    return Path(__file__).with_name("cells")


def check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise UsageError(
            f"unknown convention: {convention!r} (must be one of {', '.join(CONVENTIONS)})"
        )


def builtin_conventions(name: str) -> tuple[str, ...]:
    """The conventions for which a built-in cell has a file of its own (always 'paper' first).
    Any other convention computes the cell as the paper writes it, since that framework has no
    such cell."""
    files = _cell_files()
    own = [c for c in CONVENTIONS[1:] if files.joinpath(f"{name}.{c}.cell").is_file()]
    return ("paper", *own)


def builtin_text(name: str, convention: str = "paper") -> tuple[str, str]:
    """The file name and text of a built-in cell in a convention."""
    check_convention(convention)
    if name not in BUILTIN_CELLS:
        raise unknown_cell(name)
    filename = f"{name}.{convention}.cell"
    if convention == "paper" or convention not in builtin_conventions(name):
        filename = f"{name}.cell"
    return filename, _cell_files().joinpath(filename).read_text(encoding="utf-8")


def unknown_cell(name: str) -> UnknownCellError:
    """The error for a name that is neither a built-in cell nor a cell file, with the
    nearest built-in name."""
    import difflib

    close = difflib.get_close_matches(name, BUILTIN_CELLS, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return UnknownCellError(
        f"no built-in cell or cell file named {shorten(name, 60)!r} ({hint}built-in cells: "
        f"{', '.join(BUILTIN_CELLS)}; a cell file is a path such as my.cell)"
    )


@lru_cache(maxsize=64)
def _builtin_graph(name: str, convention: str) -> CellGraph:
    filename, text = builtin_text(name, convention)
    return build(parse(text, filename), name)


def load_graph(name_or_path: str | Path, convention: str = "paper", *,
               bias: bool = True) -> CellGraph:
    """The checked graph of a built-in cell (by name) or of a cell file (by path); with
    ``bias=False`` the built-in cell's form without biases (PyTorch's ``bias=False``, Keras'
    ``use_bias=False``), such as ``gru-nobias``."""
    check_convention(convention)
    if not isinstance(bias, bool):
        raise CellvizTypeError(f"bias must be True or False, not {shorten(repr(bias), 40)}")
    builtin = isinstance(name_or_path, str) and name_or_path in BUILTIN_CELLS
    if not bias:
        if not builtin:
            raise UsageError(f"bias=False (--no-bias) derives a built-in cell's form without "
                             f"biases; a cell file such as {shorten(str(name_or_path))!r} is "
                             "taken as written (leave its bias terms out of its equations)")
        from .forms import derive

        return derive(str(name_or_path), convention, bias=False)
    if builtin:
        assert isinstance(name_or_path, str)
        return _builtin_graph(name_or_path, convention)
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise CellvizTypeError(f"a cell is a built-in name or a path, not "
                               f"{shorten(repr(name_or_path), 40)}")
    path = Path(name_or_path)
    if check_input_file(path, "cell file", MAX_CELL_FILE_BYTES) is None:
        raise unknown_cell(str(name_or_path))
    if convention != "paper":
        raise UsageError(
            f"convention {convention!r} chooses between the forms of a built-in cell; a cell "
            f"file such as {str(path)!r} is taken as written (leave the convention out)"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CellvizError(f"cannot read cell file {str(path)!r}: it is not UTF-8 text") from None
    except OSError as exc:
        raise CellvizError(f"cannot read cell file {str(path)!r}: {exc.strerror}") from None
    source = parse(text, str(name_or_path))
    stem = path.name.removesuffix(".cell") or path.stem or path.name
    if source.name is None and printable(stem) != stem:
        # The name goes into figures and pages, which XML's rules bind.
        raise CellFileError(Location(str(name_or_path), 1, 1), (
            f"the cell is named after its file, {shorten(stem)!r}, which holds characters a "
            "figure cannot show (control characters, bytes that are not UTF-8, U+FFFE, "
            "U+FFFF): rename the file, or name the cell with a line 'cell NAME'"))
    return build(source, stem)


def load(
    name_or_path: str | Path,
    *,
    input_size: int,
    hidden_size: int,
    proj_size: int | None = None,
    convention: str = "paper",
    bias: bool = True,
    **sizes: int,
) -> Cell:
    """Load a built-in cell or a cell file and bind its size symbols to integers.

    ``input_size`` binds i, ``hidden_size`` n, ``proj_size`` p; other symbols of a cell file are
    given by name (``k=4``). ``bias=False`` takes a built-in cell's form without biases.

    >>> load("gru", input_size=3, hidden_size=2).params().total
    36
    >>> load("gru", input_size=3, hidden_size=2, convention="pytorch", bias=False).name
    'gru-nobias'
    """
    return bind(load_graph(name_or_path, convention, bias=bias), input_size=input_size,
                hidden_size=hidden_size, proj_size=proj_size, convention=convention, **sizes)


def bind(
    graph: CellGraph,
    *,
    input_size: int,
    hidden_size: int,
    proj_size: int | None = None,
    convention: str = "paper",
    **sizes: int,
) -> Cell:
    """A checked graph with its size symbols bound to integers, as ``load`` binds them."""
    bound: dict[str, int] = {"i": input_size, "n": hidden_size}
    if proj_size is not None:
        bound["p"] = proj_size
    bound.update(sizes)
    for symbol, value in bound.items():
        number = as_index(value)  # numpy.int64(3) is a size too
        if number is None or not 1 <= number <= MAX_SIZE:
            error = CellvizTypeError if number is None else CellvizValueError
            raise error(f"size {symbol} must be a positive integer up to {MAX_SIZE:,}, not "
                        f"{shorten(repr(value))}")
        bound[symbol] = number
    missing = [s for s in graph.sizes if s not in bound]
    if missing:
        flags = {"p": " (--proj-size, proj_size=)"}
        raise UsageError(
            f"cell {graph.name!r} needs a value for size "
            + ", ".join(f"{s}{flags.get(s, f' (--size {s}=N, {s}=)')}" for s in missing)
        )
    extra = [s for s in bound if s not in graph.sizes and s not in ("i", "n")]
    if extra:
        raise UsageError(
            f"cell {graph.name!r} has no size {', '.join(extra)} (its sizes: "
            f"{', '.join(graph.sizes)})"
        )
    return Cell(graph, tuple((s, bound[s]) for s in graph.sizes), convention)
