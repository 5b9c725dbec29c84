"""Backpropagation through a stack of layers and directions: ``Stack.grad``.

Each member (a layer in one direction) is differentiated by ``Cell.grad`` with, as its loss
gradient, the part of the gradient of the layer's output that is its own (the reverse
direction's in reversed time); the gradient of a layer's input is the loss gradient of the
layer below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import EvaluationError
from ..stack import Stack
from .checks import Array, check_weights
from .grad import Gradients, call_loss, check_upstream
from .stack import member_states, stack_input

__all__ = ["grad_stack"]


def grad_stack(stack: Stack, weights: Mapping[str, Any], xs: Any,
               state: Mapping[str, Any] | None = None, *, loss: Any = "sum",
               trace: bool = False) -> Gradients:
    """What ``Stack.grad`` returns: a ``Gradients`` whose parameters carry the stack's
    suffixed names, whose input gradient is that of ``xs``, and whose state gradients have
    the form of ``state`` (layers × directions, [B,] size). ``loss``: "sum", an array of the
    top layer's outputs' shape, or a function of those outputs returning (loss, gradient).
    With ``trace``, ``trace[t]`` and ``param_trace[t]`` hold every member's node and parameter
    gradients by their suffixed names (``f_l1_reverse``), at the step that reads x[t] (for a
    reverse member, its step T − t)."""
    arrays = check_weights(stack.param_shapes(), weights, stack.name)
    members = stack.members()
    split = stack.split(arrays)
    dtype = next(iter(arrays.values())).dtype
    seq, batch = stack_input(stack, xs, dtype)
    firsts = member_states(stack, state, dtype, batch)
    inputs, hs_of, finals = [], [], []
    index = 0
    for _ in range(stack.num_layers):
        inputs.append(seq)
        outputs = []
        for _ in range(stack.directions):
            (_, d, cell), w = members[index], split[index]
            hs, final = cell.run(w, seq[::-1] if d else seq, firsts[index])
            outputs.append(hs[::-1] if d else hs)
            finals.append(final)
            index += 1
        hs_of.append(outputs)
        seq = np.concatenate(outputs, axis=-1) if len(outputs) > 1 else outputs[0]
    value, upstream = _top(loss, seq)
    params: dict[str, Array] = {}
    state_grads: list[dict[str, Array]] = [{} for _ in members]
    steps = len(seq)
    traces: list[dict[str, Array]] = [{} for _ in range(steps if trace else 0)]
    param_traces: list[dict[str, Array]] = [{} for _ in range(steps if trace else 0)]
    for k in reversed(range(stack.num_layers)):
        below = np.zeros_like(inputs[k])
        start = 0
        for d in range(stack.directions):
            m = k * stack.directions + d
            cell = members[m][2]
            width = hs_of[k][d].shape[-1]
            part = upstream[..., start:start + width]
            start += width
            g = cell.grad(split[m], inputs[k][::-1] if d else inputs[k], firsts[m],
                          loss=part[::-1] if d else part, trace=trace)
            below += g.xs[::-1] if d else g.xs
            suffix = stack.suffix(k, d)
            params.update({p + suffix: a for p, a in g.params.items()})
            state_grads[m] = g.state
            for t in range(len(traces)):
                own = steps - 1 - t if d else t
                traces[t].update({v + suffix: a for v, a in g.trace[own].items()})
                param_traces[t].update({p + suffix: a for p, a in g.param_trace[own].items()})
        upstream = below
    names = stack.graph.states
    return Gradients(
        value, {p: params[p] for p in stack.param_shapes()}, {stack.graph.inputs[0]: upstream},
        {s: np.stack([g[s] for g in state_grads]) for s in names}, seq,
        {s: np.stack([f[s] for f in finals]) for s in names}, tuple(traces),
        tuple(param_traces))


def _top(loss: Any, top: Array) -> tuple[float, Array]:
    """The loss and its gradient with respect to the top layer's outputs."""
    if isinstance(loss, str):
        if loss != "sum":
            raise EvaluationError(f"unknown loss {loss!r} (must be 'sum', an array of dL/dh "
                                  "for every step, or a function)")
        return float(top.sum(dtype=np.float64)), np.ones_like(top)
    if callable(loss):
        return call_loss(loss, top)
    if isinstance(loss, Mapping):
        raise EvaluationError("a stack's loss gradient is one array, of the top layer's "
                              "outputs, not a dict by output")
    gradient = check_upstream("the loss gradient for the outputs", loss, top)
    return float(np.sum(gradient * top, dtype=np.float64)), gradient
