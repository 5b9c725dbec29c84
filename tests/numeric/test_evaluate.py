"""The evaluator: every cell runs, step and run agree, batches, dtypes, hand-written references."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import every_cell, load

import cellviz
from cellviz.graph import ACTIVATIONS
from cellviz.numeric.ops import ACTIVATION_FUNCTIONS

RNG = np.random.default_rng(1234)


def sigmoid(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # exp(800) is inf, and 1/inf the right 0
        return 1.0 / (1.0 + np.exp(-x))


def test_every_graph_activation_has_a_function() -> None:
    assert set(ACTIVATION_FUNCTIONS) == set(ACTIVATIONS)


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("identity", lambda x: x),
        ("sigmoid", sigmoid),
        ("tanh", np.tanh),
        ("relu", lambda x: np.where(x > 0, x, 0.0)),
        ("hard_sigmoid", lambda x: np.clip(x / 6 + 0.5, 0, 1)),
        ("softsign", lambda x: x / (1 + np.abs(x))),
    ],
)
def test_activation_values(name: str, reference: object) -> None:
    x = np.array([-800.0, -4.0, -3.0, -0.5, 0.0, 0.25, 3.0, 7.0, 800.0])
    fn = ACTIVATION_FUNCTIONS[name]
    got = x if fn is None else fn(x)
    assert callable(reference)
    np.testing.assert_allclose(got, reference(x), rtol=1e-12, atol=1e-15)


@every_cell
def test_step_by_step_equals_run(name: str, convention: str) -> None:
    cell = load(name, convention)
    weights = cellviz.init_weights(cell, seed=3)
    xs = RNG.standard_normal((6, 5, 3))
    hs, final = cell.run(weights, xs)
    state = None
    for t in range(6):
        outputs, _ = cell.step(weights, xs[t], state)
        state = {s: outputs[s] for s in cell.graph.states}
        np.testing.assert_allclose(hs[t], outputs[cell.plan.hidden], rtol=1e-13, atol=1e-15)
    assert state is not None
    for s in cell.graph.states:
        np.testing.assert_allclose(final[s], state[s], rtol=1e-13, atol=1e-15)


@every_cell
def test_batch_rows_equal_single_vectors(name: str, convention: str) -> None:
    cell = load(name, convention)
    weights = cellviz.init_weights(cell, seed=4)
    x = RNG.standard_normal((4, 3))
    state = {s: RNG.standard_normal((4, cell.size(cell.graph.node(f"{s}_prev").size)))
             for s in cell.graph.states}
    _, trace = cell.step(weights, x, state)
    for b in range(4):
        _, one_trace = cell.step(weights, x[b], {s: v[b] for s, v in state.items()})
        for node_id, value in one_trace.items():
            np.testing.assert_allclose(trace[node_id][b], value, rtol=1e-13, atol=1e-15)
    xs = RNG.standard_normal((3, 4, 3))
    hs, _ = cell.run(weights, xs)
    for b in range(4):
        np.testing.assert_allclose(hs[:, b], cell.run(weights, xs[:, b])[0], rtol=1e-13,
                                   atol=1e-15)


@every_cell
def test_trace_holds_every_node_with_its_shape(name: str, convention: str) -> None:
    cell = load(name, convention)
    outputs, trace = cell.step(cellviz.init_weights(cell), np.ones(3))
    assert list(trace) == [node.id for node in cell.graph.nodes]
    for node in cell.graph.nodes:
        assert trace[node.id].shape == (cell.size(node.size),), node.id
    assert list(outputs) == list(cell.graph.outputs)


@every_cell
def test_float32_stays_float32(name: str, convention: str) -> None:
    cell = load(name, convention)
    weights = cellviz.init_weights(cell, seed=1, dtype=np.float32)
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    _, trace = cell.step(weights, x)
    assert {v.dtype for v in trace.values()} == {np.dtype(np.float32)}
    hs, final = cell.run(weights, x[None])
    assert hs.dtype == np.float32
    assert {v.dtype for v in final.values()} == {np.dtype(np.float32)}
    w64 = cellviz.init_weights(cell, seed=1)
    np.testing.assert_allclose(hs[0], cell.run(w64, x[None].astype(np.float64))[0][0],
                               rtol=1e-4, atol=1e-5)


def test_zero_state_by_default_and_lists_accepted() -> None:
    cell = load("gru")
    weights = cellviz.init_weights(cell)
    a, _ = cell.step(weights, [1, 2, 3])
    b, _ = cell.step(weights, np.array([1.0, 2.0, 3.0]), {"h": np.zeros(2)})
    np.testing.assert_array_equal(a["h"], b["h"])


def test_run_of_no_steps_returns_the_initial_state() -> None:
    cell = load("lstm")
    hs, final = cell.run(cellviz.init_weights(cell), np.zeros((0, 2, 3)))
    assert hs.shape == (0, 2, 2)
    assert final["c"].shape == (2, 2) and not final["c"].any()


def test_prepared_weights_give_the_same_result() -> None:
    cell = load("lstm-peephole")
    weights = cellviz.init_weights(cell, seed=2)
    prepared = cell.prepare(weights)
    x = RNG.standard_normal((3, 3))
    np.testing.assert_array_equal(cell.step(prepared, x)[0]["h"], cell.step(weights, x)[0]["h"])
    np.testing.assert_array_equal(cell.run(prepared, x[:, None])[0],
                                  cell.run(weights, x[:, None])[0])
    with pytest.raises(cellviz.EvaluationError, match="prepared for <Cell lstm "):
        load("lstm").step(load("lstm", "keras").prepare(cellviz.init_weights(load("lstm"))),
                          np.ones(3))


def test_plan_stacks_terms_that_read_the_same_vector() -> None:
    plan = load("lstm", "pytorch").plan
    assert [(g.source, g.params) for g in plan.groups] == [
        ("x", ("W_ii", "W_if", "W_ig", "W_io")),
        ("h_prev", ("W_hi", "W_hf", "W_hg", "W_ho")),
    ]
    assert plan.groups[0].from_input and plan.groups[0].carried  # biases added with x's product
    # The two group products, the sum of the four gates, and one sigmoid for i and f, which
    # are neighbours in PyTorch's order (o is not: g stands between).
    assert plan.products == 4
    gru = load("gru").plan  # U_n reads r ⊙ h[t-1]: a group of its own
    assert [g.source for g in gru.groups] == ["x", "h_prev", "n.mul"]


# Equations written out by hand: the independent reference for conventions without torch.

def hand_gru_paper(w: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray) -> np.ndarray:
    z = sigmoid(w["W_z"] @ x + w["U_z"] @ h + w["b_z"])
    r = sigmoid(w["W_r"] @ x + w["U_r"] @ h + w["b_r"])
    n = np.tanh(w["W_n"] @ x + w["U_n"] @ (r * h) + w["b_n"])
    return (1 - z) * n + z * h


def hand_gru_keras(w: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray) -> np.ndarray:
    # keras.layers.GRU(reset_after=True): kernel, recurrent_kernel, bias (2, 3n); z, r, h.
    n = h.shape[0]
    kernel, recurrent, bias = cellviz.export_weights(load("gru", "keras", n=n), w, "keras")
    xp = x @ kernel + bias[0]
    hp = h @ recurrent + bias[1]
    z = sigmoid(xp[:n] + hp[:n])
    r = sigmoid(xp[n:2 * n] + hp[n:2 * n])
    hh = np.tanh(xp[2 * n:] + r * hp[2 * n:])
    return z * h + (1 - z) * hh


def hand_lstm_keras(w: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, c: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    # keras.layers.LSTM: kernel (i, 4n), recurrent_kernel (n, 4n), bias (4n,); i, f, c, o.
    n = h.shape[0]
    kernel, recurrent, bias = cellviz.export_weights(load("lstm", "keras", n=n), w, "keras")
    z = x @ kernel + h @ recurrent + bias
    i, f, g, o = sigmoid(z[:n]), sigmoid(z[n:2 * n]), np.tanh(z[2 * n:3 * n]), sigmoid(z[3 * n:])
    c = f * c + i * g
    return o * np.tanh(c), c


def hand_peephole(w: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, c: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    f = sigmoid(w["W_f"] @ x + w["U_f"] @ h + w["p_f"] * c + w["b_f"])
    i = sigmoid(w["W_i"] @ x + w["U_i"] @ h + w["p_i"] * c + w["b_i"])
    g = np.tanh(w["W_g"] @ x + w["U_g"] @ h + w["b_g"])
    c = f * c + i * g
    o = sigmoid(w["W_o"] @ x + w["U_o"] @ h + w["p_o"] * c + w["b_o"])
    return o * np.tanh(c), c


@pytest.mark.parametrize(("name", "convention", "hand"), [
    ("gru", "paper", hand_gru_paper),
    ("gru", "keras", hand_gru_keras),
], ids=["gru-paper", "gru-keras"])
def test_gru_against_hand_written_equations(name: str, convention: str, hand: object) -> None:
    cell = load(name, convention, n=3)
    weights = cellviz.init_weights(cell, seed=9)
    assert callable(hand)
    h = RNG.standard_normal(3)
    for _ in range(3):
        x = RNG.standard_normal(3)
        expected = hand(weights, x, h)
        h = cell.step(weights, x, {"h": h})[0]["h"]
        np.testing.assert_allclose(h, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("name", "convention", "hand"), [
    ("lstm", "keras", hand_lstm_keras),
    ("lstm-peephole", "paper", hand_peephole),
], ids=["lstm-keras", "lstm-peephole"])
def test_lstm_against_hand_written_equations(name: str, convention: str, hand: object) -> None:
    cell = load(name, convention, n=3)
    weights = cellviz.init_weights(cell, seed=9)
    assert callable(hand)
    xs = RNG.standard_normal((4, 3))
    h, c = np.zeros(3), np.zeros(3)
    for x in xs:
        h, c = hand(weights, x, h, c)
    hs, final = cell.run(weights, xs)
    np.testing.assert_allclose(hs[-1], h, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(final["c"], c, rtol=1e-12, atol=1e-14)


CUSTOM = """\
cell odd
input x: i
input u: i
state h: n
output y: n
a[t] = hard_sigmoid(W_a @ x[t] + V_a @ relu(u[t]) + p_a * h[t-1] + b_a)
y[t] = softsign(W_y @ u[t]) - a[t]
h[t] = -(a[t] * h[t-1]) + y[t]
"""


def test_a_cell_file_of_ones_own_runs(tmp_path: Path) -> None:
    path = tmp_path / "odd.cell"
    path.write_text(CUSTOM, encoding="utf-8")
    cell = cellviz.load(path, input_size=3, hidden_size=2)
    w = cellviz.init_weights(cell, seed=5)
    x, u, h = RNG.standard_normal(3), RNG.standard_normal(3), RNG.standard_normal(2)
    outputs, trace = cell.step(w, {"x": x, "u": u}, {"h": h})
    a = np.clip((w["W_a"] @ x + w["V_a"] @ np.maximum(u, 0) + w["p_a"] * h + w["b_a"]) / 6
                + 0.5, 0, 1)
    s = w["W_y"] @ u
    y = s / (1 + np.abs(s)) - a
    np.testing.assert_allclose(trace["a"], a, rtol=1e-12)
    np.testing.assert_allclose(outputs["y"], y, rtol=1e-12)
    np.testing.assert_allclose(outputs["h"], -(a * h) + y, rtol=1e-12)
    hs, _ = cell.run(w, {"x": x[None], "u": u[None]}, {"h": h})
    np.testing.assert_allclose(hs[0], outputs["h"], rtol=1e-13)


def test_a_cell_without_matrices_runs(tmp_path: Path) -> None:
    path = tmp_path / "diag.cell"
    path.write_text("input x: n\nstate h: n\nh[t] = tanh(p * x[t] + q * h[t-1] + b)\n",
                    encoding="utf-8")
    cell = cellviz.load(path, input_size=2, hidden_size=2)
    w = cellviz.init_weights(cell)
    x, h = RNG.standard_normal(2), RNG.standard_normal(2)
    outputs, _ = cell.step(w, x, {"h": h})
    np.testing.assert_allclose(outputs["h"], np.tanh(w["p"] * x + w["q"] * h + w["b"]),
                               rtol=1e-14)
    assert cell.run(w, x[None], {"h": h})[0][0].tolist() == outputs["h"].tolist()


def test_a_cell_pickles_after_it_ran() -> None:
    import pickle

    cell = load("gru")
    weights = cellviz.init_weights(cell)
    before = cell.step(weights, np.ones(3))[0]["h"]
    copy = pickle.loads(pickle.dumps(cell))
    assert copy == cell
    np.testing.assert_array_equal(copy.step(weights, np.ones(3))[0]["h"], before)
