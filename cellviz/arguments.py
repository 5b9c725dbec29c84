"""Checks on the arguments of the public Python API: the type an argument must have and the
whole numbers it takes, each failure a cellviz error naming the argument."""

from __future__ import annotations

import operator
from typing import Any

from .errors import CellvizTypeError, CellvizValueError, shorten

__all__ = ["as_index", "require", "whole"]


def _shown(value: object) -> str:
    return f"{type(value).__name__} {shorten(repr(value), 40)}"


def require(name: str, value: Any, types: type | tuple[type, ...], what: str) -> Any:
    """``value`` if it is an instance of ``types``, else a CellvizTypeError saying that
    ``name`` must be ``what``."""
    if not isinstance(value, types):
        raise CellvizTypeError(f"{name} must be {what}, not {_shown(value)}")
    return value


def as_index(value: object) -> int | None:
    """``value`` as an int if it is a whole number (an int, numpy.int64, anything
    ``operator.index`` takes; not a bool), else None."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return None


def whole(name: str, value: object, least: int, most: int, why: str = "") -> int:
    """``value`` as an int if it is a whole number (an int, numpy.int64 or anything else
    ``operator.index`` takes; not a bool) from ``least`` to ``most``; else a CellvizTypeError
    or CellvizValueError naming ``name`` and the range."""
    number = as_index(value)
    reason = f" ({why})" if why else ""
    if number is None:
        raise CellvizTypeError(f"{name} must be a whole number from {least:,} to {most:,}"
                               f"{reason}, not {_shown(value)}")
    if not least <= number <= most:
        raise CellvizValueError(f"{name} must be a whole number from {least:,} to {most:,}"
                                f"{reason}, not {shorten(str(number), 40)}")
    return number
