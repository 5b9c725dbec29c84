"""A stack of recurrent layers: layers × directions of cells, each layer reading the one below."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .arguments import require, whole
from .cell import Cell
from .errors import UsageError
from .graph import CellGraph

if TYPE_CHECKING:
    from .numeric.checks import Array
    from .numeric.grad import Gradients
    from .params import StackParams

__all__ = ["DIRECTIONS", "MAX_LAYERS", "Stack", "stack"]

#: The directions of a bidirectional stack, in PyTorch's order (and its name suffix ``_reverse``).
DIRECTIONS = ("forward", "reverse")

#: The most layers a stack may have: far past any trained network, few enough to print.
MAX_LAYERS = 1000


@dataclass(frozen=True)
class Stack:
    """``cells[k][d]`` is the cell of layer ``k`` in direction ``d`` (0 forward, 1 reverse):
    layer 0 reads the input, every later layer the outputs of the layer below with its
    directions concatenated. Weights are one dict by parameter name with PyTorch's suffix for
    the layer and direction: ``W_ii_l0``, ``W_ii_l1_reverse``.

    Like ``Cell``, a facade over the later stages: ``params``, ``run`` and ``prepare`` import
    their stage when called."""

    cells: tuple[tuple[Cell, ...], ...]

    @property
    def num_layers(self) -> int:
        return len(self.cells)

    @property
    def directions(self) -> int:
        return len(self.cells[0])

    @property
    def bidirectional(self) -> bool:
        return self.directions == 2

    @property
    def first(self) -> Cell:
        """The cell of layer 0, forward: it reads the stack's input."""
        return self.cells[0][0]

    @property
    def name(self) -> str:
        return self.first.name

    @property
    def convention(self) -> str:
        return self.first.convention

    @property
    def graph(self) -> CellGraph:
        """The cell's graph, which every layer and direction shares."""
        return self.first.graph

    @property
    def sizes(self) -> tuple[tuple[str, int], ...]:
        """The sizes of layer 0 (later layers read ``directions × output_size``)."""
        return self.first.sizes

    def size(self, symbol: str) -> int:
        return self.first.size(symbol)

    @property
    def hidden(self) -> str:
        """The state every step outputs: ``h``, else the cell's first state."""
        states = self.graph.states
        return "h" if "h" in states else states[0]

    @property
    def output_size(self) -> int:
        """The size of one direction's output (n, or p for a projection)."""
        return self.first.size(self.graph.node(self.hidden).size)

    def input_size(self, layer: int) -> int:
        """What layer ``layer`` reads: the input's size, then directions × output_size."""
        cell = self.cells[layer][0]
        return cell.size(cell.graph.node(cell.graph.inputs[0]).size)

    def reads(self, layer: int) -> str:
        """What layer ``layer`` reads, in symbols: ``i`` for layer 0, then ``2·n`` (``2·p``, or
        ``n`` in one direction)."""
        if layer == 0:
            return self.graph.node(self.graph.inputs[0]).size
        out = self.graph.node(self.hidden).size
        return f"{self.directions}·{out}" if self.bidirectional else out

    @staticmethod
    def suffix(layer: int, direction: int) -> str:
        """PyTorch's suffix of a layer and direction's tensors: ``_l1``, ``_l1_reverse``."""
        return f"_l{layer}" + ("_reverse" if direction else "")

    def label(self, layer: int, direction: int) -> str:
        """``layer 1, reverse`` (``layer 1`` in a stack of one direction)."""
        return f"layer {layer}" + (f", {DIRECTIONS[direction]}" if self.bidirectional else "")

    def members(self) -> list[tuple[int, int, Cell]]:
        """(layer, direction, cell) in PyTorch's order: layer by layer, forward then reverse."""
        return [(k, d, cell) for k, layer in enumerate(self.cells) for d, cell in enumerate(layer)]

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's shape by its suffixed name, in PyTorch's order."""
        return {name + self.suffix(k, d): shape for k, d, cell in self.members()
                for name, shape in cell.param_shapes().items()}

    def split(self, weights: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The stack's weights as one dict per member (``members`` order), by the cell's own
        parameter names; the names must already have been checked."""
        return [{name: weights[name + self.suffix(k, d)] for name in cell.param_shapes()}
                for k, d, cell in self.members()]

    def params(self) -> StackParams:
        """The parameter table of every layer and direction, and the totals."""
        from .params import stack_params

        return stack_params(self)

    def run(self, weights: Mapping[str, Any], xs: Any,
            state: Mapping[str, Any] | None = None) -> tuple[Array, dict[str, Array]]:
        """The whole stack over a sequence ``xs`` (T, i) or (T, B, i), as torch.nn.LSTM (GRU,
        RNN) computes it: returns the top layer's output at every step, (T, [B,] directions ×
        output_size), the reverse direction's aligned with the forward one's; and the final
        states by name, each (layers × directions, [B,] size) in PyTorch's order. ``state``
        gives the first states in that same form (zeros when None)."""
        from .numeric.stack import run_stack

        return run_stack(self, weights, xs, state)

    def grad(self, weights: Mapping[str, Any], xs: Any, state: Mapping[str, Any] | None = None,
             *, loss: Any = "sum", trace: bool = False) -> Gradients:
        """Backpropagation through the stack as ``run`` computes it: the loss ("sum", an array
        of the top layer's outputs' shape, or a function of them returning (loss, gradient)),
        the gradients of every suffixed parameter, of ``xs``, and of the first states (in
        ``run``'s form, layers × directions), and the forward outputs. With ``trace=True``,
        ``trace[t]`` holds ∂L/∂v of every node of every layer and direction by its suffixed id
        (``f_l1_reverse``) at the step that reads x[t], and ``param_trace[t]`` each suffixed
        parameter's share from that step."""
        from .numeric.stackgrad import grad_stack

        return grad_stack(self, weights, xs, state, loss=loss, trace=trace)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{s}={v}" for s, v in self.sizes)
        kind = ", bidirectional" if self.bidirectional else ""
        return (f"<Stack {self.name} ({self.convention}) {self.num_layers} "
                f"layer{'s' if self.num_layers != 1 else ''}{kind}, {sizes}>")


