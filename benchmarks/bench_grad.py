"""Time Cell.grad (forward and backward) against PyTorch's forward and backward, side by side.

Run from the repository: ``.venv/bin/python benchmarks/bench_grad.py``. An LSTM at T=100,
B=64, i=128, n=256 in float32: cellviz's ``Cell.grad`` (the generic evaluator's forward pass,
then backpropagation through time, returning the gradients of every weight, every input step
and the initial state) against ``torch.nn.LSTM`` forward and ``backward`` with the same
gradients asked for (weights, input, initial state). Both start from the same weights and
upstream gradient, and their gradients are compared before timing. Rounds are interleaved; the
ratio is the median over the rounds of the two times measured in the same round. Asserts only
that the two agree.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

import cellviz

__all__ = ["main"]


def timed(contenders: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Seconds per call of each contender in every round, rounds interleaved."""
    for fn in contenders.values():
        fn()  # warm up: plan compilation, BLAS threads, torch dispatch
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21, help="rounds (default 21)")
    parser.add_argument("--steps", type=int, default=100, help="T (default 100)")
    parser.add_argument("--batch", type=int, default=64, help="B (default 64)")
    args = parser.parse_args()
    import torch

    steps, batch, i, n = args.steps, args.batch, 128, 256
    cell = cellviz.load("lstm", input_size=i, hidden_size=n, convention="pytorch")
    weights = cellviz.init_weights(cell, seed=0, dtype=np.float32)
    tensors = cellviz.export_weights(cell, weights, "pytorch", module="layer")
    assert isinstance(tensors, dict)
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((steps, batch, i)).astype(np.float32)
    upstream = rng.standard_normal((steps, batch, n)).astype(np.float32)
    state = {"h": np.zeros((batch, n), np.float32), "c": np.zeros((batch, n), np.float32)}

    lstm = torch.nn.LSTM(i, n)
    lstm.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()})
    x_t = torch.from_numpy(xs).requires_grad_()
    h0 = torch.zeros(1, batch, n).requires_grad_()
    c0 = torch.zeros(1, batch, n).requires_grad_()
    up_t = torch.from_numpy(upstream)

    def torch_grad() -> None:
        for p in (*lstm.parameters(), x_t, h0, c0):
            p.grad = None
        out, _ = lstm(x_t, (h0, c0))
        out.backward(up_t)

    def cellviz_grad() -> object:
        return cell.grad(weights, xs, state, loss=upstream)

    got = cellviz_grad()
    torch_grad()
    want = cellviz.import_weights(cell, {k: v.grad for k, v in lstm.named_parameters()})
    worst = max(float(np.abs(got.params[k] - v).max() / np.abs(v).max()) for k, v in want.items())
    worst = max(worst, float(np.abs(got.xs - x_t.grad.numpy()).max()
                             / np.abs(x_t.grad.numpy()).max()))
    assert worst < 1e-4, f"cellviz and torch disagree: relative {worst:.2e}"

    samples = timed({"cellviz Cell.grad": cellviz_grad,
                     "torch.nn.LSTM forward + backward": torch_grad}, args.rounds)
    base = "torch.nn.LSTM forward + backward"
    print(f"numpy {np.__version__}, torch {torch.__version__}, "
          f"torch threads {torch.get_num_threads()}")
    print(f"LSTM forward + backward, T={steps}, B={batch}, i={i}, n={n}, float32 "
          f"(median of {args.rounds}; gradients agree to {worst:.1e} relative)")
    for name, times in samples.items():
        ratio = statistics.median(t / b for t, b in zip(times, samples[base], strict=True))
        print(f"  {name:<34} {statistics.median(times) * 1e3:9.2f} ms   {ratio:5.2f}× {base}")


if __name__ == "__main__":
    main()
