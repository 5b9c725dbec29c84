"""Property: any .npz a user can hand to --weights (random dtypes and shapes, damaged archives,
truncated members) gives the weights or a one-line cellviz error, and never reads past what
the archive holds."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cellviz
from cellviz import CellvizError
from cellviz.numeric.weightfile import load_weights_file

CELL = load("gru")
NAMES = [*CELL.param_shapes(), "kernel", "weight_ih", "junk"]
DTYPES = ["<f8", "<f4", "<f2", ">f8", "<i4", "|u1", "|b1", "<c16", "|O", "<U3", "|V4",
          np.dtype(np.longdouble).str]


@st.composite
def member(draw: st.DrawFn) -> tuple[str, bytes]:
    """A .npy member: a random dtype and shape, its header honest or not, its data maybe cut."""
    name = draw(st.sampled_from(NAMES))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = tuple(draw(st.lists(st.integers(0, 7), max_size=3)))
    array = np.empty(shape, dtype=object) if dtype.hasobject else np.zeros(shape, dtype=dtype)
    out = io.BytesIO()
    np.lib.format.write_array(out, array, allow_pickle=True)
    data = out.getvalue()
    if draw(st.booleans()):  # a header that lies about the shape
        header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
                  "shape": tuple(draw(st.lists(st.integers(0, 10**15), max_size=3)))}
        out = io.BytesIO()
        np.lib.format.write_array_header_1_0(out, header)
        data = out.getvalue() + data[len(out.getvalue()):]
    if draw(st.booleans()):  # a member cut short
        data = data[: draw(st.integers(0, len(data)))]
    return name, data


@st.composite
def archive(draw: st.DrawFn) -> bytes:
    """An .npz: random members, a few bytes of it maybe flipped, cut or the whole of it junk."""
    out = io.BytesIO()
    compression = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    with zipfile.ZipFile(out, "w", compression) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a name twice is one more thing to try
        if draw(st.booleans()):  # the right weights, as a base to damage
            for name, value in cellviz.init_weights(CELL).items():
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, value)
                zf.writestr(f"{name}.npy", buffer.getvalue())
        for name, data in draw(st.lists(member(), max_size=4)):
            zf.writestr(f"{name}.npy", data)
    data = bytearray(out.getvalue())
    for _ in range(draw(st.integers(0, 3))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.mark.filterwarnings("error")
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=archive())
def test_any_npz_gives_weights_or_one_line(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "w.npz"
    path.write_bytes(data)
    try:
        weights = load_weights_file(CELL, path)
    except CellvizError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert {k: v.shape for k, v in weights.items()} == CELL.param_shapes()
        assert {v.dtype.name for v in weights.values()} <= {"float32", "float64"}


def test_an_encrypted_member_is_one_line(tmp_path: Path) -> None:
    """A member flagged as encrypted (found by the test above): one line, not zipfile's
    RuntimeError asking for a password."""
    path = tmp_path / "w.npz"
    np.savez(path, **{name: np.zeros(shape) for name, shape in CELL.param_shapes().items()})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1  # the general purpose flags of the first member's entry
    path.write_bytes(bytes(data))
    with pytest.raises(CellvizError, match=r"w\.npz: member '.*\.npy' is encrypted"):
        load_weights_file(CELL, path)
