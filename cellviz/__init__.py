"""cellviz: draw the inside of recurrent cells (RNN, GRU, LSTM and variants) and run them."""

import importlib
from typing import TYPE_CHECKING, Any

from .cell import Cell
from .errors import (
    CellFileError,
    CellGraphError,
    CellSyntaxError,
    CellvizError,
    DotNotFoundError,
    EvaluationError,
    ShapeError,
    UnknownCellError,
    UsageError,
)
from .graph import CellGraph
from .library import BUILTIN_CELLS, CONVENTIONS, load, load_graph
from .params import ParamEntry, ParamTable
from .render import RenderOptions, render, save

if TYPE_CHECKING:
    from .weights import example_inputs, export_weights, import_weights, init_weights

# The weight functions need numpy; importing it only when one is used keeps `cellviz render`
# (which never touches numpy) quick to start.
_LAZY = {name: "weights" for name in
         ("example_inputs", "export_weights", "import_weights", "init_weights")}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cellviz' has no attribute {name!r}")

__all__ = [
    "BUILTIN_CELLS",
    "CONVENTIONS",
    "Cell",
    "CellFileError",
    "CellGraph",
    "CellGraphError",
    "CellSyntaxError",
    "CellvizError",
    "DotNotFoundError",
    "EvaluationError",
    "ParamEntry",
    "ParamTable",
    "RenderOptions",
    "ShapeError",
    "UnknownCellError",
    "UsageError",
    "example_inputs",
    "export_weights",
    "import_weights",
    "init_weights",
    "load",
    "load_graph",
    "render",
    "save",
]

__version__ = "0.1.0"
