"""Helpers the tests import: every built-in cell in every convention with readable ids, and a
built-in cell at small sizes."""

from __future__ import annotations

import pytest

import cellviz

#: (cell, convention) for every built-in cell in every convention; a convention without a file of
#: its own computes the paper form, and must run just the same.
ALL_CELLS = [(name, conv) for name in cellviz.BUILTIN_CELLS for conv in cellviz.CONVENTIONS]


def load(name: str, convention: str = "paper", *, i: int = 3, n: int = 2) -> cellviz.Cell:
    """A built-in cell at small sizes (p=1 for a projection)."""
    proj = 1 if name == "lstm-proj" else None
    return cellviz.load(name, input_size=i, hidden_size=n, proj_size=proj, convention=convention)


every_cell = pytest.mark.parametrize(
    ("name", "convention"), ALL_CELLS, ids=[f"{n}-{c}" for n, c in ALL_CELLS]
)
