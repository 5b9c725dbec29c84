"""The numbers of a vector or matrix that a figure can show: the first and last few of each
side, kept with the side's length, so that a 1000×1000 weight becomes a few dozen floats, not a
million (a figure abbreviates every side past a few cells: first cells, an ellipsis, the last).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ..record import record

__all__ = ["KEPT", "Numbers", "Sampled", "kept", "sample"]

#: How many numbers are kept at each end of a side: more than a glyph ever shows of it
#: (``glyphs.MAX_CELLS``), so the drawing's abbreviation rule can change without this one.
KEPT = 8


def kept(length: int) -> range | tuple[int, ...]:
    """The indices kept of a side of ``length``: all of a short side, else the first and the
    last KEPT.

    >>> list(kept(5)), kept(100)[:3], kept(100)[-2:]
    ([0, 1, 2, 3, 4], (0, 1, 2), (98, 99))
    """
    if length <= 2 * KEPT:
        return range(length)
    return (*range(KEPT), *range(length - KEPT, length))


@record
class Sampled:
    """A side of ``length`` numbers of which only ``entries`` (index, value) are kept; a
    matrix is a Sampled of rows, each a Sampled. It reads like the tuple it stands for at the
    kept indices; any other index is an IndexError naming it."""

    length: int
    entries: tuple[tuple[int, float | Sampled], ...]

    @cached_property
    def _at(self) -> dict[int, float | Sampled]:
        return dict(self.entries)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> float | Sampled:
        try:
            return self._at[index if index >= 0 else self.length + index]
        except KeyError:
            raise IndexError(f"number {index} of {self.length} was not kept (a figure shows "
                             f"the first and last {KEPT} of a side)") from None


#: What ``sample`` makes of a vector or a matrix.
Numbers = tuple[float, ...] | tuple[tuple[float, ...], ...] | Sampled


def sample(value: Any) -> Numbers:
    """The numbers of a 1-D or 2-D array (or nested lists) a figure can show: a tuple of floats
    when the whole of it is small, else a Sampled; a numpy array is indexed, never converted
    whole (``tolist`` of a 1000×1000 weight makes a million Python floats)."""
    length = len(value)
    if length == 0:
        return ()
    two_d = getattr(value, "ndim", None) == 2 or isinstance(value[0], (list, tuple))
    rows = kept(length)
    if not two_d:
        if len(rows) == length:
            return tuple(float(v) for v in (value.tolist() if hasattr(value, "tolist")
                                            else value))
        return Sampled(length, tuple((r, float(value[r])) for r in rows))
    width = len(value[0])
    cols = kept(width)
    if hasattr(value, "ndim"):  # numpy: one fancy index, then a small tolist
        block = value[list(rows)][:, list(cols)].tolist()
    else:
        block = [[row[c] for c in cols] for row in (value[r] for r in rows)]
    if len(rows) == length and len(cols) == width:
        return tuple(tuple(float(v) for v in row) for row in block)
    return Sampled(length, tuple(
        (r, Sampled(width, tuple((c, float(v)) for c, v in zip(cols, row, strict=True))))
        for r, row in zip(rows, block, strict=True)))
