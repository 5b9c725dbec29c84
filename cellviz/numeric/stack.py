"""Running a stack of layers and directions, and its weights by PyTorch's and Keras' names."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np

from ..errors import EvaluationError
from ..stack import Stack
from .checks import Array, check_weights, numeric, shape_str
from .weights import export_weights, import_weights, layout

__all__ = ["export_stack_weights", "import_stack_weights", "member_states", "run_stack",
           "stack_input"]


def member_states(stack: Stack, state: Mapping[str, Any] | None, dtype: np.dtype[Any],
                  batch: tuple[int, ...]) -> list[dict[str, Array] | None]:
    """The first state of every member (``Stack.members`` order) from PyTorch's form: each
    state by name, (layers × directions, [B,] size)."""
    members = stack.members()
    if state is None:
        return [None] * len(members)
    states = stack.graph.states
    if not isinstance(state, Mapping) or sorted(state) != sorted(states):
        given = ", ".join(state) if isinstance(state, Mapping) else type(state).__name__
        raise EvaluationError(f"state must be a dict with {', '.join(states)} (each "
                              f"(layers × directions, [B,] size)), not {given or 'none'}")
    arrays = {}
    for name in states:
        size = stack.first.size(stack.graph.node(name).size)
        expected = (len(members), *batch, size)
        array = numeric(f"state {name!r}", state[name], dtype)
        if array.shape != expected:
            raise EvaluationError(
                f"state {name!r} has shape {shape_str(array.shape)}, expected "
                f"{shape_str(expected)} ({stack.num_layers} layers × {stack.directions} "
                f"direction{'s' if stack.directions > 1 else ''}"
                f"{', the batch' if batch else ''}, {size})")
        arrays[name] = array
    return [{name: arrays[name][m] for name in states} for m in range(len(members))]


def stack_input(stack: Stack, xs: Any, dtype: np.dtype[Any]) -> tuple[Array, tuple[int, ...]]:
    """The input sequence (an array, or a dict holding the stack's one input) in the weights'
    dtype, and its batch shape."""
    if isinstance(xs, Mapping):
        (name,) = stack.graph.inputs
        if list(xs) != [name]:
            raise EvaluationError(f"cell {stack.name!r} takes input {name}, not "
                                  f"{', '.join(xs) or 'none'}")
        xs = xs[name]
    seq = numeric(f"input {stack.graph.inputs[0]!r}", xs, dtype)
    return seq, seq.shape[1:-1] if seq.ndim == 3 else ()


def run_stack(stack: Stack, weights: Mapping[str, Any], xs: Any,
              state: Mapping[str, Any] | None = None) -> tuple[Array, dict[str, Array]]:
    """What ``Stack.run`` returns: the top layer's outputs over time, directions concatenated,
    and the final states stacked (layers × directions), as torch.nn.LSTM returns them."""
    arrays = check_weights(stack.param_shapes(), weights, stack.name)
    prepared = [cell.prepare(w) for (_, _, cell), w in
                zip(stack.members(), stack.split(arrays), strict=True)]
    dtype = prepared[0].dtype
    seq, batch = stack_input(stack, xs, dtype)
    firsts = iter(member_states(stack, state, dtype, batch))
    finals: list[dict[str, Array]] = []
    members = iter(zip(stack.members(), prepared, strict=True))
    for _ in range(stack.num_layers):
        outputs = []
        for _ in range(stack.directions):
            (_, d, cell), weights_ = next(members)
            hs, final = cell.run(weights_, seq[::-1] if d else seq, next(firsts))
            outputs.append(hs[::-1] if d else hs)
            finals.append(final)
        seq = np.concatenate(outputs, axis=-1) if len(outputs) > 1 else outputs[0]
    return seq, {name: np.stack([f[name] for f in finals]) for name in stack.graph.states}


_SUFFIX = re.compile(r"^(?P<base>.+)_l(?P<layer>\d+)(?P<reverse>_reverse)?$")


def import_stack_weights(stack: Stack, tensors: object,
                         framework: str = "pytorch") -> dict[str, Array]:
    """A framework's tensors as the stack's weights (suffixed names). PyTorch: the state_dict
    of nn.RNN/GRU/LSTM(num_layers=..., bidirectional=...), ``weight_ih_l1_reverse`` and so on.
    Keras: one weight list per layer, as each layer's ``get_weights()`` gives it (a
    ``Bidirectional`` layer's: the forward layer's, then the backward one's). ONNX: one dict
    per layer, one node's ``W``, ``R``, ``B`` with the directions first ([num_directions,
    ...], forward then reverse, as ``direction="bidirectional"`` has them)."""
    members = stack.members()
    if framework == "keras":
        per_layer, per = _keras_lists(stack, tensors)
        groups: list[object] = [per_layer[k][per * d:per * (d + 1)] for k, d, _ in members]
    elif framework == "onnx":
        nodes = _onnx_dicts(stack, tensors)
        groups = [{name: _as_numpy(a)[d:d + 1] for name, a in nodes[k].items()}
                  for k, d, _ in members]
    else:
        groups = list(_pytorch_groups(stack, tensors).values())
    weights: dict[str, Array] = {}
    for (k, d, cell), given in zip(members, groups, strict=True):
        try:
            imported = import_weights(cell, given, framework)
        except EvaluationError as exc:
            raise EvaluationError(f"{stack.label(k, d)}: {exc}") from None
        weights.update({name + stack.suffix(k, d): w for name, w in imported.items()})
    return weights


def _keras_lists(stack: Stack, tensors: object) -> tuple[list[Sequence[Any]], int]:
    """The lists of every layer, and how many arrays each direction has in them."""
    per = len(layout(stack.first, "keras").tensors)
    kind = "Bidirectional layer's" if stack.bidirectional else "layer's"
    if not isinstance(tensors, Sequence) or len(tensors) != stack.num_layers or not all(
        isinstance(t, Sequence) and len(t) == per * stack.directions for t in tensors
    ):
        raise EvaluationError(f"Keras weights of a {stack.num_layers}-layer stack are a list of "
                              f"{stack.num_layers} lists, each the {kind} get_weights() "
                              f"({per * stack.directions} arrays)")
    return list(tensors), per


def _onnx_dicts(stack: Stack, tensors: object) -> list[Mapping[str, Any]]:
    count = stack.num_layers
    if not isinstance(tensors, Sequence) or len(tensors) != count or not all(
        isinstance(t, Mapping) for t in tensors
    ):
        raise EvaluationError(f"ONNX weights of a {count}-layer stack are a list of {count} "
                              "dicts, each one node's tensors by name (W, R, B)")
    for k, node in enumerate(tensors):
        for name, array in node.items():
            lead = np.shape(_as_numpy(array))[:1]
            if lead != (stack.directions,):
                raise EvaluationError(
                    f"layer {k}: ONNX tensor {name!r} has shape {shape_str(np.shape(array))}, "
                    f"whose first axis should count the stack's {stack.directions} "
                    f"direction{'s' if stack.bidirectional else ''}")
    return list(tensors)


def _as_numpy(value: Any) -> Any:
    """A framework tensor as numpy sees it (torch tensors included, without importing torch)."""
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


def _pytorch_groups(stack: Stack, tensors: object) -> dict[tuple[int, int], dict[str, Any]]:
    """A state_dict's tensors by (layer, direction), each under its name in one layer
    (``weight_ih``); every name the stack has must be there, and no other."""
    if not isinstance(tensors, Mapping):
        raise EvaluationError(f"tensors must be a dict by tensor name, not "
                              f"{type(tensors).__name__}")
    expected = {}
    for k, d, cell in stack.members():
        zeros = {p: np.zeros(shape) for p, shape in cell.param_shapes().items()}
        layer = export_weights(cell, zeros, "pytorch")  # the tensors' names and shapes
        for name, array in cast(dict[str, Array], layer).items():
            base = name.removesuffix("_l0")
            expected[base + stack.suffix(k, d)] = (k, d, base, array.shape)
    groups: dict[tuple[int, int], dict[str, Any]] = {(k, d): {} for k, d, _ in stack.members()}
    for key, value in tensors.items():
        if key not in expected:
            hint = "" if _SUFFIX.match(str(key)) else " (a stack's names end in _l0, _l0_reverse)"
            raise EvaluationError(f"unexpected tensor {key!r} for {stack!r}{hint}; expected "
                                  f"{', '.join(list(expected)[:6])}, ...")
        k, d, name, _ = expected[key]
        groups[k, d][name] = value
    for key, (k, d, name, shape) in expected.items():
        if name not in groups[k, d]:
            counterpart = layout(stack.cells[k][d], "pytorch").counterpart
            raise EvaluationError(f"missing tensor {key!r} (shape {shape_str(shape)}) for "
                                  f"{counterpart}")
    return groups


def export_stack_weights(
    stack: Stack, weights: Mapping[str, Any], framework: str = "pytorch"
) -> dict[str, Array] | list[list[Array]] | list[dict[str, Array]]:
    """The stack's weights as a framework's: PyTorch's state_dict of nn.RNN/GRU/LSTM; for
    Keras one list per layer for ``set_weights`` (a Bidirectional layer's: forward, backward);
    for ONNX one dict per layer of W, R, B with the directions first."""
    arrays = check_weights(stack.param_shapes(), weights, stack.name)
    pytorch: dict[str, Array] = {}
    keras: list[list[Array]] = [[] for _ in stack.cells]
    onnx: list[dict[str, list[Array]]] = [{} for _ in stack.cells]
    for (k, d, cell), own in zip(stack.members(), stack.split(arrays), strict=True):
        out = export_weights(cell, own, framework)
        if isinstance(out, list):
            keras[k] += cast(list[Array], out)  # a cell's export: one list of arrays
        elif framework == "onnx":
            for name, array in out.items():
                onnx[k].setdefault(name, []).append(array)
        else:
            pytorch.update({name.removesuffix("_l0") + stack.suffix(k, d): array
                            for name, array in out.items()})
    if framework == "onnx":
        return [{name: np.concatenate(parts) for name, parts in node.items()} for node in onnx]
    return keras if framework == "keras" else pytorch
