"""ONNX in and out: every LSTM, GRU and RNN node of a model as a cell and its weights, and a
cell's weights as a valid single-node model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..cell import Cell
from ..errors import CellvizError, EvaluationError
from ..lang.forms import Form, derive
from ..numeric.checks import Array
from ..numeric.layouts import resolve
from ..numeric.weights import export_weights, import_weights
from ..record import record
from ..stack import Stack
from .torch_io import bind

__all__ = ["OPSET", "OnnxCell", "element_type", "from_onnx", "node_attributes", "node_inputs",
           "onnx_model", "read_onnx"]

#: The opset of the models cellviz writes (the recurrent operators' latest revision, 14).
OPSET = 14

_GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
_SLOTS = {"RNN": ("candidate",), "GRU": ("gate", "candidate"),
          "LSTM": ("gate", "candidate", "output")}
_DEFAULTS = {"RNN": ("Tanh",), "GRU": ("Sigmoid", "Tanh"), "LSTM": ("Sigmoid", "Tanh", "Tanh")}
_ATTRIBUTES = {"activation_alpha", "activation_beta", "activations", "clip", "direction",
               "hidden_size", "layout"}
_PLAIN = {"Sigmoid": "sigmoid", "Tanh": "tanh", "Relu": "relu", "Softsign": "softsign"}
#: Activations with parameters: (alpha, beta) that make them one of cellviz's.
_PARAMETRIC = {"HardSigmoid": ((1 / 6, 0.5), "hard_sigmoid", (0.2, 0.5)),
               "Affine": ((1.0, 0.0), "identity", (1.0, 0.0))}
_USES_ALPHA = {"Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu"}
_USES_BETA = {"Affine", "ScaledTanh", "HardSigmoid"}


@record
class OnnxCell:
    """One recurrent node of a model: its name and operator, its cell (a bidirectional node's,
    or joined layers': a ``Stack``) and weights."""

    node: str
    op: str
    cell: Cell | Stack
    weights: dict[str, Array]


def _load(path: Path) -> Any:
    try:
        import onnx
    except ImportError:
        raise CellvizError("reading ONNX models needs onnx (pip install 'cellviz[onnx]')") from None
    if not path.is_file():
        raise CellvizError(f"{path}: no such ONNX file")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # protobuf's DecodeError, and others for a damaged file
        raise CellvizError(f"{path}: not an ONNX model ({type(exc).__name__}: "
                           f"{str(exc).splitlines()[0] if str(exc) else 'unreadable'})") from None
    if model.ir_version == 0 or not model.HasField("graph"):
        raise CellvizError(f"{path}: not an ONNX model (no IR version or graph)")
    base = path.parent.resolve()
    for init in model.graph.initializer:
        if init.data_location != onnx.TensorProto.EXTERNAL:
            continue
        location = {e.key: e.value for e in init.external_data}.get("location", "")
        target = (base / location).resolve()
        if Path(location).is_absolute() or not target.is_relative_to(base):
            raise CellvizError(f"{path}: initializer {init.name!r} keeps its data in "
                               f"{location!r}, outside the model's folder: refused")
    try:
        onnx.external_data_helper.load_external_data_for_model(model, str(base))
    except OSError as exc:
        raise CellvizError(f"{path}: cannot read its external data ({exc.strerror or exc})") \
            from None
    return model


def _activations(node: Any, attrs: dict[str, Any]) -> dict[str, str]:
    names = [a.decode() if isinstance(a, bytes) else a
             for a in attrs.get("activations", _DEFAULTS[node.op_type])]
    if len(names) != len(_SLOTS[node.op_type]):
        raise CellvizError(f"node {node.name!r}: {len(names)} activations for one direction; "
                           f"the {node.op_type} operator takes {len(_SLOTS[node.op_type])}")
    alphas, betas = list(attrs.get("activation_alpha", [])), list(attrs.get("activation_beta", []))
    chosen = {}
    for slot, name in zip(_SLOTS[node.op_type], names, strict=True):
        alpha = alphas.pop(0) if name in _USES_ALPHA and alphas else None
        beta = betas.pop(0) if name in _USES_BETA and betas else None
        if name in _PLAIN:
            chosen[slot] = _PLAIN[name]
            continue
        if name in _PARAMETRIC:
            (want_a, want_b), ours, (def_a, def_b) = _PARAMETRIC[name]
            a, b = def_a if alpha is None else alpha, def_b if beta is None else beta
            if abs(a - want_a) < 1e-6 and abs(b - want_b) < 1e-6:
                chosen[slot] = ours
                continue
            raise CellvizError(f"node {node.name!r}: {name}(alpha={a:g}, beta={b:g}) has no "
                               f"cellviz counterpart ({name} with alpha={want_a:g}, "
                               f"beta={want_b:g} has)")
        raise CellvizError(f"node {node.name!r}: activation {name!r} has no cellviz "
                           f"counterpart (cellviz reads {', '.join(_PLAIN)}, "
                           "HardSigmoid(alpha=1/6, beta=0.5), Affine(alpha=1, beta=0))")
    return chosen


def _form(node: Any, attrs: dict[str, Any], has: dict[str, bool]) -> tuple[str, str]:
    """The built-in cell and convention of a node."""
    if node.op_type == "RNN":
        return "rnn", "pytorch"
    if node.op_type == "GRU":
        return "gru", "pytorch" if attrs.get("linear_before_reset", 0) else "paper"
    forget = attrs.get("input_forget", 0)
    if forget and has["P"]:
        raise CellvizError(f"node {node.name!r}: an LSTM with input_forget=1 and peepholes P "
                           "has no cellviz counterpart (cifg has no peepholes)")
    return ("cifg", "paper") if forget else ("lstm-peephole", "paper") if has["P"] else (
        "lstm", "pytorch")


def _read_node(node: Any, inits: dict[str, Array], where: Path) -> OnnxCell:
    import onnx

    name = node.name or f"{node.op_type} node"
    attrs: dict[str, Any] = {a.name: onnx.helper.get_attribute_value(a)
                             for a in node.attribute}
    known = _ATTRIBUTES | ({"linear_before_reset"} if node.op_type == "GRU" else set()) | (
        {"input_forget"} if node.op_type == "LSTM" else set())
    for key in attrs:
        if key not in known:
            raise CellvizError(f"{where}: node {name!r}: unknown attribute {key!r} of "
                               f"{node.op_type}")
    direction = attrs.get("direction", b"forward")
    direction = direction.decode() if isinstance(direction, bytes) else direction
    if direction not in ("forward", "bidirectional"):
        raise CellvizError(f"{where}: node {name!r}: direction={direction!r}: cellviz reads "
                           "forward and bidirectional nodes (a layer that only runs backwards "
                           "is no layer of a cellviz stack)")
    if "clip" in attrs:
        raise CellvizError(f"{where}: node {name!r}: clip={attrs['clip']:g}: cellviz does not "
                           "clip its cells' sums (remove the attribute to read the node)")
    slots = {"W": 1, "R": 2, "B": 3, "P": 7}
    tensors: dict[str, Array] = {}
    for key, k in slots.items():
        given = node.input[k] if len(node.input) > k else ""
        if (key == "P" and node.op_type != "LSTM") or not given:
            if key in ("W", "R"):
                raise CellvizError(f"{where}: node {name!r} has no input {key}")
            continue
        if given not in inits:
            raise CellvizError(f"{where}: node {name!r}: input {key} ({given!r}) is not an "
                               "initializer: cellviz reads the weights stored in the model")
        tensors[key] = inits[given]
    try:
        form = _form(node, attrs, {k: k in tensors for k in slots})
        graph = derive(*form, _activations(node, attrs), bias="B" in tensors)
        w, r = tensors["W"], tensors["R"]
        if w.ndim != 3 or r.ndim != 3:
            raise EvaluationError(f"W and R have shapes {w.shape} and {r.shape}; expected "
                                  "[directions, gates·n, i] and [directions, gates·n, n]")
        n = int(attrs["hidden_size"] if "hidden_size" in attrs else r.shape[-1])
        cell = bind(graph, form[1], i=int(w.shape[-1]), n=n)
        if direction == "bidirectional":
            stack = Stack(((cell, cell),))
            return OnnxCell(name, node.op_type, stack, import_weights(stack, [tensors], "onnx"))
        weights = import_weights(cell, tensors, "onnx")
    except CellvizError as exc:
        raise type(exc)(f"{where}: node {name!r}: {exc}") from None
    return OnnxCell(name, node.op_type, cell, weights)


def read_onnx(path: str | Path, *, layers: bool = False) -> list[OnnxCell]:
    """Every LSTM, GRU and RNN node of an ONNX model, in graph order, with its weights from
    the initializers (a bidirectional node: a ``Stack`` of one layer); with ``layers``, nodes
    that each read the one before (as torch.onnx exports ``nn.LSTM(num_layers=...)``) as one
    ``Stack``. External data is read only from the model's own folder."""
    import onnx.numpy_helper

    from .onnx_stack import join_layers

    where = Path(path)
    model = _load(where)
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    nodes = [n for n in model.graph.node if n.op_type in _GATES and n.domain in ("", "ai.onnx")]
    if not nodes:
        ops = ", ".join(dict.fromkeys(n.op_type for n in model.graph.node)) or "none"
        raise CellvizError(f"{where}: no recurrent node (LSTM, GRU or RNN) in the model (its "
                           f"operators: {ops})")
    read = [_read_node(node, inits, where) for node in nodes]
    return join_layers(model.graph, nodes, read) if layers else read


def from_onnx(path: str | Path, *, layers: bool = False
              ) -> list[tuple[Cell | Stack, dict[str, Array]]]:
    """``(cell, weights)`` of every LSTM, GRU and RNN node of an ONNX model, in graph order:
    gate orders i,o,f,c and z,r,h; ``B`` split into the W and R biases (summed where the cell
    has one bias a gate); peepholes ``P`` give ``lstm-peephole``, ``input_forget=1`` ``cifg``,
    ``linear_before_reset`` 0 and 1 the paper and PyTorch GRUs; other activations the same cell
    with those activations. A ``direction="bidirectional"`` node gives a ``Stack`` of one layer
    and its weights by PyTorch's names; with ``layers``, nodes that feed one another give one
    ``Stack`` of layers. ``clip``, and ``direction="reverse"``, are refused."""
    return [(c.cell, c.weights) for c in read_onnx(path, layers=layers)]


def node_attributes(cell: Cell) -> tuple[str, dict[str, Any]]:
    """The operator (RNN, GRU, LSTM) and attributes of a node computing the cell."""
    _, form = resolve(cell, "onnx")
    op = {"rnn": "RNN", "gru": "GRU"}.get(form.cell, "LSTM")
    attrs: dict[str, Any] = {"hidden_size": cell.size("n"), **_activation_attrs(form, op)}
    if op == "GRU" and form.convention == "pytorch":
        attrs["linear_before_reset"] = 1
    if form.cell == "cifg":
        attrs["input_forget"] = 1
    return op, attrs


def element_type(dtype: np.dtype[Any]) -> int:
    """ONNX's element type of float32 or float64 weights; an error for others."""
    from onnx import TensorProto

    elem = {np.dtype(np.float32): TensorProto.FLOAT,
            np.dtype(np.float64): TensorProto.DOUBLE}.get(dtype)
    if elem is None:
        raise EvaluationError(f"ONNX models of {dtype} weights are not written (float32 or "
                              "float64)")
    return elem


def node_inputs(x: str, tensors: dict[str, Any], prefix: str = "") -> list[str]:
    """A recurrent node's inputs: X, W, R, then B and P where the weights have them."""
    inputs = [x, *(prefix + k for k in "WR"), prefix + "B" if "B" in tensors else "", "", "",
              "", prefix + "P" if "P" in tensors else ""]
    while not inputs[-1]:
        inputs.pop()
    return inputs


def _activation_attrs(form: Form, op: str) -> dict[str, Any]:
    names, alphas, betas = [], [], []
    ours = {v: k for k, v in _PLAIN.items()}
    for slot in _SLOTS[op]:
        act = form.activation(slot)
        if act in ours:
            names.append(ours[act])
            continue
        name, ((alpha, beta), _, _) = next((k, v) for k, v in _PARAMETRIC.items() if v[1] == act)
        names.append(name)
        alphas.append(alpha)
        betas.append(beta)
    if tuple(names) == _DEFAULTS[op]:
        return {}
    attrs: dict[str, Any] = {"activations": names}
    if alphas:
        attrs.update(activation_alpha=alphas, activation_beta=betas)
    return attrs


def onnx_model(cell: Cell | Stack, weights: dict[str, Any], *, name: str | None = None) -> Any:
    """A single-node ONNX model (opset 14) computing the cell over X of shape [T, B, i]: outputs
    Y, Y_h (and Y_c), weights as initializers in the weights' dtype; checked by
    ``onnx.checker``. A cell with no ONNX counterpart is an error naming it. A ``Stack`` gives
    a node per layer (``onnx_stack.onnx_stack_model``)."""
    try:
        import onnx
        from onnx import helper, numpy_helper
    except ImportError:
        raise CellvizError("writing ONNX models needs onnx (pip install 'cellviz[onnx]')") \
            from None
    if isinstance(cell, Stack):
        from .onnx_stack import onnx_stack_model

        return onnx_stack_model(cell, weights)
    tensors = export_weights(cell, weights, "onnx")
    assert isinstance(tensors, dict)
    op, attrs = node_attributes(cell)
    elem = element_type(next(iter(tensors.values())).dtype)
    n, i = cell.size("n"), cell.size("i")
    outputs = ["Y", "Y_h", "Y_c"] if op == "LSTM" else ["Y", "Y_h"]
    node = helper.make_node(op, node_inputs("X", tensors), outputs, name=name or cell.name,
                            **attrs)
    shapes: dict[str, list[str | int]] = {"Y": ["T", 1, "B", n], "Y_h": [1, "B", n],
                                          "Y_c": [1, "B", n]}
    graph = helper.make_graph(
        [node], f"cellviz {cell.name}",
        [helper.make_tensor_value_info("X", elem, ["T", "B", i])],
        [helper.make_tensor_value_info(o, elem, shapes[o]) for o in outputs],
        [numpy_helper.from_array(np.ascontiguousarray(a), k) for k, a in tensors.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="cellviz", ir_version=8)
    onnx.checker.check_model(model, full_check=True)
    return model
