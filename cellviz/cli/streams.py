"""Standard streams the command line can always use: a closed stdout fails the first write
with an OSError (which ``main`` reports), a closed stderr swallows messages, and a stdout that
cannot encode a character writes an ASCII stand-in for it."""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import re
import sys
from collections.abc import Iterator

__all__ = ["ASCII_STAND_INS", "json_ascii", "plain", "usable_streams", "utf8_stdout"]

#: What a stdout that cannot encode these characters gets instead (the tables and formulas
#: use them); any other character is written as Python writes it escaped (\u00e9).
ASCII_STAND_INS = {"·": "*", "²": "^2", "×": "x", "−": "-", "⊙": "(.)", "σ": "sigma",
                   "…": "...", "→": "->", "√": "sqrt", "≥": ">=", "≤": "<="}

_HANDLER = "cellviz-ascii"


def _stand_in(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start:exc.end]
    out = "".join(ASCII_STAND_INS.get(c) or c.encode("ascii", "backslashreplace").decode()
                  for c in text)
    return out, exc.end


codecs.register_error(_HANDLER, _stand_in)


class _ClosedBinary(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


class _Closed(io.TextIOBase):
    """What ``sys.stdout`` is while the process has no standard output (``>&-``)."""

    buffer = _ClosedBinary()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def plain(text: str) -> str:
    """``text`` with the ASCII stand-ins already put in if stdout cannot write it as it is, so
    that a table can be aligned on what will be written."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "".join(ASCII_STAND_INS.get(c, c) for c in text)
    return text


def json_ascii(text: str) -> str:
    """JSON text with every non-ASCII character written as a ``\\u`` escape (they stand
    only inside strings, so it is the same JSON)."""
    def escape(match: re.Match[str]) -> str:
        data = match.group().encode("utf-16-be")
        return "".join(f"\\u{int.from_bytes(data[k:k + 2], 'big'):04x}"
                       for k in range(0, len(data), 2))

    return re.sub(r"[^\x00-\x7f]", escape, text)


def utf8_stdout() -> bool:
    """Whether standard output writes UTF-8 (else JSON is written with \\u escapes)."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


@contextlib.contextmanager
def usable_streams() -> Iterator[None]:
    """For the duration of a command: a stand-in for a closed stdout or stderr, and ASCII
    stand-ins on a stdout whose encoding (PYTHONIOENCODING=ascii, a Latin-1 locale) lacks a
    character; everything is put back afterwards."""
    stdout, stderr = sys.stdout, sys.stderr
    errors = None
    if stdout is None:
        sys.stdout = _Closed()
    elif not utf8_stdout() and isinstance(stdout, io.TextIOWrapper):
        errors = stdout.errors
        stdout.reconfigure(errors=_HANDLER)
    if stderr is None:
        sys.stderr = io.StringIO()  # nowhere to say anything: the exit code still tells
    try:
        yield
    finally:
        if errors is not None and isinstance(stdout, io.TextIOWrapper):
            with contextlib.suppress(ValueError, OSError):
                stdout.reconfigure(errors=errors)
        sys.stdout, sys.stderr = stdout, stderr
