"""ONNX: models cellviz writes and models built by hand, run by onnx.reference and onnxruntime.

onnx.reference computes float64 but knows neither other activations nor input_forget (it
computes them as the defaults); onnxruntime computes them all but refuses float64 LSTM and GRU
and has no float64 RNN kernel. So the float64 checks (1e-10) use onnx.reference on the forms it
computes, and the float32 checks (1e-6) onnxruntime on every form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import cellviz
from cellviz.interop.onnx_io import onnx_model, read_onnx
from cellviz.interop.torch_io import bind
from cellviz.lang.forms import derive

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

FORMS = [("rnn", "pytorch", {}), ("rnn", "paper", {}), ("rnn", "pytorch", {"candidate": "relu"}),
         ("gru", "pytorch", {}), ("gru", "paper", {}),
         ("gru", "paper", {"gate": "hard_sigmoid", "candidate": "identity"}),
         ("lstm", "pytorch", {}), ("lstm", "paper", {}), ("lstm-peephole", "paper", {}),
         ("cifg", "paper", {}),
         ("lstm", "pytorch", {"gate": "hard_sigmoid", "candidate": "relu", "output": "softsign"})]


def _id(form: tuple[str, str, dict[str, str]]) -> str:
    return f"{form[0]}-{form[1]}" + "".join(f"-{k}={v}" for k, v in form[2].items())


def _ort(model: Any, x: np.ndarray[Any, Any]) -> list[np.ndarray[Any, Any]]:
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return list(session.run(None, {"X": x}))


@pytest.mark.parametrize("form", FORMS, ids=_id)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_written_models_compute_as_the_cell(form: tuple[str, str, dict[str, str]], bias: bool,
                                            tmp_path: Path) -> None:
    name, convention, acts = form
    rng = np.random.default_rng(len(name) + len(acts) + bias)
    i, n, steps, batch = (int(v) for v in rng.integers(1, 6, size=4))
    cell = bind(derive(name, convention, acts, bias=bias), convention, i=i, n=n)
    default = not acts and name != "cifg"
    for dtype, atol in ((np.float64, 1e-10), (np.float32, 1e-6)):
        weights = cellviz.init_weights(cell, seed=int(rng.integers(100)), dtype=dtype)
        model = onnx_model(cell, weights)
        xs = rng.standard_normal((steps, batch, i)).astype(dtype)
        hs, final = cell.run(weights, xs)
        if dtype == np.float64 and default:
            out = ReferenceEvaluator(model).run(None, {"X": xs})
        elif dtype == np.float32:
            out = _ort(model, xs)
        else:
            continue
        np.testing.assert_allclose(out[0][:, 0], hs, rtol=0, atol=atol)
        np.testing.assert_allclose(out[1][0], final["h"], rtol=0, atol=atol)
        if "c" in final:
            np.testing.assert_allclose(out[2][0], final["c"], rtol=0, atol=atol)
        # Read back: the same cell (the paper RNN and LSTM come back in PyTorch's form, with
        # ONNX's two biases) computing the same numbers.
        path = tmp_path / f"{cell.name}.onnx"
        path.write_bytes(model.SerializeToString())
        (back,) = read_onnx(path)
        assert back.node == cell.name and (back.cell == cell) == (name not in ("rnn", "lstm") or
                                                                  convention == "pytorch")
        np.testing.assert_allclose(back.cell.run(back.weights, xs)[0], hs, rtol=0, atol=atol)


def _pack(tensors: dict[str, np.ndarray[Any, Any]], order: list[int], n: int
          ) -> list[np.ndarray[Any, Any]]:
    """PyTorch's stacked tensors in another gate order, written out here by hand."""
    def reorder(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.concatenate([a[g * n:(g + 1) * n] for g in order])

    w = reorder(tensors["weight_ih_l0"])[None]
    r = reorder(tensors["weight_hh_l0"])[None]
    b = np.concatenate([reorder(tensors["bias_ih_l0"]), reorder(tensors["bias_hh_l0"])])[None]
    return [w, r, b]


@pytest.mark.torch
@pytest.mark.parametrize(("kind", "op", "order", "extra"), [
    ("LSTM", "LSTM", [0, 3, 1, 2], {}),              # PyTorch i,f,g,o -> ONNX i,o,f,c
    ("GRU", "GRU", [1, 0, 2], {"linear_before_reset": 1}),  # r,z,n -> z,r,h
    ("RNN", "RNN", [0], {}),
])
def test_a_model_built_by_hand_from_torch_weights(kind: str, op: str, order: list[int],
                                                  extra: dict[str, int], tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    module = getattr(torch.nn, kind)(3, 4, dtype=torch.float64)
    state = {k: v.numpy() for k, v in module.state_dict().items()}
    w, r, b = _pack(state, order, 4)
    outputs = ["Y", "Y_h"]
    node = helper.make_node(op, ["X", "W", "R", "B"], outputs, name="rec", hidden_size=4,
                            **extra)
    graph = helper.make_graph(
        [helper.make_node("Identity", ["X0"], ["X"]), node], "g",
        [helper.make_tensor_value_info("X0", TensorProto.DOUBLE, ["T", "B", 3])],
        [helper.make_tensor_value_info("Y", TensorProto.DOUBLE, None)],
        [numpy_helper.from_array(a, k) for k, a in (("W", w), ("R", r), ("B", b))])
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]), path)
    ((cell, weights),) = cellviz.from_onnx(path)
    xs = np.random.default_rng(1).standard_normal((6, 2, 3))
    hs, _ = cell.run(weights, xs)
    with torch.no_grad():
        expected = module(torch.from_numpy(xs))[0].numpy()
    np.testing.assert_allclose(hs, expected, rtol=0, atol=1e-10)


