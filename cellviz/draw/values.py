"""The numbers a figure prints: one step's vectors and the weights, and their diverging colours.

Pure data and arithmetic: no numpy here, so the plain figure path never imports it. Values are
made from the evaluator's trace (anything with ``tolist``) by ``values_of``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from ..arguments import require, whole
from ..errors import UsageError
from ..lang.substitute import format_number
from ..record import record, replace
from .sampled import Numbers, Sampled, sample
from .themes import Theme, contrast, luminance

if TYPE_CHECKING:
    from ..cell import Cell

__all__ = ["BU_RD", "MAX_UNROLL", "PR_GN", "Values", "check_unroll", "gradient_scale",
           "gradients_of", "value_colours", "value_outline", "values_of"]

#: Paul Tol's colour-blind-safe diverging scheme BuRd (blue for negative, red for positive).
BU_RD = ("#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582",
         "#d6604d", "#b2182b")

#: Paul Tol's diverging scheme PRGn (purple for negative, green for positive): the gradients'
#: colours, so that a gradient is never read on the values' scale.
PR_GN = ("#762a83", "#9970ab", "#c2a5cf", "#e7d4e8", "#f7f7f7", "#d9f0d3", "#acd39e",
         "#5aae61", "#1b7837")

#: The widest number a glyph cell must hold at the default precision.
WIDEST = "−0.00"

#: The most steps an unrolled figure draws side by side.
MAX_UNROLL = 8

Nested = Numbers


@record
class Values:
    """One step's numbers: ``vectors`` maps node ids to their values (1-D), ``weights`` maps
    parameter names to theirs (1-D or rows of 2-D); ``limit`` is the magnitude drawn in full
    colour (the scale is symmetric around 0); ``digits`` the printed precision; ``step`` the
    1-based time step the numbers belong to (0: unnamed). ``grads`` are the same step's
    gradients ∂L/∂v, drawn beside the values; ``gradient`` says that these numbers are such
    gradients (their own colours, PRGn, and glyph keys starting ``grad:``), and ``loss`` what
    L is, in words for the legend ("" leaves it unsaid)."""

    vectors: tuple[tuple[str, tuple[float, ...] | Sampled], ...]
    weights: tuple[tuple[str, Nested], ...] = ()
    limit: float = 1.0
    digits: int = 2
    step: int = 0
    grads: Values | None = None
    gradient: bool = False
    loss: str = ""

    @property
    def stops(self) -> tuple[str, ...]:
        """The colour scale's stops, from −limit to +limit."""
        return PR_GN if self.gradient else BU_RD

    @property
    def prefix(self) -> str:
        """What the glyph keys of these numbers start with."""
        return "grad:" if self.gradient else ""

    @property
    def widest(self) -> str:
        """The widest number a glyph cell must hold at this precision."""
        return WIDEST if self.digits == 2 else "−0." + "0" * self.digits

    @cached_property
    def _vectors(self) -> dict[str, tuple[float, ...] | Sampled]:
        return dict(self.vectors)

    @cached_property
    def _weights(self) -> dict[str, Nested]:
        return dict(self.weights)

    def vector(self, node_id: str) -> tuple[float, ...] | Sampled | None:
        """The values of a node, or None when the trace does not hold it."""
        return self._vectors.get(node_id)

    def cell(self, key: str, row: int, col: int | None = None) -> float | None:
        """The number of one glyph cell: a node's row, or a parameter's (row, col)."""
        number: float | tuple[float, ...] | Sampled
        if key in self._vectors:
            number = self._vectors[key][row]
        else:
            weight = self._weights.get(key)
            if weight is None:
                return None
            number = weight[row]
            if isinstance(number, (tuple, Sampled)):
                number = number[col or 0]
        assert not isinstance(number, Sampled)
        return float(number)

    def text(self, value: float) -> str:
        """A number as printed: fixed digits, a real minus sign."""
        return format_number(value, self.digits)

    def check_fits(self, cell: Cell) -> None:
        """A UsageError unless every vector and weight has the size the cell gives it (values
        from another cell or size, or a batch rather than one vector, would misprint)."""
        graph = cell.graph
        for node_id, numbers in self.vectors:
            try:
                node = graph.node(node_id)
            except KeyError:
                continue
            if len(numbers) != cell.size(node.size):
                raise UsageError(
                    f"values for {node.label} hold {len(numbers)} numbers but {node.label} has "
                    f"{cell.size(node.size)} (one step of one vector is drawn, not a batch)"
                )
        shapes = cell.param_shapes()
        for name, weight in self.weights:
            rows = len(weight)
            cols = len(weight[0]) if rows and isinstance(weight[0], (tuple, Sampled)) else None
            got = (rows,) if cols is None else (rows, cols)
            if name in shapes and got != shapes[name]:
                raise UsageError(f"values for weight {name!r} have shape {got}, but the cell's "
                                 f"is {shapes[name]}")
        if self.grads is not None:
            self.grads.check_fits(cell)



