"""Backpropagation through time over a cell's graph: ``Cell.grad``.

The forward pass is the evaluator's own (``evaluate.forward`` over the compiled plan, keeping
every step's values); the backward pass walks the same plan in reverse (``backward``), step by
step from the last, and takes the weight and input gradients of all steps at once at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import EvaluationError
from .backward import DERIVATIVES, BackPlan, add, batch_sum, compile_backward
from .checks import Array, all_finite, check_finite, numeric, shape_str
from .evaluate import Forward, forward, prepared
from .ops import ACTIVATION_FUNCTIONS, Prepared
from .plan import EvalPlan

__all__ = ["Gradients", "Loss", "call_loss", "check_upstream", "grad"]

#: What ``loss`` may be: "sum" (the sum of every h of every step), an array of ∂L/∂h for every
#: step (the loss is then the sum of its product with h), a dict of such arrays by output name
#: (``h``, ``c``, declared outputs), or a function of the outputs h (T, ..., n) that returns
#: the loss and its gradient, ``(value, dL/dh)``.
Loss = Any


@dataclass(frozen=True)
class Gradients:
    """The result of ``Cell.grad``: the loss; ∂L/∂ of every parameter by name (summed over the
    steps and the batch), of every input by name (stacked over steps as the input was given:
    ``inputs["x"][t]`` is ∂L/∂x[t]) and of the initial state by state name; the forward
    outputs (``hs``, ``final``) as ``run`` returns them. With ``trace=True``, ``trace[t]`` holds
    ∂L/∂v of every node v at step t by node id (for a dense node, of its sum before the
    activation) and ``param_trace[t]`` each parameter's share from step t."""

    loss: float
    params: dict[str, Array]
    inputs: dict[str, Array]
    state: dict[str, Array]
    hs: Array
    final: dict[str, Array]
    trace: tuple[dict[str, Array], ...] = field(default=(), repr=False)
    param_trace: tuple[dict[str, Array], ...] = field(default=(), repr=False)

    @property
    def xs(self) -> Array:
        """∂L/∂x for the cell's one input, stacked over the steps."""
        if len(self.inputs) != 1:
            raise EvaluationError(f"the cell has inputs {', '.join(self.inputs)}: use .inputs")
        return next(iter(self.inputs.values()))


def grad(
    plan: EvalPlan,
    weights: Mapping[str, Any] | Prepared,
    xs: Any,
    state: Mapping[str, Any] | None = None,
    *,
    loss: Loss = "sum",
    trace: bool = False,
) -> Gradients:
    """Run ``xs`` (T, i) or (T, B, i) forward from ``state`` and back: see ``Gradients``."""
    bound = prepared(plan, weights)
    back = compile_backward(plan)
    with np.errstate(over="ignore", invalid="ignore"):
        run = forward(plan, bound, xs, state, keep=plan.node_ids if trace else back.needs)
        value, upstream = _upstream(plan, run, loss)
    if not np.isfinite(value):
        raise EvaluationError(f"the numbers overflowed: the loss is {value}; the input, the "
                              "weights or the loss gradient are too large to compute in "
                              "floating point")
    steps, batch, dtype = len(run.steps), run.batch, bound.dtype
    buffers = [np.zeros((steps, *batch, width), dtype) for width in back.widths]
    totals: dict[str, Array] = {}
    dx = {name: np.zeros_like(seq) for name, seq in run.inputs.items()}
    carry: dict[str, Array] = {}
    node_steps: list[dict[str, Array]] = []
    step_shares: list[dict[str, Array]] = []
    with np.errstate(over="ignore", invalid="ignore"):
        for t in reversed(range(steps)):
            values = run.steps[t]
            d = dict(carry)
            for name, seq in upstream.items():
                add(d, name, seq[t])
            rows = [buffer[t] for buffer in buffers]
            shares: dict[str, Array] = {}
            for op in back.ops:
                op(values, d, rows, bound, shares)
            carry = {s: d[prev_id] for s, prev_id, _ in plan.states if prev_id in d}
            for name in dx:
                if name in d:
                    dx[name][t] = d[name]
            for param, share in shares.items():
                add(totals, param, share)
            if trace:
                node_steps.append(d)
                step_shares.append(shares)
        _products(plan, back, bound, run, buffers, totals, dx)
    zeros = {s: np.zeros((*batch, size), dtype) for s, _, size in plan.states}
    result = Gradients(
        value,
        {name: totals.get(name, np.zeros(shape, dtype)) for name, shape in plan.shapes.items()},
        dx,
        {s: carry.get(s, zeros[s]) for s in zeros},
        run.hs,
        run.final,
    )
    with np.errstate(over="ignore"):
        _check_finite(result)
    if not trace:
        return result
    node_steps.reverse()
    step_shares.reverse()
    return replace(result, trace=_node_trace(plan, run, node_steps, dx),
                   param_trace=_param_trace(plan, back, run, buffers, step_shares))


