"""Shared test options and fixtures: ``--update-golden``, the dot marker's skip, and a private
compiled-template cache, Keras on its torch backend; the helpers tests import are in
``helpers.py``."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from typing import Any

import pytest

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


@pytest.fixture(scope="session")
def keras(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Keras 3, imported once with KERAS_BACKEND=torch and KERAS_HOME in a temporary directory
    (set before the first import, which reads them); skips where Keras or torch is missing."""
    for module in ("keras", "torch"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (./dev test installs it)")
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = "torch"
        os.environ["KERAS_HOME"] = str(tmp_path_factory.mktemp("keras-home"))
    import keras as module

    assert module.backend.backend() == "torch"
    return module
