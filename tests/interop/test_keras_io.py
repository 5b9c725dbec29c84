"""from_keras: SimpleRNN, GRU and LSTM layers as cells, checked against Keras 3 itself.

Keras 3.15 on its torch backend computes in float32 even in a float64 layer (keras.ops.matmul
of a float64 tensor and a float64 variable returns float32), so the comparisons are in float32
to 1e-6."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import cellviz
from cellviz.interop.keras_io import keras_layer
from cellviz.numeric.layouts import resolve
from cellviz.numeric.weightfile import load_weights_file

pytestmark = pytest.mark.torch

KINDS = [("SimpleRNN", {}), ("SimpleRNN", {"activation": "relu", "use_bias": False}),
         ("SimpleRNN", {"activation": "linear"}),
         ("GRU", {}), ("GRU", {"reset_after": False}),
         ("GRU", {"reset_after": False, "use_bias": False, "activation": "softsign"}),
         ("GRU", {"recurrent_activation": "hard_sigmoid", "activation": "relu"}),
         ("LSTM", {}), ("LSTM", {"use_bias": False}),
         ("LSTM", {"activation": "softsign", "recurrent_activation": "hard_sigmoid"})]


def _id(case: tuple[str, dict[str, object]]) -> str:
    return case[0] + "".join(f"-{k}={v}" for k, v in case[1].items())


def _outputs(keras: Any, layer: Any, xs: np.ndarray[Any, Any]) -> list[np.ndarray[Any, Any]]:
    return [keras.ops.convert_to_numpy(y) for y in layer(xs)]


@pytest.mark.parametrize("case", KINDS, ids=_id)
@pytest.mark.parametrize("seed", range(2))
def test_a_layer_runs_as_keras_computes_it(keras: Any, case: tuple[str, dict[str, object]],
                                           seed: int) -> None:
    kind, opts = case
    rng = np.random.default_rng(seed)
    i, n, steps, batch = (int(v) for v in rng.integers(1, 6, size=4))
    layer = getattr(keras.layers, kind)(n, return_sequences=True, return_state=True, **opts)
    layer.build((None, None, i))
    # Keras initialises the biases with zeros: draw every weight at random instead.
    layer.set_weights([rng.uniform(-1, 1, w.shape).astype(np.float32)
                       for w in layer.get_weights()])
    cell, weights = cellviz.from_keras(layer)
    assert isinstance(cell, cellviz.Cell)
    assert cell.params().total == sum(w.size for w in layer.get_weights())
    xs = rng.standard_normal((batch, steps, i)).astype(np.float32)
    hs, final = cell.run(weights, xs.transpose(1, 0, 2))
    out = _outputs(keras, layer, xs)
    assert hs.dtype == np.float32
    np.testing.assert_allclose(hs.transpose(1, 0, 2), out[0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(final["h"], out[1], rtol=0, atol=1e-6)
    if kind == "LSTM":
        np.testing.assert_allclose(final["c"], out[2], rtol=0, atol=1e-6)
    # And back: the same weights in a layer cellviz builds give Keras' numbers.
    _, form = resolve(cell, "keras")
    tensors = cellviz.export_weights(cell, weights, "keras")
    assert isinstance(tensors, list)
    again = keras_layer(cell, form, tensors, return_sequences=True)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(again(xs)), out[0])


def test_float32_layer_to_1e_6(keras: Any) -> None:
    layer = keras.layers.LSTM(4, return_sequences=True)
    layer.build((None, None, 3))
    cell, weights = cellviz.from_keras(layer)
    assert weights["W_i"].dtype == np.float32
    xs = np.random.default_rng(0).standard_normal((2, 7, 3)).astype(np.float32)
    hs, _ = cell.run(weights, xs.transpose(1, 0, 2))
    expected = keras.ops.convert_to_numpy(layer(xs))
    np.testing.assert_allclose(hs.transpose(1, 0, 2), expected, rtol=0, atol=1e-6)


def test_bidirectional_is_a_stack(keras: Any) -> None:
    rng = np.random.default_rng(4)
    layer = keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True))
    layer.build((None, None, 2))
    layer.set_weights([rng.uniform(-1, 1, w.shape).astype(np.float32)
                       for w in layer.get_weights()])
    stack, weights = cellviz.from_keras(layer)
    assert isinstance(stack, cellviz.Stack) and stack.bidirectional
    xs = rng.standard_normal((2, 5, 2)).astype(np.float32)
    out, _ = stack.run(weights, xs.transpose(1, 0, 2))
    expected = keras.ops.convert_to_numpy(layer(xs))
    np.testing.assert_allclose(out.transpose(1, 0, 2), expected, rtol=0, atol=1e-6)


def test_a_keras_file_is_read_in_safe_mode(keras: Any, tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input((None, 3)), keras.layers.Dense(3),
                              keras.layers.GRU(2, reset_after=False, name="g")])
    path = tmp_path / "m.keras"
    model.save(path)
    cell, weights = cellviz.from_keras(path)
    assert isinstance(cell, cellviz.Cell) and cell.convention == "paper" and cell.name == "gru"
    np.testing.assert_array_equal(weights["U_n"], model.get_layer("g").get_weights()[1][:, 4:].T)
    two = keras.Sequential([keras.Input((None, 3)), keras.layers.LSTM(2, return_sequences=True,
                                                                      name="a"),
                            keras.layers.LSTM(2, name="b")])
    path2 = tmp_path / "two.keras"
    two.save(path2)
    stack, both = cellviz.from_keras(path2)  # b reads a: a stack of two layers
    assert isinstance(stack, cellviz.Stack) and stack.num_layers == 2
    assert sorted(both) == sorted(stack.param_shapes())
    cell, _ = cellviz.from_keras(path2, name="b")
    assert cell.name == "lstm"


@pytest.mark.parametrize(("make", "message"), [
    (lambda k: k.layers.Dense(2), "no SimpleRNN, GRU or LSTM layer"),
    (lambda k: k.layers.GRU(2, activation="elu"), r"activation='elu' has no cellviz counterpart"),
    (lambda k: k.layers.LSTM(2, go_backwards=True), "go_backwards=True is not supported"),
], ids=["dense", "elu", "backwards"])
def test_refusals_are_one_line(keras: Any, make: Any, message: str) -> None:
    layer = make(keras)
    layer.build((None, None, 3) if not hasattr(layer, "units") or hasattr(layer, "cell")
                else (None, 3))
    with pytest.raises(cellviz.CellvizError, match=message) as info:
        cellviz.from_keras(layer)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", ["bad.keras", "m.weights.h5", "m.txt"])
def test_bad_files_are_one_line(keras: Any, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"not a model")
    with pytest.raises(cellviz.CellvizError) as info:
        cellviz.from_keras(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_a_weights_h5_file_is_read_for_a_given_cell(keras: Any, tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input((None, 3)), keras.layers.LSTM(4, use_bias=False)])
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    cell, weights = cellviz.from_keras(model)
    assert isinstance(cell, cellviz.Cell) and cell.name == "lstm-nobias"
    read = load_weights_file(cell, path)
    assert all(np.array_equal(read[k], weights[k]) for k in weights)
    with pytest.raises(cellviz.CellvizError, match=r"missing tensor 'bias' \(shape \(16,\)\) "
                       r"for keras.layers.LSTM"):
        load_weights_file(cellviz.load("lstm", input_size=3, hidden_size=4,
                                       convention="keras"), path)
    with pytest.raises(cellviz.CellvizError, match=r"holds 112 numbers \(\(3, 16\), \(4, 16\)\), "
                       r"more than the cell's 108 parameters"):
        load_weights_file(cellviz.load("gru", input_size=3, hidden_size=4,
                                       convention="keras"), path)
