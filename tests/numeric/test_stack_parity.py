"""Stacks against PyTorch's nn.RNN/GRU/LSTM: parameter counts, outputs and final states, and
the stack's weights by PyTorch's names."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import cellviz

MODULES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM", "lstm-proj": "LSTM"}

#: (cell, input, hidden, proj, layers, bidirectional, bias): every cell, layers 1-4, both
#: kinds, with and without biases, and sizes where a layer's input is smaller, equal and larger
#: than what the layer above reads.
SWEEP = [
    (cell, i, n, (max(1, n // 2) if cell == "lstm-proj" else None), layers, bi, bias)
    for cell, (i, n), layers, bi, bias in itertools.product(
        MODULES, [(1, 2), (3, 2), (5, 3), (4, 4)], [1, 2, 3, 4], [False, True], [True, False])
    if bias or (i, n) == (5, 3)
]


def ids(case: tuple[Any, ...]) -> str:
    cell, i, n, p, layers, bi, bias = case
    return (f"{cell}-i{i}-n{n}{f'-p{p}' if p else ''}-L{layers}{'-bi' if bi else ''}"
            f"{'' if bias else '-nobias'}")


def make(torch: Any, cell: str, i: int, n: int, p: int | None, layers: int,
         bi: bool, bias: bool = True) -> tuple[cellviz.Stack, Any]:
    stack = cellviz.stack(cell, input_size=i, hidden_size=n, proj_size=p, num_layers=layers,
                          bidirectional=bi, convention="pytorch", bias=bias)
    extra = {"proj_size": p} if p else {}
    module = getattr(torch.nn, MODULES[cell])(i, n, layers, bidirectional=bi, bias=bias,
                                              dtype=torch.float64, **extra)
    return stack, module


@pytest.mark.torch
@pytest.mark.parametrize("case", SWEEP, ids=ids)
def test_parameter_totals_equal_torch(case: tuple[Any, ...]) -> None:
    torch = pytest.importorskip("torch")
    stack, module = make(torch, *case)
    table = stack.params()
    assert table.total == sum(p.numel() for p in module.parameters())
    for k in range(stack.num_layers):
        expected = sum(p.numel() for name, p in module.named_parameters()
                       if name.endswith(f"_l{k}") or name.endswith(f"_l{k}_reverse"))
        assert table.layer_total(k) == expected
    shapes = {name: tuple(p.shape) for name, p in module.state_dict().items()}
    exported = cellviz.export_weights(stack, cellviz.init_weights(stack))
    assert isinstance(exported, dict)
    assert {name: a.shape for name, a in exported.items()} == shapes


@pytest.mark.torch
@pytest.mark.parametrize("case", SWEEP, ids=ids)
def test_outputs_and_final_states_equal_torch(case: tuple[Any, ...]) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(len(ids(case)))
    stack, module = make(torch, *case)
    weights = cellviz.import_weights(stack, module.state_dict())
    rng = np.random.default_rng(1)
    i = case[1]
    for xs in (rng.standard_normal((5, 3, i)), rng.standard_normal((4, i))):
        out, final = stack.run(weights, xs)
        with torch.no_grad():
            expected, states = module(torch.from_numpy(xs))
        states = states if isinstance(states, tuple) else (states,)
        np.testing.assert_allclose(out, expected.numpy(), rtol=0, atol=1e-10)
        assert set(final) == ({"h", "c"} if len(states) == 2 else {"h"})
        np.testing.assert_allclose(final["h"], states[0].numpy(), rtol=0, atol=1e-10)
        if len(states) == 2:
            np.testing.assert_allclose(final["c"], states[1].numpy(), rtol=0, atol=1e-10)


@pytest.mark.torch
@pytest.mark.parametrize("cell", ["gru", "lstm", "lstm-proj"])
def test_given_first_state_equals_torch(cell: str) -> None:
    torch = pytest.importorskip("torch")
    p = 2 if cell == "lstm-proj" else None
    stack, module = make(torch, cell, 3, 4, p, 3, True)
    weights = cellviz.import_weights(stack, module.state_dict())
    rng = np.random.default_rng(2)
    xs = rng.standard_normal((6, 2, 3))
    h0 = rng.standard_normal((6, 2, p or 4))
    c0 = rng.standard_normal((6, 2, 4))
    state = {"h": h0, "c": c0} if cell != "gru" else {"h": h0}
    out, final = stack.run(weights, xs, state)
    with torch.no_grad():
        given = tuple(torch.from_numpy(state[s]) for s in ("h", "c") if s in state)
        expected, states = module(torch.from_numpy(xs), given if len(given) > 1 else given[0])
    np.testing.assert_allclose(out, expected.numpy(), rtol=0, atol=1e-10)
    states = states if isinstance(states, tuple) else (states,)
    np.testing.assert_allclose(final["h"], states[0].numpy(), rtol=0, atol=1e-10)


@pytest.mark.torch
def test_a_relu_rnn_stack_equals_torch() -> None:
    torch = pytest.importorskip("torch")
    from cellviz.lang.forms import derive

    graph = derive("rnn", "pytorch", {"candidate": "relu"})
    stack = cellviz.stack(graph, input_size=3, hidden_size=4, num_layers=3, bidirectional=True,
                          convention="pytorch")
    module = torch.nn.RNN(3, 4, 3, nonlinearity="relu", bidirectional=True,
                          dtype=torch.float64)
    weights = cellviz.import_weights(stack, module.state_dict())
    xs = np.random.default_rng(3).standard_normal((7, 2, 3))
    out, final = stack.run(weights, xs)
    with torch.no_grad():
        expected, h_n = module(torch.from_numpy(xs))
    np.testing.assert_allclose(out, expected.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(final["h"], h_n.numpy(), rtol=0, atol=1e-10)


def test_round_trip_through_pytorch_names() -> None:
    stack = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=2, bidirectional=True,
                          convention="pytorch")
    weights = cellviz.init_weights(stack, seed=3)
    exported = cellviz.export_weights(stack, weights)
    assert isinstance(exported, dict)
    assert list(exported)[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                  "weight_ih_l0_reverse"]
    assert exported["weight_ih_l1_reverse"].shape == (8, 4)
    back = cellviz.import_weights(stack, exported)
    assert list(back) == list(weights)
    for name, w in weights.items():
        np.testing.assert_array_equal(back[name], w)


def test_a_reverse_direction_reads_the_sequence_backwards() -> None:
    """Written out by hand: the reverse cell of a one-layer stack is the cell run on the
    reversed sequence, its outputs reversed again, beside the forward cell's."""
    stack = cellviz.stack("gru", input_size=3, hidden_size=2, bidirectional=True)
    cell = cellviz.load("gru", input_size=3, hidden_size=2)
    weights = cellviz.init_weights(stack, seed=4)
    forward = {k.removesuffix("_l0"): v for k, v in weights.items() if k.endswith("_l0")}
    reverse = {k.removesuffix("_l0_reverse"): v for k, v in weights.items()
               if k.endswith("_reverse")}
    xs = np.random.default_rng(5).standard_normal((4, 3))
    out, final = stack.run(weights, xs)
    hf, ff = cell.run(forward, xs)
    hr, fr = cell.run(reverse, xs[::-1])
    np.testing.assert_array_equal(out, np.concatenate([hf, hr[::-1]], axis=-1))
    np.testing.assert_array_equal(final["h"], np.stack([ff["h"], fr["h"]]))


