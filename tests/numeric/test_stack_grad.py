"""Stack.grad against torch.autograd through nn.RNN/GRU/LSTM with several layers and both
directions: every parameter, the input and the first states."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numeric.grad_reference import assert_grads_match_module
from numeric.test_stack_parity import make

import cellviz

TORCH = {"rtol": 1e-10, "atol": 1e-10}


@pytest.mark.torch
@pytest.mark.parametrize(("cell", "i", "n", "p", "layers", "bi", "batch"), [
    ("rnn", 3, 2, None, 2, True, (4,)), ("gru", 2, 3, None, 3, False, (2,)),
    ("lstm", 3, 4, None, 2, True, ()), ("lstm-proj", 4, 3, 2, 2, True, (3,)),
    ("gru", 4, 2, None, 1, True, (1,)),
], ids=["rnn-L2-bi", "gru-L3", "lstm-L2-bi-unbatched", "lstm-proj-L2-bi", "gru-L1-bi"])
def test_stack_gradients_equal_torch(cell: str, i: int, n: int, p: int | None, layers: int,
                                     bi: bool, batch: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(layers)
    stack, module = make(torch, cell, i, n, p, layers, bi)
    weights = cellviz.import_weights(stack, module.state_dict())
    rng = np.random.default_rng(layers)
    members = layers * (2 if bi else 1)
    xs = rng.standard_normal((5, *batch, i))
    h0 = rng.standard_normal((members, *batch, p or n))
    c0 = rng.standard_normal((members, *batch, n))
    upstream = rng.standard_normal((5, *batch, (2 if bi else 1) * (p or n)))
    state: dict[str, Any] = {"h": h0, "c": c0} if cell.startswith("lstm") else {"h": h0}
    assert_grads_match_module(torch, stack, module, weights, xs, state, tuple(state.values()),
                              upstream, TORCH)


def test_stack_loss_forms_and_errors() -> None:
    stack = cellviz.stack("gru", input_size=3, hidden_size=2, num_layers=2, bidirectional=True)
    weights = cellviz.init_weights(stack, seed=1)
    xs = np.random.default_rng(0).standard_normal((4, 3))
    summed = stack.grad(weights, xs)
    called = stack.grad(weights, {"x": xs}, loss=lambda hs: (hs.sum(), np.ones_like(hs)))
    hs, _ = stack.run(weights, xs)
    assert summed.loss == pytest.approx(hs.sum()) == pytest.approx(called.loss)
    np.testing.assert_array_equal(summed.xs, called.xs)
    assert summed.state["h"].shape == (4, 2)
    for loss, message in (("mean", "unknown loss 'mean'"), ({"h": hs}, "not a dict by output"),
                          (np.ones((4, 2)), r"has shape \(4, 2\), expected \(4, 4\)"),
                          (lambda hs: 1 / 0, "raised ZeroDivisionError")):
        with pytest.raises(cellviz.CellvizError, match=message):
            stack.grad(weights, xs, loss=loss)
