"""Keras 3 in and out: SimpleRNN, GRU and LSTM layers (and Bidirectional ones) as cells and their
weights, ``.keras`` models read in safe mode, and the layer a cell's weights load into."""

from __future__ import annotations

import os
import sys
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..cell import Cell
from ..errors import CellvizError
from ..lang.forms import Form, derive
from ..numeric.checks import Array
from ..numeric.layouts import resolve
from ..numeric.weights import import_weights
from ..stack import Stack
from .torch_io import bind

__all__ = ["from_keras", "import_keras", "keras_layer", "keras_layer_call", "keras_model"]

#: Keras' activation names -> cellviz's.
_ACTIVATIONS = {"linear": "identity", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu",
                "hard_sigmoid": "hard_sigmoid", "softsign": "softsign"}
_KERAS_NAMES = {v: k for k, v in _ACTIVATIONS.items()}
_KINDS = ("SimpleRNN", "GRU", "LSTM")


def import_keras() -> Any:
    """Keras 3 on its torch backend (its numpy backend's recurrent layers need jax), with a
    temporary KERAS_HOME so that importing it writes nothing into the user's home; both are set
    only before Keras' first import, which reads them."""
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = "torch"
        os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="cellviz-keras-"))
    try:
        import keras
    except ImportError:
        raise CellvizError("reading Keras models needs Keras 3 and PyTorch "
                           "(pip install 'cellviz[keras]' torch)") from None
    if not keras.__version__.startswith("3."):
        raise CellvizError(f"cellviz reads Keras 3 layers, not Keras {keras.__version__}")
    return keras


def _activation(keras: Any, layer: Any, option: str) -> str:
    name = keras.activations.serialize(getattr(layer, option))
    if not isinstance(name, str) or name not in _ACTIVATIONS:
        raise CellvizError(f"{layer.name}: {option}={name!r} has no cellviz counterpart "
                           f"(cellviz computes {', '.join(_ACTIVATIONS)})")
    return _ACTIVATIONS[name]


def _form(keras: Any, layer: Any) -> tuple[str, str, dict[str, str]]:
    """The built-in cell, convention and activations of a recurrent Keras layer."""
    kind = type(layer).__name__
    act = _activation(keras, layer, "activation")
    if kind == "SimpleRNN":
        return "rnn", "keras", {"candidate": act}
    gate = _activation(keras, layer, "recurrent_activation")
    if kind == "LSTM":
        return "lstm", "keras", {"gate": gate, "candidate": act, "output": act}
    # reset_after=False is the paper's GRU (the reset gate before the product, one bias a gate).
    return "gru", "keras" if layer.reset_after else "paper", {"gate": gate, "candidate": act}


def _recurrent(keras: Any, model: Any, name: str | None, where: str) -> list[Any]:
    """The recurrent layer called ``name``, the only one, or the layers of a stack: each
    reading the one before (through Dropout at most)."""
    kinds = (*_KINDS, "Bidirectional")
    found = [lay for lay in getattr(model, "layers", [model]) if type(lay).__name__ in kinds]
    if name is not None:
        chosen = [lay for lay in found if lay.name == name]
        if not chosen:
            raise CellvizError(f"{where}: no recurrent layer named {name!r} (its recurrent "
                               f"layers: {', '.join(lay.name for lay in found) or 'none'})")
        return chosen[:1]
    if len(found) == 1 or (found and all(_reads(b, a) for a, b in pairwise(found))):
        return found
    names = ", ".join(lay.name for lay in found)
    raise CellvizError(f"{where}: {len(found)} recurrent layers ({names or 'none'}) that are "
                       "no stack of layers, each reading the one before; name one (layer=NAME, "
                       "--node NAME)" if found else f"{where}: no SimpleRNN, GRU or LSTM layer")


def _reads(layer: Any, below: Any) -> bool:
    """Whether ``layer`` reads the output of ``below``, through Dropout layers at most."""
    try:
        source = layer.input._keras_history.operation
        while type(source).__name__ == "Dropout":
            source = source.input._keras_history.operation
    except (AttributeError, ValueError):  # a layer not called in a model
        return False
    return source is below


def _load_model(keras: Any, path: Path) -> Any:
    if path.name.endswith(".weights.h5"):
        raise CellvizError(f"{path}: a .weights.h5 file holds weights but not the layer they "
                           "belong to: give the cell and the file (cellviz eval CELL "
                           "--convention keras --weights FILE)")
    if path.suffix != ".keras":
        raise CellvizError(f"{path}: not a Keras model file (.keras)")
    if not path.is_file():
        raise CellvizError(f"{path}: no such file")
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many kinds for a bad file
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CellvizError(f"{path}: not a readable Keras model ({first})") from None


