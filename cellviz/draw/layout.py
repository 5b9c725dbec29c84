"""Lay a cell out with Graphviz dot: DOT text from the graph, positions and routes back as JSON.

Every size is decided here in Python (node glyphs, label boxes) and handed to dot as a fixed
size, so dot never measures text and the layout is the same wherever it runs.
"""

from __future__ import annotations

from itertools import pairwise

from ..cell import Cell
from ..errors import CellvizError
from ..graph import Node
from ..params import shape_text
from ..record import record, replace
from .compact import detailed_glyph, folded, gate_chains
from .dot import either_way_up, floats, read_layout, run_dot
from .dottext import REGION_INSET, cluster_boxes, cluster_lines, edge_attrs, inch, quote
from .fit import fitted
from .glyphs import Glyph, activation_glyph, port_glyph
from .metrics import line_height, text_width
from .themes import Theme
from .tips import spread_tips
from .values import Values

__all__ = [
    "MAX_FIGURE_NODES",
    "REGION_INSET",
    "ClusterBox",
    "DotPlan",
    "Layout",
    "Placed",
    "Route",
    "Segment",
    "check_drawable",
    "dot_source",
    "layout",
    "plan",
    "state_lines",
]

#: The most boxes (nodes and activation marks) a figure may have. The built-in cells have at
#: most 24; past about a hundred a figure is unreadable, and dot's time grows steeply (a chain
#: of 50 equations, 103 boxes, took dot over half a minute).
MAX_FIGURE_NODES = 100

@record
class Segment:
    """One DOT edge: a whole connection, or the part before or after its activation mark."""

    id: str
    tail: str
    head: str
    style: str
    label: str
    arrow: bool
    highway: bool


@record
class DotPlan:
    """What goes to dot: glyphs of the graph's nodes and activation marks, DOT segments,
    gate clusters (label, member ids), the state highways (straight state paths) and the
    stack: the gates that read only inputs and previous states, as (cluster index, entry
    node), in the order they stack from the state line outwards; ``caption`` is the font size
    of region titles and edge labels, ``detail`` the detail level."""

    glyphs: dict[str, Glyph]
    segments: tuple[Segment, ...]
    clusters: tuple[tuple[str, tuple[str, ...]], ...]
    sources: tuple[str, ...]
    sinks: tuple[str, ...]
    highways: dict[str, tuple[str, ...]]
    label_size: dict[str, tuple[float, float]]
    stack: tuple[tuple[int, str], ...] = ()
    caption: float = 0.0
    detail: str = "full"


def _output_source(cell: Cell, node: Node) -> str:
    # An output is drawn as a terminal on the right; whatever reads it reads the node that
    # computes it, as the classic diagrams branch c[t] off the line after the +.
    if node.kind == "output" and len(node.operands) == 1 and node.operands[0].source:
        return node.operands[0].source
    return node.id


def state_lines(cell: Cell) -> dict[str, tuple[str, ...]]:
    """For each state, a path of pointwise nodes from its t-1 value to its new value, if any."""
    graph = cell.graph
    found: dict[str, tuple[str, ...]] = {}
    for state in graph.states:
        start = graph.prev_id(state)
        paths: list[tuple[str, ...]] = [(start,)]
        while paths:
            path = paths.pop(0)
            for edge in graph.edges:
                if edge.source != path[-1] or edge.activation != "identity":
                    continue
                target = graph.node(edge.target)
                if edge.target == state:
                    found[state] = (*path, state)
                    break
                if target.kind == "pointwise":
                    paths.append((*path, edge.target))
            if state in found:
                break
    return found


