"""Model files as CELL: an ONNX model's recurrent node or a Keras model's recurrent layer, with
the weights stored in it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..cell import Cell
from ..errors import CellvizError, UsageError

__all__ = ["MODEL_SUFFIXES", "is_model", "model_cell"]

#: Files that bring a cell and its weights: ONNX models and Keras 3 models.
MODEL_SUFFIXES = (".onnx", ".keras")


def is_model(name: str) -> bool:
    """Whether CELL names a model file rather than a built-in cell or a cell file."""
    return Path(name).suffix.lower() in MODEL_SUFFIXES


def model_cell(args: argparse.Namespace) -> tuple[Cell, dict[str, Any]]:
    """The cell and weights of the model file CELL names (its node ``--node``, else its only
    recurrent node). The model fixes the sizes and the convention, so giving them is an
    error."""
    given = [flag for flag, value in (("--input-size", args.input_size),
                                      ("--hidden-size", args.hidden_size),
                                      ("--proj-size", args.proj_size),
                                      ("--size", args.size or None)) if value is not None]
    if args.convention != "paper":
        given.append("--convention")
    if args.no_bias:
        given.append("--no-bias")
    if given:
        raise UsageError(f"{args.cell}: a model file brings its own sizes, convention and "
                         f"biases; leave out {', '.join(given)}")
    path = Path(args.cell)
    if path.suffix.lower() == ".keras":
        from ..interop.keras_io import from_keras

        cell, weights = from_keras(path, name=args.node)
        if not isinstance(cell, Cell):
            raise CellvizError(f"{path}: a Bidirectional layer is a stack of two cells; this "
                               "command shows one cell (use cellviz.from_keras in Python)")
        return cell, weights
    from ..interop.onnx_io import read_onnx

    nodes = read_onnx(path)
    names = ", ".join(n.node for n in nodes)
    if args.node is not None:
        chosen = [n for n in nodes if n.node == args.node]
        if not chosen:
            raise UsageError(f"{path}: no recurrent node named {args.node!r} (its recurrent "
                             f"nodes: {names})")
        return chosen[0].cell, chosen[0].weights
    if len(nodes) > 1:
        raise UsageError(f"{path}: {len(nodes)} recurrent nodes ({names}); choose one with "
                         "--node NAME")
    return nodes[0].cell, nodes[0].weights
