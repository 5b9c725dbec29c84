"""PyTorch in: a recurrent module (nn.RNN, nn.GRU, nn.LSTM and their *Cell) as a cell and its
weights, and the module that a cell's weights load into."""

from __future__ import annotations

from typing import Any

from ..cell import Cell
from ..errors import CellvizError, EvaluationError
from ..graph import CellGraph
from ..lang.forms import Form, derive
from ..numeric.checks import Array
from ..numeric.weights import import_weights
from ..stack import Stack

__all__ = ["bind", "from_torch", "torch_module_call"]

#: torch.nn class name -> the built-in cell it computes.
_KINDS = {"RNN": "rnn", "GRU": "gru", "LSTM": "lstm",
          "RNNCell": "rnn", "GRUCell": "gru", "LSTMCell": "lstm"}


def bind(graph: CellGraph, convention: str, **sizes: int) -> Cell:
    """A cell of ``graph`` with its size symbols bound (i, n and p by those names)."""
    return Cell(graph, tuple((s, sizes[s]) for s in graph.sizes), convention)


def _kind(module: object) -> str:
    try:
        import torch
    except ImportError:
        raise CellvizError("reading a PyTorch module needs PyTorch (pip install torch)") from None
    for cls in type(module).__mro__:
        if cls.__module__.startswith("torch.nn") and cls.__name__ in _KINDS:
            assert isinstance(module, torch.nn.Module)
            return cls.__name__
    raise CellvizError(f"not a recurrent PyTorch module: {type(module).__name__} (cellviz reads "
                       f"torch.nn.{', torch.nn.'.join(_KINDS)})")


def from_torch(module: Any) -> tuple[Cell | Stack, dict[str, Array]]:
    """A PyTorch recurrent module as a cell in the PyTorch convention and its weights, in the
    module's dtype: ``nn.RNN``, ``nn.GRU``, ``nn.LSTM`` (``proj_size`` gives ``lstm-proj``) and
    ``nn.RNNCell``, ``nn.GRUCell``, ``nn.LSTMCell``. ``bias=False`` and
    ``nonlinearity="relu"`` give cells of their own (``rnn-relu``, ``gru-nobias``). A layer
    with ``num_layers > 1`` or ``bidirectional=True`` gives a ``Stack`` and its weights by
    PyTorch's suffixed names (``W_ii_l1_reverse``)."""
    kind = _kind(module)
    name = _KINDS[kind]
    layers, directions = 1, 1
    if not kind.endswith("Cell"):
        layers, directions = module.num_layers, 2 if module.bidirectional else 1
        if kind == "LSTM" and module.proj_size:
            name = "lstm-proj"
    activations = {"candidate": module.nonlinearity} if name == "rnn" else {}
    if activations.get("candidate") not in (None, "tanh", "relu"):
        raise CellvizError(f"torch.nn.{kind} with nonlinearity={module.nonlinearity!r}: "
                           "PyTorch computes only 'tanh' and 'relu'")
    graph = derive(name, "pytorch", activations, bias=bool(module.bias))
    sizes = {"i": module.input_size, "n": module.hidden_size}
    if name == "lstm-proj":
        sizes["p"] = module.proj_size
    cell = bind(graph, "pytorch", **sizes)
    state = {}
    for key, value in module.state_dict().items():
        if value.dtype.is_complex or not value.dtype.is_floating_point or value.element_size() < 4:
            raise EvaluationError(f"tensor {key!r} is {value.dtype}: cellviz computes in "
                                  "float32 or float64 (convert the module with .double())")
        state[key] = value.detach().cpu().numpy()
    if layers == 1 and directions == 1:
        return cell, import_weights(cell, state, "pytorch")
    upper = bind(graph, "pytorch", **dict(sizes, i=directions * sizes.get("p", sizes["n"])))
    stack = Stack(((cell,) * directions, *[(upper,) * directions] * (layers - 1)))
    return stack, import_weights(stack, state, "pytorch")


def torch_module_call(cell: Cell, form: Form, *, module: str = "layer") -> str:
    """The constructor of the PyTorch module the cell's weights load into, as Python text:
    ``torch.nn.RNN(3, 2, nonlinearity='relu', bias=False)``."""
    kind = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM", "lstm-proj": "LSTM"}[form.cell]
    args = [str(cell.size("i")), str(cell.size("n"))]
    if form.cell == "rnn" and form.activation("candidate") != "tanh":
        args.append(f"nonlinearity={form.activation('candidate')!r}")
    if not form.bias:
        args.append("bias=False")
    if form.cell == "lstm-proj":
        args.append(f"proj_size={cell.size('p')}")
    suffix = "Cell" if module == "cell" and form.cell != "lstm-proj" else ""
    return f"torch.nn.{kind}{suffix}({', '.join(args)})"
