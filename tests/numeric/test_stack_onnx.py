"""Stacks against onnx.reference: a node per layer (direction "forward" or "bidirectional"),
its W, R and B with the directions first, as ``export_weights(stack, ..., "onnx")`` gives them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import cellviz

OPS = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}


def model(onnx: Any, stack: cellviz.Stack, nodes: list[dict[str, Any]]) -> Any:
    """A graph of one node per layer; between layers Y [T, D, B, n] becomes [T, B, D·n]."""
    helper = onnx.helper
    n = stack.output_size
    graph_nodes, inits, finals = [], [], []
    x = "X"
    for k, tensors in enumerate(nodes):
        names = []
        for name, array in tensors.items():
            inits.append(onnx.numpy_helper.from_array(array, f"{name}{k}"))
            names.append(f"{name}{k}")
        outputs = [f"Y{k}", f"Yh{k}"] + ([f"Yc{k}"] if "c" in stack.graph.states else [])
        extra = {"linear_before_reset": 1} if stack.name == "gru" else {}
        graph_nodes.append(helper.make_node(
            OPS[stack.name], [x, *names], outputs, hidden_size=n,
            direction="bidirectional" if stack.bidirectional else "forward", **extra))
        graph_nodes.append(helper.make_node("Transpose", [f"Y{k}"], [f"T{k}"], perm=[0, 2, 1, 3]))
        graph_nodes.append(helper.make_node("Reshape", [f"T{k}", "flat"], [f"X{k + 1}"]))
        finals.append(outputs[1:])
        x = f"X{k + 1}"
    inits.append(onnx.numpy_helper.from_array(np.array([0, 0, -1], np.int64), "flat"))
    outs = [x]
    for s, state in enumerate(stack.graph.states):
        graph_nodes.append(helper.make_node("Concat", [f[s] for f in finals], [f"final_{state}"],
                                            axis=0))
        outs.append(f"final_{state}")
    double = onnx.TensorProto.DOUBLE
    rows = stack.num_layers * stack.directions
    shapes = [["T", "B", stack.directions * n]] + [
        [rows, "B", stack.first.size(stack.graph.node(s).size)] for s in stack.graph.states]
    graph = helper.make_graph(
        graph_nodes, "stack",
        [helper.make_tensor_value_info("X", double, ["T", "B", stack.input_size(0)])],
        [helper.make_tensor_value_info(o, double, shape) for o, shape in zip(outs, shapes,
                                                                             strict=True)],
        initializer=inits)
    built = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(built)
    return built


@pytest.mark.parametrize("bidirectional", [False, True], ids=["forward", "bidirectional"])
@pytest.mark.parametrize("cell", list(OPS))
def test_stack_equals_onnx_reference(cell: str, bidirectional: bool) -> None:
    onnx = pytest.importorskip("onnx")
    from onnx.reference import ReferenceEvaluator

    stack = cellviz.stack(cell, input_size=3, hidden_size=4, num_layers=3,
                          bidirectional=bidirectional, convention="pytorch")
    weights = cellviz.init_weights(stack, seed=5)
    nodes = cellviz.export_weights(stack, weights, "onnx")
    assert isinstance(nodes, list) and len(nodes) == 3
    assert nodes[1]["W"].shape[:1] == (stack.directions,)
    xs = np.random.default_rng(6).standard_normal((5, 2, 3))
    expected = ReferenceEvaluator(model(onnx, stack, nodes)).run(None, {"X": xs})
    out, final = stack.run(weights, xs)
    np.testing.assert_allclose(out, expected[0], rtol=0, atol=1e-10)
    for s, state in enumerate(stack.graph.states):
        np.testing.assert_allclose(final[state], expected[1 + s], rtol=0, atol=1e-10)
    back = cellviz.import_weights(stack, nodes, "onnx")
    assert list(back) == list(weights)
    for name, w in weights.items():
        np.testing.assert_array_equal(back[name], w)


@pytest.mark.parametrize(("tensors", "message"), [
    ({"W": np.ones((1, 8, 3))}, "a list of 2 dicts, each one node's tensors by name"),
    ([{"W": np.ones((1, 8, 3))}, {}],
     "layer 0: ONNX tensor 'W' has shape (1, 8, 3), whose first axis should count the "
     "stack's 2 directions"),
])
def test_onnx_tensors_of_the_wrong_form_are_refused(tensors: Any, message: str) -> None:
    stack = cellviz.stack("lstm", input_size=3, hidden_size=2, num_layers=2, bidirectional=True,
                          convention="pytorch")
    with pytest.raises(cellviz.EvaluationError) as info:
        cellviz.import_weights(stack, tensors, "onnx")
    assert message in str(info.value)