def from_keras(layer: Any, *, name: str | None = None) -> tuple[Cell | Stack, dict[str, Array]]:
    """A Keras 3 ``SimpleRNN``, ``GRU`` (``reset_after`` True: the ``keras`` convention;
    False: the paper's GRU) or ``LSTM`` layer as a cell and its weights, with its
    ``activation``, ``recurrent_activation`` and ``use_bias``; a ``Bidirectional`` one as a
    ``Stack``. ``layer`` may be a model (its one recurrent layer, the one called ``name``, or
    its recurrent layers that each read the one before, through Dropout at most, as a
    ``Stack`` of layers) or the path of a ``.keras`` file, read in safe mode (no code from it
    is run)."""
    keras = import_keras()
    where = "the model"
    if isinstance(layer, (str, Path)):
        where = str(layer)
        layer = _load_model(keras, Path(layer))
    read = [_layer(keras, lay) for lay in _recurrent(keras, layer, name, where)]
    cells, lists = [cells for cells, _ in read], [tensors for _, tensors in read]
    first = cells[0][0]
    for k, layer_cells in enumerate(cells[1:], 1):
        cell = layer_cells[0]
        if (cell.graph, len(layer_cells), cell.size("n")) != (
                first.graph, len(cells[0]), first.size("n")):
            raise CellvizError(f"{where}: its recurrent layers differ ({first.name}, n="
                               f"{first.size('n')} below; layer {k}: {cell.name}, n="
                               f"{cell.size('n')}), which no cellviz stack holds; name one "
                               "(layer=NAME, --node NAME)")
    if len(read) == 1 and len(cells[0]) == 1:
        return first, import_weights(first, lists[0], "keras")
    stack = Stack(tuple(cells))
    return stack, import_weights(stack, lists, "keras")


def _layer(keras: Any, layer: Any) -> tuple[tuple[Cell, ...], list[Array]]:
    """The cells of one recurrent layer (two for a Bidirectional one) and its weights."""
    backward = None
    if type(layer).__name__ == "Bidirectional":
        if layer.merge_mode != "concat":
            raise CellvizError(f"{layer.name}: merge_mode={layer.merge_mode!r}: cellviz "
                               "concatenates the directions (merge_mode='concat')")
        layer, backward = layer.forward_layer, layer.backward_layer
    if layer.go_backwards:
        raise CellvizError(f"{layer.name}: go_backwards=True is not supported (wrap the layer "
                           "in Bidirectional, or reverse the input yourself)")
    if not layer.built:
        raise CellvizError(f"{layer.name}: the layer has no weights yet: build it first "
                           "(layer.build((None, None, input_size)))")
    cell_name, convention, activations = _form(keras, layer)
    graph = derive(cell_name, convention, activations, bias=bool(layer.use_bias))
    weights = list(layer.get_weights())
    cell = bind(graph, convention, i=weights[0].shape[0], n=layer.units)
    if backward is None:
        return (cell,), weights
    if _form(keras, backward) != (cell_name, convention, activations) or (
            backward.use_bias != layer.use_bias):
        raise CellvizError(f"{layer.name}: the backward layer is another cell than the forward "
                           "one, which no cellviz stack holds")
    return (cell, cell), weights + list(backward.get_weights())


def keras_layer_call(cell: Cell, form: Form) -> str:
    """The Keras layer the cell's weights load into, as Python text."""
    kind = {"rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}[form.cell]
    args = [str(cell.size("n"))]
    acts = dict(form.activations)
    if acts.get("candidate", "tanh") != "tanh":
        args.append(f"activation={_KERAS_NAMES[acts['candidate']]!r}")
    if acts.get("gate", "sigmoid") != "sigmoid":
        args.append(f"recurrent_activation={_KERAS_NAMES[acts['gate']]!r}")
    if not form.bias:
        args.append("use_bias=False")
    if form.cell == "gru" and form.convention != "keras":
        args.append("reset_after=False")
    return f"keras.layers.{kind}({', '.join(args)})"


def keras_layer(cell: Cell, form: Form, tensors: list[Array], **options: Any) -> Any:
    """A built Keras layer of the cell's form holding ``tensors`` (``export_weights(...,
    "keras")``), in their dtype; ``options`` go to the layer (``return_sequences=True``)."""
    keras = import_keras()
    acts = dict(form.activations)
    kwargs: dict[str, Any] = {"activation": _KERAS_NAMES[acts["candidate"]],
                              "use_bias": form.bias, "dtype": str(tensors[0].dtype)}
    if "gate" in acts:
        kwargs["recurrent_activation"] = _KERAS_NAMES[acts["gate"]]
    if form.cell == "gru":
        kwargs["reset_after"] = form.convention == "keras"
    kind = {"rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}[form.cell]
    layer = getattr(keras.layers, kind)(cell.size("n"), **kwargs, **options)
    layer.build((None, None, cell.size("i")))
    layer.set_weights(tensors)
    return layer


def keras_model(cell: Cell | Stack, tensors: list[Any]) -> Any:
    """A Keras model holding a cell's weights (``export_weights(cell, ..., "keras")``) in its
    one layer, or a stack's in a layer each (``Bidirectional`` in two directions), every
    layer returning its whole sequence, the layer above reading it; in the weights' dtype."""
    keras = import_keras()
    single = isinstance(cell, Cell)
    cells: tuple[tuple[Cell, ...], ...] = ((cell,),) if isinstance(cell, Cell) else cell.cells
    lists = [tensors] if single else tensors
    layers = []
    for k, (layer_cells, arrays) in enumerate(zip(cells, lists, strict=True)):
        first = layer_cells[0]
        _, form = resolve(first, "keras")
        # Names of our own: Keras numbers its default ones per process (lstm_1, ...).
        name = form.cell if single else f"{form.cell}_l{k}"
        options = {} if single else {"return_sequences": True}
        per = len(arrays) // len(layer_cells)
        layer = keras_layer(first, form, arrays[:per], name=name, **options)
        if len(layer_cells) == 2:
            layer = keras.layers.Bidirectional(layer, name=f"bidirectional_l{k}")
            layer.build((None, None, first.size("i")))
            layer.set_weights(arrays)
        layers.append(layer)
    x = keras.Input((None, cells[0][0].size("i")), name="x", dtype=str(lists[0][0].dtype))
    return keras.Sequential([x, *layers], name="cellviz")
