"""cellviz: draw the inside of recurrent cells (RNN, GRU, LSTM and variants) and run them."""

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
from .weights import example_inputs, export_weights, import_weights, init_weights

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
