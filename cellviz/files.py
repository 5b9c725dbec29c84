"""Users' files: an input file checked before it is read (an existing regular file, not a FIFO,
a device or a directory, which would block or never end, of bounded size), and an output file
written whole or not at all; one line otherwise."""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from pathlib import Path

from .errors import CellvizError, shorten

__all__ = ["check_input_file", "printable", "write_atomic"]

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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename.

    A symlink keeps pointing where it did (the file it names is replaced); an existing file
    keeps its permission bits, a new one gets 0o666 less the umask; a FIFO or a device (such
    as /dev/null) is written into as it is. Any failure is one CellvizError naming the path.
    """
    if not str(path):
        raise CellvizError("cannot write '': an empty file name")
    if str(path).endswith(("/", os.sep)):
        raise CellvizError(f"cannot write {shorten(str(path), 60)!r}: a name ending in "
                           f"{os.sep!r} names a directory (give a file name, such as "
                           f"{path!s}figure.svg)")
    try:
        _write(Path(os.path.realpath(path)), data)
    except OSError as exc:
        raise CellvizError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    except ValueError as exc:  # a NUL in the name
        raise CellvizError(f"cannot write {shorten(str(path), 60)!r}: {exc}") from None


def _write(target: Path, data: bytes) -> None:
    try:
        info: os.stat_result | None = target.stat()
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    if info is not None and not stat.S_ISREG(info.st_mode):
        with open(target, "wb") as handle:
            handle.write(data)
        return
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cellviz-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
