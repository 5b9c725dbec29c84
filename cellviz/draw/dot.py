"""Run Graphviz's dot through the graphviz package: DOT text in, dot's JSON out, one process
or two at once, each text laid out once a process (dot is deterministic)."""

from __future__ import annotations

import json
import subprocess
import threading
from functools import lru_cache
from typing import Any

from ..errors import CellvizError, DotNotFoundError

__all__ = ["DOT_INSTALL", "clear_cache", "either_way_up", "floats", "run_dot", "run_dots"]

DOT_INSTALL = "apt-get install graphviz (Debian/Ubuntu) or brew install graphviz (macOS)"


def run_dot(source: str) -> dict[str, Any]:
    """Run dot on DOT text and return its JSON; a missing dot is a DotNotFoundError."""
    result: dict[str, Any] = json.loads(_dot_json(source))
    return result


def run_dots(first: str, second: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``run_dot`` on two DOT texts at the same time (see ``_dot_jsons``)."""
    a, b = _dot_jsons(first, second)
    return json.loads(a), json.loads(b)


def _dot_jsons(first: str, second: str) -> tuple[bytes, bytes]:
    """``_dot_json`` of two DOT texts at the same time: the second in a thread, whose dot
    process runs beside the first's (each thread only waits for its process)."""
    import graphviz  # type: ignore[import-untyped]  # noqa: F401 (here, not in both threads)

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
    if _path_below(first, json.loads(data)):
        return other, True
    return data, False


def clear_cache() -> None:
    """Forget the layouts dot gave this process (for benchmarks and tests)."""
    _dot_json.cache_clear()
    either_way_up.cache_clear()


@lru_cache(maxsize=64)
def _dot_json(source: str) -> bytes:
    """dot's JSON for DOT text, through the graphviz package. dot is deterministic, so the same
    text in one process is laid out once."""
    import graphviz

    try:
        out: bytes = graphviz.pipe("dot", "json", source.encode("utf-8"), quiet=True)
    except graphviz.ExecutableNotFound:
        raise DotNotFoundError(
            f"Graphviz's dot program was not found on the PATH: install it with {DOT_INSTALL}"
        ) from None
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise CellvizError(f"dot failed: {detail[0] if detail else exc}") from None
    return out


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
