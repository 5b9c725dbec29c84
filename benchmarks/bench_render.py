"""Benchmark: cellviz drawing the LSTM figure, in-process and as a command, beside torchviz.

Run: .venv/bin/python benchmarks/bench_render.py [--runs N]
Prints the median of N interleaved runs of each and the ratios; in-process both with dot's
layout cached (a long-running program drawing the same cell again) and with dot run; the
floor (a fresh Python that only imports Jinja2 and graphviz), since a virtual machine's
speed drifts by a quarter or more within an hour and a ratio to the floor much less; torchviz
(drawing torch.nn.LSTMCell(3, 2) end to end, in a fresh process) is skipped when it is not
importable. ``--against DIR`` also times the command from another source tree (a git worktree
of the code before a change, say) in the same interleaved loop, both trees run alike as
``python -m cellviz`` on PYTHONPATH, and the in-process render of both trees (each in a fresh
process that draws the LSTM ten times with dot run each time, the median taken), and prints
the ratios.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cellviz
from cellviz.draw.dot import clear_cache

TORCHVIZ = """
import sys, torch, torchviz
cell = torch.nn.LSTMCell(3, 2)
h, c = cell(torch.zeros(1, 3))
torchviz.make_dot((h, c), params=dict(cell.named_parameters())).render(
    sys.argv[1], format="svg", cleanup=True)
"""


def in_process(cold: bool = False) -> float:
    """One load and render; ``cold`` forgets dot's cached layouts first, so dot runs again."""
    if cold:
        clear_cache()
    start = time.perf_counter()
    cell = cellviz.load("lstm", input_size=3, hidden_size=2)
    cellviz.render(cell)
    return time.perf_counter() - start


def command(out: Path) -> float:
    exe = Path(sys.executable).with_name("cellviz")
    argv = [str(exe)] if exe.exists() else [sys.executable, "-m", "cellviz"]
    start = time.perf_counter()
    subprocess.run([*argv, "render", "lstm", "-i", "3", "-n", "2", "-o", str(out)], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def module_command(tree: Path, out: Path) -> float:
    """The same command as ``python -m cellviz`` from the source tree ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cellviz", "render", "lstm", "-i", "3", "-n", "2",
                    "-o", str(out)], check=True, capture_output=True, env=env)
    return time.perf_counter() - start


IN_TREE = """
import statistics, sys, time, cellviz
from cellviz.draw.dot import clear_cache
cellviz.render(cellviz.load("lstm", input_size=3, hidden_size=2))
runs = []
for _ in range(10):
    clear_cache()
    start = time.perf_counter()
    cellviz.render(cellviz.load("lstm", input_size=3, hidden_size=2))
    runs.append(time.perf_counter() - start)
print(statistics.median(runs))
"""


def tree_in_process(tree: Path) -> float:
    """The in-process render (dot run each time) of the source tree ``tree``: the median of
    ten in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(tree), "CELLVIZ_CACHE_DIR": ""}
    out = subprocess.run([sys.executable, "-c", IN_TREE], check=True, capture_output=True,
                         text=True, env=env).stdout
    return float(out.split()[-1])


def floor() -> float:
    """A fresh Python importing Jinja2 and the graphviz package and doing nothing else: the
    least any command drawing through them can take on this machine, at this moment."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import jinja2, graphviz"], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def torchviz(out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", TORCHVIZ, str(out)], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="a source tree whose command is timed side by side with this one's")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    has_torchviz = all(importlib.util.find_spec(m) for m in ("torch", "torchviz"))
    in_process()  # warm the caches a long-running program would have warm
    times: dict[str, list[float]] = {"in-process": [], "in-process-cold": [], "command": [],
                                     "floor": [], "torchviz": [], "this-tree": [], "against": [],
                                     "this-in": [], "against-in": []}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.runs):
            times["in-process"].append(in_process())
            times["in-process-cold"].append(in_process(cold=True))
            times["command"].append(command(Path(tmp) / f"lstm{k}.svg"))
            times["floor"].append(floor())
            if args.against:
                times["this-tree"].append(module_command(here, Path(tmp) / f"a{k}.svg"))
                times["against"].append(module_command(args.against, Path(tmp) / f"b{k}.svg"))
                times["this-in"].append(tree_in_process(here))
                times["against-in"].append(tree_in_process(args.against))
            if has_torchviz:
                times["torchviz"].append(torchviz(Path(tmp) / f"torchviz{k}"))
    med = {name: statistics.median(t) for name, t in times.items() if t}
    print(f"median of {args.runs} interleaved runs (dot: {shutil.which('dot')})")
    print(f"  cellviz in-process render of lstm (i=3, n=2): {med['in-process'] * 1e3:7.1f} ms"
          "  (layout cached: dot not run again)")
    print(f"    the same, dot run again:                    "
          f"{med['in-process-cold'] * 1e3:7.1f} ms")
    print(f"  cellviz render lstm -i 3 -n 2 (command):      {med['command'] * 1e3:7.1f} ms")
    print(f"    python -c 'import jinja2, graphviz' (floor):{med['floor'] * 1e3:7.1f} ms"
          f"  (the command is {med['command'] / med['floor']:.2f}x the floor)")
    if "against" in med:
        print(f"  python -m cellviz render lstm, this tree:     {med['this-tree'] * 1e3:7.1f} ms")
        print(f"    the same from {args.against}: {med['against'] * 1e3:7.1f} ms"
              f"  (this tree takes {med['this-tree'] / med['against']:.3f}x its time)")
        print(f"  in-process render, dot run, this tree:        {med['this-in'] * 1e3:7.1f} ms")
        print(f"    the same from {args.against}: {med['against-in'] * 1e3:7.1f} ms"
              f"  (this tree takes {med['this-in'] / med['against-in']:.3f}x its time)")
    if "torchviz" in med:
        print(f"  torchviz, torch.nn.LSTMCell(3, 2) (command):  {med['torchviz'] * 1e3:7.1f} ms")
        print(f"  command vs torchviz: {med['torchviz'] / med['command']:.1f}x faster")
    else:
        print("  torchviz: not importable (pip install torchviz), skipped")


if __name__ == "__main__":
    main()
