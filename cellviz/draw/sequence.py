"""A lecture sequence: the build-up of a cell, one figure a step, all in one frame.

The state line alone, then each gate in the cell's order highlighted, then the whole cell:
every figure is the same scene with different parts dimmed, so all share one size and
viewBox, and they align on consecutive slides.
"""

from __future__ import annotations

from ..cell import Cell
from ..errors import UsageError
from ..graph import CellGraph
from ..record import record
from .highlight import dim_scene, gate_nodes, line_nodes
from .render import RenderOptions, scene_of
from .scene import Scene

__all__ = ["Frame", "equation_text", "sequence_frames"]


@record
class Frame:
    """One figure of a sequence: ``slug`` for its file name (``01-f``), a ``heading`` and the
    ``text`` (equations) for its slide, and its scene."""

    slug: str
    heading: str
    text: str
    scene: Scene


def equation_text(graph: CellGraph, name: str) -> str:
    """The equation of a vector as its cell file writes it, without the comment
    (``f[t] = sigmoid(W_f @ x[t] + U_f @ h[t-1] + b_f)``); ``name[t]`` where the graph has
    no source."""
    node = graph.node(name)
    lines = graph.source.splitlines()
    if not 1 <= node.line <= len(lines):
        return node.label
    return lines[node.line - 1].split("#", 1)[0].strip()


def sequence_frames(cell: Cell, options: RenderOptions) -> tuple[Frame, ...]:
    """The frames of the cell's build-up, drawn with ``options`` (which must not highlight
    anything itself: each frame chooses what it highlights)."""
    if options.highlight:
        raise UsageError("a sequence highlights each gate in turn; leave highlight out")
    graph = cell.graph
    whole = scene_of(cell, options)
    inputs = ", ".join(graph.node(n).label for n in graph.inputs)
    states = ", ".join(graph.node(graph.prev_id(s)).label for s in graph.states)
    outputs = ", ".join(graph.node(n).label for n in graph.outputs)
    frames = [Frame("00-state-line", "The state line",
                    f"reads {inputs} and {states}; writes {outputs}",
                    dim_scene(whole, line_nodes(cell), touching=False))]
    for k, gate in enumerate(graph.gates, 1):
        frames.append(Frame(f"{k:02d}-{gate.equation}", gate.label,
                            equation_text(graph, gate.equation),
                            dim_scene(whole, gate_nodes((gate,)))))
    equations = [equation_text(graph, n.name) for n in graph.nodes
                 if n.equation and n.name and n.kind in ("vector", "output")]
    frames.append(Frame(f"{len(frames):02d}-cell", "The whole cell",
                        "\n".join(dict.fromkeys(equations)), whole))
    return tuple(frames)
