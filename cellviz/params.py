"""Exact parameter accounting: a table per dense node and parameter, as text or JSON."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .cell import Cell

__all__ = ["ParamEntry", "ParamTable", "param_table", "shape_text"]

_ROLE_NOUNS = {
    "matrix": ("weight matrix", "weight matrices"),
    "bias": ("bias vector", "bias vectors"),
    "diag": ("element-wise weight vector", "element-wise weight vectors"),
}


def shape_text(shape: tuple[int, ...] | tuple[str, ...]) -> str:
    """A shape as a figure writes it: matrices rows×cols, vectors as columns rows×1.

    >>> shape_text((2, 3)), shape_text((2,)), shape_text(("n", "i"))
    ('2×3', '2×1', 'n×i')
    """
    dims = [str(d) for d in shape]
    return "×".join(dims if len(dims) > 1 else [*dims, "1"])


@dataclass(frozen=True)
class ParamEntry:
    """One parameter: its name, the dense node that owns it (and that node's gate), its role
    (matrix, diag or bias), symbolic dims, array shape and number of scalars."""

    name: str
    node: str
    gate: str | None
    role: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]

    @property
    def count(self) -> int:
        count = 1
        for d in self.shape:
            count *= d
        return count


@dataclass(frozen=True)
class ParamTable:
    """The parameters of a cell at given sizes."""

    cell: str
    convention: str
    sizes: tuple[tuple[str, int], ...]
    entries: tuple[ParamEntry, ...]

    @property
    def total(self) -> int:
        return sum(e.count for e in self.entries)

    def __iter__(self) -> Iterator[ParamEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, name: str) -> ParamEntry:
        for entry in self.entries:
            if entry.name == name:
                return entry
        raise KeyError(name)

    def by_node(self) -> dict[str, tuple[ParamEntry, ...]]:
        """Entries grouped by the dense node that owns them, in order."""
        groups: dict[str, list[ParamEntry]] = {}
        for entry in self.entries:
            groups.setdefault(entry.node, []).append(entry)
        return {node: tuple(entries) for node, entries in groups.items()}

    def summary(self) -> str:
        """One line for a legend: ``36 parameters: 6 weight matrices, 3 bias vectors``."""
        parts = []
        for role, (one, many) in _ROLE_NOUNS.items():
            k = sum(1 for e in self.entries if e.role == role)
            if k:
                parts.append(f"{k} {one if k == 1 else many}")
        noun = "parameter" if self.total == 1 else "parameters"
        return f"{self.total} {noun}: {', '.join(parts)}"

    def to_dict(self) -> dict[str, Any]:
        """The table as JSON-ready data; ``shape`` is the array shape, as the frameworks give."""
        return {
            "cell": self.cell,
            "convention": self.convention,
            "sizes": dict(self.sizes),
            "total": self.total,
            "tensors": [
                {
                    "name": e.name,
                    "node": e.node,
                    "gate": e.gate,
                    "role": e.role,
                    "shape": list(e.shape),
                    "count": e.count,
                }
                for e in self.entries
            ],
        }

    def to_text(self) -> str:
        """The table for a terminal: a row per parameter, a subtotal per dense node, the total."""
        sizes = ", ".join(f"{s}={v}" for s, v in self.sizes)
        rows: list[tuple[str, str, str, str, str]] = []
        for node, entries in self.by_node().items():
            gate = entries[0].gate
            title = f"{gate} ({node})" if gate else node
            for k, e in enumerate(entries):
                rows.append((title if k == 0 else "", e.name, shape_text(e.dims),
                             shape_text(e.shape), str(e.count)))
            if len(entries) > 1:
                rows.append(("", "", "", "", str(sum(e.count for e in entries))))
        head = ("node", "parameter", "shape", "size", "count")
        widths = [max(len(r[k]) for r in [head, *rows]) for k in range(5)]

        def line(r: tuple[str, ...]) -> str:
            cells = [r[k].ljust(widths[k]) for k in range(4)] + [r[4].rjust(widths[4])]
            return "  ".join(cells).rstrip()

        out = [f"{self.cell} ({self.convention} convention), {sizes}", line(head)]
        out += [line(r) for r in rows]
        out.append(self.summary())
        return "\n".join(out) + "\n"


def param_table(cell: Cell) -> ParamTable:
    """The parameter table of a cell, in the graph's parameter order."""
    graph = cell.graph
    entries = tuple(
        ParamEntry(p.name, p.node, graph.node(p.node).gate, p.role, p.dims, cell.shape(p.dims))
        for p in graph.params
    )
    return ParamTable(graph.name, cell.convention, cell.sizes, entries)
