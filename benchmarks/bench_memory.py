"""Peak resident memory of ``render --values --unroll 8`` and ``walkthrough --steps 50``.

Run from the repository: ``.venv/bin/python benchmarks/bench_memory.py`` (``--size 3000`` for
larger cells). Each command runs in a process of its own, started by a small Python process
that reads its peak from ``resource.getrusage(RUSAGE_CHILDREN)``, so that one command's peak
never hides another's. Printed beside each: the bytes of the cell's weights in float64 and the
ratio of the peak to them, and the peak of a process that only imports cellviz and numpy (the
floor). Asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["main", "peak_kib"]

_PEAK = ("import resource, subprocess, sys\n"
         "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
         "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_kib(argv: list[str]) -> tuple[int, int]:
    """The exit code and the peak resident memory (KiB, as Linux reports it) of a command."""
    out = subprocess.run([sys.executable, "-c", _PEAK, *argv], capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000, help="i and n (default: 1000)")
    args = parser.parse_args()
    import cellviz

    cell = cellviz.load("lstm", input_size=args.size, hidden_size=args.size)
    weights = cell.params().total * 8
    size = str(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "import cellviz and numpy (the floor)":
                [sys.executable, "-c", "import cellviz, numpy"],
            f"render lstm -i {size} -n {size} --values --unroll 8":
                [sys.executable, "-m", "cellviz", "render", "lstm", "-i", size, "-n", size,
                 "--values", "--unroll", "8", "-o", str(Path(tmp) / "r.svg")],
            f"walkthrough lstm -i {size} -n {size} --steps 50":
                [sys.executable, "-m", "cellviz", "walkthrough", "lstm", "-i", size, "-n", size,
                 "--steps", "50", "-o", str(Path(tmp) / "w.html")],
        }
        print(f"weights of the LSTM at i=n={size}: {weights / 2**20:,.1f} MiB (float64)")
        for what, argv in cases.items():
            code, kib = peak_kib(argv)
            note = "" if code == 0 else f"  (exit {code})"
            print(f"{what:<50} peak {kib / 1024:>8,.1f} MiB  "
                  f"{kib * 1024 / weights:>5.1f}x the weights{note}")


if __name__ == "__main__":
    main()