def _stack(cell: Cell, clusters: list[tuple[str, tuple[str, ...]]], sources: tuple[str, ...],
           highways: dict[str, tuple[str, ...]]) -> tuple[tuple[int, str], ...]:
    """The gates that read nothing but the inputs and previous states (the LSTM's f, i, g and
    o), as (cluster index, entry node), in the order they stack from the state line outwards:
    the gate whose output reaches a state line in the fewest steps first (the forget gate,
    whose product is on the cell state line), then equation order. dot alone leaves such
    gates in any order, since they look alike to it. Fewer than two such gates: none."""
    graph = cell.graph
    feeds: dict[str, list[str]] = {}
    for edge in graph.edges:
        feeds.setdefault(edge.target, []).append(edge.source)
    on_line = {n for path in highways.values() for n in path[1:]}
    found: list[tuple[float, int, str]] = []
    for index, (_, members) in enumerate(clusters):
        inside = set(members)
        if any(s not in inside and s not in sources for m in members for s in feeds.get(m, ())):
            continue
        entry = next((m for m in members if any(s in sources for s in feeds.get(m, ()))), None)
        if entry is None:
            continue
        # Breadth-first from the gate's nodes to the nearest state-line node.
        steps: float = float("inf")
        seen, frontier, depth = set(inside), list(inside), 0
        while frontier and steps == float("inf"):
            depth += 1
            frontier = [e.target for e in graph.edges
                        if e.source in frontier and e.target not in seen]
            seen.update(frontier)
            if on_line.intersection(frontier):
                steps = depth
        found.append((steps, index, entry))
    if len(found) < 2:
        return ()
    return tuple((index, entry) for _, index, entry in sorted(found))


def plan(cell: Cell, theme: Theme, values: Values | None = None, detail: str = "full", *,
         ports: bool = False) -> DotPlan:
    """Decide every box and DOT edge of the figure (no dot run yet); ``values`` puts one
    step's numbers into the glyphs; ``detail`` compact draws each gate as one box (the
    vector it computes is drawn inside it) and no edge labels; with ``ports`` the vectors
    entering and leaving the cell are small ports, their glyphs being drawn outside (an
    unrolled figure's steps)."""
    theme = fitted(cell, theme, detail, ports=ports)
    graph = cell.graph
    outer = {*graph.inputs, *map(graph.prev_id, graph.states), *graph.outputs} if ports else set()
    chains = gate_chains(graph) if detail == "compact" else None
    merged = {vector: dense for dense, (vector, _) in (chains or {}).items()}
    highways = state_lines(cell)
    glyphs: dict[str, Glyph] = {
        n.id: port_glyph(theme) if n.id in outer else detailed_glyph(
            n, cell, theme, values, chains, len(highways) == 1)
        for n in graph.nodes if n.id not in merged}
    caption = theme.small if chains is None else theme.font_size
    on_highway = {(a, b) for path in highways.values() for a, b in pairwise(path)}
    segments: list[Segment] = []
    label_size: dict[str, tuple[float, float]] = {}
    for k, edge in enumerate(graph.edges):
        if edge.target in merged:
            continue
        tail = _output_source(cell, graph.node(edge.source))
        tail = merged.get(tail, tail)
        shape = shape_text((cell.size(edge.size),)) if chains is None else ""
        highway = (edge.source, edge.target) in on_highway
        if edge.activation != "identity" and not (
                chains is not None and folded(graph.node(edge.target), values)):
            mark = f"act{k}:{edge.target}"
            glyphs[mark] = activation_glyph(edge.activation, theme, caption * 1.1)
            segments.append(Segment(f"e{k}a", tail, mark, edge.style, "", False, highway))
            segments.append(Segment(f"e{k}b", mark, edge.target, edge.style, shape, True,
                                    highway))
        else:
            segments.append(Segment(f"e{k}", tail, edge.target, edge.style, shape, True, highway))
    for seg in segments:
        if seg.label:
            label_size[seg.id] = (text_width(seg.label, caption) + caption * 0.5,
                                  line_height(caption) + 2)
    hw_states = [s for s in graph.states if s in highways]
    order = [*hw_states, *(s for s in graph.states if s not in highways)]
    sources = (*(graph.prev_id(s) for s in order), *graph.inputs)
    sinks = tuple(s for s in (*order, *graph.outputs) if graph.node(s).kind == "output")
    sinks = tuple(dict.fromkeys(sinks))
    terminal = set(sources) | set(sinks)
    clusters = []
    for gate in graph.gates:
        members = tuple(n for n in gate.nodes if n not in terminal and n in glyphs)
        # At compact detail a gate that is one box needs no region: the box names it.
        if members and not (chains is not None and len(members) == 1 and members[0] in chains):
            clusters.append((gate.label, members))
    stack = _stack(cell, clusters, sources, highways)
    return DotPlan(glyphs, tuple(segments), tuple(clusters), sources, sinks, highways, label_size,
                   stack, caption, detail)


