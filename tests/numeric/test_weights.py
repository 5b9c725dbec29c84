"""Weights: initialisation, seeded examples, PyTorch and Keras import and export."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from helpers import every_cell, load

import cellviz
from cellviz.lang.library import builtin_text
from cellviz.numeric.layouts import LAYOUTS

LAYOUT_IDS = [f"{lay.cell}-{lay.framework}-{k}" for k, lay in enumerate(LAYOUTS)]


@every_cell
def test_init_weights_shapes_and_bounds(name: str, convention: str) -> None:
    cell = load(name, convention, n=4)
    weights = cellviz.init_weights(cell, seed=7)
    assert {k: v.shape for k, v in weights.items()} == cell.param_shapes()
    bound = 1 / math.sqrt(4)
    assert all(np.abs(v).max() <= bound and v.dtype == np.float64 for v in weights.values())


def test_init_weights_seed_and_dtype() -> None:
    cell = load("gru")
    a, b = cellviz.init_weights(cell, seed=1), cellviz.init_weights(cell, seed=1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W_z"], cellviz.init_weights(cell, seed=2)["W_z"])
    f32 = cellviz.init_weights(cell, seed=1, dtype=np.float32)
    assert all(f32[k].dtype == np.float32 and np.array_equal(f32[k], a[k].astype(np.float32))
               for k in a)
    with pytest.raises(cellviz.UsageError, match="dtype must be a floating-point type"):
        cellviz.init_weights(cell, dtype=np.int32)
    with pytest.raises(cellviz.UsageError, match="seed must be a non-negative integer"):
        cellviz.init_weights(cell, seed=-1)


def test_example_inputs_same_seed_same_numbers() -> None:
    gru, lstm = load("gru"), load("lstm")
    w1, x1 = cellviz.example_inputs(gru, seed=5, steps=4)
    w2, x2 = cellviz.example_inputs(gru, seed=5, steps=4)
    assert x1["x"].shape == (4, 3) and np.array_equal(x1["x"], x2["x"])
    assert all(np.array_equal(w1[k], w2[k]) for k in w1)
    assert all(np.array_equal(w1[k], v) for k, v in cellviz.init_weights(gru, seed=5).items())
    # The input does not depend on the cell's parameters, only on the seed and the sizes.
    assert np.array_equal(cellviz.example_inputs(lstm, seed=5, steps=4)[1]["x"], x1["x"])
    assert not np.array_equal(cellviz.example_inputs(gru, seed=6, steps=4)[1]["x"], x1["x"])
    with pytest.raises(cellviz.UsageError, match="steps must be a whole number from 1 to"):
        cellviz.example_inputs(gru, steps=0)


def _cell_for(layout_index: int) -> cellviz.Cell:
    """The built-in cell, in the first convention whose parameters the layout holds."""
    lay = LAYOUTS[layout_index]
    for convention in cellviz.CONVENTIONS:
        cell = cellviz.load(lay.cell, input_size=3, hidden_size=4, convention=convention,
                            proj_size=2 if lay.cell == "lstm-proj" else None)
        if lay.params == set(cell.param_shapes()):
            return cell
    raise AssertionError(f"no convention of {lay.cell} fits {lay.counterpart}")


@pytest.mark.parametrize("index", range(len(LAYOUTS)), ids=LAYOUT_IDS)
def test_export_then_import_is_the_identity(index: int) -> None:
    cell = _cell_for(index)
    weights = cellviz.init_weights(cell, seed=3)
    framework = LAYOUTS[index].framework
    modules = ["layer", "cell"] if framework == "pytorch" and cell.name != "lstm-proj" \
        else ["layer"]
    for module in modules:
        tensors = cellviz.export_weights(cell, weights, framework, module=module)
        back = cellviz.import_weights(cell, tensors, framework)
        assert list(back) == list(weights)
        assert all(np.array_equal(back[k], weights[k]) for k in weights)


def test_pytorch_layout_names_shapes_and_gate_order() -> None:
    cell = load("lstm", "pytorch", n=4)
    weights = cellviz.init_weights(cell)
    layer = cellviz.export_weights(cell, weights)
    assert isinstance(layer, dict)
    assert {k: v.shape for k, v in layer.items()} == {
        "weight_ih_l0": (16, 3), "weight_hh_l0": (16, 4), "bias_ih_l0": (16,),
        "bias_hh_l0": (16,)}
    assert np.array_equal(layer["weight_ih_l0"][8:12], weights["W_ig"])  # i, f, g, o
    cell_names = cellviz.export_weights(cell, weights, module="cell")
    assert isinstance(cell_names, dict)
    assert list(cell_names) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    proj = cellviz.load("lstm-proj", input_size=3, hidden_size=4, proj_size=2,
                        convention="pytorch")
    tensors = cellviz.export_weights(proj, cellviz.init_weights(proj))
    assert isinstance(tensors, dict)
    assert tensors["weight_hr_l0"].shape == (2, 4) and tensors["weight_hh_l0"].shape == (16, 2)


def test_keras_layout_shapes_and_gate_order() -> None:
    gru = load("gru", "keras", n=4)
    weights = cellviz.init_weights(gru)
    kernel, recurrent, bias = cellviz.export_weights(gru, weights, "keras")
    assert (kernel.shape, recurrent.shape, bias.shape) == ((3, 12), (4, 12), (2, 12))
    assert np.array_equal(kernel[:, 4:8], weights["W_r"].T)  # z, r, h
    assert np.array_equal(bias[1, 8:], weights["b_hh"])
    lstm = load("lstm", "keras", n=4)
    kernel, recurrent, bias = cellviz.export_weights(lstm, cellviz.init_weights(lstm), "keras")
    assert (kernel.shape, recurrent.shape, bias.shape) == ((3, 16), (4, 16), (16,))
    named = cellviz.import_weights(lstm, {"kernel": kernel, "recurrent_kernel": recurrent,
                                          "bias": bias}, "keras")
    assert np.array_equal(named["U_g"], recurrent[:, 8:12].T)  # i, f, c, o


@pytest.mark.parametrize(("name", "convention", "framework", "message"), [
    ("mgu", "paper", "pytorch", "cell 'mgu' has no PyTorch counterpart"),
    ("lstm-peephole", "keras", "keras", "cell 'lstm-peephole' has no Keras counterpart"),
    ("gru", "paper", "pytorch", "in the paper convention does not compute like torch.nn.GRUCell"),
    ("gru", "pytorch", "keras", "does not compute like keras.layers.GRU: load it with "
                                "convention='keras'"),
], ids=["mgu-pytorch", "peephole-keras", "gru-paper-pytorch", "gru-pytorch-keras"])
def test_no_counterpart_names_cell_and_framework(
    name: str, convention: str, framework: str, message: str
) -> None:
    cell = load(name, convention)
    with pytest.raises(cellviz.EvaluationError, match=message):
        cellviz.export_weights(cell, cellviz.init_weights(cell), framework)
    with pytest.raises(cellviz.EvaluationError, match=message):
        cellviz.import_weights(cell, {}, framework)


def test_import_errors_name_the_tensor_and_shapes() -> None:
    cell = load("gru", "pytorch")
    tensors = cellviz.export_weights(cell, cellviz.init_weights(cell), module="cell")
    assert isinstance(tensors, dict)
    bad = dict(tensors, weight_hh=np.zeros((6, 3)))
    with pytest.raises(cellviz.EvaluationError,
                       match=r"tensor 'weight_hh' has shape \(6, 3\), expected \(6, 2\)"):
        cellviz.import_weights(cell, bad)
    with pytest.raises(cellviz.EvaluationError, match="unexpected tensor 'weight_ih_l1'"):
        cellviz.import_weights(cell, dict(tensors, weight_ih_l1=tensors["weight_ih"]))
    missing = {k: v for k, v in tensors.items() if k != "bias_hh"}
    with pytest.raises(cellviz.EvaluationError, match=r"missing tensor 'bias_hh' or bias_hh_l0"):
        cellviz.import_weights(cell, missing)
    with pytest.raises(cellviz.EvaluationError, match="has dtype int64"):
        cellviz.import_weights(cell, dict(tensors, bias_ih=np.zeros(6, dtype=np.int64)))
    keras = load("gru", "keras")
    with pytest.raises(cellviz.EvaluationError, match=r"keras.layers.GRU has 3 weights"):
        cellviz.import_weights(keras, [np.zeros((3, 6))], "keras")
    with pytest.raises(cellviz.UsageError, match="unknown framework: 'jax'"):
        cellviz.import_weights(keras, [], "jax")
    with pytest.raises(cellviz.EvaluationError, match="no cell module"):
        proj = cellviz.load("lstm-proj", input_size=3, hidden_size=4, proj_size=2,
                            convention="pytorch")
        cellviz.export_weights(proj, cellviz.init_weights(proj), module="cell")


def test_a_cell_file_named_like_a_builtin_has_no_framework_counterpart(tmp_path: Path) -> None:
    # The same names and parameters, other equations: importing PyTorch's tensors into it
    # would compute something that is not nn.LSTMCell.
    text = builtin_text("lstm", "pytorch")[1].replace(
        "c[t] = f[t] * c[t-1] + i[t] * g[t]", "c[t] = i[t] * c[t-1] + f[t] * g[t]")
    path = tmp_path / "mine.cell"
    path.write_text(text, encoding="utf-8")
    cell = cellviz.load(path, input_size=3, hidden_size=2)
    assert cell.name == "lstm"
    with pytest.raises(cellviz.EvaluationError, match=r"the cell file .*mine.cell' \(named "
                       r"'lstm'\) has no PyTorch counterpart"):
        cellviz.import_weights(cell, {})


def test_a_tensor_given_twice_is_refused() -> None:
    cell = cellviz.load("lstm", input_size=3, hidden_size=2, convention="pytorch")
    tensors = cellviz.export_weights(cell, cellviz.init_weights(cell))
    tensors["weight_ih"] = tensors["weight_ih_l0"]
    with pytest.raises(cellviz.EvaluationError, match="tensor 'weight_ih' is given twice"):
        cellviz.import_weights(cell, tensors)
