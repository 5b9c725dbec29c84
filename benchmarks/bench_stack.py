"""Time a large stack (``Stack.run``) against torch.nn.LSTM and nn.GRU of the same shape.

Run from the repository: ``.venv/bin/python benchmarks/bench_stack.py``. As in bench_eval.py,
rounds are interleaved, the time printed is the median over the rounds and the ratio the median
of the two times measured in the same round. Both compute in float32 on the CPU, from the same
weights (checked to agree before timing). Asserts nothing beyond that agreement.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np
from bench_eval import report, timed

import cellviz

__all__ = ["main"]


def compare(cell: str, module: str, rounds: int, torch: Any, *, layers: int, steps: int,
            batch: int, i: int, n: int) -> None:
    stack = cellviz.stack(cell, input_size=i, hidden_size=n, num_layers=layers,
                          bidirectional=True, convention="pytorch")
    weights = cellviz.init_weights(stack, seed=0, dtype=np.float32)
    xs = np.random.default_rng(1).standard_normal((steps, batch, i)).astype(np.float32)
    contenders: dict[str, Callable[[], object]] = {
        "cellviz Stack.run": lambda: stack.run(weights, xs),
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
    report(f"{module}, {layers} layers, bidirectional, T={steps}, B={batch}, i={i}, n={n}, "
           f"float32, {stack.params().total:,} parameters (median of {rounds})",
           timed(contenders, rounds, 1), f"torch.nn.{module}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="rounds per measure (default 11)")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
    else:
        torch.set_grad_enabled(False)
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not importable'}")
    sizes = {"layers": 3, "steps": 100, "batch": 32, "i": 128, "n": 256}
    compare("lstm", "LSTM", args.rounds, torch, **sizes)
    compare("gru", "GRU", args.rounds, torch, **sizes)


if __name__ == "__main__":
    main()
