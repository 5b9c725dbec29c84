"""ONNX stacks: recurrent nodes that read one another joined into a ``Stack`` of layers, and a
stack written as a model of one node per layer, as torch.onnx exports ``nn.LSTM(num_layers=2,
bidirectional=True)``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ..cell import Cell
from ..numeric.checks import Array
from ..numeric.weights import export_weights
from ..stack import Stack

if TYPE_CHECKING:
    from .onnx_io import OnnxCell

__all__ = ["join_layers", "onnx_stack_model"]

#: What may stand between a layer's output Y [T, directions, B, n] and the next layer's input
#: X [T, B, directions·n]: operators that move its axes, or that are the identity when a model
#: runs (Dropout).
_BETWEEN = {"Transpose", "Reshape", "Squeeze", "Identity", "Dropout"}


def _attribute(node: Any, name: str, default: Any) -> Any:
    from onnx import helper

    found = [helper.get_attribute_value(a) for a in node.attribute if a.name == name]
    return found[0] if found else default


def _layer_cells(item: OnnxCell) -> tuple[Cell, ...]:
    return item.cell.cells[0] if isinstance(item.cell, Stack) else (item.cell,)


def _reads(producers: dict[str, Any], below: Any, above: Any, directions: int) -> bool:
    """Whether node ``above`` reads node ``below``'s output at every step, its directions side
    by side (a Transpose of axes 1 and 2 before they are joined), and nothing else."""
    name, transposed = above.input[0], False
    while name != below.output[0]:
        node = producers.get(name)
        if node is None or node.op_type not in _BETWEEN or node.domain not in ("", "ai.onnx"):
            return False
        if node.op_type == "Transpose":
            if list(_attribute(node, "perm", [])) != [0, 2, 1, 3]:
                return False
            transposed = True
        name = node.input[0]
    return transposed or directions == 1


def _fits(below: OnnxCell, above: OnnxCell) -> bool:
    """Whether ``above`` is a layer of the same cell as ``below`` that reads its output."""
    low, high = _layer_cells(below), _layer_cells(above)
    width = len(low) * Stack((low,)).output_size
    return (len(low) == len(high) and low[0].graph == high[0].graph
            and low[0].convention == high[0].convention and high[0].size("i") == width
            and [s for s in low[0].sizes if s[0] != "i"] == [s for s in high[0].sizes
                                                              if s[0] != "i"])


def join_layers(graph: Any, nodes: Sequence[Any], read: Sequence[OnnxCell]) -> list[OnnxCell]:
    """The recurrent nodes of a graph (``nodes``, read as ``read``), where a node that reads
    the node before it, of the same cell and sizes, joins it as the layer above."""
    producers = {out: node for node in graph.node for out in node.output if out}
    groups: list[list[int]] = []
    for k in range(len(read)):
        if groups:
            j = groups[-1][-1]
            if (_fits(read[j], read[k]) and not _attribute(nodes[j], "layout", 0)
                    and not _attribute(nodes[k], "layout", 0)
                    and _reads(producers, nodes[j], nodes[k], len(_layer_cells(read[j])))):
                groups[-1].append(k)
                continue
        groups.append([k])
    return [read[g[0]] if len(g) == 1 else _joined([read[k] for k in g]) for g in groups]


def _joined(layers: list[OnnxCell]) -> OnnxCell:
    from .onnx_io import OnnxCell

    stack = Stack(tuple(_layer_cells(item) for item in layers))
    weights: dict[str, Array] = {}
    for k, item in enumerate(layers):
        # A forward node's weights are the cell's own names; a bidirectional one's suffixed.
        own = item.cell.split(item.weights) if isinstance(item.cell, Stack) else [item.weights]
        for d, arrays in enumerate(own):
            weights.update({name + stack.suffix(k, d): a for name, a in arrays.items()})
    return OnnxCell("+".join(item.node for item in layers), layers[0].op, stack, weights)


def onnx_stack_model(stack: Stack, weights: dict[str, Any]) -> Any:
    """A model of one node per layer (``direction="bidirectional"`` in two directions), each
    layer reading the one below's Y with its directions side by side (Transpose, Reshape), as
    torch.onnx exports a stack: outputs Y [T, B, directions·n] and the final Y_h (and Y_c)
    [layers·directions, B, n] in PyTorch's order; checked by ``onnx.checker``."""
    import onnx
    from onnx import helper, numpy_helper

    from .onnx_io import OPSET, element_type, node_attributes, node_inputs

    per_layer = cast(list[dict[str, Array]], export_weights(stack, weights, "onnx"))
    op, attrs = node_attributes(stack.first)
    if stack.bidirectional:
        attrs["direction"] = "bidirectional"
    elem = element_type(next(iter(per_layer[0].values())).dtype)
    states = ["Y_h", "Y_c"] if op == "LSTM" else ["Y_h"]
    nodes, inits = [], [numpy_helper.from_array(np.array([0, 0, -1], np.int64), "shape")]
    x = "X"
    for k, tensors in enumerate(per_layer):
        own = [f"l{k}_Y", *(f"l{k}_{s}" for s in states)]
        nodes.append(helper.make_node(op, node_inputs(x, tensors, f"l{k}_"), own,
                                      name=f"{op}_l{k}", **attrs))
        inits += [numpy_helper.from_array(np.ascontiguousarray(a), f"l{k}_{name}")
                  for name, a in tensors.items()]
        x = f"l{k}_out" if k < stack.num_layers - 1 else "Y"
        nodes += [helper.make_node("Transpose", [own[0]], [f"l{k}_T"], perm=[0, 2, 1, 3],
                                   name=f"Transpose_l{k}"),
                  helper.make_node("Reshape", [f"l{k}_T", "shape"], [x], name=f"Reshape_l{k}")]
    for s in states:
        nodes.append(helper.make_node("Concat", [f"l{k}_{s}" for k in range(stack.num_layers)],
                                      [s], axis=0, name=f"Concat_{s}"))
    n, members = stack.first.size("n"), stack.num_layers * stack.directions
    outputs = [helper.make_tensor_value_info("Y", elem, ["T", "B", stack.directions * n])]
    outputs += [helper.make_tensor_value_info(s, elem, [members, "B", n]) for s in states]
    graph = helper.make_graph(
        nodes, f"cellviz {stack.name}",
        [helper.make_tensor_value_info("X", elem, ["T", "B", stack.input_size(0)])], outputs,
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="cellviz", ir_version=8)
    onnx.checker.check_model(model, full_check=True)
    return model
