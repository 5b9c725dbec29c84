"""A user's input file checked before it is read: an existing regular file (not a FIFO, a
device or a directory, which would block or never end) of bounded size; one line otherwise."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from .errors import CellvizError, shorten

__all__ = ["check_input_file", "printable"]

#: What XML 1.0 (and so an SVG or the walkthrough page) cannot hold: control characters other
#: than tab and newline, lone surrogates (a file name's undecodable bytes), U+FFFE and U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """A user's text (a file name) fit for a figure or a page: what XML cannot hold is written
    as Python writes it escaped (``\\x01``, ``\\udcff``).

    >>> print(printable("w\\x01.npz"))
    w\\x01.npz
    """
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


def check_input_file(path: str | Path, what: str, most: int | None = None) -> int | None:
    """The size in bytes of ``path`` if it is a regular file of at most ``most`` bytes; None if
    nothing is there; otherwise a CellvizError naming ``what`` (``cell file``, ``weights
    file``), the path and the reason."""
    shown = shorten(str(path), 60)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # a name too long, a NUL in it, a loop of links
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CellvizError(f"cannot read {what} {shown!r}: {reason}") from None
    if stat.S_ISDIR(info.st_mode):
        raise CellvizError(f"cannot read {what} {shown!r}: it is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise CellvizError(f"cannot read {what} {shown!r}: not a regular file (a FIFO, device "
                           "or socket is not read)")
    if most is not None and info.st_size > most:
        raise CellvizError(f"cannot read {what} {shown!r}: {info.st_size:,} bytes, more than "
                           f"the {most:,} a {what} may have")
    return info.st_size