def _read(plan: EvalPlan, run: Forward, k: int) -> Array:
    """Group k's source through its activation at every step, (T, ..., cols)."""
    group = plan.groups[k]
    if group.from_input:
        source = run.inputs[group.source]
    elif run.steps:
        source = np.stack([values[group.source] for values in run.steps])
    else:
        cols = plan.cell.size(plan.graph.node(group.source).size)
        source = np.zeros((0, *run.batch, cols), run.hs.dtype)
    fn = ACTIVATION_FUNCTIONS[group.activation]
    return source if fn is None else fn(source)


def _products(plan: EvalPlan, back: BackPlan, bound: Prepared, run: Forward,
              buffers: list[Array], totals: dict[str, Array], dx: dict[str, Array]) -> None:
    """The matrix gradients (one product over all steps per group), the biases read off the
    buffers, and the input gradients through the input groups."""
    flat = [buffer.reshape(-1, buffer.shape[-1]) for buffer in buffers]
    for k, group in enumerate(plan.groups):
        rows = flat[back.buffers[k]]
        read = _read(plan, run, k)
        matrix = rows.T @ read.reshape(-1, read.shape[-1])
        for param, a, b in zip(group.params, group.offsets, group.offsets[1:], strict=False):
            add(totals, param, matrix[a:b])
        if group.from_input:
            g = (rows @ bound.matrices[k]).reshape(read.shape)
            deriv = DERIVATIVES[group.activation]
            dx[group.source] += g if deriv is None else g * deriv(read)
    sums = [rows.sum(axis=0) for rows in flat]
    for _, biases, j, a, b in back.biases:
        for bias in biases:
            add(totals, bias, sums[j][a:b])


def _node_trace(plan: EvalPlan, run: Forward, node_steps: list[dict[str, Array]],
                dx: dict[str, Array]) -> tuple[dict[str, Array], ...]:
    """Every node's gradient at every step, zeros where no gradient reached it."""
    steps = []
    for t, d in enumerate(node_steps):
        values = run.steps[t]
        full = {nid: d[nid] if nid in d else np.zeros_like(values[nid]) for nid in plan.node_ids}
        full.update({name: seq[t] for name, seq in dx.items()})
        steps.append(full)
    return tuple(steps)


def _param_trace(plan: EvalPlan, back: BackPlan, run: Forward, buffers: list[Array],
                 step_shares: list[dict[str, Array]]) -> tuple[dict[str, Array], ...]:
    """Each parameter's share of its gradient from each step."""
    reads = [_read(plan, run, k) for k in range(len(plan.groups))]
    steps = []
    for t, shares in enumerate(step_shares):
        totals = dict(shares)
        for k, group in enumerate(plan.groups):
            rows = buffers[back.buffers[k]][t]
            read = reads[k][t]
            matrix = rows.reshape(-1, rows.shape[-1]).T @ read.reshape(-1, read.shape[-1])
            for param, a, b in zip(group.params, group.offsets, group.offsets[1:], strict=False):
                add(totals, param, matrix[a:b])
        for _, biases, j, a, b in back.biases:
            for bias in biases:
                add(totals, bias, batch_sum(buffers[j][t][..., a:b]))
        steps.append({name: totals.get(name, np.zeros(shape, run.hs.dtype))
                      for name, shape in plan.shapes.items()})
    return tuple(steps)


