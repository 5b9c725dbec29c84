"""Time the generic evaluator against a hand-written numpy LSTM and PyTorch, side by side.

Run from the repository: ``.venv/bin/python benchmarks/bench_eval.py``. Every contender runs
once per round, rounds interleaved; the time printed is the median over the rounds, the ratio
the median over the rounds of the contender's time over the reference's in the same round, so
that a load spike on the machine hits both sides of a ratio alike. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import cellviz

__all__ = ["import_torch", "main", "report", "timed"]

Array = np.ndarray[Any, Any]


def numpy_lstm(w_ih: Array, w_hh: Array, bias: Array, xs: Array) -> Array:
    """An LSTM written by hand for this one cell: PyTorch's stacked weights and gate order
    (i, f, g, o), all input projections in one product, one recurrent product per step."""
    steps, batch, _ = xs.shape
    n = w_hh.shape[1]
    xp = (xs.reshape(steps * batch, -1) @ w_ih.T + bias).reshape(steps, batch, 4 * n)
    w_hh_t = w_hh.T
    h = np.zeros((batch, n), xs.dtype)
    c = np.zeros((batch, n), xs.dtype)
    hs = np.empty((steps, batch, n), xs.dtype)

    def sigmoid(x: Array) -> Array:
        out: Array = np.tanh(x * 0.5)
        out *= 0.5
        out += 0.5
        return out

    for t in range(steps):
        gates = xp[t] + h @ w_hh_t
        i = sigmoid(gates[:, :n])
        f = sigmoid(gates[:, n:2 * n])
        g = np.tanh(gates[:, 2 * n:3 * n])
        o = sigmoid(gates[:, 3 * n:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs[t] = h
    return hs


def timed(contenders: dict[str, Callable[[], object]], rounds: int, number: int
          ) -> dict[str, list[float]]:
    """Seconds per call of each contender in every round, rounds interleaved."""
    for fn in contenders.values():
        fn()  # warm up: first-call costs (plan compilation, BLAS threads, torch dispatch)
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    return samples


def report(title: str, samples: dict[str, list[float]], base: str) -> None:
    print(title)
    for name, times in samples.items():
        ratio = statistics.median(t / b for t, b in zip(times, samples[base], strict=True))
        median = statistics.median(times)
        print(f"  {name:<34} {median * 1e3:10.4f} ms   {ratio:5.2f}× {base}")


def large(rounds: int, torch: Any) -> None:
    steps, batch, i, n = 100, 64, 128, 256
    cell = cellviz.load("lstm", input_size=i, hidden_size=n, convention="pytorch")
    weights = cellviz.init_weights(cell, seed=0, dtype=np.float32)
    tensors = cellviz.export_weights(cell, weights, "pytorch", module="layer")
    assert isinstance(tensors, dict)
    xs = np.random.default_rng(1).standard_normal((steps, batch, i)).astype(np.float32)
    bias = tensors["bias_ih_l0"] + tensors["bias_hh_l0"]
    contenders: dict[str, Callable[[], object]] = {
        "cellviz Cell.run (generic)": lambda: cell.run(weights, xs),
        "hand-written numpy LSTM": lambda: numpy_lstm(
            tensors["weight_ih_l0"], tensors["weight_hh_l0"], bias, xs),
    }
    hs, _ = cell.run(weights, xs)
    assert np.allclose(hs, numpy_lstm(tensors["weight_ih_l0"], tensors["weight_hh_l0"], bias, xs),
                       atol=1e-5)
    if torch is not None:
        lstm = torch.nn.LSTM(i, n)
        lstm.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()})
        x_t = torch.from_numpy(xs)
        contenders["torch.nn.LSTM"] = lambda: lstm(x_t)
    report(f"LSTM run, T={steps}, B={batch}, i={i}, n={n}, float32 (median of {rounds})",
           timed(contenders, rounds, 1), "hand-written numpy LSTM")


def tiny(rounds: int, torch: Any) -> None:
    cell = cellviz.load("lstm", input_size=3, hidden_size=2, convention="pytorch")
    weights = cellviz.init_weights(cell, seed=0)
    x = np.random.default_rng(1).standard_normal(3)
    state = {"h": np.zeros(2), "c": np.zeros(2)}
    prepared = cell.prepare(weights)
    contenders: dict[str, Callable[[], object]] = {
        "cellviz Cell.step, weights dict": lambda: cell.step(weights, x, state),
        "cellviz Cell.step, cell.prepare()": lambda: cell.step(prepared, x, state),
    }
    if torch is None:
        print("tiny LSTM step: torch is not importable, nothing to compare with")
        return
    module = torch.nn.LSTMCell(3, 2, dtype=torch.float64)
    tensors = cellviz.export_weights(cell, weights, "pytorch", module="cell")
    assert isinstance(tensors, dict)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()})
    x_t = torch.from_numpy(x)
    state_t = (torch.zeros(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64))
    contenders["torch.nn.LSTMCell"] = lambda: module(x_t, state_t)
    report(f"one LSTM step, i=3, n=2, float64 (median of {rounds})",
           timed(contenders, rounds, 200), "torch.nn.LSTMCell")


def import_torch() -> Any:
    """PyTorch with autograd off (the reference is timed forward only), or None where it is
    not importable; prints both libraries' versions."""
    try:
        import torch
    except ImportError:
        torch = None
    else:
        torch.set_grad_enabled(False)
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not importable'}")
    return torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21, help="rounds per measure (default 21)")
    args = parser.parse_args()
    torch = import_torch()
    large(args.rounds, torch)
    tiny(args.rounds, torch)


if __name__ == "__main__":
    main()
