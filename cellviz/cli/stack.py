"""Stacks on the command line: ``--layers N --bidirectional`` for params, eval and render."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError, UsageError
from ..stack import DIRECTIONS, MAX_LAYERS, Stack, stack
from .args import (
    DEFAULT_HIDDEN_SIZE,
    DEFAULT_INPUT_SIZE,
    cell_sizes,
    format_number,
    whole_number,
)
from .inputs import MAX_NUMBERS

if TYPE_CHECKING:
    from ..cell import Cell

__all__ = ["add_stack_arguments", "member_from_args", "run_stack_eval", "stack_from_args",
           "stack_parts"]


def _layers(text: str) -> int:
    return whole_number(text, least=1, most=MAX_LAYERS)


def _layer(text: str) -> int:
    return whole_number(text, least=0, most=MAX_LAYERS - 1)


def add_stack_arguments(parser: argparse.ArgumentParser, *, member: bool = False) -> None:
    """``--layers N`` and ``--bidirectional``; with ``member``, ``--layer K`` and
    ``--direction`` too, which pick one cell of the stack."""
    parser.add_argument("--layers", type=_layers, default=None, metavar="N",
                        help="a stack of N layers, each reading the one below (as "
                        "nn.LSTM(num_layers=N))")
    parser.add_argument("--bidirectional", action="store_true",
                        help="each layer in two directions, their outputs concatenated")
    if member:
        parser.add_argument("--layer", type=_layer, default=None, metavar="K",
                            help="draw the cell of layer K (from 0) of the stack in detail")
        parser.add_argument("--direction", choices=DIRECTIONS, default=None,
                            help="with --layer: the forward (default) or reverse cell")
        from ..draw.compact import CELL_FORMS

        parser.add_argument("--cells", choices=CELL_FORMS, default=None,
                            help="how a stack's figure draws its cells: compact (each at the "
                            "compact detail level), box (a labelled box each) or auto (the "
                            "default: compact where the figure fits a 1920×1080 screen at "
                            "its own size, else boxes)")


def stack_from_args(args: argparse.Namespace) -> Stack | None:
    """The stack the options name, or None when neither --layers nor --bidirectional is
    given (the command then works on one cell, as before); or the stack of a model file."""
    from .models import is_model, model_stack

    if is_model(args.cell):
        s = model_stack(args)
        picked = [f"--{flag}" for flag in ("layer", "direction")
                  if getattr(args, flag, None) is not None]
        if s is None and picked:
            raise UsageError(f"{' and '.join(picked)}: {args.cell} holds one cell in one "
                             "direction, not a stack to pick a cell of")
        return s
    if args.layers is None and not args.bidirectional:
        for flag in ("layer", "direction"):
            if getattr(args, flag, None) is not None:
                raise UsageError(f"--{flag} picks a cell of a stack: give --layers N "
                                 "(and --bidirectional for --direction reverse)")
        return None
    sizes = cell_sizes(args)
    return stack(args.cell, input_size=sizes.pop("i", DEFAULT_INPUT_SIZE),
                 hidden_size=sizes.pop("n", DEFAULT_HIDDEN_SIZE), proj_size=sizes.pop("p", None),
                 num_layers=args.layers or 1, bidirectional=args.bidirectional,
                 convention=args.convention, bias=not args.no_bias, **sizes)


def member_from_args(s: Stack, args: argparse.Namespace) -> tuple[int, int, Cell] | None:
    """The (layer, direction, cell) that --layer and --direction pick, or None for the whole
    stack."""
    if args.layer is None:
        if args.direction is not None:
            raise UsageError("--direction picks the direction of the cell --layer K draws: "
                             "give --layer too")
        return None
    if args.layer >= s.num_layers:
        raise UsageError(f"--layer {args.layer}: the stack has layers 0 to {s.num_layers - 1}")
    direction = DIRECTIONS.index(args.direction or "forward")
    if direction >= s.directions:
        raise UsageError("--direction reverse: the stack runs one way; add --bidirectional")
    return args.layer, direction, s.cells[args.layer][direction]


def stack_parts(s: Stack | None, member: tuple[int, int, Cell] | None) -> tuple[str, ...]:
    """The parts a stack adds to a figure's default file name: ``L3``, ``bi``, ``layer1``,
    ``reverse``."""
    if s is None:
        return ()
    parts = [f"L{s.num_layers}", *(("bi",) if s.bidirectional else ())]
    if member is not None:
        parts += [f"layer{member[0]}", *(("reverse",) if member[1] else ())]
    return tuple(parts)


def _check_size(s: Stack, steps: int) -> None:
    numbers = s.params().total + steps * sum(
        cell.size(node.size) for _, _, cell in s.members() for node in cell.graph.nodes)
    if numbers > MAX_NUMBERS:
        raise UsageError(f"too large to run: {numbers:,} numbers in the weights and the vectors "
                         f"of {steps:,} step{'s' if steps != 1 else ''} (at most "
                         f"{MAX_NUMBERS:,}); use smaller sizes, fewer layers or fewer steps")


def run_stack_eval(s: Stack, args: argparse.Namespace) -> int:
    """``cellviz eval --layers N``: run the stack from a zero state and print the top layer's
    output at the last step and every layer and direction's final state (``--json``: the
    output at every step and the final states, as the framework returns them)."""
    import numpy as np

    from ..numeric.weightfile import load_weights_file
    from ..numeric.weights import example_inputs

    given: list[list[float]] = args.x
    if given and args.steps is not None and args.steps != len(given):
        raise UsageError(f"--steps {args.steps} but --x is given {len(given)} "
                         f"time{'s' if len(given) != 1 else ''} (one --x per step)")
    steps = len(given) or args.steps or 1
    _check_size(s, steps)
    seed = args.seed if args.seed is not None else 0
    weights, xs = example_inputs(s, seed=seed, steps=steps)
    (name,) = s.graph.inputs
    seq = xs[name]
    model = getattr(args, "model_weights", None)
    if args.weights is None and model is not None:
        args.weights, weights = args.cell, model  # a model file's own weights
    elif args.weights is not None:
        weights = load_weights_file(s, args.weights)
    if args.weights is not None:
        seq = seq.astype(next(iter(weights.values())).dtype)
    if given:
        size = s.input_size(0)
        for x in given:
            if len(x) != size:
                raise UsageError(f"--x {','.join(f'{v:g}' for v in x)} has {len(x)} "
                                 f"number{'s' if len(x) != 1 else ''}, but "
                                 f"{s.graph.node(name).label} has {size}")
        seq = np.array(given, dtype=seq.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        out, final = s.run(weights, seq)
    if not all(np.isfinite(a).all() for a in (out, *final.values())):
        raise EvaluationError("the numbers overflowed: the input or the weights are too large "
                              "to compute in floating point")
    if args.json:
        data: dict[str, Any] = {"output": out.tolist(),
                                "states": {k: v.tolist() for k, v in final.items()}}
        print(json.dumps(data, indent=2))
        return 0
    if args.weights is None and not given:
        source = f"weights and input from seed {seed}"
    else:
        source = (f"weights from {args.weights or f'seed {seed}'}, input from "
                  f"{'--x' if given else f'seed {seed}'}")
    print(f"{s.params().heading()}; {source}; {steps} step{'s' if steps > 1 else ''}")
    rows = [(f"x[{steps}]", seq[-1]), (f"output[{steps}]", out[-1])]
    rows += [(f"{state}_n, {s.label(k, d)}", final[state][m])
             for state in s.graph.states for m, (k, d, _) in enumerate(s.members())]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label.ljust(width)} = [{', '.join(format_number(v) for v in value.tolist())}]")
    return 0

