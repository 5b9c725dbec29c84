"""Highlighting: some gates (or the state line) at full strength, the rest of a scene dimmed.

Dimming blends every colour of a group towards the figure's background rather than lowering
its opacity: a plain colour reads the same in browsers, cairosvg's PNG and PDF, TikZ, slide
software and print, and needs no transparency group. It acts on a positioned scene's groups
through their ``links`` (the graph nodes each group draws or joins), so it holds for any
layout, theme, format or detail level that labels its groups.
"""

from __future__ import annotations

import re

from ..cell import Cell
from ..errors import UsageError, shorten
from ..graph import CellGraph, Gate
from ..record import replace
from .scene import Group, Scene, Shape
from .themes import mix

__all__ = ["DIM", "dim_scene", "gate_choices", "gate_nodes", "line_nodes", "resolve_gates"]

#: How far a dimmed colour moves towards the background: far enough that the highlighted
#: part stands out in every theme (print's black becomes a light grey), near enough that the
#: rest of the cell still reads as context.
DIM = 0.72

#: Groups that are never dimmed: the title names the figure and the legend explains its marks,
#: whatever is highlighted.
_KEEP_ROLES = frozenset({"title", "legend", "legend-entry"})


def _names(gate: Gate) -> list[str]:
    """The names a gate answers to, lower-case: its equation's vector (``f``), its comment in
    full, without the part in parentheses, and without a trailing "gate" (``forget``); each
    word in parentheses names every gate that carries it (``learn``: the LSTM's i and g)."""
    label = " ".join(gate.label.lower().split())
    bare = re.sub(r"\s*\([^)]*\)", "", label).strip()
    short = re.sub(r"\s+gate$", "", bare)
    return list(dict.fromkeys(n for n in (gate.equation.lower(), label, bare, short) if n))


def _groups_of(gate: Gate) -> list[str]:
    return [" ".join(w.split()) for w in re.findall(r"\(([^)]*)\)", gate.label.lower())]


def gate_choices(graph: CellGraph) -> str:
    """The valid names, for an error line: ``f (forget), i (input), ...; or learn, use``."""
    own = [f"{g.equation} ({_names(g)[-1]})" if _names(g)[-1] != g.equation else g.equation
           for g in graph.gates]
    shared = list(dict.fromkeys(w for g in graph.gates for w in _groups_of(g)))
    return ", ".join(own) + (f"; or {', '.join(shared)}" if shared else "")


def resolve_gates(graph: CellGraph, names: tuple[str, ...]) -> tuple[Gate, ...]:
    """The gates ``names`` name, in the cell's order; an unknown name, or a cell without
    gates, is a UsageError naming the valid names."""
    if not graph.gates:
        raise UsageError(f"cell {graph.name!r} has no gates to highlight (a gate is an "
                         "equation with a trailing # comment in the cell file)")
    chosen: set[int] = set()
    for name in names:
        key = " ".join(name.lower().split())
        found = {k for k, g in enumerate(graph.gates) if key in _names(g)}
        found |= {k for k, g in enumerate(graph.gates) if key in _groups_of(g)}
        if not found:
            raise UsageError(f"unknown gate: {shorten(name)!r} (gates of {graph.name}: "
                             f"{gate_choices(graph)})")
        chosen |= found
    return tuple(g for k, g in enumerate(graph.gates) if k in chosen)


def gate_nodes(gates: tuple[Gate, ...]) -> frozenset[str]:
    """The nodes of these gates."""
    return frozenset(n for g in gates for n in g.nodes)


def line_nodes(cell: Cell) -> frozenset[str]:
    """The state line alone: the cell's inputs, previous states and outputs, and the
    pointwise nodes that carry a state straight from its t-1 value to its new value (the
    LSTM's cell state line, as the layout draws it along the top)."""
    from .layout import state_lines

    graph = cell.graph
    nodes = {*graph.inputs, *(graph.prev_id(s) for s in graph.states), *graph.outputs}
    for path in state_lines(cell).values():
        nodes.update(path)
    return frozenset(nodes)


def _strong(links: tuple[str, ...], nodes: frozenset[str]) -> list[bool]:
    """Which of a group's links are highlighted: a node itself, or an activation mark
    (``act3:f.dense``) on an edge into one."""
    return [link in nodes or link.partition(":")[2] in nodes for link in links]


def dim_scene(scene: Scene, nodes: frozenset[str], *, touching: bool = True) -> Scene:
    """The scene with ``nodes`` at full strength and the rest dimmed: a node or gate region
    stays when all it links to is highlighted, an edge (and its label) when one end is
    (``touching``, a gate and the edges into and out of it) or both are (the state line)."""
    groups = []
    for group in scene.groups:
        strong = _strong(group.links, nodes)
        if group.role in _KEEP_ROLES:
            keep = True
        elif group.role in ("edge", "label"):
            keep = bool(strong) and (any(strong) if touching else all(strong))
        else:
            keep = bool(strong) and all(strong)
        groups.append(group if keep else _dimmed(group, scene.background))
    return replace(scene, groups=tuple(groups))


def _dimmed(group: Group, background: str) -> Group:
    return replace(group, shapes=tuple(_dim(s, background) for s in group.shapes))


def _dim(shape: Shape, background: str) -> Shape:
    changes = {}
    for name in ("fill", "stroke"):
        colour = getattr(shape, name, "none")
        if colour.startswith("#") and len(colour) == 7:
            changes[name] = mix(colour, background, DIM)
    return replace(shape, **changes)
