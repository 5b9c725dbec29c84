"""Forms of the built-in cells that frameworks offer as options: other activations, no biases.

A framework's layer is often a built-in cell with a switch turned: ``nn.RNN(nonlinearity=
"relu")``, ``bias=False``, Keras' ``activation=`` and ``recurrent_activation=``, ONNX's
``activations``. Each becomes a cell of its own, written out from the built-in cell's text
(every activation of one role replaced, every bias term dropped), so it is drawn, counted and
run like any other; ``form_of`` recognises such a cell again, whatever made it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from ..errors import UsageError
from ..graph import ACTIVATIONS, CellGraph, Node
from ..record import record
from .build import build
from .library import BUILTIN_CELLS, CONVENTIONS, builtin_text, check_convention, load_graph
from .syntax import parse

__all__ = ["SLOTS", "Form", "derive", "form_of", "slots_of"]

#: The roles an activation plays in a cell: the gates' squashing function (Keras'
#: recurrent_activation, ONNX's f), the candidate's (Keras' activation, ONNX's g) and, in an
#: LSTM, the one applied to the cell state on its way out (ONNX's h).
SLOTS = ("gate", "candidate", "output")

#: The vector whose equation applies the output activation, in the cells that have one.
_OUTPUT_VECTOR = {"lstm": "h", "lstm-peephole": "h", "cifg": "h", "lstm-proj": "m"}

_EQUATION = re.compile(r"^(\w+)\[t\]\s*=")
_BIAS = re.compile(r"\s*\+\s*b_\w+")


@record
class Form:
    """A built-in cell in a convention, with an activation for each of its slots and with or
    without its biases."""

    cell: str
    convention: str
    activations: tuple[tuple[str, str], ...]
    bias: bool = True

    def activation(self, slot: str) -> str:
        return dict(self.activations)[slot]


def _slot(cell: str, vector: str, activation: str) -> str:
    if _OUTPUT_VECTOR.get(cell) == vector:
        return "output"
    return "gate" if activation == "sigmoid" else "candidate"


@lru_cache(maxsize=64)
def _slot_lines(cell: str, convention: str) -> dict[int, tuple[str, str]]:
    """Line number -> (slot, activation) of every equation of a built-in cell that applies one
    (each applies at most one)."""
    lines: dict[int, tuple[str, str]] = {}
    for number, line in enumerate(builtin_text(cell, convention)[1].splitlines(), 1):
        match = _EQUATION.match(line)
        code = line.split("#", 1)[0]
        used = [a for a in ACTIVATIONS if re.search(rf"\b{a}\(", code)]
        if match and used:
            lines[number] = (_slot(cell, match[1], used[0]), used[0])
    return lines


def slots_of(cell: str, convention: str = "paper") -> dict[str, str]:
    """A built-in cell's activation slots and their activations: ``{"gate": "sigmoid",
    "candidate": "tanh"}`` for the GRU."""
    return dict(sorted(set(_slot_lines(cell, convention).values()),
                       key=lambda item: SLOTS.index(item[0])))


def _name(cell: str, slots: dict[str, str], changed: dict[str, str], bias: bool) -> str:
    parts = [cell]
    for slot, act in changed.items():
        parts.append(act if len(slots) == 1 else f"{slot}-{act}")
    if not bias:
        parts.append("nobias")
    return "-".join(parts)


def derive(cell: str, convention: str = "paper", activations: Mapping[str, str] | None = None,
           *, bias: bool = True) -> CellGraph:
    """A built-in cell with other activations in some slots and, with ``bias=False``, no bias
    terms; the built-in graph itself when nothing changes.

    >>> derive("rnn", "pytorch", {"candidate": "relu"}, bias=False).name
    'rnn-relu-nobias'
    """
    check_convention(convention)
    if cell not in BUILTIN_CELLS:
        raise UsageError(f"no built-in cell named {cell!r} (built-in cells: "
                         f"{', '.join(BUILTIN_CELLS)})")
    slots = slots_of(cell, convention)
    for slot, act in (activations or {}).items():
        if slot not in slots:
            raise UsageError(f"cell {cell!r} has no {slot} activation (its activations: "
                             f"{', '.join(slots)})")
        if act not in ACTIVATIONS:
            raise UsageError(f"cellviz has no activation {act!r} (it has "
                             f"{', '.join(ACTIVATIONS)})")
    changed = {s: a for s in slots for s2, a in (activations or {}).items()
               if s == s2 and a != slots[s]}
    return _derived(cell, convention, tuple(changed.items()), bias)


@lru_cache(maxsize=128)
def _derived(cell: str, convention: str, changed: tuple[tuple[str, str], ...],
             bias: bool) -> CellGraph:
    if not changed and bias:
        return load_graph(cell, convention)
    new = dict(changed)
    filename, text = builtin_text(cell, convention)
    name = _name(cell, slots_of(cell, convention), new, bias)
    details = [f"{slot} activation {act}" for slot, act in changed]
    if not bias:
        details.append("no biases")
    slot_lines = _slot_lines(cell, convention)
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        if number == 1:
            line += f"; {', '.join(details)}"
        elif line.startswith("cell "):
            line = f"cell {name}"
        elif number in slot_lines or (not bias and _EQUATION.match(line)):
            code, hash_, comment = line.partition("#")
            if number in slot_lines and slot_lines[number][0] in new:
                slot, old = slot_lines[number]
                code = re.sub(rf"\b{old}\(", f"{new[slot]}(", code, count=1)
            if not bias:
                code = _BIAS.sub("", code)
            line = code.rstrip() + ("  " + hash_ + comment if hash_ else "")
        lines.append(line)
    return build(parse("\n".join(lines) + "\n", f"{filename} ({name})"), name)


def _skeleton(graph: CellGraph) -> tuple[object, ...]:
    """What must agree for two graphs to compute alike up to their activations."""
    def node(n: Node) -> tuple[object, ...]:
        return (n.id, n.kind, n.size, n.op, n.name,
                tuple((o.source, o.param, o.role) for o in n.operands))

    return (tuple(node(n) for n in graph.nodes), graph.params, graph.inputs, graph.states,
            graph.outputs, graph.sizes)


def form_of(graph: CellGraph, convention: str) -> Form | None:
    """The built-in cell, activations and biases that ``graph`` computes, or None: the graph of
    a built-in cell or of ``derive``, or a cell file that computes the same."""
    if convention not in CONVENTIONS:
        return None
    for cell in BUILTIN_CELLS:
        if graph.name != cell and not graph.name.startswith(cell + "-"):
            continue
        for bias in (True, False):
            base = derive(cell, convention, bias=bias)
            if _skeleton(base) != _skeleton(graph):
                continue
            acts = _activations(cell, convention, base, graph)
            if acts is not None:
                return Form(cell, convention, tuple(acts.items()), bias)
    return None


def _activations(cell: str, convention: str, base: CellGraph,
                 graph: CellGraph) -> dict[str, str] | None:
    """Each slot's activation in ``graph``, or None if an edge strays from its slot's one or an
    edge without an activation in the base cell has one in ``graph``."""
    slot_lines = _slot_lines(cell, convention)
    acts: dict[str, str] = {}
    for ours, theirs in zip(base.edges, graph.edges, strict=True):
        if ours.activation == "identity":
            if theirs.activation != "identity":
                return None
            continue
        slot = slot_lines[base.node(ours.target).line][0]
        if acts.setdefault(slot, theirs.activation) != theirs.activation:
            return None
    return {s: acts[s] for s in SLOTS if s in acts}
