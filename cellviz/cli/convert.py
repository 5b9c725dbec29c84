"""``cellviz convert``: a model's or weight file's weights written for another framework."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..lang.library import CONVENTIONS
from .args import positive_int

if TYPE_CHECKING:
    from ..cell import Cell
    from ..stack import Stack
    from .args import Subparsers

__all__ = ["add_convert"]


def _suffix(path: str) -> str:
    name = Path(path).name.lower()
    return ".weights.h5" if name.endswith(".weights.h5") else Path(name).suffix


def _source(args: argparse.Namespace) -> tuple[Cell | Stack, dict[str, Any]]:
    """The cell (or stack) and weights of IN: a model file, a state_dict, or (with --cell)
    weights."""
    from .models import is_model

    if args.no_bias and args.cell is None:
        raise UsageError("--no-bias describes the cell --cell names; a model file or "
                         "state_dict brings its own biases")
    if args.cell is not None:
        from ..lang.library import load
        from ..numeric.weightfile import load_weights_file

        cell = load(args.cell, input_size=args.input_size or 3, hidden_size=args.hidden_size or 2,
                    proj_size=args.proj_size, convention=args.convention,
                    bias=not args.no_bias)
        return cell, load_weights_file(cell, args.input)
    if is_model(args.input):
        from .models import read_model

        return read_model(Path(args.input), args.node, args.nonlinearity)
    raise UsageError(f"{args.input}: cellviz convert reads .onnx, .keras and PyTorch .pt/.pth "
                     "files; for .npz or .weights.h5 give the cell (--cell NAME -i I -n N "
                     "--convention C)")


def _run_convert(args: argparse.Namespace) -> int:
    from ..files import write_atomic
    from ..interop.convert import convert_weights
    from ..interop.files import check_suffix, converted_bytes
    from ..interop.packing import module_call

    if not args.output:
        raise UsageError("-o: give the file to write, such as gru.onnx")
    suffix = _suffix(args.output)
    check_suffix(args.to, suffix)  # before reading IN, which may take Keras seconds to import
    cell, weights = _source(args)
    target, converted = convert_weights(cell, weights, args.to)
    data = converted_bytes(target, converted, args.to, suffix)
    write_atomic(args.output, data)
    into = "" if args.to == "cellviz" else f"; load it into {module_call(target, args.to)}"
    print(f"wrote {args.output} ({target.name}, {target.convention} convention{into})",
          file=sys.stderr)
    return 0


def add_convert(sub: Subparsers) -> None:
    """Add ``cellviz convert`` to the command line."""
    from ..interop.convert import TARGETS

    p = sub.add_parser(
        "convert", help="write a model's weights for another framework",
        description="Read a cell's weights from IN (.onnx, .keras, a PyTorch state_dict .pt, or "
        "with --cell an .npz or .weights.h5) and write them as framework TO stores them, so "
        "that its layer computes the same numbers; a conversion that cannot be exact is "
        "refused, saying why.")
    p.add_argument("input", metavar="IN", help="the model or weights file to read")
    p.add_argument("-o", "--output", metavar="OUT", required=True,
                   help="the file to write (.pt, .npz, .keras, .weights.h5, .onnx by --to)")
    p.add_argument("--to", choices=TARGETS, required=True,
                   help="pytorch, keras, onnx, flax (an .npz by flax's names) or cellviz")
    p.add_argument("--node", metavar="NAME", default=None,
                   help="the recurrent node (.onnx) or layer (.keras) to convert")
    p.add_argument("--nonlinearity", choices=("tanh", "relu"), default="tanh",
                   help="an RNN state_dict's nonlinearity, which the file does not record")
    p.add_argument("--cell", metavar="CELL", default=None,
                   help="the cell an .npz or .weights.h5 holds the weights of")
    p.add_argument("-i", "--input-size", type=positive_int, default=None, metavar="I")
    p.add_argument("-n", "--hidden-size", type=positive_int, default=None, metavar="N")
    p.add_argument("-p", "--proj-size", type=positive_int, default=None, metavar="P")
    p.add_argument("--convention", choices=CONVENTIONS, default="paper",
                   help="the convention of --cell (default: paper)")
    p.add_argument("--no-bias", action="store_true",
                   help="--cell without biases (PyTorch's bias=False)")
    p.set_defaults(run=_run_convert)
