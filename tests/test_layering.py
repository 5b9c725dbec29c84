"""The package follows the pipeline: importing a stage, in a fresh interpreter, loads no module
of a later stage (the model at the top loads no subpackage at all)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import cellviz

#: The stages in pipeline order; "" is the model and facade at the top of the package.
STAGES = ["", "lang", "numeric", "interop", "draw", "pages", "embed", "sphinx", "markdown",
          "cli"]
PACKAGE = Path(cellviz.__file__).parent


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in STAGES else ""


def modules_of(stage: str) -> list[str]:
    folder = PACKAGE / stage if stage else PACKAGE
    return sorted(f"cellviz.{stage + '.' if stage else ''}{p.stem}".removesuffix(".__init__")
                  for p in folder.glob("*.py") if p.stem != "__main__")


def loaded_after_importing(modules: list[str]) -> list[str]:
    code = ("import importlib, json, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return [m for m in json.loads(out) if m == "cellviz" or m.startswith("cellviz.")]


def test_every_module_belongs_to_a_stage() -> None:
    folders = {p.name for p in PACKAGE.iterdir()
               if p.is_dir() and (p / "__init__.py").is_file()}
    assert folders - {"templates"} <= set(STAGES)
    assert set(STAGES[1:]) <= folders


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s or "model")
def test_a_stage_imports_no_later_stage(stage: str) -> None:
    loaded = loaded_after_importing(modules_of(stage))
    assert set(modules_of(stage)) <= set(loaded)
    later = STAGES[STAGES.index(stage) + 1:]
    assert [m for m in loaded if stage_of(m) in later] == []


def test_the_model_loads_no_subpackage() -> None:
    loaded = loaded_after_importing(["cellviz"])
    assert [m for m in loaded if stage_of(m)] == []


def test_the_top_holds_the_facade_and_the_model_only() -> None:
    top = modules_of("")
    assert len(top) <= 12, top
