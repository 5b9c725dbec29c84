"""The numbers a command runs a cell on: ``--x``, ``--seed`` and ``--weights``, shared by
``cellviz eval``, ``cellviz render --values`` and ``cellviz walkthrough``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError, UsageError, shorten
from ..files import printable
from ..record import record
from .args import whole_number

if TYPE_CHECKING:
    from ..cell import Cell
    from ..draw.values import Values
    from ..numeric.grad import Gradients

__all__ = ["MAX_NUMBERS", "Run", "add_input_arguments", "run_from_args", "run_grads",
           "step_values", "wants_values"]

#: The most numbers (weights, and every vector of every step) a command computes: beyond it,
#: a run would take minutes or more memory than a workstation has.
MAX_NUMBERS = 200_000_000


def _vector(text: str) -> list[float]:
    values = []
    for item in text.split(","):
        try:
            if not item.isascii():  # float() would take ١ or a full-width digit
                raise ValueError(item)
            values.append(float(item))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected numbers in ASCII digits separated by commas such as 0.5,-1,2, not "
                f"{shorten(text)!r}"
            ) from None
    return values


def _seed(text: str) -> int:
    return whole_number(text, least=0, most=2**64 - 1)


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """``--x`` (repeatable, one per step), ``--seed`` and ``--weights``."""
    parser.add_argument("--x", type=_vector, action="append", default=[], metavar="V1,V2,...",
                        help="the input x[t] of one step, i numbers (repeat for more steps; "
                        "write --x=-1,2,3 when the first is negative)")
    parser.add_argument("--seed", type=_seed, default=None, metavar="S",
                        help="seed of the weights and of the input (default: 0); the same seed "
                        "gives the same numbers in eval, render and walkthrough")
    parser.add_argument("--weights", metavar="FILE", default=None,
                        help="weights from FILE instead of the seed: .npz (cellviz, Keras or "
                        "PyTorch names) or a PyTorch state_dict .pt")


@record
class Run:
    """A cell run step by step: the weights, and each step's outputs and trace by node id."""

    weights: dict[str, Any]
    outputs: tuple[dict[str, Any], ...]
    traces: tuple[dict[str, Any], ...]
    source: str


def run_from_args(cell: Cell, args: argparse.Namespace, steps: int | None,
                  steps_option: str) -> Run:
    """Run the cell from a zero state over ``steps`` steps (None: one per --x, else 1). The
    weights come from --weights or the seed, the inputs from --x or the seed, exactly as
    ``example_inputs(cell, seed=S, steps=T)`` draws them."""
    from ..numeric.weightfile import load_weights_file
    from ..numeric.weights import example_inputs

    graph = cell.graph
    given: list[list[float]] = args.x
    seed: int = args.seed if args.seed is not None else 0
    if given and steps is not None and steps != len(given):
        raise UsageError(f"{steps_option} {steps} but --x is given {len(given)} "
                         f"time{'s' if len(given) != 1 else ''} (one --x per step)")
    count = len(given) if given else steps or 1
    numbers = cell.params().total + count * sum(cell.size(n.size) for n in graph.nodes)
    if numbers > MAX_NUMBERS:
        raise UsageError(
            f"too large to run: {numbers:,} numbers in the weights and the vectors of "
            f"{count:,} step{'s' if count != 1 else ''} (at most {MAX_NUMBERS:,}); use smaller "
            "sizes or fewer steps"
        )
    weights, xs = example_inputs(cell, seed=seed, steps=count)
    model = getattr(args, "model_weights", None)
    if args.weights is None and model is not None:
        args.weights, weights = args.cell, model  # a model file's own weights
    elif args.weights is not None:
        weights = load_weights_file(cell, args.weights)
    if args.weights is not None:
        # The input takes the weights' precision: frameworks save float32 by default.
        dtype = next(iter(weights.values())).dtype if weights else None
        xs = {name: seq.astype(dtype) for name, seq in xs.items()}
    inputs: list[dict[str, Any]] = [{name: seq[t] for name, seq in xs.items()}
                                    for t in range(count)]
    if given:
        if len(graph.inputs) != 1:
            having = f"inputs {', '.join(graph.inputs)}" if graph.inputs else "no input"
            raise UsageError(f"--x gives one input, but cell {graph.name!r} has {having}")
        name = graph.inputs[0]
        size = cell.size(graph.node(name).size)
        for x in given:
            if len(x) != size:
                shown = shorten(",".join(f"{v:g}" for v in x))
                raise UsageError(f"--x {shown} has {len(x):,} "
                                 f"number{'s' if len(x) != 1 else ''}, but "
                                 f"{graph.node(name).label} has {size} "
                                 f"({graph.node(name).size}={size})")
        inputs = [{name: x} for x in given]
    if args.weights is None and not given:
        source = f"weights and input from seed {seed}"
    else:
        origin = printable(args.weights) if args.weights is not None else f"seed {seed}"
        source = (f"weights from {origin}, "
                  f"input from {'--x' if given else f'seed {seed}'}")
    import numpy as np

    prepared = cell.prepare(weights)
    state: dict[str, Any] | None = None
    outputs, traces = [], []
    # Overflow is reported below, naming where it happened, rather than warned about.
    with np.errstate(over="ignore", invalid="ignore"):
        for k, step_input in enumerate(inputs, start=1):
            out, trace = cell.step(prepared, step_input, state)
            for node_id, value in trace.items():
                if not np.all(np.isfinite(value)):
                    raise EvaluationError(
                        f"the numbers overflowed: node {node_id!r} holds "
                        f"{value.ravel()[~np.isfinite(value.ravel())][0]} at step {k}; the "
                        "input or the weights are too large to compute in floating point"
                    )
            state = {s: out[s] for s in graph.states}
            outputs.append(out)
            traces.append(trace)
    return Run(weights, tuple(outputs), tuple(traces), source)


def wants_values(args: argparse.Namespace) -> bool:
    """Whether any of --x, --seed and --weights was given."""
    return bool(args.x) or args.seed is not None or args.weights is not None


_SUM_LOSS = "the sum of h over every step"
"""What ``run_grads``'s loss is, in words for the figure's legend and description."""


def run_grads(cell: Cell, run: Run) -> Gradients:
    """Backpropagation through the steps of a run, for L = the sum of every h of every step,
    with every node's gradient at every step."""
    import numpy as np

    inputs = {name: np.stack([trace[name] for trace in run.traces]) for name in cell.graph.inputs}
    return cell.grad(run.weights, inputs, loss="sum", trace=True)


def step_values(run: Run, digits: int = 2, *, grads: Gradients | None = None,
                last: int | None = None) -> tuple[Values, ...]:
    """Each step's values, numbered from 1 (only the ``last`` steps, if given), and with
    ``grads`` each step's gradients beside them, on one scale over the steps returned."""
    from ..draw.values import gradient_scale, gradients_of, values_of

    first = 0 if last is None else len(run.traces) - last
    shown = range(first, len(run.traces))
    if grads is None:
        return tuple(values_of(run.traces[k], run.weights, digits=digits, step=k + 1)
                     for k in shown)
    largest = max((float(abs(a).max()) for k in shown
                   for a in (*grads.trace[k].values(), *grads.param_trace[k].values()) if a.size),
                  default=0.0)
    limit, places = gradient_scale(largest)
    return tuple(values_of(run.traces[k], run.weights, digits=digits, step=k + 1,
                           grads=gradients_of(grads.trace[k], grads.param_trace[k], limit=limit,
                                              digits=places, step=k + 1, loss=_SUM_LOSS))
                 for k in shown)
