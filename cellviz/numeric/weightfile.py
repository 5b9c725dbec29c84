"""Weights from a file: an .npz by cellviz, Keras or PyTorch names, a PyTorch .pt state_dict or a
Keras .weights.h5."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..cell import Cell
from ..errors import CellvizError, EvaluationError
from ..files import check_input_file
from .checks import Array, check_weights
from .kerasfile import read_layers_h5, read_weights_h5
from .readers import read_npz, read_pt
from .weights import LAYOUTS, import_weights

if TYPE_CHECKING:
    from ..stack import Stack

__all__ = ["WEIGHT_SUFFIXES", "load_weights_file"]

#: The files --weights reads.
WEIGHT_SUFFIXES = (".npz", ".pt", ".pth", ".h5")


def _base(name: str) -> str:
    """A tensor's own name without its layer path or TensorFlow's ``:0``: ``gru/kernel:0`` ->
    ``kernel``."""
    return name.rsplit("/", 1)[-1].split(":", 1)[0]


def _framework(cell: Cell, names: list[str]) -> str | None:
    """Whose names the file uses: None for cellviz's own, else ``keras`` or ``pytorch``."""
    own = set(cell.param_shapes())
    if any(n in own for n in names):
        return None
    for framework in ("keras", "pytorch"):
        tensors = {t.name for lay in LAYOUTS if lay.framework == framework for t in lay.tensors}
        given = {_base(n).removesuffix("_l0") for n in names}
        if given and given <= tensors:
            return framework
    return None


def _from_tensors(cell: Cell | Stack, tensors: dict[str, Any], path: Path) -> dict[str, Array]:
    # A stack's file holds its own suffixed names (W_ii_l1_reverse) or PyTorch's state_dict.
    framework = _framework(cell, list(tensors)) if isinstance(cell, Cell) else (
        None if set(tensors) & set(cell.param_shapes()) else "pytorch")
    try:
        if framework is None:
            return check_weights(cell.param_shapes(), tensors, cell.name)
        if framework == "keras":
            tensors = {_base(n): v for n, v in tensors.items()}
        return import_weights(cell, tensors, framework)
    except EvaluationError as exc:
        raise EvaluationError(f"{path}: {exc}") from None


def load_weights_file(cell: Cell | Stack, path: str | Path) -> dict[str, Array]:
    """The cell's weights from ``path``: an .npz holding cellviz's parameter names (``W_z``,
    ...), Keras weight names (``kernel``, ``recurrent_kernel``, ``bias``, with or without a
    layer path) or PyTorch's (``weight_ih``, ...); or a PyTorch state_dict saved with
    ``torch.save`` (.pt, .pth; needs torch); or a Keras ``.weights.h5`` of one layer (needs
    h5py). A stack's: its suffixed names (``W_ii_l1_reverse``), the state_dict of
    nn.RNN/GRU/LSTM (``weight_ih_l1_reverse``), or a ``.weights.h5`` of its Keras layers
    (``Bidirectional`` ones in two directions). A missing or misshaped tensor is an error
    naming it and both shapes."""
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in WEIGHT_SUFFIXES:
        raise CellvizError(f"{file}: unknown weights file type {suffix or '(none)'!r} (must be "
                           f"one of {', '.join(WEIGHT_SUFFIXES)})")
    if check_input_file(file, "weights file") is None:
        raise CellvizError(f"{file}: no such weights file")
    most = sum(math.prod(shape) for shape in cell.param_shapes().values())
    if suffix == ".h5" and not isinstance(cell, Cell):
        # A stack's Keras file: a recurrent layer per layer and direction, in the model's order.
        members = read_layers_h5(file, most, len(cell.members()))
        per = cell.directions
        lists = [[a for member in members[k * per:(k + 1) * per] for a in member]
                 for k in range(cell.num_layers)]
        try:
            return import_weights(cell, lists, "keras")
        except EvaluationError as exc:
            raise EvaluationError(f"{file}: {exc}") from None
    read = {".npz": read_npz, ".h5": read_weights_h5}.get(suffix, read_pt)
    tensors = read(file, most)
    return _from_tensors(cell, tensors, file)
