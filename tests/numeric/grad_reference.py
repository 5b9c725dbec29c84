"""Independent references for Cell.grad: a torch evaluator that walks the graph node by node
(for torch.autograd), and central finite differences of a loss computed with Cell.step."""

from __future__ import annotations

from typing import Any

import numpy as np

from cellviz.cell import Cell

Arrays = dict[str, Any]


def torch_walk(torch: Any, cell: Cell, weights: Arrays, xs: Arrays, state: Arrays,
               upstream: Arrays) -> tuple[Any, Arrays, Arrays, Arrays, list[Arrays]]:
    """The cell run in torch, written from the graph alone: the loss sum(u * output) over
    every step and output in ``upstream`` (name -> (T, ..., size)), and the leaf tensors
    (weights, inputs by name (T, ...), initial state by name) with their gradients after
    ``loss.backward()``, and every node's tensor at every step (each a tensor of its own)."""
    w = {k: torch.tensor(v, requires_grad=True) for k, v in weights.items()}
    x = {k: torch.tensor(v, requires_grad=True) for k, v in xs.items()}
    s0 = {k: torch.tensor(v, requires_grad=True) for k, v in state.items()}
    nodes = walk_steps(torch, cell, w, x, s0)
    loss = torch.zeros((), dtype=torch.float64)
    for t, values in enumerate(nodes):
        for name, u in upstream.items():
            loss = loss + (torch.tensor(u[t]) * values[name]).sum()
    loss.backward()
    return loss, w, x, s0, nodes


def walk_steps(torch: Any, cell: Cell, w: Arrays, x: Arrays, current: Arrays) -> list[Arrays]:
    """Every node's tensor at every step of the cell run in torch on tensors ``x`` (name ->
    (T, ...)) from state ``current``, written from the graph alone; each node's tensor is one
    of its own that keeps its gradient."""
    # F.hardsigmoid's backward multiplies by 1/6 rounded to float32 (3e-8 off in float64), so
    # the reference writes relu6(x + 3) / 6 out.
    acts = {"identity": lambda v: v, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "relu": torch.relu, "hard_sigmoid": lambda v: torch.clamp(v + 3.0, 0.0, 6.0) / 6.0,
            "softsign": torch.nn.functional.softsign}
    graph = cell.graph
    nodes: list[Arrays] = []
    for t in range(next(iter(x.values())).shape[0]):
        values: Arrays = {}
        for node in graph.nodes:
            ins = [None if o.source is None else acts[o.activation](values[o.source])
                   for o in node.operands]
            if node.kind == "input":
                value = x[node.id][t]
            elif node.kind == "state":
                value = current[node.name]
            elif node.kind == "dense":
                value = 0
                for o, v in zip(node.operands, ins, strict=True):
                    p = w[o.param]
                    value = value + (v @ p.T if o.role == "matrix" else p * v if v is not None
                                     else p)
            elif node.kind == "pointwise":
                a, b = [*ins, None][:2]
                value = (-a if node.op == "neg" else 1.0 - a if node.op == "one_minus"
                         else a * b if node.op == "mul" else a + b if node.op == "add"
                         else a - b)
            else:
                value = ins[0]
            values[node.id] = value.clone()  # a tensor of its own, for its own gradient
            values[node.id].retain_grad()
        current = {s: values[s] for s in graph.states}
        nodes.append(values)
    return nodes


def step_loss(cell: Cell, weights: Arrays, xs: Arrays, state: Arrays, upstream: Arrays) -> float:
    """sum(u * output) over every step, run one Cell.step at a time."""
    total = 0.0
    steps = next(iter(xs.values())).shape[0]
    current = state
    for t in range(steps):
        out, _ = cell.step(weights, {k: v[t] for k, v in xs.items()}, current)
        total += sum(float(np.sum(u[t] * out[name])) for name, u in upstream.items())
        current = {s: out[s] for s in cell.graph.states}
    return total


def finite_differences(cell: Cell, weights: Arrays, xs: Arrays, state: Arrays,
                       upstream: Arrays, eps: float = 1e-6) -> tuple[Arrays, Arrays, Arrays]:
    """Central differences of ``step_loss`` for every weight, input and initial-state number."""

    def diff(arrays: Arrays) -> Arrays:
        out: Arrays = {}
        for name, array in arrays.items():
            g = np.zeros_like(array)
            for index in np.ndindex(array.shape):
                keep = array[index]
                array[index] = keep + eps
                up = step_loss(cell, weights, xs, state, upstream)
                array[index] = keep - eps
                down = step_loss(cell, weights, xs, state, upstream)
                array[index] = keep
                g[index] = (up - down) / (2 * eps)
            out[name] = g
        return out

    return diff(weights), diff(xs), diff(state)



def assert_grads_match_module(torch: Any, model: Any, module: Any, weights: Arrays, xs: Any,
                              state: Arrays, module_state: tuple[Any, ...], upstream: Any,
                              tolerance: dict[str, float]) -> None:
    """``model.grad`` (a Cell or a Stack) against torch.autograd through the torch.nn
    ``module`` it was read from: outputs, every parameter, the input and the initial state.
    ``state`` is cellviz's initial state, ``module_state`` the same numbers as the module takes
    them ((h,) or (h, c)), in the same order."""
    import cellviz

    tx = torch.tensor(xs, requires_grad=True)
    ts = tuple(torch.tensor(a, requires_grad=True) for a in module_state)
    out, _ = module(tx, ts if len(ts) == 2 else ts[0])
    loss = (out * torch.tensor(upstream)).sum()
    loss.backward()
    got = model.grad(weights, xs, state, loss=upstream)
    np.testing.assert_allclose(got.hs, out.detach().numpy(), **tolerance)
    want = cellviz.import_weights(model, {k: v.grad for k, v in module.named_parameters()})
    assert set(got.params) == set(want)
    for name, value in want.items():
        np.testing.assert_allclose(got.params[name], value, **tolerance, err_msg=name)
    np.testing.assert_allclose(got.xs, tx.grad.numpy(), **tolerance)
    for name, tensor in zip(state, ts, strict=True):
        np.testing.assert_allclose(got.state[name], tensor.grad.numpy().reshape(
            got.state[name].shape), **tolerance, err_msg=name)
    assert abs(got.loss - float(loss.detach())) <= 1e-12 * abs(float(loss.detach()))
