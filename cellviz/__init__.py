"""cellviz: draw the inside of recurrent cells (RNN, GRU, LSTM and variants) and run them.

The package follows the pipeline: the model at the top (``graph``, ``cell``, ``params``,
``errors``), then ``lang`` (cell files to graphs), ``numeric`` (the evaluator and weights),
``draw`` (layout, scene, SVG/PNG/PDF), ``pages`` (the HTML outputs) and ``cli``. This module is
the public facade: the model's names are imported at once, every other name on first use, so
that importing one stage never loads a later one (and ``cellviz render`` never loads numpy).
"""

import importlib
from typing import TYPE_CHECKING, Any

from .cell import Cell
from .errors import (
    CellFileError,
    CellGraphError,
    CellSyntaxError,
    CellvizError,
    CellvizTypeError,
    CellvizValueError,
    DotNotFoundError,
    EvaluationError,
    ShapeError,
    UnknownCellError,
    UsageError,
)
from .graph import CellGraph
from .params import ParamEntry, ParamTable, StackParams
from .stack import Stack, stack

if TYPE_CHECKING:
    from .draw.render import RenderOptions, render, save
    from .embed.notebook import show
    from .interop.convert import convert_weights
    from .interop.keras_io import from_keras
    from .interop.onnx_io import from_onnx
    from .interop.torch_io import from_torch
    from .lang.library import BUILTIN_CELLS, CONVENTIONS, load, load_graph
    from .numeric.flow import GradientFlow, gradient_flow
    from .numeric.weights import example_inputs, export_weights, import_weights, init_weights

#: Public names that live in a later stage, by the module that defines them.
_LAZY = {
    **dict.fromkeys(("BUILTIN_CELLS", "CONVENTIONS", "load", "load_graph"), "lang.library"),
    **dict.fromkeys(
        ("example_inputs", "export_weights", "import_weights", "init_weights"), "numeric.weights"
    ),
    **dict.fromkeys(("RenderOptions", "render", "save"), "draw.render"),
    **dict.fromkeys(("GradientFlow", "gradient_flow"), "numeric.flow"),
    "from_torch": "interop.torch_io",
    "convert_weights": "interop.convert",
    "from_keras": "interop.keras_io",
    "from_onnx": "interop.onnx_io",
    "show": "embed.notebook",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cellviz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "BUILTIN_CELLS",
    "CONVENTIONS",
    "Cell",
    "CellFileError",
    "CellGraph",
    "CellGraphError",
    "CellSyntaxError",
    "CellvizError",
    "CellvizTypeError",
    "CellvizValueError",
    "DotNotFoundError",
    "EvaluationError",
    "GradientFlow",
    "ParamEntry",
    "ParamTable",
    "RenderOptions",
    "ShapeError",
    "Stack",
    "StackParams",
    "UnknownCellError",
    "UsageError",
    "convert_weights",
    "example_inputs",
    "export_weights",
    "from_keras",
    "from_onnx",
    "from_torch",
    "gradient_flow",
    "import_weights",
    "init_weights",
    "load",
    "load_graph",
    "render",
    "save",
    "show",
    "stack",
]

__version__ = "0.1.0"
