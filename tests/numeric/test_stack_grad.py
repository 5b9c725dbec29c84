"""Stack.grad against torch.autograd through nn.RNN/GRU/LSTM with several layers and both
directions: every parameter, the input and the first states; and its trace, every node of
every layer and direction at every step, against torch.autograd of the graph walked in torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numeric.grad_reference import assert_grads_match_module, walk_steps
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


@pytest.mark.torch
@pytest.mark.parametrize(("cell", "convention", "layers", "bi", "batch"), [
    ("lstm", "pytorch", 2, True, (2,)), ("gru", "paper", 3, False, ()),
    ("lstm-peephole", "paper", 2, True, ()), ("rnn", "keras", 1, True, (3,)),
], ids=["lstm-L2-bi", "gru-L3", "peephole-L2-bi", "rnn-L1-bi"])
def test_stack_trace_equals_torch_autograd(cell: str, convention: str, layers: int, bi: bool,
                                           batch: tuple[int, ...]) -> None:
    """Every layer and direction walked in torch from the graph alone, the reverse ones on the
    reversed sequence, the layers joined as Stack.run joins them: the gradient of every node at
    every step against ``trace``, of every parameter's share against ``param_trace``."""
    torch = pytest.importorskip("torch")
    stack = cellviz.stack(cell, input_size=3, hidden_size=2, num_layers=layers,
                          bidirectional=bi, convention=convention)
    weights = cellviz.init_weights(stack, seed=5)
    rng = np.random.default_rng(layers)
    steps = 4
    xs = rng.standard_normal((steps, *batch, 3))
    upstream = rng.standard_normal((steps, *batch, stack.directions * stack.output_size))
    got = stack.grad(weights, xs, loss=upstream, trace=True)
    seq, walked = torch.tensor(xs, requires_grad=True), []
    for (k, d, member), own in zip(stack.members(), stack.split(weights), strict=True):
        if d == 0:
            outputs = []
        w = {p: torch.tensor(a, requires_grad=True) for p, a in own.items()}
        zeros = {s: torch.zeros((*batch, member.size(member.graph.node(s).size)),
                                dtype=torch.float64, requires_grad=True)
                 for s in member.graph.states}
        nodes = walk_steps(torch, member, w, {member.graph.inputs[0]: seq.flip(0) if d else seq},
                           zeros)
        hs = torch.stack([values[stack.hidden] for values in nodes])
        outputs.append(hs.flip(0) if d else hs)
        walked.append((stack.suffix(k, d), d, nodes))
        if d == stack.directions - 1:
            seq = torch.cat(outputs, dim=-1)
    (torch.tensor(upstream) * seq).sum().backward()
    checked = 0
    for suffix, d, nodes in walked:
        for t in range(steps):
            for node_id, tensor in nodes[steps - 1 - t if d else t].items():
                want = tensor.grad.numpy() if tensor.grad is not None else 0.0 * tensor.detach()
                np.testing.assert_allclose(got.trace[t][node_id + suffix], want, **TORCH,
                                           err_msg=f"{node_id}{suffix} at step {t}")
                checked += 1
    assert checked == sum(len(step) for step in got.trace)
    for name, total in got.params.items():
        np.testing.assert_allclose(sum(step[name] for step in got.param_trace), total, **TORCH)
    assert stack.grad(weights, xs).trace == ()
