"""Exact parameter accounting: a table per dense node and parameter, as text, JSON, Markdown,
LaTeX or CSV."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .cell import Cell
from .stack import DIRECTIONS

if TYPE_CHECKING:
    from .stack import Stack

__all__ = ["TABLE_FORMATS", "ParamEntry", "ParamTable", "StackParams", "param_table",
           "shape_text", "stack_params"]

#: The formats a parameter table is written in.
TABLE_FORMATS = ("text", "json", "markdown", "latex", "csv")

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

    def to_text(self, heading: str | None = None) -> str:
        """The table for a terminal: a row per parameter, a subtotal per dense node, the total;
        ``heading`` replaces the first line (cell, convention and sizes)."""
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

        out = [heading or f"{self.cell} ({self.convention} convention), {sizes}", line(head)]
        out += [line(r) for r in rows]
        out.append(self.summary())
        return "\n".join(out) + "\n"


    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table, with a total row."""
        from .tables import to_markdown

        return to_markdown(self)

    def _repr_markdown_(self) -> str:
        """Jupyter shows a table as Markdown where it has no HTML."""
        return self.to_markdown()

    def _repr_html_(self) -> str:
        """Jupyter shows a table as an HTML table."""
        from .embed.notebook import table_html

        return table_html(self)

    def to_latex(self) -> str:
        """A LaTeX ``tabular`` with booktabs rules, with a total row."""
        from .tables import to_latex

        return to_latex(self)

    def to_csv(self) -> str:
        """Comma-separated values: a header and a row per parameter."""
        from .tables import to_csv

        return to_csv(self)

    def to_format(self, format: str) -> str:
        """The table in one of TABLE_FORMATS (text, json, markdown, latex, csv)."""
        if format == "json":
            import json

            return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        writers = {"text": self.to_text, "markdown": self.to_markdown, "latex": self.to_latex,
                   "csv": self.to_csv}
        if format not in writers:
            from .errors import UsageError

            raise UsageError(f"unknown table format: {format!r} (must be one of "
                             f"{', '.join(TABLE_FORMATS)})")
        return writers[format]()


def param_table(cell: Cell) -> ParamTable:
    """The parameter table of a cell, in the graph's parameter order."""
    graph = cell.graph
    entries = tuple(
        ParamEntry(p.name, p.node, graph.node(p.node).gate, p.role, p.dims, cell.shape(p.dims))
        for p in graph.params
    )
    return ParamTable(graph.name, cell.convention, cell.sizes, entries)


@dataclass(frozen=True)
class StackParams:
    """The parameters of a stack: one table per layer and direction (``tables[k][d]``, the
    names suffixed as PyTorch's are: ``W_ii_l1_reverse``) and what each layer reads, in
    symbols and as a number (``("2·n", 4)``)."""

    cell: str
    convention: str
    sizes: tuple[tuple[str, int], ...]
    bidirectional: bool
    inputs: tuple[tuple[str, int], ...]
    tables: tuple[tuple[ParamTable, ...], ...]

    @property
    def num_layers(self) -> int:
        return len(self.tables)

    def layer_total(self, layer: int) -> int:
        """The parameters of one layer, every direction."""
        return sum(t.total for t in self.tables[layer])

    @property
    def total(self) -> int:
        return sum(self.layer_total(k) for k in range(self.num_layers))

    def heading(self) -> str:
        """``lstm (pytorch convention), 2 layers, bidirectional, i=3, n=2``."""
        sizes = ", ".join(f"{s}={v}" for s, v in self.sizes)
        layers = f"{self.num_layers} layer{'s' if self.num_layers != 1 else ''}"
        kind = ", bidirectional" if self.bidirectional else ""
        return f"{self.cell} ({self.convention} convention), {layers}{kind}, {sizes}"

    def title(self, layer: int, direction: int) -> str:
        """``layer 1, reverse, input 2·n=4``: what a layer and direction's table is headed."""
        way = f", {DIRECTIONS[direction]}" if self.bidirectional else ""
        symbols, size = self.inputs[layer]
        return f"layer {layer}{way}, input {symbols}={size}"

    def summary(self) -> str:
        """``1,184 parameters in 3 layers (288, 448, 448)``."""
        per = ", ".join(f"{self.layer_total(k):,}" for k in range(self.num_layers))
        noun = "parameter" if self.total == 1 else "parameters"
        return (f"{self.total:,} {noun} in {self.num_layers} "
                f"layer{'s' if self.num_layers != 1 else ''} ({per})")

    def to_text(self) -> str:
        """A table per layer and direction, each layer's total, and the stack's."""
        out = [self.heading(), ""]
        for k, layer in enumerate(self.tables):
            for d, table in enumerate(layer):
                out.append(table.to_text(self.title(k, d)))
            if len(layer) > 1:
                out += [f"layer {k}: {self.layer_total(k):,} parameters", ""]
        out.append(self.summary())
        return "\n".join(out) + "\n"

    def to_format(self, format: str) -> str:
        """The tables in one of TABLE_FORMATS: markdown and latex write a table per layer and
        direction under its title, csv one header and a row per parameter of the stack."""
        if format == "text":
            return self.to_text()
        if format == "json":
            import json

            return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        out: list[str] = []
        for k, layer in enumerate(self.tables):
            for d, table in enumerate(layer):
                head, _, body = table.to_format(format).partition("\n")
                if format == "markdown":
                    head = f"**{self.title(k, d)}**"
                elif format == "latex":
                    head = f"% {self.title(k, d)}: {table.summary()}"
                elif out:  # csv: one header for the whole stack
                    head = ""
                out.append(f"{head}\n{body}" if head else body)
        if format == "markdown":
            out.append(f"**{self.heading()}: {self.summary()}**\n")
        elif format == "latex":
            out.append(f"% {self.heading()}: {self.summary()}\n")
        return ("\n" if format != "csv" else "").join(out)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the stack's sizes and total, and per layer its input size, total and
        each direction's table (``ParamTable.to_dict``, with the suffixed names)."""
        return {
            "cell": self.cell,
            "convention": self.convention,
            "sizes": dict(self.sizes),
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "total": self.total,
            "layers": [
                {
                    "layer": k,
                    "input_size": self.inputs[k][1],
                    "total": self.layer_total(k),
                    "directions": [
                        {"direction": DIRECTIONS[d], "total": table.total,
                         "sizes": dict(table.sizes),
                         "tensors": table.to_dict()["tensors"]}
                        for d, table in enumerate(layer)
                    ],
                }
                for k, layer in enumerate(self.tables)
            ],
        }


def stack_params(stack: Stack) -> StackParams:
    """The tables of every layer and direction of a stack, with PyTorch's name suffixes."""
    tables: list[list[ParamTable]] = [[] for _ in stack.cells]
    for k, d, cell in stack.members():
        table = param_table(cell)
        suffix = stack.suffix(k, d)
        entries = tuple(ParamEntry(e.name + suffix, e.node, e.gate, e.role, e.dims, e.shape)
                        for e in table.entries)
        tables[k].append(ParamTable(table.cell, table.convention, table.sizes, entries))
    return StackParams(stack.name, stack.convention, stack.sizes, stack.bidirectional,
                       tuple((stack.reads(k), stack.input_size(k))
                             for k in range(stack.num_layers)),
                       tuple(tuple(layer) for layer in tables))