def _upstream(plan: EvalPlan, run: Forward, loss: Loss) -> tuple[float, dict[str, Array]]:
    """The loss and its gradient with respect to the outputs, by output name, (T, ..., size)."""
    hidden, hs = plan.hidden, run.hs
    if isinstance(loss, str):
        if loss != "sum":
            raise EvaluationError(f"unknown loss {loss!r} (must be 'sum', an array of "
                                  "dL/dh for every step, a dict of them by output, or a function)")
        return float(hs.sum(dtype=np.float64)), {hidden: np.ones_like(hs)}
    if callable(loss):
        value, gradient = call_loss(loss, hs)
        return value, {hidden: gradient}
    given = loss if isinstance(loss, Mapping) else {hidden: loss}
    outputs = plan.graph.outputs
    upstream: dict[str, Array] = {}
    total = 0.0
    for name, array in given.items():
        if name not in outputs:
            raise EvaluationError(f"loss gradient for {name!r}, which is not an output of cell "
                                  f"{plan.graph.name!r} ({', '.join(outputs)})")
        seq = hs if name == hidden else _stacked(plan, run, name)
        upstream[name] = check_upstream(f"the loss gradient for {name!r}", array, seq)
        total += float(np.sum(upstream[name] * seq, dtype=np.float64))
    return total, upstream


def call_loss(loss: Callable[[Array], Any], hs: Array) -> tuple[float, Array]:
    """Call a loss function of the outputs, which returns (value, gradient); any failure or
    other return is one EvaluationError."""
    name = getattr(loss, "__name__", type(loss).__name__)
    view = hs.view()
    view.flags.writeable = False
    try:
        result = loss(view)
    except Exception as exc:  # the user's code: any failure is reported as one line
        raise EvaluationError(f"the loss function {name} raised {type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
    if not (isinstance(result, tuple) and len(result) == 2):
        raise EvaluationError(f"the loss function {name} returned {type(result).__name__}; it "
                              f"must return (loss, dL/dh) with dL/dh of shape "
                              f"{shape_str(hs.shape)}")
    value, gradient = result
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EvaluationError(f"the loss function {name} returned a loss of "
                              f"{type(value).__name__}, not a number") from None
    if not np.isfinite(number):
        raise EvaluationError(f"the loss function {name} returned a loss of {number}: NaN and "
                              "infinity are not differentiated")
    return number, check_upstream(f"the gradient the loss function {name} returned", gradient,
                                  hs)


def check_upstream(what: str, value: Any, like: Array) -> Array:
    """An upstream gradient of exactly the outputs' shape and dtype, finite."""
    array = numeric(what, value, like.dtype)
    if array.shape != like.shape:
        raise EvaluationError(f"{what} has shape {shape_str(array.shape)}, expected "
                              f"{shape_str(like.shape)} (the outputs of every step)")
    check_finite(what, array)
    return array


def _stacked(plan: EvalPlan, run: Forward, name: str) -> Array:
    """An output's value at every step."""
    if run.steps:
        return np.stack([values[name] for values in run.steps])
    size = plan.cell.size(plan.graph.node(name).size)
    return np.zeros((0, *run.batch, size), run.hs.dtype)


def _check_finite(result: Gradients) -> None:
    """Refuse numbers that overflowed, naming the first array that did."""
    for kind, arrays in (("the outputs", {"": result.hs}), ("the gradient of weight",
                         result.params), ("the gradient of input", result.inputs),
                         ("the gradient of state", result.state)):
        for name, array in arrays.items():
            if not all_finite(array):
                raise EvaluationError(
                    f"the numbers overflowed: {kind}{f' {name!r}' if name else ''} is not "
                    "finite; the input or the weights are too large to compute in floating point")
