"""A Cell: a checked graph with its size symbols bound to integers, in one convention."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .graph import CellGraph

if TYPE_CHECKING:
    from .numeric.checks import Array
    from .numeric.grad import Gradients
    from .numeric.ops import Prepared
    from .numeric.plan import EvalPlan
    from .params import ParamTable

__all__ = ["Cell"]


@dataclass(frozen=True)
class Cell:
    """A cell ready to draw and run: ``graph`` is shared by every size; ``sizes`` binds its
    symbols, in the graph's order (``(("i", 3), ("n", 2))``).

    It is also a facade over the later stages (``params``, ``step``, ``run``, ``plan``, the
    Jupyter figure): each method imports its stage when called, never at import time, so that the
    model stays free of numpy, graphviz and jinja2 and importing it loads no later stage."""

    graph: CellGraph
    sizes: tuple[tuple[str, int], ...]
    convention: str = "paper"

    @property
    def name(self) -> str:
        return self.graph.name

    def size(self, symbol: str) -> int:
        """The integer a size symbol is bound to."""
        for s, value in self.sizes:
            if s == symbol:
                return value
        raise KeyError(symbol)

    def shape(self, dims: tuple[str, ...]) -> tuple[int, ...]:
        """Bind a tuple of size symbols: ``("n", "i")`` -> ``(2, 3)``."""
        return tuple(self.size(d) for d in dims)

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's array shape, in order: matrices (rows, cols), vectors (rows,)."""
        return {p.name: self.shape(p.dims) for p in self.graph.params}

    def params(self) -> ParamTable:
        """The parameter table: one entry per parameter, grouped by dense node, and the total."""
        from .params import param_table

        return param_table(self)

    def _repr_svg_(self) -> str:
        """Jupyter shows a cell as its figure; the SVG carries its own size, so nothing clips,
        and ids of its own display (a notebook may show the same cell twice)."""
        from .draw.render import RenderOptions, render
        from .embed.notebook import display_prefix

        return render(self, options=RenderOptions(id_prefix=display_prefix()))

    @cached_property
    def plan(self) -> EvalPlan:
        """The evaluator's compiled plan, built on first use and kept with the cell."""
        from .numeric.plan import compile_plan

        return compile_plan(self)

    def __getstate__(self) -> dict[str, Any]:
        # The plan holds closures, which do not pickle; it is rebuilt on first use.
        return {k: v for k, v in self.__dict__.items() if k != "plan"}

    def prepare(self, weights: Mapping[str, Any]) -> Prepared:
        """Check the weights and lay them out for this cell once, for many step or run calls."""
        return self.plan.bind(weights)

    def step(
        self, weights: Mapping[str, Any] | Prepared, x: Any,
        state: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        """One step for x of shape (i,) or (B, i) and a state dict (zeros when None); returns
        the outputs by name (``h``, ``c``) and the trace of every node by id. ``weights`` is a
        dict by parameter name, or what ``prepare`` made of one."""
        from .numeric.evaluate import step

        return step(self.plan, weights, x, state)

    def run(
        self, weights: Mapping[str, Any] | Prepared, xs: Any,
        state: Mapping[str, Any] | None = None,
    ) -> tuple[Array, dict[str, Array]]:
        """A sequence xs of shape (T, i) or (T, B, i) from ``state`` (zeros when None); returns
        the output h stacked over time and the final state by name."""
        from .numeric.evaluate import run

        return run(self.plan, weights, xs, state)

    def grad(
        self, weights: Mapping[str, Any] | Prepared, xs: Any,
        state: Mapping[str, Any] | None = None, *, loss: Any = "sum", trace: bool = False,
    ) -> Gradients:
        """Backpropagation through time: run xs of shape (T, i) or (T, B, i) from ``state`` and
        return the loss and its gradients with respect to every parameter, every input step and
        the initial state (``Gradients``). ``loss`` is "sum" (of h over every step), an array of
        dL/dh for every step, a dict of such arrays by output name, or a function of the
        outputs h that returns (loss, dL/dh); ``trace=True`` adds every node's gradient at every
        step."""
        from .numeric.grad import grad

        return grad(self.plan, weights, xs, state, loss=loss, trace=trace)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{s}={v}" for s, v in self.sizes)
        return f"<Cell {self.name} ({self.convention}) {sizes}: {self.params().total} parameters>"
