"""Shared test options and helpers: ``--update-golden``, the dot marker's skip, and every
built-in cell in every convention with readable ids."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

import cellviz

_CACHE = pytest.StashKey[tuple[str | None, str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/* from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which("dot"):
        return
    skip = pytest.mark.skip(reason="Graphviz's dot is not installed (apt-get install graphviz)")
    for item in items:
        if "dot" in item.keywords:
            item.add_marker(skip)

def pytest_configure(config: pytest.Config) -> None:
    """Compiled templates go to a temporary directory, not the user's cache, from before
    collection on (subprocesses inherit it through the environment)."""
    config.stash[_CACHE] = (os.environ.get("CELLVIZ_CACHE_DIR"),
                            tempfile.mkdtemp(prefix="cellviz-template-cache-"))
    os.environ["CELLVIZ_CACHE_DIR"] = config.stash[_CACHE][1]


def pytest_unconfigure(config: pytest.Config) -> None:
    if _CACHE not in config.stash:
        return
    before, directory = config.stash[_CACHE]
    shutil.rmtree(directory, ignore_errors=True)
    if before is None:
        os.environ.pop("CELLVIZ_CACHE_DIR", None)
    else:
        os.environ["CELLVIZ_CACHE_DIR"] = before


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
