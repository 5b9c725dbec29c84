"""Run Graphviz's dot: DOT text in, dot's JSON out (checked), one process or two at once, each
text laid out once a process (dot is deterministic), a dot that does not answer stopped."""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import shutil
import signal
import subprocess
import threading
from functools import lru_cache
from typing import Any

from ..errors import CellvizError, DotNotFoundError, UsageError, shorten

__all__ = ["DOT_INSTALL", "DOT_TIMEOUT", "clear_cache", "dot_timeout", "either_way_up", "floats",
           "read_layout", "run_dot", "run_dots"]

DOT_INSTALL = "apt-get install graphviz (Debian/Ubuntu) or brew install graphviz (macOS)"

#: Seconds dot may take over one layout before it is stopped (CELLVIZ_DOT_TIMEOUT sets it):
#: a figure cellviz draws takes dot well under a second.
DOT_TIMEOUT = 60.0


def dot_timeout() -> float:
    """The timeout from ``$CELLVIZ_DOT_TIMEOUT`` (seconds), else DOT_TIMEOUT."""
    given = os.environ.get("CELLVIZ_DOT_TIMEOUT", "").strip()
    if not given:
        return DOT_TIMEOUT
    try:
        seconds = float(given)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        raise UsageError(f"CELLVIZ_DOT_TIMEOUT must be a number of seconds above 0, not "
                         f"{shorten(given)!r}")
    return seconds


def _numbers(text: object, least: int, what: str) -> None:
    """A ValueError unless ``text`` holds at least ``least`` numbers (``pos``, ``bb``)."""
    if not isinstance(text, str) or len(floats(text)) < least:
        raise ValueError(f"{what} {shorten(repr(text), 40)}")


def read_layout(out: bytes) -> dict[str, Any]:
    """dot's JSON output, checked for everything the layout reads (the bounding box, each
    object's name and position, each edge's id and route); anything else, such as a dot that
    prints something other than Graphviz's JSON, is one CellvizError naming dot."""
    try:
        data = json.loads(out)
        if not isinstance(data, dict):
            raise ValueError(f"a JSON {type(data).__name__} rather than an object")
        _numbers(data.get("bb"), 4, "bounding box")
        for obj in data.get("objects", []):
            if "nodes" not in obj and not str(obj["name"]).startswith("cluster"):
                _numbers(obj.get("pos"), 2, f"position of {obj['name']!r}")
        for edge in data.get("edges", []):
            if edge.get("style") != "invis":
                if not isinstance(edge["id"], str):
                    raise ValueError(f"edge id {shorten(repr(edge['id']), 40)}")
                for point in str(edge["pos"]).split():
                    _numbers(point.removeprefix("e,").removeprefix("s,"), 2, "edge point")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        what = f"no {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__
        raise CellvizError(f"dot returned a layout cellviz cannot read ({shorten(what, 80)}): "
                           f"is {_dot_program()} Graphviz's dot? Reinstall it with "
                           f"{DOT_INSTALL}") from None
    return data


def run_dot(source: str) -> dict[str, Any]:
    """Run dot on DOT text and return its JSON; a missing dot is a DotNotFoundError."""
    return read_layout(_dot_json(source))


def run_dots(first: str, second: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``run_dot`` on two DOT texts at the same time (see ``_dot_jsons``)."""
    a, b = _dot_jsons(first, second)
    return read_layout(a), read_layout(b)


def _dot_jsons(first: str, second: str) -> tuple[bytes, bytes]:
    """``_dot_json`` of two DOT texts at the same time: the second in a thread, whose dot
    process runs beside the first's (each thread only waits for its process)."""
    outcome: list[bytes | BaseException] = []

    def lay_out_second() -> None:
        try:
            outcome.append(_dot_json(second))
        except BaseException as exc:  # handed to the caller's thread below
            outcome.append(exc)

    worker = threading.Thread(target=lay_out_second, name="cellviz-dot", daemon=True)
    worker.start()
    try:
        data = _dot_json(first)
    finally:
        worker.join()
    other = outcome[0]
    if isinstance(other, BaseException):
        raise other
    return data, other


@lru_cache(maxsize=32)
def either_way_up(upright: str, turned: str, first: str) -> tuple[bytes, bool]:
    """dot's JSON for a figure whose straight state path starts at node ``first``, and whether
    it is the turned layout: which way up dot puts the path cannot be told beforehand, so both
    texts are laid out at once (two dot processes take no longer than one), and the upright one
    is kept if the path lies in its upper half. Remembered, so a figure drawn again in this
    process starts no thread."""
    data, other = _dot_jsons(upright, turned)
    if _path_below(first, read_layout(data)):
        return other, True
    return data, False


def clear_cache() -> None:
    """Forget the layouts dot gave this process (for benchmarks and tests)."""
    _dot_json.cache_clear()
    either_way_up.cache_clear()


def _dot_program() -> str:
    """The dot that runs: its path on the PATH, or ``dot`` when there is none."""
    return shutil.which("dot") or "dot"


@lru_cache(maxsize=64)
def _dot_json(source: str) -> bytes:
    """dot's JSON for DOT text. dot is deterministic, so the same text in one process is laid
    out once. dot runs in a process group of its own, so that one that does not answer
    within ``dot_timeout()`` is stopped with everything it started."""
    timeout = dot_timeout()
    program = shutil.which("dot")
    if program is None:
        found = [os.path.join(d, "dot") for d in os.environ.get("PATH", "").split(os.pathsep)
                 if d and os.path.isfile(os.path.join(d, "dot"))]
        if found:
            raise DotNotFoundError(f"Graphviz's dot at {found[0]} cannot be run: it is not "
                                   f"executable (chmod +x it, or install Graphviz: {DOT_INSTALL})")
        raise DotNotFoundError(
            f"Graphviz's dot program was not found on the PATH: install it with {DOT_INSTALL}"
        )
    try:
        process = subprocess.Popen([program, "-Tjson"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.ENOENT, errno.ENOEXEC):
            raise  # too many open files, for one: not dot's fault
        raise DotNotFoundError(f"Graphviz's dot at {program} cannot be run: {exc.strerror} "
                               f"(install Graphviz: {DOT_INSTALL})") from None
    try:
        out, err = process.communicate(source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise CellvizError(f"dot did not answer within {timeout:g} s and was stopped (a figure "
                           "takes it well under a second; set CELLVIZ_DOT_TIMEOUT=SECONDS to "
                           "wait longer)") from None
    except BaseException:
        _stop(process)
        raise
    if process.returncode != 0:
        detail = err.decode("utf-8", "replace").strip().splitlines()
        raise CellvizError(f"dot failed: {shorten(detail[0], 200) if detail else ''}"
                           f"{'' if detail else f'exit status {process.returncode}'}") from None
    return out


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill dot's process group and reap it."""
    with contextlib.suppress(OSError):  # already gone
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _path_below(first: str, data: dict[str, Any]) -> bool:
    """Whether the node ``first`` (where a straight state path starts) lies in the lower half
    of dot's drawing."""
    height = floats(data["bb"])[3]
    for obj in data.get("objects", []):
        if obj.get("name") == first and "pos" in obj:
            return floats(obj["pos"])[1] < height / 2  # dot's y points up
    return False


def floats(text: str) -> list[float]:
    """The numbers of a dot attribute such as ``pos`` or ``bb`` (``"1,2 3,4"``)."""
    return [float(v) for v in text.replace(",", " ").split()]
