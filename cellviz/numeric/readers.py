"""The arrays of a weights file (.npz, PyTorch .pt), read without trusting the file: every
member is checked against its stored size and the cell's parameter count before it is read."""

from __future__ import annotations

import math
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..errors import CellvizError

__all__ = ["read_npz", "read_pt"]

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = b"PK\x03\x04"


def _header(member: IO[bytes]) -> tuple[tuple[int, ...], np.dtype[Any]]:
    """The shape and dtype a .npy member's header announces (read, not trusted)."""
    major, _ = np.lib.format.read_magic(member)
    read = (np.lib.format.read_array_header_1_0 if major == 1
            else np.lib.format.read_array_header_2_0)
    shape, _, dtype = read(member)
    return tuple(shape), dtype


def _too_many(path: Path, name: str, count: int, most: int) -> CellvizError:
    return CellvizError(f"{path}: tensor {name!r} holds {count:,} numbers, more than the cell's "
                        f"{most:,} parameters in all")


def _npz_member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo,
                most: int) -> np.ndarray[Any, Any]:
    name = info.filename.removesuffix(".npy")
    if info.flag_bits & 0x1:  # zipfile would ask for a password (a RuntimeError)
        raise CellvizError(f"{path}: member {info.filename!r} is encrypted (write the weights "
                           "with numpy.savez)")
    if not info.filename.endswith(".npy"):
        raise CellvizError(f"{path}: member {info.filename!r} is not a .npy array (write the "
                           "weights with numpy.savez)")
    with archive.open(info) as member:
        if member.read(len(_NPY_MAGIC)) != _NPY_MAGIC:
            raise CellvizError(f"{path}: member {info.filename!r} is not a .npy array")
        member.seek(0)
        shape, dtype = _header(member)
        header = member.tell()
    if dtype.hasobject:
        raise CellvizError(f"{path}: tensor {name!r} is an array of Python objects, which "
                           "cellviz never unpickles; save arrays of numbers")
    count = math.prod(shape)
    if count > most:
        raise _too_many(path, name, count, most)
    stored = info.file_size - header
    if count * dtype.itemsize > stored:
        raise CellvizError(f"{path}: tensor {name!r} is truncated: its header announces "
                           f"{dtype} {shape} ({count * dtype.itemsize:,} bytes) but it holds "
                           f"{max(stored, 0):,} bytes")
    with archive.open(info) as member:
        array: np.ndarray[Any, Any] = np.lib.format.read_array(member, allow_pickle=False)
    return array


def read_npz(path: Path, most: int) -> dict[str, Any]:
    """The arrays of an .npz archive by name. Object arrays, members whose header announces
    more numbers than the cell's ``most`` parameters or more bytes than the member holds, and
    damaged archives are one CellvizError each, found before reading the data."""
    try:
        with path.open("rb") as handle:
            start = handle.read(len(_NPY_MAGIC))
    except OSError as exc:
        raise CellvizError(f"cannot read weights file {str(path)!r}: {exc.strerror}") from None
    if start.startswith(_NPY_MAGIC):
        raise CellvizError(f"{path}: not a .npz archive of named arrays (one array, as "
                           "numpy.save writes; write the weights with numpy.savez)")
    try:
        with zipfile.ZipFile(path) as archive:
            return {info.filename.removesuffix(".npy"): _npz_member(path, archive, info, most)
                    for info in archive.infolist()}
    except CellvizError:
        raise
    except MemoryError:
        raise CellvizError(f"{path}: too large to read into memory") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error,
            NotImplementedError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "empty"
        raise CellvizError(f"{path}: not a readable .npz file ({reason})") from None


#: The torch dtypes numpy holds exactly; cellviz computes in float32 or float64.
_TORCH_FLOATS = ("torch.float64", "torch.float32", "torch.float16")


def _tensor(path: Path, name: str, value: Any, most: int) -> Any:
    """A tensor of a state_dict as a numpy array, or one line on what cellviz cannot read."""
    if not hasattr(value, "detach"):
        return value
    what = f"{path}: tensor {name!r}"
    layout = str(getattr(value, "layout", "torch.strided"))
    if layout != "torch.strided":
        raise CellvizError(f"{what} is a {layout.removeprefix('torch.')} tensor; cellviz reads "
                           "dense tensors (save tensor.to_dense())")
    if str(getattr(value, "device", "cpu")) == "meta":
        raise CellvizError(f"{what} is on the meta device and holds no numbers")
    dtype = str(value.dtype)
    if getattr(value, "is_quantized", False) or dtype not in _TORCH_FLOATS:
        raise CellvizError(f"{what} has dtype {dtype}; cellviz reads float64, float32 and "
                           "float16 (as float32) weights: save tensor.float()")
    if value.numel() > most:
        raise _too_many(path, name, int(value.numel()), most)
    return value.detach().cpu().numpy()


def read_pt(path: Path, most: int) -> dict[str, Any]:
    """The tensors of a PyTorch state_dict saved with ``torch.save``, read with
    ``weights_only=True`` (no pickle runs) and torch's warnings kept off the terminal."""
    try:
        import torch
    except ImportError:
        raise CellvizError(f"{path}: reading a .pt file needs PyTorch (pip install torch); "
                           "or save the weights with numpy.savez as .npz") from None
    try:
        with path.open("rb") as handle:
            start = handle.read(4)
    except OSError as exc:
        raise CellvizError(f"cannot read weights file {str(path)!r}: {exc.strerror}") from None
    if start != _ZIP_MAGIC and not start.startswith(b"\x80"):  # a zip, or torch's old pickle
        raise CellvizError(f"{path}: not a PyTorch file (torch.save writes a zip archive; this "
                           f"file starts with {start!r})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = torch.load(path, map_location="cpu", weights_only=True)
    except MemoryError:
        raise CellvizError(f"{path}: too large to read into memory") from None
    except Exception as exc:  # torch raises many kinds for a bad file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if first.startswith("Weights only load failed"):
            first = "Python objects other than tensors, which cellviz never unpickles"
        raise CellvizError(f"{path}: not a readable PyTorch file ({first[:200]})") from None
    if not isinstance(data, dict):
        raise CellvizError(f"{path}: expected a state_dict (a dict of tensors, as "
                           f"module.state_dict() gives), not {type(data).__name__}")
    return {str(k): _tensor(path, str(k), v, most) for k, v in data.items()}
