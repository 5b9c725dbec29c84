"""Weights: default initialisation, example inputs from a seed, framework tensors in and out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..arguments import as_index, require, whole
from ..cell import Cell
from ..errors import (
    CellvizTypeError,
    CellvizValueError,
    EvaluationError,
    UsageError,
    shorten,
)
from .checks import Array, check_weights, float_array, shape_str
from .layouts import FRAMEWORKS, LAYOUTS, Layout, Tensor, layout, resolve

if TYPE_CHECKING:
    from ..stack import Stack

__all__ = [
    "FRAMEWORKS",
    "LAYOUTS",
    "example_inputs",
    "export_weights",
    "import_weights",
    "init_weights",
    "layout",
]

#: The most input numbers ``example_inputs`` draws (steps times the input sizes): 1.6 GB of
#: float64; more is a mistake rather than a run a workstation can hold.
MAX_INPUT_NUMBERS = 200_000_000


def _shape(cell: Cell, tensor: Tensor) -> tuple[int, ...]:
    shapes = cell.param_shapes()
    rows = [sum(shapes[p.lstrip("~")][0] for p in row) for row in tensor.parts]
    rest = shapes[tensor.parts[0][0].lstrip("~")][1:]
    shape = (rows[0], *rest)
    if tensor.transpose:
        shape = shape[::-1]
    shape = (len(rows), *shape) if len(rows) > 1 else shape
    return (1, *shape) if tensor.lead else shape


def _flat(tensors: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """flax's nested parameters ({"params": {"ii": {"kernel": ...}}}) as "ii/kernel"."""
    flat: dict[str, object] = {}
    for key, value in tensors.items():
        if isinstance(value, Mapping):
            flat.update(_flat(value, "" if not prefix and key == "params" else
                              f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _keyed(lay: Layout, tensors: object) -> dict[str, object]:
    """The given tensors by the layout's names: a Keras weight list is taken in order, and
    PyTorch's layer names (weight_ih_l0) are accepted as well as the cell's (weight_ih)."""
    names = [t.name for t in lay.tensors]
    if isinstance(tensors, Mapping):
        keyed: dict[str, object] = {}
        given = _flat(tensors) if lay.framework == "flax" else tensors
        for key, value in given.items():
            base = key[:-3] if lay.framework == "pytorch" and key.endswith("_l0") else key
            if base not in names:
                raise EvaluationError(
                    f"unexpected tensor {key!r} for {lay.counterpart} (expected "
                    f"{', '.join(names)}; one layer, one direction)"
                )
            if base in keyed:
                raise EvaluationError(f"tensor {base!r} is given twice (the second as {key!r}); "
                                      "give it once")
            keyed[base] = value
        return keyed
    if lay.framework == "keras" and isinstance(tensors, Sequence):
        if len(tensors) != len(names):
            raise EvaluationError(f"{lay.counterpart} has {len(names)} weights "
                                  f"({', '.join(names)}), not {len(tensors)}")
        return dict(zip(names, tensors, strict=True))
    kind = "a dict by tensor name" + (" or a list" if lay.framework == "keras" else "")
    raise EvaluationError(f"tensors must be {kind}, not {type(tensors).__name__}")


def import_weights(cell: Cell | Stack, tensors: object,
                   framework: str = "pytorch") -> dict[str, Array]:
    """A framework's tensors as the cell's weights: a PyTorch state_dict (nn.RNN/GRU/LSTM or
    the RNNCell/GRUCell/LSTMCell names), a Keras weight list [kernel, recurrent_kernel, bias],
    an ONNX node's initializers by input name (W, R, B, P) or flax's parameters (nested or
    as "ii/kernel"). Plain numpy arrays do; no framework needs to be installed. The weights
    keep the dtype of the tensors. A ``Stack`` takes the names of every layer and direction
    (``import_stack_weights``).

    >>> import cellviz, numpy
    >>> cell = cellviz.load("rnn", input_size=3, hidden_size=2, convention="keras")
    >>> w = cellviz.import_weights(cell, [numpy.ones((3, 2)), numpy.eye(2), numpy.zeros(2)],
    ...                            framework="keras")
    >>> w["W_h"].shape, w["U_h"].shape
    ((2, 3), (2, 2))
    """
    _check_model(cell)
    if not isinstance(cell, Cell):
        from .stack import import_stack_weights

        return import_stack_weights(cell, tensors, framework)
    lay, _ = resolve(cell, framework)
    given = _keyed(lay, tensors)
    shapes = cell.param_shapes()
    weights: dict[str, Array] = {}
    for tensor in lay.tensors:
        if tensor.name not in given:
            if tensor.layer_only or lay.framework != "pytorch":
                suffix = "_l0" if tensor.layer_only else ""
                raise EvaluationError(f"missing tensor {tensor.name + suffix!r} "
                                      f"(shape {shape_str(_shape(cell, tensor))}) for "
                                      f"{lay.counterpart}")
            raise EvaluationError(f"missing tensor {tensor.name!r} or {tensor.name}_l0 "
                                  f"(shape {shape_str(_shape(cell, tensor))}) for "
                                  f"{lay.counterpart}")
        array = float_array(f"tensor {tensor.name!r}", given[tensor.name])
        expected = _shape(cell, tensor)
        if array.shape != expected:
            raise EvaluationError(f"tensor {tensor.name!r} has shape {shape_str(array.shape)}, "
                                  f"expected {shape_str(expected)} for {lay.counterpart}")
        if tensor.lead:
            array = array[0]
        rows = [array[k] for k in range(len(tensor.parts))] if len(tensor.parts) > 1 else [array]
        for row, parts in zip(rows, tensor.parts, strict=True):
            stacked = row.T if tensor.transpose else row
            start = 0
            for p in parts:
                stop = start + shapes[p.lstrip("~")][0]
                piece = stacked[start:stop]
                start = stop
                if p.startswith("~"):
                    continue
                weights[p] = weights[p] + piece if p in weights else np.array(piece)
    return {p: weights[p] for p in shapes}


def export_weights(
    cell: Cell | Stack,
    weights: Mapping[str, Any],
    framework: str = "pytorch",
    *,
    module: Literal["layer", "cell"] = "layer",
) -> dict[str, Array] | list[Array] | list[list[Array]] | list[dict[str, Array]]:
    """The cell's weights as a framework's tensors: for PyTorch a state_dict of nn.RNN/GRU/LSTM
    (``module="layer"``, names ending in _l0) or of RNNCell/GRUCell/LSTMCell (``module="cell"``);
    for Keras the list [kernel, recurrent_kernel, bias] that ``layer.set_weights`` takes; for
    ONNX the node's W, R, B (and P); for flax the parameters by "ii/kernel" names. A ``Stack``
    gives every layer and direction (``export_stack_weights``)."""
    _check_model(cell)
    if not isinstance(cell, Cell):
        from .stack import export_stack_weights

        return export_stack_weights(cell, weights, framework)
    lay, _ = resolve(cell, framework)
    if module not in ("layer", "cell"):
        raise UsageError(f"unknown module: {module!r} (must be 'layer' or 'cell')")
    arrays = check_weights(cell.param_shapes(), weights, cell.name)
    out: dict[str, Array] = {}
    for tensor in lay.tensors:
        if tensor.layer_only and module == "cell":
            raise EvaluationError(f"{lay.counterpart} has no cell module; export it with "
                                  "module='layer'")
        rows = []
        for parts in tensor.parts:
            seen: set[str] = set()
            pieces = []
            for p in parts:
                own = p.lstrip("~")
                pieces.append(np.zeros_like(arrays[own]) if p != own or p in seen
                              else arrays[p])
                seen.add(p)
            rows.append(np.concatenate(pieces))
        if tensor.transpose:
            rows = [np.ascontiguousarray(r.T) for r in rows]
        array = np.stack(rows) if len(rows) > 1 else rows[0]
        if tensor.lead:
            array = array[np.newaxis]
        suffix = "_l0" if framework == "pytorch" and module == "layer" else ""
        out[tensor.name + suffix] = array
    return list(out.values()) if framework == "keras" else out


def init_weights(cell: Cell | Stack, *, seed: int = 0,
                 dtype: Any = np.float64) -> dict[str, Array]:
    """Weights drawn as PyTorch's recurrent layers draw them, uniform(-1/√n, 1/√n) with n the
    hidden size, in parameter order from ``seed`` (a stack's: layer by layer). The values are
    drawn in float64 and then cast, so float32 weights are the float64 ones rounded."""
    _check_model(cell)
    dt = _float_dtype(dtype)
    graph = cell.graph
    try:
        n = cell.size("n")
    except KeyError:
        n = cell.size(graph.node(graph.prev_id(graph.states[0])).size) if graph.states else 1
    bound = 1.0 / math.sqrt(n)
    rng = np.random.default_rng(_seed(seed))
    return {name: rng.uniform(-bound, bound, shape).astype(dt)
            for name, shape in cell.param_shapes().items()}


def example_inputs(
    cell: Cell | Stack, *, seed: int = 0, steps: int = 1, dtype: Any = np.float64
) -> tuple[dict[str, Array], dict[str, Array]]:
    """Weights and an input sequence from one seed: the weights are ``init_weights(cell,
    seed=seed)``, each input a (steps, size) array of standard normal values, the inputs drawn
    in turn from one stream of their own (seeded by the seed and 1), so the same seed gives the
    same input whatever the cell's parameters."""
    steps = whole("steps", steps, 1, MAX_INPUT_NUMBERS)
    _check_model(cell)
    widths = {name: cell.size(cell.graph.node(name).size) for name in cell.graph.inputs}
    if steps * sum(widths.values()) > MAX_INPUT_NUMBERS:
        raise CellvizValueError(f"steps={steps:,} would draw {steps * sum(widths.values()):,} "
                                f"input numbers (at most {MAX_INPUT_NUMBERS:,}); use fewer "
                                "steps")
    dt = _float_dtype(dtype)
    weights = init_weights(cell, seed=seed, dtype=dt)
    rng = np.random.default_rng([_seed(seed), 1])
    xs = {name: rng.standard_normal((steps, width)).astype(dt) for name, width in widths.items()}
    return weights, xs


def _seed(seed: int) -> int:
    number = as_index(seed)
    if number is None or number < 0:
        error = CellvizTypeError if number is None else CellvizValueError
        raise error(f"seed must be a non-negative integer, not {shorten(repr(seed), 40)}")
    return number


def _check_model(cell: object) -> None:
    from ..stack import Stack

    require("cell", cell, (Cell, Stack), "a Cell or a Stack (cellviz.load(...))")


def _float_dtype(dtype: Any) -> np.dtype[Any]:
    dt: np.dtype[Any] | None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.kind != "f":
        raise UsageError(f"dtype must be a floating-point type such as numpy.float32, "
                         f"not {dtype!r}")
    return dt