def stack(
    cell: str | Path | CellGraph,
    *,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    proj_size: int | None = None,
    convention: str = "paper",
    bias: bool = True,
    **sizes: int,
) -> Stack:
    """A stack of ``num_layers`` layers of a built-in cell, a cell file or a checked graph,
    each in one or (with ``bidirectional``) two directions, as ``torch.nn.LSTM(input_size,
    hidden_size, num_layers, bias=..., bidirectional=..., proj_size=...)`` builds it: layer 0
    reads ``input_size``, every later layer directions × hidden_size (× proj_size with a
    projection). ``bias=False`` takes a built-in cell's form without biases.

    >>> s = stack("lstm", input_size=3, hidden_size=2, num_layers=2, bidirectional=True,
    ...           convention="pytorch")
    >>> s.input_size(1), s.params().total
    (4, 240)
    """
    from .lang.library import bind, load_graph

    num_layers = whole("num_layers", num_layers, 1, MAX_LAYERS)
    require("bidirectional", bidirectional, bool, "True or False")
    if isinstance(cell, CellGraph):
        graph = cell
        if bias is not True:
            raise UsageError("bias=False derives a built-in cell's form; pass its name, or "
                             "the graph of the form you want")
    else:
        graph = load_graph(cell, convention, bias=bias)
    first = bind(graph, input_size=input_size, hidden_size=hidden_size, proj_size=proj_size,
                 convention=convention, **sizes)
    if proj_size is not None and proj_size >= hidden_size:
        raise UsageError(f"proj_size must be smaller than hidden_size: a projection of "
                         f"{proj_size} from {hidden_size} would not shrink the state "
                         f"(as torch.nn.LSTM requires, proj_size < hidden_size)")
    if len(graph.inputs) != 1:
        raise UsageError(f"cell {graph.name!r} has inputs {', '.join(graph.inputs) or 'none'}: "
                         "a stack needs a cell with one input, which reads the layer below")
    if not graph.states:
        raise UsageError(f"cell {graph.name!r} has no state: a stack is of recurrent cells, "
                         "each layer carrying its state from one step to the next")
    directions = 2 if bidirectional else 1
    layer = Stack(((first,) * directions,))
    symbol = graph.node(graph.inputs[0]).size
    width = directions * layer.output_size
    if num_layers > 1 and width != first.size(symbol) and any(
        node.size == symbol for node in graph.nodes if node.id != graph.inputs[0]
    ):
        raise UsageError(f"cell {graph.name!r} uses its input's size {symbol} elsewhere too, so "
                         f"its later layers cannot read {width} (the layer below's output)")
    above = dict(sizes)
    if symbol == "i":
        above["input_size"] = width
    else:
        above.update(input_size=input_size, **{symbol: width})
    upper = bind(graph, hidden_size=hidden_size, proj_size=proj_size, convention=convention,
                 **above) if num_layers > 1 else first
    return Stack(((first,) * directions, *[(upper,) * directions] * (num_layers - 1)))
