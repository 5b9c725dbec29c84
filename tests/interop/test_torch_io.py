"""from_torch: every recurrent PyTorch module as a cell, checked against the module's outputs."""

from __future__ import annotations

import numpy as np
import pytest

import cellviz

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

nn = torch.nn
LAYERS = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}
CELLS = {"RNNCell": nn.RNNCell, "GRUCell": nn.GRUCell, "LSTMCell": nn.LSTMCell}
OPTIONS = [{}, {"bias": False}, {"nonlinearity": "relu"}, {"nonlinearity": "relu", "bias": False},
           {"proj_size": "p"}, {"proj_size": "p", "bias": False}]


def _cases(kinds: dict[str, type]) -> list[tuple[str, dict[str, object]]]:
    return [(kind, opts) for kind in kinds for opts in OPTIONS
            if ("nonlinearity" not in opts or kind.startswith("RNN"))
            and ("proj_size" not in opts or kind == "LSTM")]


def _id(case: tuple[str, dict[str, object]]) -> str:
    kind, opts = case
    return kind + "".join(f"-{k}={v}" for k, v in opts.items())


@pytest.mark.parametrize("case", _cases(LAYERS), ids=_id)
@pytest.mark.parametrize("seed", range(3))
def test_a_layer_runs_as_the_module_does(case: tuple[str, dict[str, object]], seed: int) -> None:
    kind, opts = case
    rng = np.random.default_rng(seed)
    i, n, steps, batch = (int(v) for v in rng.integers(1, 7, size=4))
    p = int(rng.integers(1, n + 1)) if n > 1 else 0
    if "proj_size" in opts and not p:
        n, p = 2, 1
    kwargs = {k: (p if v == "p" else v) for k, v in opts.items()}
    torch.manual_seed(seed)
    module = LAYERS[kind](i, n, dtype=torch.float64, **kwargs)
    cell, weights = cellviz.from_torch(module)
    assert cell.convention == "pytorch"
    assert cell.params().total == sum(t.numel() for t in module.parameters())
    xs = rng.standard_normal((steps, batch, i))
    hs, final = cell.run(weights, xs)
    with torch.no_grad():
        out, state = module(torch.from_numpy(xs))
    h_n = state[0] if kind == "LSTM" else state
    np.testing.assert_allclose(hs, out.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(final["h"], h_n[0].numpy(), rtol=0, atol=1e-10)
    if kind == "LSTM":
        np.testing.assert_allclose(final["c"], state[1][0].numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("case", _cases(CELLS), ids=_id)
def test_a_cell_module_steps_as_the_module_does(case: tuple[str, dict[str, object]]) -> None:
    kind, opts = case
    rng = np.random.default_rng(11)
    i, n, batch = (int(v) for v in rng.integers(1, 7, size=3))
    torch.manual_seed(3)
    module = CELLS[kind](i, n, dtype=torch.float64, **opts)
    cell, weights = cellviz.from_torch(module)
    x = rng.standard_normal((batch, i))
    state = {s: rng.standard_normal((batch, n)) for s in cell.graph.states}
    out, _ = cell.step(weights, x, state)
    hx = torch.from_numpy(state["h"])
    with torch.no_grad():
        if kind == "LSTMCell":
            h, c = module(torch.from_numpy(x), (hx, torch.from_numpy(state["c"])))
            np.testing.assert_allclose(out["c"], c.numpy(), rtol=0, atol=1e-10)
        else:
            h = module(torch.from_numpy(x), hx)
    np.testing.assert_allclose(out["h"], h.numpy(), rtol=0, atol=1e-10)


def test_forms_of_their_own() -> None:
    cell, _ = cellviz.from_torch(nn.RNN(3, 2, nonlinearity="relu", bias=False))
    assert cell.name == "rnn-relu-nobias"
    assert cell.params().total == 6 + 4
    assert [e.activation for e in cell.graph.edges if e.activation != "identity"] == ["relu"]
    cell, weights = cellviz.from_torch(nn.LSTM(3, 4, proj_size=2))
    assert cell.name == "lstm-proj" and cell.size("p") == 2
    assert weights["W_hr"].dtype == np.float32  # the module's dtype


STACKS = [(kind, layers, bidirectional, opts) for kind in LAYERS
          for layers, bidirectional, opts in ((2, False, {}), (1, True, {"bias": False}),
                                              (3, True, {}), (2, True, {"proj_size": 1}))
          if "proj_size" not in opts or kind == "LSTM"]


@pytest.mark.parametrize(("kind", "layers", "bidirectional", "opts"), STACKS,
                         ids=[f"{k}-{n}-{'bi' if b else 'uni'}-{len(o)}" for k, n, b, o in STACKS])
def test_stacks_run_as_the_module_does(kind: str, layers: int, bidirectional: bool,
                                       opts: dict[str, object]) -> None:
    torch.manual_seed(layers)
    module = LAYERS[kind](3, 2, num_layers=layers, bidirectional=bidirectional,
                          dtype=torch.float64, **opts)
    stack, weights = cellviz.from_torch(module)
    assert isinstance(stack, cellviz.Stack)
    assert stack.num_layers == layers and stack.bidirectional == bidirectional
    xs = np.random.default_rng(layers).standard_normal((5, 4, 3))
    out, final = stack.run(weights, xs)
    with torch.no_grad():
        expected, state = module(torch.from_numpy(xs))
    np.testing.assert_allclose(out, expected.numpy(), rtol=0, atol=1e-10)
    h_n = state[0] if kind == "LSTM" else state
    np.testing.assert_allclose(final["h"], h_n.numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize(("module", "message"), [
    (nn.Linear(3, 2), "not a recurrent PyTorch module: Linear"),
    (nn.GRU(3, 2, dtype=torch.float16), "tensor 'weight_ih_l0' is torch.float16"),
], ids=["linear", "half"])
def test_refusals_are_one_line(module: object, message: str) -> None:
    with pytest.raises(cellviz.CellvizError, match=message) as info:
        cellviz.from_torch(module)
    assert "\n" not in str(info.value)