def _model(tmp_path: Path, **attrs: Any) -> Path:
    cell = cellviz.load("gru", input_size=3, hidden_size=2, convention="pytorch")
    model = onnx_model(cell, cellviz.init_weights(cell))
    node = model.graph.node[0]
    for key, value in attrs.items():
        node.attribute.append(helper.make_attribute(key, value))
    path = tmp_path / "m.onnx"
    path.write_bytes(model.SerializeToString())
    return path


@pytest.mark.parametrize(("attrs", "message"), [
    ({"clip": 3.0}, "clip=3: cellviz does not clip"),
    ({"direction": "reverse"},
     "direction='reverse': cellviz reads forward and bidirectional nodes"),
    ({"activations": ["Sigmoid", "Elu"]}, "activation 'Elu' has no cellviz counterpart"),
    ({"activations": ["HardSigmoid", "Tanh"]},
     r"HardSigmoid\(alpha=0.2, beta=0.5\) has no cellviz counterpart"),
    ({"activations": ["Tanh"]}, "1 activations for one direction; the GRU operator takes 2"),
    ({"shiny": 1}, "unknown attribute 'shiny' of GRU"),
], ids=["clip", "reverse", "elu", "hardsigmoid", "count", "unknown"])
def test_unsupported_attributes_are_one_line(tmp_path: Path, attrs: dict[str, Any],
                                             message: str) -> None:
    path = _model(tmp_path, **attrs)
    with pytest.raises(cellviz.CellvizError, match=message) as info:
        cellviz.from_onnx(path)
    assert "\n" not in str(info.value) and "node 'gru'" in str(info.value)


def test_bad_files_are_one_line(tmp_path: Path) -> None:
    good = _model(tmp_path).read_bytes()
    cases = {"truncated.onnx": good[: len(good) // 2], "text.onnx": b"hello, world\n",
             "empty.onnx": b""}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(cellviz.CellvizError, match="not an ONNX model") as info:
            cellviz.from_onnx(tmp_path / name)
        assert "\n" not in str(info.value)
    with pytest.raises(cellviz.CellvizError, match="no such ONNX file"):
        cellviz.from_onnx(tmp_path / "missing.onnx")


def test_no_recurrent_node_and_missing_initializers(tmp_path: Path) -> None:
    graph = helper.make_graph([helper.make_node("Relu", ["X"], ["Y"])], "g",
                              [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2])])
    path = tmp_path / "relu.onnx"
    onnx.save(helper.make_model(graph), path)
    with pytest.raises(cellviz.CellvizError, match=r"no recurrent node \(LSTM, GRU or RNN\) in "
                       r"the model \(its operators: Relu\)"):
        cellviz.from_onnx(path)
    model = onnx.load(_model(tmp_path))
    del model.graph.initializer[1]  # R
    onnx.save(model, path)
    with pytest.raises(cellviz.CellvizError, match=r"input R \('R'\) is not an initializer"):
        cellviz.from_onnx(path)
    model = onnx.load(_model(tmp_path))
    model.graph.initializer[1].CopyFrom(numpy_helper.from_array(np.zeros((1, 6, 3)), "R"))
    onnx.save(model, path)
    with pytest.raises(cellviz.CellvizError, match=r"tensor 'R' has shape \(1, 6, 3\), expected "
                       r"\(1, 6, 2\)"):
        cellviz.from_onnx(path)


def test_external_data_stays_in_the_model_folder(tmp_path: Path) -> None:
    model = onnx.load(_model(tmp_path))
    inside = tmp_path / "inside"
    inside.mkdir()
    onnx.save(model, inside / "m.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
              location="m.data", size_threshold=0)
    ((cell, weights),) = cellviz.from_onnx(inside / "m.onnx")
    assert cell.name == "gru" and weights["W_ir"].shape == (2, 3)
    stored = onnx.load(inside / "m.onnx", load_external_data=False)
    for init in stored.graph.initializer:
        for entry in init.external_data:
            if entry.key == "location":
                entry.value = "../secret.data"
    onnx.save(stored, inside / "evil.onnx")
    with pytest.raises(cellviz.CellvizError, match="outside the model's folder: refused"):
        cellviz.from_onnx(inside / "evil.onnx")


def test_written_models_pass_the_checker_and_are_deterministic() -> None:
    cell = cellviz.load("lstm-peephole", input_size=3, hidden_size=2)
    weights = cellviz.init_weights(cell)
    first = onnx_model(cell, weights).SerializeToString()
    assert first == onnx_model(cell, weights).SerializeToString()
    onnx.checker.check_model(onnx.load_from_string(first), full_check=True)
    with pytest.raises(cellviz.EvaluationError, match="cell 'mgu' has no ONNX counterpart"):
        mgu = cellviz.load("mgu", input_size=3, hidden_size=2)
        onnx_model(mgu, cellviz.init_weights(mgu))
