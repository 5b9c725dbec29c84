"""How far gradients reach back in time: ‖∂h[T]/∂h[t]‖ and ‖∂h[T]/∂x[t]‖ for many seeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..cell import Cell
from ..errors import EvaluationError, UsageError
from .checks import Array
from .weights import example_inputs

__all__ = ["MAX_FLOW_STEPS", "GradientFlow", "forget_biases", "gradient_flow", "open_forget_gate"]

#: The most steps a gradient-flow run goes back over.
MAX_FLOW_STEPS = 10_000


@dataclass(frozen=True)
class GradientFlow:
    """The gradient flow of some cells: for each cell by name, ``state[name][s, k]`` is the
    Frobenius norm of the Jacobian ∂h[T]/∂h[T−k] for seed ``seeds[s]`` and lag k = T − t
    (0 to T−1), and ``inputs[name][s, k]`` that of ∂h[T]/∂x[T−k]. The weights are drawn from
    each seed (unless given) and so is the input, as ``cellviz.example_inputs`` draws them.
    The gradient of any loss of h[T] is one of these Jacobians times ∂L/∂h[T]."""

    cells: tuple[str, ...]
    steps: int
    seeds: tuple[int, ...]
    state: dict[str, Array]
    inputs: dict[str, Array]

    @property
    def lags(self) -> Array:
        """T − t for every column: 0, 1, ..., T − 1."""
        return np.arange(self.steps, dtype=np.float64)

    def band(self, name: str, of: str = "state", low: float = 10.0, high: float = 90.0
             ) -> tuple[Array, Array, Array]:
        """The median over the seeds at every lag, and the ``low`` and ``high`` percentiles."""
        data = self.state[name] if of == "state" else self.inputs[name]
        lo, mid, hi = np.percentile(data, [low, 50.0, high], axis=0)
        return mid, lo, hi


def forget_biases(cell: Cell) -> list[str]:
    """The bias parameters of the cell's forget gate, the vector ``f`` (none if it has none)."""
    graph = cell.graph
    dense = [o.source for n in graph.nodes if n.kind == "vector" and n.name == "f"
             for o in n.operands if o.source and graph.node(o.source).kind == "dense"]
    return [o.param for o in graph.node(dense[0]).operands
            if o.role == "bias" and o.param] if dense else []


def open_forget_gate(cell: Cell, weights: Mapping[str, Array], bias: float) -> dict[str, Array]:
    """The weights with the bias of the forget gate (the vector ``f``) set to ``bias``: the
    first of its biases to ``bias``, any others (PyTorch's b_hf) to 0."""
    params = forget_biases(cell)
    if not params:
        raise UsageError(f"cell {cell.name!r} has no forget gate f[t] with a bias to set")
    out = dict(weights)
    for k, name in enumerate(params):
        out[name] = np.full_like(weights[name], bias if k == 0 else 0.0)
    return out


def gradient_flow(
    cells: Sequence[Cell | str] = ("rnn", "gru", "lstm"),
    *,
    steps: int = 100,
    seeds: Sequence[int] | int = 20,
    weights: Mapping[str, Mapping[str, Any]] | None = None,
    forget_bias: float | None = None,
    input_size: int = 16,
    hidden_size: int = 32,
) -> GradientFlow:
    """The norms of ∂h[T]/∂h[t] and ∂h[T]/∂x[t] over T = ``steps`` steps for every cell (a
    built-in name, loaded at ``input_size`` and ``hidden_size``, or a Cell), for every seed
    (a count from 0, or the seeds themselves). ``weights`` gives a cell's weights by its name
    (the seeds then vary only the input); ``forget_bias`` sets the forget gate's bias of every
    cell that has one (``open_forget_gate``). Each Jacobian is taken in one backward pass: the
    sequence is run as a batch of n copies, the copy b asking for ∂h[T]_b."""
    from ..lang.library import load

    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_FLOW_STEPS:
        raise UsageError(f"steps must be a whole number from 1 to {MAX_FLOW_STEPS:,}, not "
                         f"{steps!r}")
    seed_list = tuple(range(seeds)) if isinstance(seeds, int) else tuple(seeds)
    if not seed_list:
        raise UsageError("seeds: give at least one seed")
    loaded = [c if isinstance(c, Cell) else load(c, input_size=input_size,
                                                  hidden_size=hidden_size) for c in cells]
    names = tuple(c.name for c in loaded)
    if len(set(names)) != len(names):
        raise UsageError(f"each cell once: {', '.join(names)}")
    given = dict(weights or {})
    unknown = [name for name in given if name not in names]
    if unknown:
        raise UsageError(f"weights for {unknown[0]!r}, which is not one of the cells "
                         f"({', '.join(names)})")
    if forget_bias is not None and not any(forget_biases(c) for c in loaded):
        raise UsageError(f"forget_bias: none of {', '.join(names)} has a forget gate f[t]")
    state: dict[str, Array] = {}
    inputs: dict[str, Array] = {}
    for cell in loaded:
        rows = [_jacobian_norms(cell, seed, steps, given.get(cell.name), forget_bias)
                for seed in seed_list]
        state[cell.name] = np.array([r[0] for r in rows])
        inputs[cell.name] = np.array([r[1] for r in rows])
    return GradientFlow(names, steps, seed_list, state, inputs)


def _jacobian_norms(cell: Cell, seed: int, steps: int, weights: Mapping[str, Any] | None,
                    forget_bias: float | None) -> tuple[Array, Array]:
    """For one seed: ‖∂h[T]/∂h[T−k]‖ and ‖∂h[T]/∂x[T−k]‖ for k = 0 .. T−1."""
    graph = cell.graph
    hidden = cell.plan.hidden
    if hidden not in graph.states or len(graph.inputs) != 1:
        raise UsageError(f"cell {graph.name!r} needs one input and a state to follow the "
                         "gradient back through")
    drawn, xs = example_inputs(cell, seed=seed, steps=steps)
    chosen = dict(weights) if weights is not None else drawn
    if forget_bias is not None and forget_biases(cell):
        chosen = open_forget_gate(cell, chosen, forget_bias)
    dtype = next(iter(chosen.values())).dtype if chosen else np.float64
    size = cell.size(graph.node(hidden).size)
    (x,) = xs.values()
    batch = np.repeat(x[:, None, :], size, axis=1).astype(dtype, copy=False)
    upstream = np.zeros((steps, size, size), dtype)
    upstream[-1] = np.eye(size, dtype=dtype)
    try:
        grads = cell.grad(chosen, batch, loss=upstream, trace=True)
    except EvaluationError as exc:
        raise EvaluationError(f"{graph.name}, seed {seed}: {exc}") from None
    state = np.array([np.linalg.norm(grads.trace[t][hidden]) for t in range(steps)])
    inputs = np.array([np.linalg.norm(grads.xs[t]) for t in range(steps)])
    return state[::-1], inputs[::-1]
