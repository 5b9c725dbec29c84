"""A Cell: a checked graph with its size symbols bound to integers, in one convention."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .graph import CellGraph

if TYPE_CHECKING:
    from .params import ParamTable

__all__ = ["Cell"]


@dataclass(frozen=True)
class Cell:
    """A cell ready to draw and run: ``graph`` is shared by every size; ``sizes`` binds its
    symbols, in the graph's order (``(("i", 3), ("n", 2))``)."""

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
        """Jupyter shows a cell as its figure; the SVG carries its own size, so nothing clips."""
        from .render import render

        return render(self)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{s}={v}" for s, v in self.sizes)
        return f"<Cell {self.name} ({self.convention}) {sizes}: {self.params().total} parameters>"
