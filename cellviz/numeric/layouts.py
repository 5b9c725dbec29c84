"""Which slice of which framework tensor is which cell parameter: PyTorch, Keras, ONNX, flax.

One table, by parameter name and in each framework's gate order, read by weight import and
export, by conversion and by ``cellviz layout``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import EvaluationError, UsageError
from ..lang.forms import Form, form_of, slots_of
from ..record import record

if TYPE_CHECKING:
    from ..cell import Cell

__all__ = [
    "FRAMEWORKS",
    "FRAMEWORK_NAMES",
    "LAYOUTS",
    "Layout",
    "Tensor",
    "check_framework",
    "layout",
    "layouts_of",
    "real_parts",
    "resolve",
]

FRAMEWORKS: tuple[str, ...] = ("pytorch", "keras", "onnx", "flax")
FRAMEWORK_NAMES = {"pytorch": "PyTorch", "keras": "Keras", "onnx": "ONNX", "flax": "flax"}

#: cellviz's activations that each framework's layers compute (Keras and ONNX compute them all).
_ANY = ("identity", "sigmoid", "tanh", "relu", "hard_sigmoid", "softsign")


@record
class Tensor:
    """One framework tensor made of cell parameters: each row of ``parts`` is concatenated
    along the first axis (gates stacked in the framework's order); several rows are stacked into
    a new first axis (Keras' GRU bias, shape (2, 3n)); ``transpose`` for Keras' and flax's
    (in, out) kernels; ``lead`` for ONNX's leading axis of directions (one here).
    ``layer_only``: a tensor only the layer has (PyTorch's weight_hr of nn.LSTM).

    A parameter named twice holds the sum of its slices (ONNX's W and R biases of a cell with
    one bias per gate): import adds them, export writes the first and zeros in the others. A
    part ``~X`` is a slice the cell does not use, shaped like X (the forget gate of ONNX's
    CIFG): import skips it, export writes zeros."""

    name: str
    parts: tuple[tuple[str, ...], ...]
    transpose: bool = False
    layer_only: bool = False
    lead: bool = False


@record
class Layout:
    """How one cell's parameters make up a framework's tensors, in the framework's order.
    ``activations``: the activations the framework's layer can compute in each slot (a slot not
    named takes only the cell's default); ``tied``: slots the layer gives one activation;
    ``bias_optional``: whether the layer has a form without biases."""

    framework: str
    cell: str
    counterpart: str
    tensors: tuple[Tensor, ...]
    activations: tuple[tuple[str, tuple[str, ...]], ...] = ()
    tied: tuple[str, ...] = ()
    bias_optional: bool = True

    @property
    def params(self) -> frozenset[str]:
        return frozenset(p for t in self.tensors for p in real_parts(t))


def real_parts(tensor: Tensor) -> list[str]:
    """The parameters a tensor holds, each once, without the unused slices."""
    return list(dict.fromkeys(p for row in tensor.parts for p in row if not p.startswith("~")))


def _pytorch(cell: str, gates: str, counterpart: str, proj: bool = False,
             activations: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> Layout:
    # PyTorch's documented names: W_i<gate> for weight_ih, W_h<gate> for weight_hh, and so on.
    def row(prefix: str) -> tuple[tuple[str, ...], ...]:
        return (tuple(f"{prefix}{g}" for g in gates),)

    tensors = [Tensor("weight_ih", row("W_i")), Tensor("weight_hh", row("W_h")),
               Tensor("bias_ih", row("b_i")), Tensor("bias_hh", row("b_h"))]
    if proj:
        tensors.append(Tensor("weight_hr", (("W_hr",),), layer_only=True))
    return Layout("pytorch", cell, counterpart, tuple(tensors), activations)


def _keras(cell: str, gates: tuple[str, ...], counterpart: str,
           bias: tuple[tuple[str, ...], ...] | None = None) -> Layout:
    return Layout("keras", cell, counterpart, (
        Tensor("kernel", (tuple(f"W_{g}" for g in gates),), transpose=True),
        Tensor("recurrent_kernel", (tuple(f"U_{g}" for g in gates),), transpose=True),
        Tensor("bias", bias or (tuple(f"b_{g}" for g in gates),)),
    ), (("gate", _ANY), ("candidate", _ANY), ("output", _ANY)), ("candidate", "output"))


def _onnx(cell: str, op: str, w: tuple[str, ...], r: tuple[str, ...], b: tuple[str, ...],
          peep: tuple[str, ...] = ()) -> Layout:
    tensors = [Tensor("W", (w,), lead=True), Tensor("R", (r,), lead=True),
               Tensor("B", (b,), lead=True)]
    if peep:
        tensors.append(Tensor("P", (peep,), lead=True))
    return Layout("onnx", cell, f"the ONNX {op} operator", tuple(tensors),
                  (("gate", _ANY), ("candidate", _ANY), ("output", _ANY)))


def _flax(cell: str, counterpart: str, dense: tuple[tuple[str, str, str], ...]) -> Layout:
    """flax keeps one Dense per gate and input, by name: (flax name, kernel, bias or "")."""
    tensors = []
    for name, kernel, bias in dense:
        tensors.append(Tensor(f"{name}/kernel", ((kernel,),), transpose=True))
        if bias:
            tensors.append(Tensor(f"{name}/bias", ((bias,),)))
    # gate_fn and activation_fn take any function; activation_fn is the candidate's and the
    # cell state's on the way out alike.
    return Layout("flax", cell, counterpart, tuple(tensors),
                  (("gate", _ANY), ("candidate", _ANY), ("output", _ANY)),
                  ("candidate", "output"), bias_optional=False)


_LSTM_ONNX = ("i", "o", "f", "g")

#: Every cell with a framework counterpart; the gate order is the framework's.
LAYOUTS: tuple[Layout, ...] = (
    _pytorch("rnn", "h", "torch.nn.RNNCell / nn.RNN", activations=(
        ("candidate", ("tanh", "relu")),)),
    _pytorch("gru", "rzn", "torch.nn.GRUCell / nn.GRU"),
    _pytorch("lstm", "ifgo", "torch.nn.LSTMCell / nn.LSTM"),
    _pytorch("lstm-proj", "ifgo", "torch.nn.LSTM(proj_size=p)", proj=True),
    _keras("rnn", ("h",), "keras.layers.SimpleRNN"),
    _keras("gru", ("z", "r", "h"), "keras.layers.GRU",
           bias=(("b_xz", "b_xr", "b_xh"), ("b_hz", "b_hr", "b_hh"))),
    _keras("gru", ("z", "r", "n"), "keras.layers.GRU(reset_after=False)"),
    _keras("lstm", ("i", "f", "g", "o"), "keras.layers.LSTM"),
    _onnx("rnn", "RNN", ("W_ih",), ("W_hh",), ("b_ih", "b_hh")),
    _onnx("rnn", "RNN", ("W_h",), ("U_h",), ("b_h", "b_h")),
    _onnx("gru", "GRU (linear_before_reset=1)", ("W_iz", "W_ir", "W_in"),
          ("W_hz", "W_hr", "W_hn"), ("b_iz", "b_ir", "b_in", "b_hz", "b_hr", "b_hn")),
    _onnx("gru", "GRU (linear_before_reset=0)", ("W_z", "W_r", "W_n"), ("U_z", "U_r", "U_n"),
          ("b_z", "b_r", "b_n") * 2),
    _onnx("lstm", "LSTM", tuple(f"W_i{g}" for g in _LSTM_ONNX),
          tuple(f"W_h{g}" for g in _LSTM_ONNX),
          tuple(f"b_i{g}" for g in _LSTM_ONNX) + tuple(f"b_h{g}" for g in _LSTM_ONNX)),
    _onnx("lstm", "LSTM", tuple(f"W_{g}" for g in _LSTM_ONNX),
          tuple(f"U_{g}" for g in _LSTM_ONNX), tuple(f"b_{g}" for g in _LSTM_ONNX) * 2),
    _onnx("lstm-peephole", "LSTM (with peepholes P)", tuple(f"W_{g}" for g in _LSTM_ONNX),
          tuple(f"U_{g}" for g in _LSTM_ONNX), tuple(f"b_{g}" for g in _LSTM_ONNX) * 2,
          ("p_i", "p_o", "p_f")),
    _onnx("cifg", "LSTM (input_forget=1)", ("W_i", "W_o", "~W_i", "W_g"),
          ("U_i", "U_o", "~U_i", "U_g"), ("b_i", "b_o", "~b_i", "b_g") * 2),
    _flax("rnn", "flax.linen.SimpleCell", (("i", "W_h", "b_h"), ("h", "U_h", ""))),
    _flax("gru", "flax.linen.GRUCell", (
        ("ir", "W_ir", "b_ir"), ("iz", "W_iz", "b_iz"), ("in", "W_in", "b_in"),
        ("hr", "W_hr", ""), ("hz", "W_hz", ""), ("hn", "W_hn", "b_hn"))),
    _flax("lstm", "flax.linen.LSTMCell", tuple(
        (f"i{g}", f"W_{g}", "") for g in "ifgo") + tuple(
        (f"h{g}", f"U_{g}", f"b_{g}") for g in "ifgo")),
)


def layouts_of(lay: Layout, cell_params: frozenset[str]) -> tuple[Tensor, ...] | None:
    """The layout's tensors for a cell with these parameters (a form without biases has no bias
    tensors), or None if they do not make up exactly that cell's parameters."""
    kept = tuple(t for t in lay.tensors if any(p in cell_params for p in real_parts(t)))
    held = {p for t in kept for p in real_parts(t)}
    if held != cell_params:
        return None
    if held != lay.params and not lay.bias_optional:
        return None
    return kept


def check_framework(framework: str) -> None:
    if framework not in FRAMEWORKS:
        raise UsageError(f"unknown framework: {framework!r} (must be one of "
                         f"{', '.join(FRAMEWORKS)})")


def layout(cell: Cell, framework: str) -> Layout:
    """The layout of a cell's parameters in a framework, or an error naming cell and
    framework."""
    return resolve(cell, framework)[0]


def resolve(cell: Cell, framework: str) -> tuple[Layout, Form]:
    """The layout of a cell's parameters in a framework (with the bias tensors of a form
    without biases left out) and the cell's form, or an error naming cell and framework."""
    check_framework(framework)
    fw = FRAMEWORK_NAMES[framework]
    known = [lay for lay in LAYOUTS if lay.framework == framework]
    names = ", ".join(dict.fromkeys(lay.cell for lay in known))
    form = form_of(cell.graph, cell.convention)
    params = frozenset(cell.param_shapes())
    candidates = [lay for lay in known if form is not None and lay.cell == form.cell]
    for lay in candidates:
        tensors = layouts_of(lay, params)
        if tensors is not None:
            assert form is not None
            _check_activations(lay, form, cell.name)
            return Layout(lay.framework, lay.cell, lay.counterpart, tensors, lay.activations,
                          lay.tied, lay.bias_optional), form
    if candidates:
        assert form is not None
        if not form.bias and all(not lay.bias_optional for lay in candidates):
            raise EvaluationError(f"cell {cell.name!r} has no biases, but "
                                  f"{candidates[0].counterpart} always has them")
        raise EvaluationError(
            f"cell {cell.name!r} in the {cell.convention} convention does not compute "
            f"like {candidates[0].counterpart}: load it with convention={framework!r}"
            if framework in ("pytorch", "keras", "flax") else
            f"cell {cell.name!r} in the {cell.convention} convention has no {fw} counterpart")
    from ..lang.library import BUILTIN_CELLS

    what = f"cell {cell.name!r}" if form is not None or cell.name not in BUILTIN_CELLS else (
        f"the cell file {cell.graph.path!r} (named {cell.name!r})")
    raise EvaluationError(f"{what} has no {fw} counterpart ({fw} cells: {names})")


def _check_activations(lay: Layout, form: Form, name: str) -> None:
    allowed = dict(lay.activations)
    defaults = slots_of(form.cell, form.convention)
    for slot, act in form.activations:
        choices = allowed.get(slot, (defaults[slot],))
        if act not in choices:
            raise EvaluationError(
                f"cell {name!r} has the {slot} activation {act}, but {lay.counterpart} "
                f"computes only {', '.join(choices)} there")
    tied = {dict(form.activations)[s] for s in lay.tied if s in dict(form.activations)}
    if len(tied) > 1:
        raise EvaluationError(
            f"cell {name!r} has different {' and '.join(lay.tied)} activations, but "
            f"{lay.counterpart} gives them one activation")