def dot_source(cell: Cell, theme: Theme, the_plan: DotPlan | None = None, *,
               flipped: bool = False) -> str:
    """The DOT text of a cell's figure: deterministic, sizes fixed, no text for dot to measure."""
    p = the_plan or plan(cell, theme)
    gap = theme.space
    lines = [
        f"digraph {quote(cell.name)} {{",
        f"  graph [rankdir=LR, newrank=true, splines=spline, nodesep={inch(gap * 1.1)}, "
        f"ranksep={inch(gap * 1.6)}, pad=0, margin=0];",
        '  node [shape=box, fixedsize=true, label="", margin=0];',
        "  edge [arrowsize=0.7];",
    ]
    highway_of = {n: s for s, path in p.highways.items() for n in path}

    def boxes(members: tuple[str, ...]) -> tuple[str, ...]:
        return cluster_boxes(p, members)

    # dot keeps stacked gates in the order their boxes are first mentioned when they share a
    # cluster of their own (not drawn), so they are declared from the state line outwards:
    # top to bottom, or bottom to top when the drawing will be turned over (flipped).
    stack = [k for k, _ in p.stack]
    if flipped:
        stack.reverse()
    stacked = [n for k in stack for n in boxes(p.clusters[k][1])]
    in_stack = set(stacked)
    declared = [n for n in p.glyphs if n not in in_stack]
    if stacked:
        first = min(list(p.glyphs).index(n) for n in stacked)
        declared[first:first] = stacked
    for node_id in declared:
        glyph = p.glyphs[node_id]
        extra = ""
        if glyph.circle:
            extra += ", shape=circle"
        if node_id in highway_of:
            extra += f", group={quote('highway_' + highway_of[node_id])}"
        lines.append(f"  {quote(node_id)} [width={inch(glyph.width)}, "
                     f"height={inch(glyph.height)}{extra}];")
    lines.append(f"  {{ rank=source; {' '.join(quote(s) for s in p.sources)} }}")
    lines.append(f"  {{ rank=sink; {' '.join(quote(s) for s in p.sinks)} }}")

    lines += cluster_lines(p, theme, top=not flipped, stack=stack)
    for seg in p.segments:
        # Into the state line from below (the drawing's below: dot's top when it will be
        # turned over), not beside the line's own arrow.
        port = ("n" if flipped else "s") if (
            not seg.highway and seg.head in highway_of and seg.tail not in highway_of) else ""
        attrs = edge_attrs(p, seg, port)
        lines.append(f"  {quote(seg.tail)} -> {quote(seg.head)} [{', '.join(attrs)}];")
    if p.stack and p.highways:
        # An invisible tie from the state line's start to every stacked gate: without it an
        # edge that reaches only some of them (a peephole from c[t-1]) pulls those out of order.
        start = next(iter(p.highways.values()))[0]
        for j, (_, entry) in enumerate(p.stack):
            lines.append(f'  {quote(start)} -> {quote(entry)} [id="stack{j}", style=invis, '
                         'weight=0];')
    lines.append("}")
    return "\n".join(lines) + "\n"


@record
class Placed:
    """A node's box in figure coordinates (y down): centre and size."""

    x: float
    y: float
    w: float
    h: float


@record
class Route:
    """A segment's route: cubic Bézier points (start, then three per curve), the arrow tip if
    it has one, the centre of its label if it has one, and the curves not drawn (``gaps``:
    where it bridges another line)."""

    points: tuple[tuple[float, float], ...]
    tip: tuple[float, float] | None
    label: tuple[float, float] | None
    gaps: tuple[int, ...] = ()


@record
class ClusterBox:
    """A gate's region as dot placed it; ``members`` are its boxes' ids (nodes and marks);
    ``parts``, if any, the boxes whose union it is drawn as, where the rectangle round them
    would take in what is not its own (``regions``)."""

    label: str
    x0: float
    y0: float
    x1: float
    y1: float
    label_at: tuple[float, float]
    members: tuple[str, ...] = ()
    label_x: float | None = None
    parts: tuple[tuple[float, float, float, float], ...] = ()


@record
class Layout:
    """dot's answer, in figure coordinates: the drawing's size, nodes, routes and clusters,
    and the input buses that cellviz routes itself, if any (each with the source it carries)."""

    width: float
    height: float
    nodes: dict[str, Placed]
    routes: dict[str, Route]
    clusters: tuple[ClusterBox, ...]
    buses: tuple[tuple[str, Route], ...] = ()


