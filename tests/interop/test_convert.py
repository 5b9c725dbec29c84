"""convert_weights: PyTorch's weights run in Keras, onnxruntime and flax's form and give
PyTorch's numbers; round trips through every pair of frameworks give the weights back."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import cellviz
from cellviz.interop.convert import convert_weights
from cellviz.interop.keras_io import keras_layer
from cellviz.interop.onnx_io import onnx_model
from cellviz.lang.forms import derive
from cellviz.numeric.layouts import resolve

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
nn = torch.nn

MODULES = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("RNN", {"bias": False}),
           ("GRU", {}), ("GRU", {"bias": False}), ("LSTM", {}), ("LSTM", {"bias": False})]


def _id(case: tuple[str, dict[str, object]]) -> str:
    return case[0] + "".join(f"-{k}={v}" for k, v in case[1].items())


def _module(case: tuple[str, dict[str, object]], dtype: Any) -> tuple[Any, cellviz.Cell,
                                                                      dict[str, Any]]:
    torch.manual_seed(len(_id(case)))
    module = getattr(nn, case[0])(3, 4, dtype=dtype, **case[1])
    cell, weights = cellviz.from_torch(module)
    assert isinstance(cell, cellviz.Cell)
    return module, cell, weights


@pytest.mark.parametrize("case", MODULES, ids=_id)
def test_pytorch_weights_run_in_onnxruntime_and_keras(case: tuple[str, dict[str, object]],
                                                      keras: Any) -> None:
    ort = pytest.importorskip("onnxruntime")
    module, cell, weights = _module(case, torch.float32)
    xs = np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32)
    with torch.no_grad():
        expected = module(torch.from_numpy(xs))[0].numpy()
    target, converted = convert_weights(cell, weights, "onnx")
    session = ort.InferenceSession(onnx_model(target, converted).SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"X": xs})[0][:, 0], expected, rtol=0,
                               atol=1e-6)
    target, converted = convert_weights(cell, weights, "keras")
    _, form = resolve(target, "keras")
    tensors = cellviz.export_weights(target, converted, "keras")
    assert isinstance(tensors, list)
    layer = keras_layer(target, form, tensors, return_sequences=True)
    got = keras.ops.convert_to_numpy(layer(xs.transpose(1, 0, 2))).transpose(1, 0, 2)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("case", MODULES, ids=_id)
@pytest.mark.parametrize("via", ["keras", "onnx", "flax", "cellviz"])
def test_round_trips_compute_as_pytorch(case: tuple[str, dict[str, object]], via: str) -> None:
    module, cell, weights = _module(case, torch.float64)
    target, there = convert_weights(cell, weights, via)
    back, again = convert_weights(target, there, "pytorch")
    assert back.graph.name == cell.graph.name or not case[1].get("bias", True)
    xs = np.random.default_rng(1).standard_normal((6, 2, 3))
    with torch.no_grad():
        expected = module(torch.from_numpy(xs))[0].numpy()
    for c, w in ((target, there), (back, again)):
        np.testing.assert_allclose(c.run(w, xs)[0], expected, rtol=0, atol=1e-10)
    # Where the target keeps PyTorch's two biases apart, the weights come back unchanged.
    if via in ("onnx", "cellviz") or (case[0] == "GRU" and via == "keras"):
        assert all(np.array_equal(again[k], weights[k]) for k in weights)


@pytest.mark.parametrize(("cell", "to", "message"), [
    (("gru", "paper", {}), "pytorch", "applies the reset gate after the recurrent product"),
    (("gru", "paper", {}), "flax", "applies it before"),
    (("lstm-peephole", "paper", {}), "keras", "Keras has no lstm-peephole cell"),
    (("lstm", "keras", {"candidate": "relu", "output": "relu"}), "pytorch",
     "torch.nn.LSTMCell / nn.LSTM computes only tanh there"),
    (("lstm", "pytorch", {"candidate": "relu"}), "keras", "gives them one activation"),
    (("mgu", "paper", {}), "onnx", "ONNX has no mgu cell"),
], ids=["gru-before-pytorch", "gru-before-flax", "peephole-keras", "relu-lstm-pytorch",
        "untied-keras", "mgu-onnx"])
def test_inexact_conversions_are_refused(cell: tuple[str, str, dict[str, str]], to: str,
                                         message: str) -> None:
    name, convention, acts = cell
    c = cellviz.Cell(derive(name, convention, acts), (("i", 3), ("n", 2)), convention)
    with pytest.raises(cellviz.EvaluationError, match=message):
        convert_weights(c, cellviz.init_weights(c), to)


def test_a_paper_gru_goes_to_keras_and_onnx_in_its_own_form() -> None:
    gru = cellviz.load("gru", input_size=3, hidden_size=2)
    weights = cellviz.init_weights(gru)
    for to, counterpart in (("keras", "keras.layers.GRU(reset_after=False)"),
                            ("onnx", "the ONNX GRU (linear_before_reset=0) operator")):
        target, converted = convert_weights(gru, weights, to)
        assert resolve(target, to)[0].counterpart == counterpart
        assert all(np.array_equal(converted[k], weights[k]) for k in weights)
