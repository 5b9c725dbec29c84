"""Running a cell: one step with a trace of every node, or a whole sequence, over numpy arrays."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np

from ..errors import EvaluationError
from ..record import record
from .checks import Array, check_finite, numeric, shape_str
from .ops import Prepared
from .plan import EvalPlan

__all__ = ["Forward", "forward", "prepared", "run", "step"]

#: Inputs: one array for a cell with one input, else a dict by input name.
Inputs = Any


def step(
    plan: EvalPlan,
    weights: Mapping[str, Any] | Prepared,
    x: Inputs,
    state: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Array], dict[str, Array]]:
    """One step: ``x`` is (i,) or (B, i); ``state`` maps each state to (n,) or (B, n), zeros when
    None. Returns the outputs by vector name (``h``, ``c``, declared outputs) and the trace: the
    value of every node by id, inputs and state values included."""
    bound = prepared(plan, weights)
    xs, batch = _inputs(plan, x, bound.dtype, sequence=False)
    values = _state(plan, state, bound.dtype, batch)
    values.update(xs)
    products: list[Any] = [None] * plan.products
    for k, group in enumerate(plan.groups):
        if group.from_input:
            products[k] = bound.project(k, plan.read(group, values))
    for op in plan.ops:
        op(values, products, bound)
    trace = {node_id: values[node_id] for node_id in plan.node_ids}
    outputs = {name: trace[name] for name in plan.graph.outputs}
    return outputs, trace


def run(
    plan: EvalPlan,
    weights: Mapping[str, Any] | Prepared,
    xs: Inputs,
    state: Mapping[str, Any] | None = None,
) -> tuple[Array, dict[str, Array]]:
    """A whole sequence: ``xs`` is (T, i) or (T, B, i). Returns ``hs``, the output ``h`` at every
    step stacked over time, (T, n) or (T, B, n), and the final state by name."""
    result = forward(plan, prepared(plan, weights), xs, state)
    return result.hs, result.final


@record
class Forward:
    """A sequence run forward: ``hs`` and the final state as ``run`` returns them, the checked
    inputs by name (T, ..., size), their batch shape, and the values of the nodes ``forward``
    was asked to keep, by node id, at every step (what the backward pass reads)."""

    hs: Array
    final: dict[str, Array]
    inputs: dict[str, Array]
    batch: tuple[int, ...]
    steps: tuple[dict[str, Array], ...]


def forward(
    plan: EvalPlan, bound: Prepared, xs: Inputs, state: Mapping[str, Any] | None, *,
    keep: Collection[str] | None = None,
) -> Forward:
    """Run a sequence through the plan, holding on to the values of the nodes in ``keep`` at
    every step (only those: a value no one reads again is freed, and its memory reused)."""
    seqs, batch = _inputs(plan, xs, bound.dtype, sequence=True)
    values = _state(plan, state, bound.dtype, batch)
    steps = next(iter(seqs.values())).shape[0] if seqs else 0
    # Every product that reads an input is taken for all time steps in one matrix product.
    ahead: dict[int, Array] = {}
    for k, group in enumerate(plan.groups):
        if group.from_input:
            seq = seqs[group.source]
            flat = {group.source: seq.reshape(-1, seq.shape[-1])}
            width = group.offsets[-1]
            ahead[k] = bound.project(k, plan.read(group, flat)).reshape(*seq.shape[:-1], width)
    products: list[Any] = [None] * plan.products
    hidden = plan.hidden
    size = plan.cell.size(plan.graph.node(hidden).size)
    hs = np.empty((steps, *batch, size), bound.dtype)
    prev = [(prev_id, s) for s, prev_id, _ in plan.states]
    ops = plan.ops
    kept: list[dict[str, Array]] = []
    for t in range(steps):
        for name, seq in seqs.items():
            values[name] = seq[t]
        for k, projected in ahead.items():
            products[k] = projected[t]
        for op in ops:
            op(values, products, bound)
        hs[t] = values[hidden]
        if keep is not None:
            kept.append({node: values[node] for node in keep})
        values = {p: values[s] for p, s in prev}
    final = {s: values[prev_id] for s, prev_id, _ in plan.states}
    return Forward(hs, final, seqs, batch, tuple(kept))


def prepared(plan: EvalPlan, weights: Mapping[str, Any] | Prepared) -> Prepared:
    """The weights bound to the plan, or prepared weights checked to belong to its cell."""
    if not isinstance(weights, Prepared):
        return plan.bind(weights)
    if weights.cell is not plan.cell and weights.cell != plan.cell:
        raise EvaluationError(
            f"the weights were prepared for {weights.cell!r}, not for {plan.cell!r}"
        )
    return weights


def _inputs(
    plan: EvalPlan, x: Inputs, dtype: np.dtype[Any], *, sequence: bool
) -> tuple[dict[str, Array], tuple[int, ...]]:
    """The inputs as arrays of the weights' dtype, and their batch shape: () for a single
    vector (or a sequence of them), (B,) for a batch."""
    graph = plan.graph
    names = graph.inputs
    if isinstance(x, Mapping):
        given = dict(x)
    elif len(names) == 1:
        given = {names[0]: x}
    else:
        raise EvaluationError(
            f"cell {graph.name!r} has inputs {', '.join(names) or 'none'}: pass a dict by name"
        )
    missing = [n for n in names if n not in given]
    extra = [n for n in given if n not in names]
    if missing or extra:
        raise EvaluationError(
            f"cell {graph.name!r} takes inputs {', '.join(names) or 'none'}, "
            f"not {', '.join(given) or 'none'}"
        )
    lead: tuple[str, ...] = ("T",) if sequence else ()
    arrays: dict[str, Array] = {}
    batch: tuple[int, ...] | None = None
    first: tuple[str, tuple[int, ...]] = ("", ())
    for name, size in plan.inputs:
        what = f"input {name!r}"
        array = numeric(what, given[name], dtype)
        ok = array.ndim in (len(lead) + 1, len(lead) + 2) and array.shape[-1:] == (size,)
        if not ok:
            raise EvaluationError(
                f"{what} has shape {shape_str(array.shape)}, expected "
                f"{shape_str((*lead, size))} or {shape_str((*lead, 'B', size))}"
            )
        check_finite(what, array)
        shape = array.shape
        if batch is None:
            batch, first = shape[len(lead):-1], (name, shape)
        elif shape[:-1] != first[1][:-1]:
            raise EvaluationError(
                f"{what} has shape {shape_str(shape)} but input {first[0]!r} has shape "
                f"{shape_str(first[1])}: their batch (and time) dimensions must agree"
            )
        arrays[name] = array
    return arrays, batch or ()


def _state(
    plan: EvalPlan, state: Mapping[str, Any] | None, dtype: np.dtype[Any], batch: tuple[int, ...]
) -> dict[str, Array]:
    """The values of the states at t-1 by node id: zeros when ``state`` is None, else exactly
    the cell's states, each (n,) or (B, n) as the inputs are."""
    graph = plan.graph
    values: dict[str, Array] = {}
    if state is not None and not isinstance(state, Mapping):
        raise EvaluationError(
            f"state must be a dict by state name ({', '.join(graph.states)}), "
            f"not {type(state).__name__}"
        )
    if state is not None and (len(state) != len(graph.states)
                              or any(s not in state for s in graph.states)):
        raise EvaluationError(
            f"cell {graph.name!r} has states {', '.join(graph.states)}, "
            f"not {', '.join(state) or 'none'}"
        )
    for name, prev_id, size in plan.states:
        expected = (*batch, size)
        if state is None:
            values[prev_id] = np.zeros(expected, dtype)
            continue
        what = f"state {name!r}"
        array = numeric(what, state[name], dtype)
        if array.shape != expected:
            why = " (the batch of the input)" if batch and array.shape[-1:] == (size,) else ""
            raise EvaluationError(
                f"{what} has shape {shape_str(array.shape)}, expected {shape_str(expected)}{why}"
            )
        check_finite(what, array)
        values[prev_id] = array
    return values