def check_drawable(cell: Cell) -> None:
    """A CellvizError if the cell's figure would have more than MAX_FIGURE_NODES boxes (its
    nodes and activation marks), counted from the graph alone: a cell file of 100,000
    equations is refused at once, before any glyph is planned or any number computed."""
    graph = cell.graph
    # An edge per operand that has a source (graph.edges, without building them).
    boxes = len(graph.nodes) + sum(1 for node in graph.nodes for op in node.operands
                                   if op.source is not None and op.activation != "identity")
    if boxes > MAX_FIGURE_NODES:
        raise CellvizError(
            f"cell {cell.name!r} is too large to draw: its figure would have {boxes} boxes "
            f"(nodes and activation marks), and cellviz draws at most {MAX_FIGURE_NODES} "
            "(a larger figure is unreadable); its parameters and evaluation still work")


def layout(cell: Cell, theme: Theme, values: Values | None = None, detail: str = "full", *,
           ports: bool = False) -> tuple[DotPlan, Layout]:
    """Plan the figure (``detail`` and ``ports`` as in ``plan``), run dot, and read its
    positions back (y pointing down). A figure of more than MAX_FIGURE_NODES boxes is a
    CellvizError, before anything else is done."""
    check_drawable(cell)
    p = plan(cell, theme, values, detail, ports=ports)
    from .buses import lay_out
    from .busplan import bus_plan, operand_sources

    buses = bus_plan(p, operand_sources(cell))
    if buses is not None:
        return p, lay_out(cell.name, theme, p, buses)
    if p.highways:
        # Upright, or laid out with the gate labels at the bottom and turned upside down below,
        # whichever puts the state path along the top.
        first = next(iter(p.highways.values()))[0]
        text, flipped = either_way_up(dot_source(cell, theme, p),
                                       dot_source(cell, theme, p, flipped=True), first)
        data = read_layout(text)
    else:
        data, flipped = run_dot(dot_source(cell, theme, p)), False
    _, _, width, height = floats(data["bb"])

    def pt(x: float, y: float) -> tuple[float, float]:
        return (x, y) if flipped else (x, height - y)

    nodes: dict[str, Placed] = {}
    clusters: list[ClusterBox] = []
    for obj in data.get("objects", []):
        if "nodes" in obj or str(obj.get("name", "")).startswith("cluster"):
            if "bb" in obj and str(obj["name"]).startswith("cluster_"):
                x0, y0, x1, y1 = floats(obj["bb"])
                index = int(str(obj["name"]).split("_")[1])
                lx, ly = floats(obj["lp"]) if "lp" in obj else (x0, y1)
                top, bottom = sorted((pt(x0, y0)[1], pt(x1, y1)[1]))
                gate, members = p.clusters[index]
                clusters.append(ClusterBox(gate, x0, top, x1, bottom, pt(lx, ly),
                                           cluster_boxes(p, members)))
            continue
        x, y = pt(*floats(obj["pos"]))
        glyph = p.glyphs[obj["name"]]
        nodes[obj["name"]] = Placed(x, y, glyph.width, glyph.height)
    routes: dict[str, Route] = {}
    for edge in data.get("edges", []):
        if edge.get("style") == "invis":
            continue
        tip = None
        points: list[tuple[float, float]] = []
        for token in edge["pos"].split():
            if token.startswith("e,"):
                tip = pt(*floats(token[2:])[:2])
            elif token.startswith("s,"):
                continue
            else:
                x, y = floats(token)
                points.append(pt(x, y))
        label = pt(*floats(edge["lp"])[:2]) if "lp" in edge else None
        routes[edge["id"]] = Route(tuple(points), tip, label)
    # Heads into one side of a box too near each other (two small ports into one) move apart.
    tips = {s.id: (tip, nodes[s.head]) for s in p.segments if (tip := routes[s.id].tip)}
    moved = spread_tips({k: t for k, (t, _) in tips.items()},
                        {k: (n.x, n.y, n.w, n.h) for k, (_, n) in tips.items()}, theme.space * 0.75)
    for key, (x, y) in moved.items():
        r, (dx, dy) = routes[key], (x - tips[key][0][0], y - tips[key][0][1])
        routes[key] = replace(r, tip=(x, y), points=(*r.points[:-2], *(
            (px + dx, py + dy) for px, py in r.points[-2:])))
    return p, Layout(width, height, nodes, routes, tuple(clusters))
