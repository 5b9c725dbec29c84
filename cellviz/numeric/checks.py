"""Checks on the arrays handed to the evaluator: names, shapes, dtypes and finite values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import EvaluationError

__all__ = [
    "Array",
    "all_finite",
    "check_finite",
    "check_weights",
    "float_array",
    "numeric",
    "shape_str",
]

#: A floating-point array; the evaluator computes in the dtype of the weights.
Array = NDArray[np.floating[Any]]


def shape_str(shape: tuple[int | str, ...]) -> str:
    """A shape as numpy prints it: ``(2, 3)``, ``(3,)``, ``(B, 3)``."""
    inner = ", ".join(str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


#: The dtypes the evaluator computes in. float16 is taken too, as float32 (which holds every
#: float16 exactly); long double is refused (numpy's BLAS does not compute in it, and taking
#: it as float64 would lose precision silently); bfloat16 and float8 are not numpy dtypes.
COMPUTED = ("float64", "float32")
ACCEPTED = "float64 or float32 (float16 is read as float32)"


def float_array(what: str, value: object) -> Array:
    """``value`` as an array of one of the COMPUTED dtypes, or an EvaluationError naming
    ``what`` (``weight 'W_z'``), its dtype and what is accepted. A torch tensor is read
    without importing torch."""
    if hasattr(value, "detach") and hasattr(value, "dtype"):
        dtype = str(value.dtype)
        if dtype not in ("torch.float64", "torch.float32", "torch.float16") or str(
                getattr(value, "layout", "torch.strided")) != "torch.strided":
            raise EvaluationError(f"{what} is a tensor of {dtype}; weights must be {ACCEPTED}")
        value = value.detach().cpu().numpy()
    try:
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
    except (TypeError, ValueError, RuntimeError):
        raise EvaluationError(f"{what} is not an array of numbers: {value!r:.60}") from None
    if array.dtype == np.float16:
        return array.astype(np.float32)
    if array.dtype.name not in COMPUTED:
        raise EvaluationError(f"{what} has dtype {array.dtype}; weights must be {ACCEPTED}")
    return array


def numeric(what: str, value: object, dtype: np.dtype[Any]) -> Array:
    """``value`` as an array of ``dtype``. A floating array of another dtype is an error (mixed
    dtypes), not a silent cast (float16 is taken as float32); lists and integer arrays are
    converted."""
    if isinstance(value, np.ndarray) and value.dtype == np.float16 and dtype == np.float32:
        value = value.astype(np.float32)
    if isinstance(value, np.ndarray):
        if value.dtype == dtype:
            return value
        if value.dtype.kind == "f":
            raise EvaluationError(
                f"mixed dtypes: {what} is {value.dtype} but the weights are {dtype} "
                f"(convert one of them, e.g. with .astype(numpy.{dtype}))"
            )
        if value.dtype.kind not in "biu":
            raise EvaluationError(f"{what} is not numeric (dtype {value.dtype})")
    try:
        return np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise EvaluationError(f"{what} is not an array of numbers: {value!r:.60}") from None


def all_finite(array: Array) -> bool:
    """Whether no value is NaN or infinite."""
    # The sum of squares is finite when every value is (squares cannot cancel an infinity); it
    # is one BLAS call, cheaper than isfinite for a small vector. Only if it is not finite (NaN,
    # infinity, or an overflow of large values) does the exact test decide.
    flat = array.reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):
        return math.isfinite(np.dot(flat, flat)) or bool(np.isfinite(array).all())


def check_finite(what: str, array: Array) -> None:
    """Refuse NaN and infinity rather than compute with them."""
    if not all_finite(array):
        bad = tuple(int(k) for k in np.argwhere(~np.isfinite(array))[0])
        where = f" at index {bad if len(bad) != 1 else bad[0]}" if bad else ""
        value = array[bad] if bad else array
        raise EvaluationError(f"{what} holds {value}{where}: NaN and infinity are not computed")


def check_weights(
    expected: Mapping[str, tuple[int, ...]], weights: object, cell: str
) -> dict[str, Array]:
    """The weights as arrays of one floating dtype, every parameter present with its shape.
    Finite values are checked by the caller, on the stacked arrays, which is cheaper."""
    if not isinstance(weights, Mapping):
        raise EvaluationError(
            f"weights must be a dict of parameter name to array, not {type(weights).__name__} "
            "(framework tensors: see cellviz.import_weights)"
        )
    missing = [name for name in expected if name not in weights]
    if missing:
        shapes = ", ".join(f"{n!r} {shape_str(expected[n])}" for n in missing[:4])
        more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        raise EvaluationError(f"cell {cell!r} is missing weight {shapes}{more}")
    extra = [name for name in weights if name not in expected]
    if extra:
        raise EvaluationError(
            f"unexpected weight {extra[0]!r} for cell {cell!r} (its weights: "
            f"{', '.join(expected)}; framework tensors: see cellviz.import_weights)"
        )
    arrays: dict[str, Array] = {}
    first: tuple[str, np.dtype[Any]] | None = None
    for name, shape in expected.items():
        array = float_array(f"weight {name!r}", weights[name])
        if first is None:
            first = (name, array.dtype)
        elif array.dtype != first[1]:
            raise EvaluationError(
                f"mixed dtypes: weight {name!r} is {array.dtype} but {first[0]!r} is {first[1]}"
            )
        if array.shape != shape:
            raise EvaluationError(
                f"weight {name!r} has shape {shape_str(array.shape)}, expected {shape_str(shape)}"
            )
        arrays[name] = array
    return arrays
