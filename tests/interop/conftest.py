"""Fixtures of the framework tests: Keras 3 on its torch backend with a temporary KERAS_HOME."""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

import pytest


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
