"""Time ``cellviz params`` and ``cellviz render`` on cell files of 1k, 10k and 100k lines.

Run from the repository: ``.venv/bin/python benchmarks/bench_parse.py``. Each file is a chain
of equations (each reads the one before it), the worst case for parsing and checking. For each
size it prints the command's wall time and CPU time (of the child process, from
``resource.getrusage(RUSAGE_CHILDREN)``), the time per 1,000 lines and its ratio to the 1k
file's (1.0 is linear); then how long ``render`` takes to refuse each file as too large to
draw, and how long the refusal itself takes once the cell is loaded. Asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["chain", "main"]

SIZES = (1_000, 10_000, 100_000)


def chain(lines: int) -> str:
    """A valid cell file of ``lines`` equations, each reading the one before it."""
    out = ["# a chain of equations", "v0[t] = tanh(W @ x[t] + U @ h[t-1] + b)"]
    out += [f"v{k}[t] = sigmoid(v{k - 1}[t]) * h[t-1]" for k in range(1, lines - 1)]
    out.append(f"h[t] = tanh(v{lines - 2}[t]) * h[t-1]")
    return "\n".join(out) + "\n"


def timed(argv: list[str]) -> tuple[float, float, int]:
    """Wall and CPU seconds of a command, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    cellviz = [sys.executable, "-m", "cellviz"]
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for n in args.sizes:
            files[n] = Path(tmp) / f"chain{n}.cell"
            files[n].write_text(chain(n), encoding="utf-8")
        print(f"{'lines':>8}  {'params wall':>11}  {'params CPU':>10}  {'CPU/1k lines':>12}  "
              f"{'vs smallest':>11}")
        first: float | None = None
        for n, path in files.items():
            wall, cpu, code = timed([*cellviz, "params", str(path)])
            per = cpu / n * 1000
            first = first or per
            print(f"{n:>8,}  {wall:>10.2f}s  {cpu:>9.2f}s  {per * 1000:>10.1f}ms  "
                  f"{per / first:>10.2f}x" + ("" if code == 0 else f"  (exit {code})"))
        print()
        print(f"{'lines':>8}  {'render refusal wall':>19}  {'CPU':>6}  {'refusal once loaded':>19}")
        import cellviz as cv
        from cellviz.draw.layout import check_drawable

        for n, path in files.items():
            wall, cpu, code = timed([*cellviz, "render", str(path), "-o", str(Path(tmp) / "x.svg")])
            cell = cv.load(path, input_size=3, hidden_size=2)
            start = time.perf_counter()
            with contextlib.suppress(cv.CellvizError):
                check_drawable(cell)
            check = time.perf_counter() - start
            print(f"{n:>8,}  {wall:>18.2f}s  {cpu:>5.2f}s  {check * 1000:>17.1f}ms"
                  + ("" if code == 1 else f"  (exit {code}, expected 1)"))


if __name__ == "__main__":
    main()