def test_float32_weights_run_in_float32() -> None:
    stack = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=2)
    weights = cellviz.init_weights(stack, dtype=np.float32)
    out, final = stack.run(weights, np.ones((3, 3), np.float32))
    assert out.dtype == np.float32 and final["c"].dtype == np.float32
    assert out.shape == (3, 2) and final["c"].shape == (2, 2)


@pytest.mark.parametrize(("call", "message"), [
    (lambda s, w: s.run({k: v for k, v in w.items() if k != "W_f_l1"}, np.ones((2, 3))),
     "missing weight 'W_f_l1' (2, 2)"),
    (lambda s, w: s.run({**w, "W_f_l1": np.ones((2, 3))}, np.ones((2, 3))),
     "weight 'W_f_l1' has shape (2, 3), expected (2, 2)"),
    (lambda s, w: s.run(w, np.ones((2, 4))), "input 'x' has shape (2, 4), expected (T, 3)"),
    (lambda s, w: s.run(w, np.ones((2, 3)), {"h": np.zeros((2, 2))}),
     "state must be a dict with h, c"),
    (lambda s, w: s.run(w, np.ones((2, 3)), {"h": np.zeros((1, 2)), "c": np.zeros((2, 2))}),
     "state 'h' has shape (1, 2), expected (2, 2) (2 layers × 1 direction, 2)"),
    (lambda s, w: s.run(w, np.ones((2, 5, 3)), {"h": np.zeros((2, 2)), "c": np.zeros((2, 2))}),
     "expected (2, 5, 2) (2 layers × 1 direction, the batch, 2)"),
])
def test_bad_weights_inputs_and_states_are_named(call: Any, message: str) -> None:
    stack = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=2)
    weights = cellviz.init_weights(stack)
    with pytest.raises(cellviz.EvaluationError, match=None) as info:
        call(stack, weights)
    assert message in str(info.value)


@pytest.mark.parametrize(("tensors", "message"), [
    ({"weight_ih": np.ones((8, 3))}, "unexpected tensor 'weight_ih'"),
    ({"weight_ih_l2": np.ones((8, 3))}, "unexpected tensor 'weight_ih_l2'"),
    ({}, "missing tensor 'weight_ih_l0' (shape (8, 3)) for torch.nn.LSTMCell / nn.LSTM"),
])
def test_bad_pytorch_tensors_are_named(tensors: dict[str, Any], message: str) -> None:
    stack = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=2,
                          convention="pytorch")
    with pytest.raises(cellviz.EvaluationError) as info:
        cellviz.import_weights(stack, tensors)
    assert message in str(info.value)


def test_a_misshaped_pytorch_tensor_names_its_layer() -> None:
    stack = cellviz.stack("gru", input_size=3, hidden_size=2, num_layers=2, bidirectional=True,
                          convention="pytorch")
    tensors = cellviz.export_weights(stack, cellviz.init_weights(stack))
    assert isinstance(tensors, dict)
    tensors["weight_hh_l1_reverse"] = np.ones((6, 3))
    with pytest.raises(cellviz.EvaluationError, match=r"^layer 1, reverse: tensor 'weight_hh' "
                       r"has shape \(6, 3\), expected \(6, 2\)"):
        cellviz.import_weights(stack, tensors)
