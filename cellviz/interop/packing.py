"""Which slice of which framework tensor is which gate: the bands of ``cellviz layout``, as text
and as JSON."""

from __future__ import annotations

from typing import Any

from ..cell import Cell
from ..graph import CellGraph
from ..numeric.layouts import FRAMEWORK_NAMES, Tensor, resolve
from ..record import record
from ..stack import Stack

__all__ = ["Band", "Packed", "PackedTensor", "gate_of", "module_call", "packed"]


@record
class Band:
    """One parameter's slice of a tensor: ``index`` fixes the leading axes (ONNX's direction,
    the row of Keras' GRU bias), ``axis`` is the axis the gates are stacked along, and
    ``start:stop`` the parameter's rows or columns there. ``note`` says when the slice is
    added to another (``sum``) or unused (``unused``)."""

    index: tuple[int, ...]
    axis: int
    start: int
    stop: int
    param: str
    gate: str
    note: str = ""

    def slice_text(self, ndim: int) -> str:
        """The slice in numpy's notation: ``[0, 2:4, :]``."""
        parts = [str(k) for k in self.index] + [":"] * (ndim - len(self.index))
        parts[self.axis] = f"{self.start}:{self.stop}"
        return f"[{', '.join(parts)}]"


@record
class PackedTensor:
    name: str
    shape: tuple[int, ...]
    bands: tuple[Band, ...]


@record
class Packed:
    """A cell's parameters packed into one framework's tensors."""

    cell: Cell
    framework: str
    counterpart: str
    module: str
    tensors: tuple[PackedTensor, ...]

    def to_text(self) -> str:
        sizes = ", ".join(f"{s}={v}" for s, v in self.cell.sizes)
        lines = [f"{self.cell.name} ({self.cell.convention} convention), {sizes}, in "
                 f"{FRAMEWORK_NAMES[self.framework]}: {self.module}"]
        rows = [("tensor", "shape", "slice", "parameter", "gate")]
        for tensor in self.tensors:
            shape = "×".join(map(str, tensor.shape))
            for k, band in enumerate(tensor.bands):
                note = {"sum": f" (added to {band.param}'s first slice: the cell's bias is "
                               "their sum)",
                        "unused": " (unused: zeros; computed as 1 − i)"}.get(band.note, "")
                rows.append((tensor.name if k == 0 else "", shape if k == 0 else "",
                             band.slice_text(len(tensor.shape)), band.param, band.gate + note))
        widths = [max(len(r[c]) for r in rows) for c in range(4)]
        lines += ["  ".join(r[c].ljust(widths[c]) for c in range(4)) + "  " + r[4]
                  for r in rows]
        return "\n".join(line.rstrip() for line in lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "cell": self.cell.name, "convention": self.cell.convention,
            "sizes": dict(self.cell.sizes), "framework": self.framework,
            "module": self.module,
            "tensors": [{"name": t.name, "shape": list(t.shape), "bands": [
                {"index": list(b.index), "axis": b.axis, "start": b.start, "stop": b.stop,
                 "parameter": b.param, "gate": b.gate, "note": b.note or None}
                for b in t.bands]} for t in self.tensors],
        }


def gate_of(graph: CellGraph, param: str) -> str:
    """The label of the gate whose dense node owns a parameter ("" outside any gate)."""
    node = graph.param(param).node
    return next((g.label for g in graph.gates if node in g.nodes), "")


def module_call(cell: Cell | Stack, framework: str) -> str:
    """The framework's module or layer that holds the cell's (or stack's) weights, as Python
    text."""
    if isinstance(cell, Stack):
        return _stack_call(cell, framework)
    lay, form = resolve(cell, framework)
    if framework == "pytorch":
        from .torch_io import torch_module_call

        return torch_module_call(cell, form)
    if framework == "keras":
        from .keras_io import keras_layer_call

        return keras_layer_call(cell, form)
    if framework == "onnx":
        return (f"{lay.counterpart.removeprefix('the ').removesuffix(' operator')}, "
                f"hidden_size={cell.size('n')}")
    return f"{lay.counterpart}(features={cell.size('n')})"


def _stack_call(stack: Stack, framework: str) -> str:
    """``torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)``; for Keras and ONNX the layer
    or node of every layer."""
    one = module_call(stack.first, framework)
    layers = f"{stack.num_layers} layer{'s' if stack.num_layers > 1 else ''}"
    if framework == "pytorch":
        extra = f", num_layers={stack.num_layers}" if stack.num_layers > 1 else ""
        extra += ", bidirectional=True" if stack.bidirectional else ""
        return f"{one[:-1]}{extra})"
    if framework == "keras":
        one = one[:-1] + ", return_sequences=True)"
        return f"{layers} of {f'keras.layers.Bidirectional({one})' if stack.bidirectional else one}"
    direction = ", direction='bidirectional'" if stack.bidirectional else ""
    return f"{layers} of {one}{direction}"


def _bands(cell: Cell, tensor: Tensor) -> tuple[Band, ...]:
    shapes = cell.param_shapes()
    lead = (0,) if tensor.lead else ()
    bands = []
    for k, parts in enumerate(tensor.parts):
        index = (*lead, k) if len(tensor.parts) > 1 else lead
        base = len(shapes[parts[0].lstrip("~")]) - 1 if tensor.transpose else 0
        axis = len(index) + base
        start, seen = 0, set()
        for p in parts:
            own = p.lstrip("~")
            stop = start + shapes[own][0]
            note = "unused" if p != own else "sum" if p in seen else ""
            # Only ONNX's CIFG has an unused slice: the forget gate, computed as 1 - i.
            gate = "forget gate" if note == "unused" else gate_of(cell.graph, own)
            bands.append(Band(index, axis, start, stop, own if p == own else "—", gate, note))
            seen.add(p)
            start = stop
    return tuple(bands)


def packed(cell: Cell, framework: str) -> Packed:
    """The layout of a cell's parameters in a framework's tensors (PyTorch's layer names,
    ``weight_ih_l0``), or an error naming the cell and the framework."""
    import numpy as np

    from ..numeric.weights import export_weights

    lay, _ = resolve(cell, framework)
    zeros = {p: np.zeros(s) for p, s in cell.param_shapes().items()}
    exported = export_weights(cell, zeros, framework)
    arrays: list[tuple[str, Any]] = list(exported.items()) if isinstance(exported, dict) else [
        (t.name, a) for t, a in zip(lay.tensors, exported, strict=True)]
    tensors = tuple(PackedTensor(name, tuple(array.shape), _bands(cell, tensor))
                    for (name, array), tensor in zip(arrays, lay.tensors, strict=True))
    return Packed(cell, framework, lay.counterpart, module_call(cell, framework), tensors)
