"""Cell.grad against torch.autograd (nn modules, and a torch walk of the graph) and against
central finite differences, for built-in, hand-written and fuzzed cells."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import ALL_CELLS, every_cell, load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lang.test_fuzz import ODD_CELL, mutated
from numeric.grad_reference import assert_grads_match_module, finite_differences, torch_walk

import cellviz
from cellviz import CellvizError
from cellviz.cell import Cell
from cellviz.lang.build import build
from cellviz.lang.syntax import parse

TORCH = {"rtol": 1e-10, "atol": 1e-10}
Arrays = dict[str, Any]


def _random(cell: Cell, rng: np.random.Generator, steps: int, batch: tuple[int, ...],
            everything: bool = True) -> tuple[Arrays, Arrays, Arrays, Arrays]:
    """Weights (PyTorch's initialisation), inputs, initial state and an upstream gradient for
    every output (or only h) at every step."""
    graph = cell.graph
    weights = cellviz.init_weights(cell, seed=int(rng.integers(2**31)))
    for name in weights:  # larger than the initialisation, so that no gradient is tiny
        weights[name] = weights[name] * 2.0
    xs = {n: rng.standard_normal((steps, *batch, cell.size(graph.node(n).size)))
          for n in graph.inputs}
    state = {s: rng.standard_normal((*batch, cell.size(graph.node(graph.prev_id(s)).size)))
             for s in graph.states}
    outputs = graph.outputs if everything else (cell.plan.hidden,)
    upstream = {o: rng.standard_normal((steps, *batch, cell.size(graph.node(o).size)))
                for o in outputs}
    return weights, xs, state, upstream


def _xs(cell: Cell, xs: Arrays) -> Any:
    return next(iter(xs.values())) if len(cell.graph.inputs) == 1 else xs


# -- torch.nn modules: the PyTorch convention's cells --------------------------------------

MODULES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM", "lstm-proj": "LSTM"}


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", list(MODULES))
def test_matches_torch_modules(name: str, seed: int) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng([seed, len(name)])
    i, n = (int(v) for v in rng.integers(1, 6, 2))
    n += 1
    p = int(rng.integers(1, n)) if name == "lstm-proj" else None
    steps = int(rng.integers(1, 7))
    batch = () if seed == 0 else (int(rng.integers(1, 5)),)
    torch.manual_seed(seed)
    module = getattr(torch.nn, MODULES[name])(i, n, dtype=torch.float64,
                                              **({"proj_size": p} if p else {}))
    cell = cellviz.load(name, input_size=i, hidden_size=n, proj_size=p, convention="pytorch")
    weights = cellviz.import_weights(cell, module.state_dict())
    h = p or n
    xs = rng.standard_normal((steps, *batch, i))
    h0, c0 = rng.standard_normal((*batch, h)), rng.standard_normal((*batch, n))
    upstream = rng.standard_normal((steps, *batch, h))
    state = {"h": h0, "c": c0} if name.startswith("lstm") else {"h": h0}
    assert_grads_match_module(torch, cell, module, weights, xs, state,
                              tuple(v[None] for v in state.values()), upstream, TORCH)


# -- torch.autograd of the graph walked in torch: every cell, every node ---------------------


def _check_torch_walk(cell: Cell, seed: int, batch: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    weights, xs, state, upstream = _random(cell, rng, int(rng.integers(1, 5)), batch)
    loss, w, x, s0, nodes = torch_walk(torch, cell, weights, xs, state, upstream)
    got = cell.grad(weights, _xs(cell, xs), state, loss=upstream, trace=True)
    assert got.loss == pytest.approx(float(loss.detach()), rel=1e-10, abs=1e-12)
    for name, tensor in w.items():
        np.testing.assert_allclose(got.params[name], tensor.grad.numpy(), **TORCH, err_msg=name)
    for name, tensor in x.items():
        np.testing.assert_allclose(got.inputs[name], tensor.grad.numpy(), **TORCH, err_msg=name)
    for name, tensor in s0.items():
        np.testing.assert_allclose(got.state[name], tensor.grad.numpy(), **TORCH, err_msg=name)
    for t, values in enumerate(nodes):
        for node_id, tensor in values.items():
            want = tensor.grad.numpy() if tensor.grad is not None else 0.0 * tensor.detach()
            np.testing.assert_allclose(got.trace[t][node_id], want, **TORCH,
                                       err_msg=f"{node_id} at step {t}")
    for name, total in got.params.items():
        np.testing.assert_allclose(sum(step[name] for step in got.param_trace), total, **TORCH)


@pytest.mark.torch
@every_cell
@pytest.mark.parametrize("batch", [(), (3,)], ids=["single", "batch"])
def test_every_node_matches_torch_autograd(name: str, convention: str,
                                           batch: tuple[int, ...]) -> None:
    rng = np.random.default_rng([len(name), len(convention)])
    i, n = (int(v) for v in rng.integers(1, 6, 2))
    cell = cellviz.load(name, input_size=i, hidden_size=n + 1,
                        proj_size=n if name == "lstm-proj" else None, convention=convention)
    _check_torch_walk(cell, len(batch), batch)


@pytest.mark.torch
def test_odd_cell_matches_torch_autograd() -> None:
    graph = build(parse(ODD_CELL, "odd.cell"), "odd")
    _check_torch_walk(Cell(graph, tuple((s, 2 + k) for k, s in enumerate(graph.sizes))), 3, (2,))


# -- central finite differences: built-in, hand-written and fuzzed cells ----------------------


def _check_finite_differences(cell: Cell, seed: int) -> None:
    rng = np.random.default_rng(seed)
    weights, xs, state, upstream = _random(cell, rng, 3, (2,))
    got = cell.grad(weights, _xs(cell, xs), state, loss=upstream)
    dw, dx, ds = finite_differences(cell, weights, xs, state, upstream)
    arrays = [(got.params, dw), (got.inputs, dx), (got.state, ds)]
    scale = max([1e-3, *(float(np.abs(v).max()) for g, _ in arrays for v in g.values()
                         if v.size)])
    for mine, want in arrays:
        assert set(mine) == set(want)
        for key, value in want.items():
            np.testing.assert_allclose(mine[key], value, rtol=1e-6, atol=1e-6 * scale,
                                       err_msg=key)


@every_cell
def test_builtin_cells_match_finite_differences(name: str, convention: str) -> None:
    _check_finite_differences(load(name, convention), ALL_CELLS.index((name, convention)))


# Every activation on every kind of edge: into a dense node's matrix (tanh(h) @ U), into an
# element-wise weight, into a pointwise node, an input read through an activation, an input
# read pointwise, a weight tied between two nodes, and both kinds of unary operation.
EDGES_CELL = """\
input x: i
state h: n
state c: n
a[t] = softsign(W @ x[t] + U @ tanh(h[t-1]) + p * relu(c[t-1]) + b)
s[t] = hard_sigmoid(V @ softsign(x[t]) + W @ x[t] + U @ (a[t] * h[t-1]) + q * sigmoid(a[t]))
c[t] = relu(s[t]) * tanh(c[t-1]) - (1 - sigmoid(a[t])) * hard_sigmoid(-a[t])
h[t] = -(s[t] * softsign(c[t])) + R @ x[t] * sigmoid(h[t-1])
"""


@pytest.mark.parametrize("text", [ODD_CELL, EDGES_CELL], ids=["odd", "edges"])
@pytest.mark.parametrize("seed", range(3))
def test_hand_written_cells_match_finite_differences(text: str, seed: int) -> None:
    graph = build(parse(text, "hand.cell"), "hand")
    _check_finite_differences(Cell(graph, tuple((s, 3 + k) for k, s in
                                                enumerate(graph.sizes))), seed)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.integers(0, 2**16))
def test_fuzzed_cells_match_finite_differences(text: str, seed: int) -> None:
    try:
        graph = build(parse(text, "fuzz.cell"), "fuzz")
    except CellvizError:
        return
    cell = Cell(graph, tuple((s, 2 + k) for k, s in enumerate(graph.sizes)))
    if cell.params().total > 80:
        return
    _check_finite_differences(cell, seed)


# -- losses, shapes and the trace ------------------------------------------------------------


def test_loss_forms_agree() -> None:
    cell = load("lstm", i=3, n=4)
    weights, xs = cellviz.example_inputs(cell, seed=1, steps=5)
    summed = cell.grad(weights, xs["x"])
    ones = cell.grad(weights, xs["x"], loss=np.ones((5, 4)))
    by_name = cell.grad(weights, xs["x"], loss={"h": np.ones((5, 4))})
    called = cell.grad(weights, xs["x"], loss=lambda hs: (hs.sum(), np.ones_like(hs)))
    hs, _ = cell.run(weights, xs["x"])
    for other in (ones, by_name, called):
        assert other.loss == pytest.approx(summed.loss) == pytest.approx(hs.sum())
        for name, value in summed.params.items():
            np.testing.assert_array_equal(other.params[name], value)


def test_batch_rows_are_independent_runs() -> None:
    cell = load("gru", i=2, n=3)
    weights = cellviz.init_weights(cell, seed=4)
    xs = np.random.default_rng(4).standard_normal((4, 3, 2))
    batched = cell.grad(weights, xs, trace=True)
    for b in range(3):
        alone = cell.grad(weights, xs[:, b], trace=True)
        np.testing.assert_allclose(batched.xs[:, b], alone.xs, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(batched.trace[2]["z"][b], alone.trace[2]["z"], rtol=1e-12)
    for name, value in batched.params.items():
        total = sum(cell.grad(weights, xs[:, b]).params[name] for b in range(3))
        np.testing.assert_allclose(value, total, rtol=1e-12, atol=1e-15)


def test_float32_stays_float32() -> None:
    cell = load("lstm")
    weights, xs = cellviz.example_inputs(cell, seed=0, steps=3, dtype=np.float32)
    got = cell.grad(weights, xs["x"])
    assert got.xs.dtype == np.float32
    assert all(v.dtype == np.float32 for v in [*got.params.values(), *got.state.values()])


def test_trace_ties_the_steps_together() -> None:
    cell = load("lstm", i=3, n=2)
    weights, xs = cellviz.example_inputs(cell, seed=2, steps=4)
    got = cell.grad(weights, xs["x"], trace=True)
    assert len(got.trace) == len(got.param_trace) == 4
    np.testing.assert_array_equal(got.trace[0]["h_prev"], got.state["h"])
    np.testing.assert_array_equal(got.trace[0]["c_prev"], got.state["c"])
    for t in range(4):
        np.testing.assert_array_equal(got.trace[t]["x"], got.xs[t])
    # The state gradient entering step t+1 at h[t-1] reaches h[t] of step t, plus dL/dh[t] = 1.
    np.testing.assert_allclose(got.trace[1]["h_prev"] + 1.0, got.trace[0]["h"], rtol=1e-14)


def test_zero_steps() -> None:
    cell = load("gru")
    got = cell.grad(cellviz.init_weights(cell), np.zeros((0, 3)))
    assert got.loss == 0.0 and got.xs.shape == (0, 3)
    assert all(not v.any() for v in [*got.params.values(), *got.state.values()])


def _bad(cell: Cell, weights: Arrays, xs: Any, loss: Any, match: str) -> None:
    with pytest.raises(CellvizError, match=match) as info:
        cell.grad(weights, xs, loss=loss)
    assert "\n" not in str(info.value)


def _raises(hs: Any) -> Any:
    raise ValueError("no\nsecond line")


def test_bad_losses_are_one_line_errors() -> None:
    cell = load("rnn")
    weights, xs = cellviz.example_inputs(cell, seed=0, steps=3)
    x = xs["x"]
    _bad(cell, weights, x, "mean", r"unknown loss 'mean'")
    _bad(cell, weights, x, _raises, r"loss function _raises raised ValueError: no$")
    _bad(cell, weights, x, lambda hs: np.ones_like(hs), r"must return \(loss, dL/dh\)")
    _bad(cell, weights, x, lambda hs: (1.0, np.ones(2)), r"has shape \(2,\), expected \(3, 2\)")
    _bad(cell, weights, x, lambda hs: ("a", hs), r"a loss of str, not a number")
    _bad(cell, weights, x, lambda hs: (np.nan, hs), r"a loss of nan")
    _bad(cell, weights, x, lambda hs: (0.0, hs * np.nan), r"holds nan")
    _bad(cell, weights, x, np.ones((3, 3)), r"has shape \(3, 3\), expected \(3, 2\)")
    _bad(cell, weights, x, {"y": np.ones((3, 2))}, r"'y', which is not an output")
    nan = {**weights, "W_h": weights["W_h"] * np.nan}
    _bad(cell, nan, x, "sum", r"weight 'W_h' holds nan")
    tens = {"W_h": np.full((2, 3), 10.0), "U_h": np.zeros((2, 2)), "b_h": np.zeros(2)}
    _bad(cell, tens, np.full((3, 3), 0.01), np.full((3, 2), 1.7e308),
         r"overflowed: the loss is inf")
    _bad(cell, tens, np.full((3, 3), 0.01), lambda hs: (0.0, np.full_like(hs, 1.7e308)),
         r"overflowed: the gradient of weight 'b_h' is not finite")


def test_loss_function_cannot_change_the_outputs() -> None:
    cell = load("rnn")
    weights, xs = cellviz.example_inputs(cell, seed=0, steps=2)

    def scribble(hs: Any) -> Any:
        hs[0] = 5.0
        return 0.0, hs

    _bad(cell, weights, xs["x"], scribble, "raised ValueError")
