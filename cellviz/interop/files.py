"""Model and weight files in and out for ``cellviz convert``: a PyTorch state_dict's cell, and
each framework's file of converted weights as bytes."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..cell import Cell
from ..errors import CellvizError, UsageError
from ..lang.forms import derive
from ..numeric.checks import Array
from ..numeric.layouts import resolve
from ..numeric.weights import export_weights, import_weights
from ..stack import MAX_LAYERS, Stack
from .torch_io import bind

__all__ = ["OUTPUT_SUFFIXES", "cell_of_state_dict", "check_suffix", "converted_bytes",
           "npz_bytes"]

#: The files each target writes, by suffix.
OUTPUT_SUFFIXES = {"pytorch": (".pt", ".pth", ".npz"), "keras": (".keras", ".weights.h5", ".npz"),
                   "onnx": (".onnx",), "flax": (".npz",), "cellviz": (".npz",)}

_GATES = {1: "rnn", 3: "gru", 4: "lstm"}
#: A stack's tensor name and its layer: ``weight_ih_l2_reverse``.
_LAYER = re.compile(r"^\w+_l(\d+)(?:_reverse)?$")


def cell_of_state_dict(tensors: dict[str, Any], nonlinearity: str = "tanh"
                       ) -> tuple[Cell | Stack, dict[str, Array]]:
    """The cell a state_dict of one recurrent PyTorch layer or cell holds, from its tensors'
    names and shapes, or the ``Stack`` of an ``nn.RNN/GRU/LSTM(num_layers=..., bidirectional=
    ...)`` (names ending in ``_l1``, ``_reverse``); an RNN's nonlinearity is not in the file
    and is ``nonlinearity``."""
    def get(name: str) -> Any:
        return tensors.get(f"{name}_l0", tensors.get(name))

    w_ih, w_hh, w_hr = get("weight_ih"), get("weight_hh"), get("weight_hr")
    if w_ih is None or w_hh is None or w_ih.ndim != 2 or w_hh.ndim != 2:
        raise CellvizError("not the state_dict of nn.RNN, nn.GRU, nn.LSTM or their cells (no "
                           "2-D weight_ih and weight_hh)")
    n = w_hh.shape[1] if w_hr is None else w_hr.shape[1]
    gates = w_ih.shape[0] // n if n else 0
    if gates not in _GATES or gates * n != w_ih.shape[0] or (w_hr is not None and gates != 4):
        raise CellvizError(f"weight_ih {tuple(w_ih.shape)} and weight_hh {tuple(w_hh.shape)} "
                           "are no RNN (n rows), GRU (3n) or LSTM (4n) of one layer")
    name = "lstm-proj" if w_hr is not None else _GATES[gates]
    acts = {"candidate": nonlinearity} if name == "rnn" else {}
    graph = derive(name, "pytorch", acts, bias=get("bias_ih") is not None)
    sizes = {"i": int(w_ih.shape[1]), "n": int(n)}
    if w_hr is not None:
        sizes["p"] = int(w_hr.shape[0])
    cell = bind(graph, "pytorch", **sizes)
    layers = 1 + max((int(m[1]) for m in map(_LAYER.match, tensors) if m), default=0)
    directions = 2 if any(k.endswith("_reverse") for k in tensors) else 1
    if layers > MAX_LAYERS:
        raise CellvizError(f"the state_dict names layer {layers - 1}; a stack has at most "
                           f"{MAX_LAYERS:,} layers")
    if layers == 1 and directions == 1:
        return cell, import_weights(cell, tensors, "pytorch")
    upper = bind(graph, "pytorch", **dict(sizes, i=directions * sizes.get("p", sizes["n"])))
    stack = Stack(((cell,) * directions, *[(upper,) * directions] * (layers - 1)))
    return stack, import_weights(stack, tensors, "pytorch")


def npz_bytes(arrays: dict[str, Array]) -> bytes:
    """An .npz archive (as numpy.savez writes it) with a fixed date on every member, so that the
    same arrays give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", (1980, 1, 1, 0, 0, 0)),
                             member.getvalue())
    return buffer.getvalue()


def check_suffix(to: str, suffix: str) -> None:
    """A usage error unless framework ``to`` writes files ending in ``suffix``."""
    if suffix not in OUTPUT_SUFFIXES[to]:
        raise UsageError(f"--to {to} writes {', '.join(OUTPUT_SUFFIXES[to])}, not "
                         f"{suffix or 'a file without a suffix'!r}")


def converted_bytes(cell: Cell | Stack, weights: dict[str, Array], to: str, suffix: str
                    ) -> bytes:
    """The file of framework ``to`` holding the cell's (or stack's) weights, already converted
    to its form, as bytes: ``.pt`` (a state_dict), ``.keras`` (a model of the one layer, or of
    the stack's layers), ``.weights.h5``, ``.onnx`` (a node per layer) or ``.npz`` (by the
    framework's tensor names)."""
    check_suffix(to, suffix)
    if to == "cellviz":
        return npz_bytes(weights)
    if to == "onnx":
        from .onnx_io import onnx_model

        return bytes(onnx_model(cell, weights).SerializeToString())
    if isinstance(cell, Stack) and to == "flax":
        raise UsageError("cellviz writes flax weights of one cell, not of a stack of layers "
                         "(convert a model of one layer in one direction)")
    if isinstance(cell, Stack) and to == "keras" and suffix == ".npz":
        raise UsageError("a stack's Keras weights are written as .keras or .weights.h5, not "
                         ".npz")
    exported = export_weights(cell, weights, to)
    if suffix == ".npz":
        if isinstance(exported, dict):
            return npz_bytes(exported)
        assert isinstance(cell, Cell)
        lay, _ = resolve(cell, to)
        return npz_bytes(dict(zip([t.name for t in lay.tensors], cast(list[Array], exported),
                                  strict=True)))
    with tempfile.TemporaryDirectory(prefix="cellviz-convert-") as folder:
        path = Path(folder) / f"out{suffix}"
        if to == "pytorch":
            try:
                import torch
            except ImportError:
                raise CellvizError("writing a .pt file needs PyTorch (pip install torch); or "
                                   "write .npz") from None
            assert isinstance(exported, dict)
            torch.save({k: torch.from_numpy(v) for k, v in exported.items()}, path)
        else:
            from .keras_io import keras_model

            model = keras_model(cell, cast(list[Any], exported))
            if suffix == ".weights.h5":
                model.save_weights(path)
            else:
                model.save(path)
                return _stable_keras(path.read_bytes())
        return path.read_bytes()


def _stable_keras(data: bytes) -> bytes:
    """A .keras archive made the same for the same model: Keras writes the time it saved, the
    members' dates and, as ``shared_object_id``, Python's id() of shared objects; those become
    a fixed date and the ids numbered in order of first appearance (kept consistent, which is
    all that loading needs)."""
    import json

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    numbers: dict[bytes, bytes] = {}

    def renumber(match: re.Match[bytes]) -> bytes:
        number = numbers.setdefault(match[1], str(len(numbers) + 1).encode())
        return b'"shared_object_id": ' + number

    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            member = source.read(info)
            if info.filename == "metadata.json":
                meta = json.loads(member)
                meta["date_saved"] = "1980-01-01@00:00:00"
                member = json.dumps(meta).encode()
            elif info.filename == "config.json":
                member = re.sub(rb'"shared_object_id": (\d+)', renumber, member)
            archive.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), member)
    return out.getvalue()
