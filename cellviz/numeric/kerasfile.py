"""Weights from a Keras 3 ``.weights.h5`` file, read as plain arrays with h5py (no code run)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from ..errors import CellvizError

__all__ = ["read_layers_h5", "read_weights_h5"]

#: The names of a recurrent layer's weights, in the order Keras stores them.
_NAMES = ("kernel", "recurrent_kernel", "bias")


def _order(name: str) -> list[Any]:
    """A layer path's place in its model: Keras numbers the layers of a kind in order
    (``lstm``, ``lstm_1``, ..., ``lstm_10``), and a Bidirectional layer's forward layer comes
    before its backward one."""
    name = name.replace("forward_layer", "0").replace("backward_layer", "1")
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def read_layers_h5(path: Path, most: int, count: int = 1) -> list[list[Any]]:
    """The arrays of the ``count`` recurrent layers of a ``.weights.h5`` file
    (``layers/gru/cell/vars/0``, 1, 2) in the model's order, a Bidirectional layer's forward
    layer before its backward one; a file of another number of recurrent layers is an error
    naming them. ``most`` bounds the numbers read, so a lying file cannot exhaust memory."""
    try:
        import h5py
    except ImportError:
        raise CellvizError(f"{path}: reading a .weights.h5 file needs h5py (pip install "
                           "'cellviz[keras]')") from None
    try:
        with h5py.File(path, "r") as file:
            groups: list[tuple[str, Any]] = []

            def visit(name: str, obj: Any) -> None:
                if isinstance(obj, h5py.Group) and name.endswith("cell/vars") and len(obj):
                    groups.append((name.removesuffix("/cell/vars"), obj))

            file.visititems(visit)
            if len(groups) != count:
                found = ", ".join(where for where, _ in groups)
                wanted = ("a file of one SimpleRNN, GRU or LSTM layer" if count == 1 else
                          f"{count} for the stack's layers and directions")
                raise CellvizError(f"{path}: {len(groups)} recurrent layers ({found or 'none'}); "
                                   f"cellviz reads {wanted}")
            layers, total = [], 0
            for where, group in sorted(groups, key=lambda g: _order(g[0])):
                datasets = [group[str(k)] for k in range(len(group))]
                shapes = ", ".join(str(d.shape) for d in datasets)
                if len(datasets) not in (2, 3):
                    raise CellvizError(f"{path}: {where} holds {len(datasets)} arrays "
                                       f"({shapes}), not a recurrent layer's kernel, "
                                       "recurrent_kernel and bias")
                total += sum(math.prod(d.shape) for d in datasets)
                if total > most:
                    raise CellvizError(f"{path}: {where} holds {total:,} numbers ({shapes}), "
                                       f"more than the cell's {most:,} parameters")
                layers.append([d[()] for d in datasets])
            return layers
    except (OSError, KeyError, ValueError) as exc:
        raise CellvizError(f"{path}: not a readable .weights.h5 file ({exc})") from None


def read_weights_h5(path: Path, most: int) -> dict[str, Any]:
    """The one recurrent layer's weights of a ``.weights.h5`` file by Keras' names."""
    return dict(zip(_NAMES, read_layers_h5(path, most)[0], strict=False))
