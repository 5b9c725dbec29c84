"""Weights from a Keras 3 ``.weights.h5`` file, read as plain arrays with h5py (no code run)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..errors import CellvizError

__all__ = ["read_weights_h5"]

#: The names of a recurrent layer's weights, in the order Keras stores them.
_NAMES = ("kernel", "recurrent_kernel", "bias")


def read_weights_h5(path: Path, most: int) -> dict[str, Any]:
    """The one recurrent layer's weights of a ``.weights.h5`` file (``layers/gru/cell/vars/0``,
    1, 2) by Keras' names; a file of no or several recurrent layers is an error naming them.
    ``most`` bounds the numbers read, so a lying file cannot exhaust memory."""
    try:
        import h5py
    except ImportError:
        raise CellvizError(f"{path}: reading a .weights.h5 file needs h5py (pip install "
                           "'cellviz[keras]')") from None
    try:
        with h5py.File(path, "r") as file:
            groups: list[tuple[str, list[Any]]] = []

            def visit(name: str, obj: Any) -> None:
                if isinstance(obj, h5py.Group) and name.endswith("cell/vars") and len(obj):
                    groups.append((name, [obj[str(k)] for k in range(len(obj))]))

            file.visititems(visit)
            if len(groups) != 1:
                found = ", ".join(name.removesuffix("/cell/vars") for name, _ in groups)
                raise CellvizError(f"{path}: {len(groups)} recurrent layers ({found or 'none'}); "
                                   "cellviz reads a file of one SimpleRNN, GRU or LSTM layer")
            where, datasets = groups[0]
            shapes = ", ".join(str(d.shape) for d in datasets)
            if len(datasets) not in (2, 3):
                raise CellvizError(f"{path}: {where} holds {len(datasets)} arrays ({shapes}), "
                                   "not a recurrent layer's kernel, recurrent_kernel and bias")
            total = sum(math.prod(d.shape) for d in datasets)
            if total > most:
                raise CellvizError(f"{path}: {where} holds {total:,} numbers ({shapes}), more "
                                   f"than the cell's {most:,} parameters")
            return {name: d[()] for name, d in zip(_NAMES, datasets, strict=False)}
    except (OSError, KeyError, ValueError) as exc:
        raise CellvizError(f"{path}: not a readable .weights.h5 file ({exc})") from None
