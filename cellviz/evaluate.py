"""Running a cell: one step with a trace of every node, or a whole sequence, over numpy arrays."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .checks import Array, check_finite, numeric, shape_str
from .errors import EvaluationError
from .plan import Plan

__all__ = ["run", "step"]

#: Inputs: one array for a cell with one input, else a dict by input name.
Inputs = Any


def step(
    plan: Plan, weights: Mapping[str, Any], x: Inputs, state: Mapping[str, Any] | None = None
) -> tuple[dict[str, Array], dict[str, Array]]:
    """One step: ``x`` is (i,) or (B, i); ``state`` maps each state to (n,) or (B, n), zeros when
    None. Returns the outputs by vector name (``h``, ``c``, declared outputs) and the trace: the
    value of every node by id, inputs and state values included."""
    bound = plan.bind(weights)
    xs, batched, batch = _inputs(plan, x, bound.dtype, sequence=False)
    values = _state(plan, state, bound.dtype, batched, batch)
    values.update(xs)
    products: list[Array] = [bound.matrices[0]] * len(plan.groups)
    for k, group in enumerate(plan.groups):
        if group.from_input:
            products[k] = bound.project(k, plan.read(group, values))
    for op in plan.ops:
        op(values, products, bound)
    trace = {node.id: values[node.id] for node in plan.graph.nodes}
    if not batched:
        trace = {k: a[0] for k, a in trace.items()}
    outputs = {name: trace[name] for name in plan.graph.outputs}
    return outputs, trace


def run(
    plan: Plan, weights: Mapping[str, Any], xs: Inputs, state: Mapping[str, Any] | None = None
) -> tuple[Array, dict[str, Array]]:
    """A whole sequence: ``xs`` is (T, i) or (T, B, i). Returns ``hs``, the output ``h`` at every
    step stacked over time, (T, n) or (T, B, n), and the final state by name."""
    bound = plan.bind(weights)
    seqs, batched, batch = _inputs(plan, xs, bound.dtype, sequence=True)
    values = _state(plan, state, bound.dtype, batched, batch)
    steps = next(iter(seqs.values())).shape[0] if seqs else 0
    # Every product that reads an input is taken for all time steps in one matrix product.
    ahead: dict[int, Array] = {}
    for k, group in enumerate(plan.groups):
        if group.from_input:
            flat = {group.source: seqs[group.source].reshape(steps * batch, -1)}
            ahead[k] = bound.project(k, plan.read(group, flat)).reshape(steps, batch, -1)
    products: list[Array] = [bound.matrices[0]] * len(plan.groups)
    hidden = plan.hidden
    hs = np.empty((steps, batch, plan.cell.size(plan.graph.node(hidden).size)), bound.dtype)
    states = plan.graph.states
    prev = [(plan.graph.prev_id(s), s) for s in states]
    ops = plan.ops
    for t in range(steps):
        for name, seq in seqs.items():
            values[name] = seq[t]
        for k, projected in ahead.items():
            products[k] = projected[t]
        for op in ops:
            op(values, products, bound)
        hs[t] = values[hidden]
        values = {p: values[s] for p, s in prev}
    final = {s: values[plan.graph.prev_id(s)] for s in states}
    if not batched:
        return hs[:, 0], {s: a[0] for s, a in final.items()}
    return hs, final


def _inputs(
    plan: Plan, x: Inputs, dtype: np.dtype[Any], *, sequence: bool
) -> tuple[dict[str, Array], bool, int]:
    """The inputs as (B, i) arrays, or (T, B, i) for a sequence; whether they had a batch
    dimension; the batch size."""
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
    batched: bool | None = None
    batch = 1
    first: tuple[str, tuple[int, ...]] = ("", ())
    for name in names:
        size = plan.cell.size(graph.node(name).size)
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
        has_batch = array.ndim == len(lead) + 2
        if not has_batch:
            array = array.reshape((*shape[:-1], 1, size))
        if batched is None:
            batched, batch, first = has_batch, array.shape[-2], (name, shape)
        elif shape[:-1] != first[1][:-1]:
            raise EvaluationError(
                f"{what} has shape {shape_str(shape)} but input {first[0]!r} has shape "
                f"{shape_str(first[1])}: their batch (and time) dimensions must agree"
            )
        arrays[name] = array
    return arrays, bool(batched), batch


def _state(
    plan: Plan, state: Mapping[str, Any] | None, dtype: np.dtype[Any], batched: bool, batch: int
) -> dict[str, Array]:
    """The values of the states at t-1, by node id, as (B, n) arrays: zeros when ``state`` is
    None, else exactly the cell's states with the inputs' batch shape."""
    graph = plan.graph
    values: dict[str, Array] = {}
    if state is not None and not isinstance(state, Mapping):
        raise EvaluationError(
            f"state must be a dict by state name ({', '.join(graph.states)}), "
            f"not {type(state).__name__}"
        )
    if state is not None and set(state) != set(graph.states):
        raise EvaluationError(
            f"cell {graph.name!r} has states {', '.join(graph.states)}, "
            f"not {', '.join(state) or 'none'}"
        )
    for name in graph.states:
        size = plan.cell.size(graph.node(graph.prev_id(name)).size)
        if state is None:
            values[graph.prev_id(name)] = np.zeros((batch, size), dtype)
            continue
        what = f"state {name!r}"
        array = numeric(what, state[name], dtype)
        expected = (batch, size) if batched else (size,)
        if array.shape != expected:
            why = " (the batch of the input)" if batched and array.shape[-1:] == (size,) else ""
            raise EvaluationError(
                f"{what} has shape {shape_str(array.shape)}, expected {shape_str(expected)}{why}"
            )
        check_finite(what, array)
        values[graph.prev_id(name)] = array if batched else array.reshape(1, size)
    return values

