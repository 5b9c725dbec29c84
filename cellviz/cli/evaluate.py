"""``cellviz eval``: run a cell on given or seeded input and print its vectors."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from .args import add_cell_arguments, cell_from_args, format_number, positive_int
from .inputs import add_input_arguments, run_from_args
from .stack import add_stack_arguments, run_stack_eval, stack_from_args

if TYPE_CHECKING:
    from .args import Subparsers

__all__ = ["add_eval"]


def _run_eval(args: argparse.Namespace) -> int:
    stack = stack_from_args(args)
    if stack is not None:
        return run_stack_eval(stack, args)
    cell = cell_from_args(args)
    graph = cell.graph
    run = run_from_args(cell, args, args.steps, "--steps")
    steps = len(run.traces)
    outputs, trace = run.outputs[-1], run.traces[-1]
    if args.json:
        data = {
            "outputs": {name: value.tolist() for name, value in outputs.items()},
            "trace": {node: value.tolist() for node, value in trace.items()},
        }
        print(json.dumps(data, indent=2))
        return 0
    sizes = ", ".join(f"{s}={v}" for s, v in cell.sizes)
    print(f"{graph.name} ({cell.convention} convention), {sizes}; {run.source}; "
          f"{steps} step{'s' if steps > 1 else ''}")
    shown = [n for n in graph.nodes if n.kind in ("input", "state")]
    shown += [graph.node(name) for name in graph.outputs]
    width = max(len(n.label) for n in shown)
    for node in shown:
        values = ", ".join(format_number(v) for v in trace[node.id].tolist())
        print(f"{node.label.ljust(width)} = [{values}]")
    return 0


def add_eval(sub: Subparsers) -> None:
    """Add ``cellviz eval`` to the command line."""
    p = sub.add_parser(
        "eval", help="run a cell and print its vectors",
        description="Run a cell for one or more steps from a zero state and print the input, "
        "state and output vectors of the last step. The weights are drawn from --seed (as "
        "PyTorch draws them, uniform(-1/√n, 1/√n)); so is the input, unless --x gives it.")
    add_cell_arguments(p)
    add_stack_arguments(p)
    add_input_arguments(p)
    p.add_argument("--steps", type=positive_int, default=None, metavar="T",
                   help="number of steps (default: 1, or one per --x)")
    p.add_argument("--json", action="store_true",
                   help="print an object {outputs: {name: list}, trace: {node id: list}}; "
                   "for a stack {output: [T lists], states: {name: [layers × directions "
                   "lists]}}")
    p.set_defaults(run=_run_eval)
