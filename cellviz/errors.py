"""The one error hierarchy of cellviz; each class carries the exit code the command line uses."""

from __future__ import annotations

from .record import record

__all__ = [
    "CellFileError",
    "CellGraphError",
    "CellSyntaxError",
    "CellvizError",
    "CellvizTypeError",
    "CellvizValueError",
    "DotNotFoundError",
    "EvaluationError",
    "Location",
    "ShapeError",
    "UnknownCellError",
    "UsageError",
    "shorten",
]


def shorten(text: str, limit: int = 40) -> str:
    """A user's value cut to ``limit`` characters for an error line (a 5,000-digit size or a
    path too long for the file system must not flood the terminal).

    >>> shorten("9" * 50, 10)
    '9999999...'
    """
    return text if len(text) <= limit else text[: limit - 3] + "..."


class CellvizError(Exception):
    """Any error cellviz reports to its user as one line (exit code 1 on the command line)."""

    exit_code = 1


class UsageError(CellvizError):
    """A bad argument or option value (exit code 2, as for argparse's own usage errors)."""

    exit_code = 2


class CellvizTypeError(UsageError, TypeError):
    """An argument of the Python API of a type it cannot be (``render("gru")``): a TypeError,
    as Python's convention has it, and a cellviz error."""


class CellvizValueError(UsageError, ValueError):
    """An argument of the right type but a value the Python API cannot take (a NUL in a path,
    a size out of range): a ValueError and a cellviz error."""


class UnknownCellError(CellvizError):
    """A cell name that is neither a built-in cell nor a readable cell file."""


class DotNotFoundError(CellvizError):
    """Graphviz's ``dot`` program is not installed or not on the PATH."""


class EvaluationError(CellvizError):
    """Arrays that do not fit a cell: a missing or misshaped weight or input, a state of the
    wrong shape, mixed dtypes, NaN or infinity, or weights of a framework the cell has no
    counterpart in. The message names the tensor and both shapes."""


@record
class Location:
    """A place in a cell file: 1-based line and column."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


class CellFileError(CellvizError):
    """An error in a cell file, reported as ``path:line:col: message``."""

    def __init__(self, location: Location | None, message: str) -> None:
        self.location = location
        self.message = message
        super().__init__(f"{location}: {message}" if location else message)


class CellSyntaxError(CellFileError):
    """Text that is not in the cell-file language."""


class CellGraphError(CellFileError):
    """Equations that parse but do not make a valid cell (undefined, unused, cyclic)."""


class ShapeError(CellGraphError):
    """Vectors or parameters whose shapes cannot agree."""
