"""``cellviz eval``: run a cell on given or seeded input and print its vectors."""

from __future__ import annotations

import argparse
import json
import math
from typing import TYPE_CHECKING, Any

from .cliargs import add_cell_arguments, cell_from_args, positive_int
from .errors import UsageError

if TYPE_CHECKING:
    from .cliargs import Subparsers

__all__ = ["add_eval"]


def _vector(text: str) -> list[float]:
    values = []
    for item in text.split(","):
        try:
            values.append(float(item))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected numbers separated by commas such as 0.5,-1,2, not {text!r}"
            ) from None
    return values


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"not a non-negative integer: {text!r}")
    return value


def _run_eval(args: argparse.Namespace) -> int:
    from .weights import example_inputs

    cell = cell_from_args(args)
    graph = cell.graph
    if args.x and args.steps is not None and args.steps != len(args.x):
        raise UsageError(f"--steps {args.steps} but --x is given {len(args.x)} times "
                         "(one --x per step)")
    steps = len(args.x) if args.x else args.steps or 1
    weights, xs = example_inputs(cell, seed=args.seed, steps=steps)
    inputs: list[dict[str, Any]] = [{name: seq[t] for name, seq in xs.items()}
                                    for t in range(steps)]
    if args.x:
        if len(graph.inputs) != 1:
            raise UsageError(f"--x gives one input, but cell {graph.name!r} has inputs "
                             f"{', '.join(graph.inputs) or 'none'}")
        inputs = [{graph.inputs[0]: x} for x in args.x]
    prepared = cell.prepare(weights)
    state: dict[str, Any] | None = None
    outputs: dict[str, Any] = {}
    trace: dict[str, Any] = {}
    for x in inputs:
        outputs, trace = cell.step(prepared, x, state)
        state = {s: outputs[s] for s in graph.states}
    if args.json:
        data = {
            "outputs": {name: value.tolist() for name, value in outputs.items()},
            "trace": {node: value.tolist() for node, value in trace.items()},
        }
        print(json.dumps(data, indent=2))
        return 0
    sizes = ", ".join(f"{s}={v}" for s, v in cell.sizes)
    source = f"weights from seed {args.seed}, input from --x" if args.x else \
        f"weights and input from seed {args.seed}"
    print(f"{graph.name} ({cell.convention} convention), {sizes}; {source}; "
          f"{steps} step{'s' if steps > 1 else ''}")
    shown = [n for n in graph.nodes if n.kind in ("input", "state")]
    shown += [graph.node(name) for name in graph.outputs]
    width = max(len(n.label) for n in shown)
    for node in shown:
        values = ", ".join(_number(v) for v in trace[node.id].tolist())
        print(f"{node.label.ljust(width)} = [{values}]")
    return 0


def _number(value: float) -> str:
    text = f"{value: .6f}"
    return text if math.isfinite(value) else f"{value}"


def add_eval(sub: Subparsers) -> None:
    """Add ``cellviz eval`` to the command line."""
    p = sub.add_parser(
        "eval", help="run a cell and print its vectors",
        description="Run a cell for one or more steps from a zero state and print the input, "
        "state and output vectors of the last step. The weights are drawn from --seed (as "
        "PyTorch draws them, uniform(-1/√n, 1/√n)); so is the input, unless --x gives it.")
    add_cell_arguments(p)
    p.add_argument("--x", type=_vector, action="append", default=[], metavar="V1,V2,...",
                   help="the input x[t] of one step, i numbers (repeat for more steps; write "
                   "--x=-1,2,3 when the first is negative)")
    p.add_argument("--seed", type=_seed, default=0, metavar="S",
                   help="seed of the weights and of the input (default: 0)")
    p.add_argument("--steps", type=positive_int, default=None, metavar="T",
                   help="number of steps (default: 1, or one per --x)")
    p.add_argument("--json", action="store_true",
                   help="print an object {outputs: {name: list}, trace: {node id: list}}")
    p.set_defaults(run=_run_eval)
