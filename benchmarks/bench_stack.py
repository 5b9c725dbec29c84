"""Time a large stack (``Stack.run``) against torch.nn.LSTM and nn.GRU of the same shape, and
against its own layers and directions run one by one (``Cell.run``), which is the evaluator's
speed without the stack around it.

Run from the repository: ``.venv/bin/python benchmarks/bench_stack.py`` (on a machine shared
with other jobs, also with ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1``, which keeps both
libraries on one thread each). As in bench_eval.py, rounds are interleaved, the time printed is
the median over the rounds and the ratio the median of the two times measured in the same
round. All compute in float32 on the CPU, from the same weights (checked to agree before
timing). Asserts nothing beyond that agreement.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np
from bench_eval import import_torch, report, timed

import cellviz

__all__ = ["main"]


def compare(cell: str, module: str, rounds: int, torch: Any, *, layers: int, steps: int,
            batch: int, i: int, n: int) -> None:
    stack = cellviz.stack(cell, input_size=i, hidden_size=n, num_layers=layers,
                          bidirectional=True, convention="pytorch")
    weights = cellviz.init_weights(stack, seed=0, dtype=np.float32)
    xs = np.random.default_rng(1).standard_normal((steps, batch, i)).astype(np.float32)
    members = [(cell, cell.prepare(own), d) for (_, d, cell), own in
               zip(stack.members(), stack.split(weights), strict=True)]
    inputs = _inputs(stack, members, xs)

    def one_by_one() -> None:
        for (cell, prepared, _), seq in zip(members, inputs, strict=True):
            cell.run(prepared, seq)

    contenders: dict[str, Callable[[], object]] = {
        "cellviz Stack.run": lambda: stack.run(weights, xs),
        "its cells' Cell.run, one by one": one_by_one,
    }
    if torch is None:
        print(f"{module} stack: torch is not importable, nothing to compare with")
        return
    layer = getattr(torch.nn, module)(i, n, layers, bidirectional=True)
    tensors = cellviz.export_weights(stack, weights)
    assert isinstance(tensors, dict)
    layer.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()})
    x_t = torch.from_numpy(xs)
    out, _ = stack.run(weights, xs)
    assert np.allclose(out, layer(x_t)[0].numpy(), atol=1e-4), "the two do not agree"
    contenders[f"torch.nn.{module}"] = lambda: layer(x_t)
    samples = timed(contenders, rounds, 1)
    report(f"{module}, {layers} layers, bidirectional, T={steps}, B={batch}, i={i}, n={n}, "
           f"float32, {stack.params().total:,} parameters (median of {rounds})",
           samples, f"torch.nn.{module}")
    own = "its cells' Cell.run, one by one"
    report("  the stack against its cells", {k: samples[k] for k in ("cellviz Stack.run", own)},
           own)


def _inputs(stack: cellviz.Stack, members: list[tuple[Any, Any, int]], xs: Any) -> list[Any]:
    """What each layer and direction reads in a run of the stack (the reverse ones reversed)."""
    out, seq = [], xs
    for k in range(stack.num_layers):
        outputs = []
        for cell, prepared, d in members[k * stack.directions:(k + 1) * stack.directions]:
            given = np.ascontiguousarray(seq[::-1]) if d else seq
            out.append(given)
            hs, _ = cell.run(prepared, given)
            outputs.append(hs[::-1] if d else hs)
        seq = np.concatenate(outputs, axis=-1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="rounds per measure (default 11)")
    args = parser.parse_args()
    torch = import_torch()
    sizes = {"layers": 3, "steps": 100, "batch": 32, "i": 128, "n": 256}
    compare("lstm", "LSTM", args.rounds, torch, **sizes)
    compare("gru", "GRU", args.rounds, torch, **sizes)


if __name__ == "__main__":
    main()
