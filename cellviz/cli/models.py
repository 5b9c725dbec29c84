"""Model files as CELL: an ONNX model's recurrent node or a Keras model's recurrent layer (or
their stack of layers), or a PyTorch state_dict, with the weights stored in it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, cast

from ..cell import Cell
from ..errors import CellvizError, UsageError
from ..stack import Stack

__all__ = ["MODEL_SUFFIXES", "is_model", "model_cell", "model_stack", "read_model"]

#: Files that bring a cell and its weights: ONNX models, Keras 3 models, PyTorch state_dicts.
MODEL_SUFFIXES = (".onnx", ".keras", ".pt", ".pth")


def is_model(name: str) -> bool:
    """Whether CELL names a model file rather than a built-in cell or a cell file."""
    return Path(name).suffix.lower() in MODEL_SUFFIXES


def model_cell(args: argparse.Namespace) -> tuple[Cell | Stack, dict[str, Any]]:
    """The cell and weights of the model file CELL names (its node ``--node``, else its only
    recurrent node, or its recurrent nodes that each read the one before as a ``Stack``). The
    model fixes the sizes and the convention, so giving them is an error. Read once: the
    result is kept in ``args``."""
    kept = getattr(args, "_model", None)
    if kept is not None:
        return cast(tuple[Cell | Stack, dict[str, Any]], kept)
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
    args._model = read_model(Path(args.cell), args.node)
    return cast(tuple[Cell | Stack, dict[str, Any]], args._model)


def read_model(path: Path, node: str | None, nonlinearity: str = "tanh"
               ) -> tuple[Cell | Stack, dict[str, Any]]:
    """The cell or stack and weights of a model file: see ``model_cell``. A state_dict does not
    say which nonlinearity an ``nn.RNN`` has: ``nonlinearity``."""
    suffix = path.suffix.lower()
    if suffix == ".keras":
        from ..interop.keras_io import from_keras

        return from_keras(path, name=node)
    if suffix in (".pt", ".pth"):
        from ..files import check_input_file
        from ..interop.files import cell_of_state_dict
        from ..numeric.readers import read_pt

        if node is not None:
            raise UsageError(f"--node chooses a node of an .onnx or a layer of a .keras model; "
                             f"{path} holds one module's state_dict")
        if check_input_file(path, "weights file") is None:
            raise CellvizError(f"{path}: no such file")
        try:
            return cell_of_state_dict(read_pt(path, 10**9), nonlinearity)
        except CellvizError as exc:
            raise type(exc)(f"{path}: {exc}") from None
    from ..interop.onnx_io import read_onnx

    nodes = read_onnx(path, layers=node is None)
    if node is not None:
        chosen = [n for n in nodes if n.node == node]
        if not chosen:
            names = ", ".join(n.node for n in nodes)
            raise UsageError(f"{path}: no recurrent node named {node!r} (its recurrent "
                             f"nodes: {names})")
        return chosen[0].cell, chosen[0].weights
    if len(nodes) > 1:
        names = ", ".join(n.node for n in nodes)
        raise UsageError(f"{path}: {len(nodes)} recurrent nodes ({names}) that are no stack of "
                         "layers, each reading the one before; choose one with --node NAME")
    return nodes[0].cell, nodes[0].weights


def model_stack(args: argparse.Namespace) -> Stack | None:
    """The stack a model file CELL holds, or None for a model of one cell (in one direction);
    ``--layers`` and ``--bidirectional`` are the model's to say."""
    model, args.model_weights = model_cell(args)
    if isinstance(model, Stack):
        if args.layers is not None or args.bidirectional:
            raise UsageError(f"{args.cell}: the model brings its own layers and directions "
                             f"({model.num_layers} × {model.directions}); leave out --layers "
                             "and --bidirectional")
        return model
    if args.layers is not None or args.bidirectional:
        raise UsageError(f"{args.cell}: the model holds one cell in one direction; --layers "
                         "and --bidirectional build a stack of a built-in cell or cell file")
    return None