def check_unroll(steps: object) -> int:
    """The number of steps to unroll, or a UsageError naming the limits."""
    return whole("unroll", steps, 1, MAX_UNROLL, "more would not fit a readable figure")


def _vector(value: Any) -> tuple[float, ...] | Sampled:
    """A node's numbers as a figure shows them; a batch (2-D) keeps none, which ``check_fits``
    then reports."""
    if getattr(value, "ndim", 1) != 1 or (len(value) and isinstance(value[0], (list, tuple))):
        return ()
    vector = sample(value)
    assert not isinstance(vector, tuple) or not vector or isinstance(vector[0], float)
    return cast("tuple[float, ...] | Sampled", vector)


def values_of(trace: Mapping[str, Any], weights: Mapping[str, Any] | None = None, *,
              limit: float = 1.0, digits: int = 2, step: int = 0,
              grads: Values | None = None, gradient: bool = False) -> Values:
    """Values from an evaluator trace (node id -> 1-D array) and the weights by parameter
    name. ``limit``: the magnitude drawn in full colour; 1 suits gates, tanh outputs, states
    and initial weights alike, and a larger number (a raw input, a sum) saturates. ``grads``:
    the step's gradients (``gradients_of``) to draw beside them."""
    require("trace", trace, Mapping, "a dict of node id to array (the evaluator's trace)")
    if weights is not None:
        require("weights", weights, Mapping, "a dict of parameter name to array, or None")
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 0 < limit < math.inf:
        raise UsageError(f"limit must be a positive number, not {limit!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 12:
        raise UsageError(f"digits must be a whole number from 0 to 12, not {digits!r}")
    # Only the numbers a figure can show are kept: the first and last few of each side.
    vectors = tuple((node, _vector(v)) for node, v in trace.items())
    params = tuple((name, sample(w)) for name, w in (weights or {}).items())
    return Values(vectors, params, limit, digits, step, grads, gradient)


def gradient_scale(largest: float) -> tuple[float, int]:
    """The full-colour limit of a gradient scale whose largest magnitude is ``largest``, as
    1, 2 or 5 times a power of ten, and the decimals that print two significant digits at
    that limit (2 to 4).

    >>> gradient_scale(0.7), gradient_scale(0.013), gradient_scale(3.2), gradient_scale(0.0)
    ((1.0, 2), (0.02, 3), (5.0, 2), (1.0, 2))
    """
    if not largest > 0 or not math.isfinite(largest):
        return 1.0, 2
    power = math.floor(math.log10(largest))
    for step in (1.0, 2.0, 5.0, 10.0):
        limit = step * 10.0 ** power
        if limit >= largest * (1 - 1e-12):
            break
    limit = float(f"{limit:.12g}")
    return limit, min(max(1 - math.floor(math.log10(limit)), 2), 4)


def gradients_of(trace: Mapping[str, Any], weights: Mapping[str, Any] | None = None, *,
                 limit: float, digits: int, step: int = 0, loss: str = "") -> Values:
    """One step's gradients as Values: ∂L/∂v of every node by id (``Gradients.trace[t]``) and
    the step's share of ∂L/∂W by parameter (``Gradients.param_trace[t]``), on a scale of
    their own (``gradient_scale``); ``loss`` says what L is, for the legend."""
    return replace(values_of(trace, weights, limit=limit, digits=digits, step=step,
                             gradient=True), loss=loss)


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _lerp(stops: tuple[str, ...], t: float) -> str:
    """The colour at t in [0, 1] along evenly spaced stops."""
    pos = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    k = min(int(pos), len(stops) - 2)
    a, b = _hex(stops[k]), _hex(stops[k + 1])
    f = pos - k
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True))


def value_colours(theme: Theme, value: float, limit: float,
                  stops: tuple[str, ...] = BU_RD) -> tuple[str, str]:
    """A cell's fill and its number's colour: blue–white–red (Tol's BuRd, or the ``stops``
    given) symmetric around 0, or in the print theme grey by magnitude (the sign is the
    printed minus); the text is black or white, whichever contrasts more with the fill."""
    t = 0.5 if not math.isfinite(value) else 0.5 + value / (2 * limit)
    if theme.name == "print":
        fill = _lerp(("#ffffff", "#5a5a5a"), abs(t - 0.5) * 2)
    else:
        fill = _lerp(stops, t)
    lum = luminance(fill)
    # Contrast ratio against black (lum + 0.05) / 0.05 and white 1.05 / (lum + 0.05).
    text = "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"
    return fill, text


def value_outline(fill: str) -> str:
    """The outline of a cell filled ``fill`` by its value: black, in every theme and for
    every role, since black stands out 3:1 or more from every fill of the value scales; white
    on the few fills too dark for that (the darkest purples of the gradient scale)."""
    return "#000000" if contrast("#000000", fill) >= 3 else "#ffffff"
