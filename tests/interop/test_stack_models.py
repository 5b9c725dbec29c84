"""Real stacked models on the command line: a PyTorch state_dict of nn.LSTM(num_layers=2,
bidirectional=True), ONNX bidirectional nodes (exported by torch.onnx and built by hand) and
Keras Bidirectional and stacked layers as CELL of params, eval and render, and converted between
the frameworks; each checked against the framework that made it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import cellviz
from cellviz.cli import main

pytestmark = [pytest.mark.torch,
              pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")]

XS = [[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5], [0.25, -2.0, 1.0]]
X_ARGS = ["--x", "1,2,3", "--x=-1,0,0.5", "--x", "0.25,-2,1"]


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def evaluated(capsys: pytest.CaptureFixture[str], model: Path) -> dict[str, Any]:
    code, out, err = run(capsys, "eval", model, *X_ARGS, "--json")
    assert code == 0, err
    return dict(json.loads(out))


def check_params_and_render(capsys: pytest.CaptureFixture[str], model: Path, total: int,
                            layers: int, tmp_path: Path) -> None:
    code, out, err = run(capsys, "params", model, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == total and len(data["layers"]) == layers
    svg = tmp_path / "stack.svg"
    code, _, err = run(capsys, "render", model, "-o", svg)
    assert code == 0, err
    assert f"{total:,} parameters" in svg.read_text()
    code, _, err = run(capsys, "render", model, "--layer", str(layers - 1), "-o", svg)
    assert code == 0, err


def torch_lstm(torch: Any, **options: Any) -> Any:
    torch.manual_seed(0)
    return torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, **options).double()


def assert_equals_torch(torch: Any, module: Any, data: dict[str, Any], atol: float) -> None:
    with torch.no_grad():
        out, final = module(torch.tensor(XS, dtype=next(module.parameters()).dtype))
    np.testing.assert_allclose(data["output"], out.numpy(), rtol=0, atol=atol)
    for name, state in zip("hc", final if isinstance(final, tuple) else (final,), strict=False):
        np.testing.assert_allclose(data["states"][name], state.numpy(), rtol=0, atol=atol)


def test_a_state_dict_is_a_stack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    module = torch_lstm(torch)
    torch.save(module.state_dict(), tmp_path / "lstm.pt")
    assert_equals_torch(torch, module, evaluated(capsys, tmp_path / "lstm.pt"), 1e-10)
    check_params_and_render(capsys, tmp_path / "lstm.pt",
                            sum(p.numel() for p in module.parameters()), 2, tmp_path)
    gru = torch.nn.GRU(3, 2, num_layers=3, bias=False).double()
    torch.save(gru.state_dict(), tmp_path / "gru.pt")
    data = evaluated(capsys, tmp_path / "gru.pt")
    with torch.no_grad():
        out, h_n = gru(torch.tensor(XS, dtype=torch.float64))
    np.testing.assert_allclose(data["output"], out.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(data["states"]["h"], h_n.numpy(), rtol=0, atol=1e-10)


@pytest.mark.filterwarnings("ignore")  # torch.onnx's legacy exporter warns about itself
def test_a_torch_onnx_export_is_a_stack(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    gru = torch.nn.GRU(3, 2, num_layers=3).double()  # one way: Squeeze between the nodes
    module = torch_lstm(torch)  # two ways: Transpose and Reshape between the nodes
    for each, name in ((gru, "gru"), (module, "lstm")):
        path = tmp_path / f"{name}.onnx"
        torch.onnx.export(each, (torch.zeros(5, 1, 3, dtype=torch.float64),), str(path),
                          dynamo=False)
        assert_equals_torch(torch, each, evaluated(capsys, path), 1e-10)
        check_params_and_render(capsys, path, sum(p.numel() for p in each.parameters()),
                                each.num_layers, tmp_path)
    read = cellviz.from_onnx(path)
    assert [type(cell) for cell, _ in read] == [cellviz.Stack] * 2
    ((stack, weights),) = cellviz.from_onnx(path, layers=True)
    assert isinstance(stack, cellviz.Stack) and stack.num_layers == 2 and stack.bidirectional
    assert sorted(weights) == sorted(stack.param_shapes())
    # Back to PyTorch: the very tensors of the module.
    code, _, err = run(capsys, "convert", path, "-o", tmp_path / "back.pt", "--to", "pytorch")
    assert code == 0 and "torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)" in err
    back = torch.load(tmp_path / "back.pt", weights_only=True)
    assert back.keys() == module.state_dict().keys()
    assert all(torch.equal(back[k], v) for k, v in module.state_dict().items())
    # One node of the two: a stack of one layer in two directions.
    code, _, err = run(capsys, "render", path, "--node", "/LSTM", "--layer", "0", "--direction",
                       "reverse", "-o", tmp_path / "cell.svg")
    assert code == 0, err
    code, out, err = run(capsys, "params", path, "--node", "/LSTM_1", "--json")
    assert code == 0 and json.loads(out)["total"] == 2 * (4 * 4 * (8 + 4 + 2)), err


def _bidirectional_gru(path: Path) -> Any:
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(3)
    n, i = 2, 3
    tensors = {"W": rng.standard_normal((2, 3 * n, i)), "R": rng.standard_normal((2, 3 * n, n)),
               "B": rng.standard_normal((2, 6 * n))}
    node = helper.make_node("GRU", ["X", "W", "R", "B"], ["Y", "Y_h"], hidden_size=n,
                            direction="bidirectional", linear_before_reset=1, name="gru")
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("X", TensorProto.DOUBLE, ["T", 1, i])],
        [helper.make_tensor_value_info(o, TensorProto.DOUBLE, None) for o in ("Y", "Y_h")],
        [numpy_helper.from_array(a, k) for k, a in tensors.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], ir_version=8)
    path.write_bytes(model.SerializeToString())
    return model


def test_a_bidirectional_onnx_node_is_a_stack(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("onnx")
    from onnx.reference import ReferenceEvaluator

    path = tmp_path / "gru.onnx"
    model = _bidirectional_gru(path)
    y, y_h = ReferenceEvaluator(model).run(None, {"X": np.array(XS)[:, None, :]})
    data = evaluated(capsys, path)
    # ONNX's Y is [T, directions, B, n]; the stack's output [T, directions·n].
    np.testing.assert_allclose(data["output"], y[:, :, 0].reshape(3, 4), rtol=0, atol=1e-10)
    np.testing.assert_allclose(data["states"]["h"], y_h[:, 0], rtol=0, atol=1e-10)
    check_params_and_render(capsys, path, 2 * (3 * 2 * (3 + 2 + 2)), 1, tmp_path)
    # Written back as ONNX (a node per layer, Transpose and Reshape between), the same numbers.
    code, _, err = run(capsys, "convert", path, "-o", tmp_path / "out.onnx", "--to", "onnx")
    assert code == 0, err
    import onnx

    written = onnx.load(str(tmp_path / "out.onnx"))
    out, h_n = ReferenceEvaluator(written).run(None, {"X": np.array(XS)[:, None, :]})
    np.testing.assert_allclose(out[:, 0], data["output"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(h_n[:, 0], data["states"]["h"], rtol=0, atol=1e-10)


@pytest.mark.parametrize("to", ["onnx", "keras", "pytorch"])
def test_a_converted_stack_computes_the_same(to: str, tmp_path: Path, keras: Any,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    module = torch_lstm(torch).float()
    torch.save(module.state_dict(), tmp_path / "lstm.pt")
    out_path = tmp_path / f"out.{ {'onnx': 'onnx', 'keras': 'keras', 'pytorch': 'pt'}[to]}"
    code, _, err = run(capsys, "convert", tmp_path / "lstm.pt", "-o", out_path, "--to", to)
    assert code == 0, err
    xs = np.array(XS, dtype=np.float32)
    with torch.no_grad():
        expected, (h_n, _) = module(torch.from_numpy(xs))
    if to == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(str(out_path), providers=["CPUExecutionProvider"])
        got, got_h, _ = session.run(None, {"X": xs[:, None, :]})
        np.testing.assert_allclose(got[:, 0], expected.numpy(), rtol=0, atol=1e-6)
        np.testing.assert_allclose(got_h[:, 0], h_n.numpy(), rtol=0, atol=1e-6)
    elif to == "keras":
        loaded = keras.saving.load_model(out_path, safe_mode=True)
        got = np.asarray(loaded(xs[None]).detach())[0]
        np.testing.assert_allclose(got, expected.numpy(), rtol=0, atol=1e-6)
        assert loaded.count_params() < sum(p.numel() for p in module.parameters())  # one bias
    else:
        back = torch.load(out_path, weights_only=True)
        assert all(torch.equal(back[k], v) for k, v in module.state_dict().items())
    # The same bytes each time.
    again = tmp_path / f"again{out_path.suffix}"
    assert run(capsys, "convert", tmp_path / "lstm.pt", "-o", again, "--to", to)[0] == 0
    assert again.read_bytes() == out_path.read_bytes()


def _keras_models(keras: Any, tmp_path: Path) -> dict[str, Path]:
    keras.utils.set_random_seed(0)
    x = keras.Input((None, 3))
    bi = keras.Model(x, keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True))(x))
    two = keras.Sequential([keras.Input((None, 3)), keras.layers.GRU(4, return_sequences=True),
                            keras.layers.Dropout(0.5), keras.layers.GRU(4)])
    nobias = keras.Sequential([keras.Input((None, 3)), keras.layers.Bidirectional(
        keras.layers.SimpleRNN(3, use_bias=False, return_sequences=True))])
    paths = {"bi": tmp_path / "bi.keras", "two": tmp_path / "two.keras",
             "nobias": tmp_path / "nobias.keras"}
    for model, path in zip((bi, two, nobias), paths.values(), strict=True):
        model.save(path)
    return paths


def test_keras_bidirectional_and_stacked_layers(keras: Any, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    paths = _keras_models(keras, tmp_path)
    xs = np.array(XS, dtype=np.float32)[None]
    for kind, path in paths.items():
        model = keras.saving.load_model(path, safe_mode=True)
        expected = np.asarray(model(xs).detach())[0]
        data = evaluated(capsys, path)
        got = np.array(data["output"])
        # The stacked GRU's top layer returns its last step only.
        np.testing.assert_allclose(got[-1] if kind == "two" else got, expected, rtol=0,
                                   atol=1e-6)
        check_params_and_render(capsys, path, model.count_params(), 2 if kind == "two" else 1,
                                tmp_path)
        # Keras to Keras keeps every layer and direction: the same numbers.
        out = tmp_path / f"{kind}.out.keras"
        code, _, err = run(capsys, "convert", path, "-o", out, "--to", "keras")
        assert code == 0, err
        again = np.asarray(keras.saving.load_model(out, safe_mode=True)(xs).detach())[0]
        np.testing.assert_allclose(again, got, rtol=0, atol=1e-6)


def test_stacked_models_refused_with_one_line(keras: Any, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    torch.save(torch_lstm(torch).state_dict(), tmp_path / "lstm.pt")
    torch.save(torch.nn.GRU(3, 2).state_dict(), tmp_path / "gru.pt")
    x = keras.Input((None, 3))
    parallel = keras.Model(x, keras.layers.Concatenate()([
        keras.layers.LSTM(4, return_sequences=True, name="a")(x),
        keras.layers.LSTM(4, return_sequences=True, name="b")(x)]))
    parallel.save(tmp_path / "parallel.keras")
    sizes = keras.Sequential([keras.Input((None, 3)),
                              keras.layers.LSTM(4, return_sequences=True, name="low"),
                              keras.layers.LSTM(2, name="high")])
    sizes.save(tmp_path / "sizes.keras")
    cases = [
        (["params", "lstm.pt", "--layers", "2"], 2, "the model brings its own layers"),
        (["walkthrough", "lstm.pt"], 2, "cellviz walkthrough works on one cell"),
        (["render", "gru.pt", "--layer", "0"], 2, "gru.pt holds one cell in one direction"),
        (["render", "lstm.pt", "--values"], 2, "a stack's figure, and its --layer K, show none"),
        (["convert", "lstm.pt", "-o", "x.npz", "--to", "flax"], 2, "not of a stack of layers"),
        (["convert", "lstm.pt", "-o", "x.npz", "--to", "keras"], 2, "not .npz"),
        (["convert", "lstm.pt", "-o", "x.pt", "--to", "pytorch", "--no-bias"], 2,
         "--no-bias describes the cell --cell names"),
        (["params", "parallel.keras"], 1, "2 recurrent layers (a, b) that are no stack"),
        (["params", "sizes.keras"], 1, "its recurrent layers differ (lstm, n=4 below; layer 1: "
         "lstm, n=2)"),
    ]
    for argv, code, message in cases:
        got, out, err = run(capsys, *[str(tmp_path / a) if "." in a and not a.startswith("--")
                                      else a for a in argv])
        assert (got, out) == (code, ""), err
        assert err.count("\n") == 1 and message in err, err
    assert isinstance(cellviz.from_keras(tmp_path / "parallel.keras", name="b")[0],
                      cellviz.Cell)


def test_a_stacks_weights_h5_is_read(tmp_path: Path, keras: Any,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A stack written by Keras' save_weights (through convert) is read back by --weights."""
    torch = pytest.importorskip("torch")
    module = torch_lstm(torch).float()
    torch.save(module.state_dict(), tmp_path / "lstm.pt")
    weights = tmp_path / "lstm.weights.h5"
    code, _, err = run(capsys, "convert", tmp_path / "lstm.pt", "-o", weights, "--to", "keras")
    assert code == 0, err
    code, out, err = run(capsys, "eval", "lstm", "--convention", "keras", "-n", "4", "--layers",
                         "2", "--bidirectional", "--weights", weights, *X_ARGS, "--json")
    assert code == 0, err
    assert_equals_torch(torch, module, json.loads(out), 1e-6)
    code, _, err = run(capsys, "eval", "lstm", "--convention", "keras", "-n", "4", "--layers",
                       "3", "--bidirectional", "--weights", weights)
    assert code == 1 and "4 recurrent layers" in err and "cellviz reads 6 for the stack" in err
