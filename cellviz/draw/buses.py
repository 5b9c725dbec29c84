"""The bus layout of a cell with a state line, as the classic diagrams draw it: the line
straight along the top, the gates side by side beneath it, the inputs on buses along the
bottom with short taps up into the very term that reads them, bridged where they pass
another bus. dot places the nodes between line and buses; cellviz draws the buses."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from ..cell import Cell
from ..record import record
from .dot import floats, run_dot
from .dottext import REGION_INSET, cluster_boxes, cluster_lines, edge_attrs, gate_label_size
from .labels import route_points
from .layout import ClusterBox, DotPlan, Layout, Placed, Route, dot_source, plan
from .themes import Theme

Box = tuple[float, float, float, float]
Point = tuple[float, float]

__all__ = ["BusPlan", "bus_layout", "bus_plan", "bus_source", "figure_dot", "lay_out",
           "operand_sources", "polyline"]


@record
class BusPlan:
    """How a cell with one state line is laid out on buses: the ``line`` (its nodes in order),
    the ``buses`` (the sources that feed taps, top row first; the line's own start first when
    it feeds any), the ``taps`` (segment id: its bus source and the operand it carries, -1
    when it enters a node that is not dense), the ``row`` of dense nodes the taps enter (the
    gate row, along the bottom), the ``vias`` (taps into nodes off that row: dot routes them
    up from the bus rows) and the segments dot is given the other way round (``down``: into
    the gate row from above, or flowing down from the line, as tanh(c[t]) to h[t]);
    ``beside``: each output set beside the node computing it; ``flowing``: the nodes below
    the line that what it carries flows down to; ``lifted``: (a node feeding the gate row,
    a node reading what it reads) that dot must set above it; ``tie``: the gate that acts
    first on the line, and the node of the line it reaches."""

    line: tuple[str, ...]
    buses: tuple[str, ...]
    taps: dict[str, tuple[str, int]]
    row: tuple[str, ...]
    vias: tuple[str, ...]
    down: frozenset[str]
    beside: dict[str, str]
    flowing: tuple[str, ...]
    lifted: tuple[tuple[str, str], ...]
    tie: tuple[str, str] | None


def bus_plan(p: DotPlan, operands: dict[str, tuple[str | None, ...]]) -> BusPlan | None:
    """The bus layout of a plan, or None when it has no single state line whose start is its
    only source on the line. ``operands`` lists, for each dense node, the source of each of
    its operands (None for a bias)."""
    if len(p.highways) != 1:
        return None
    line = next(iter(p.highways.values()))
    on_line = set(line)
    buses = [s for s in p.sources if any(seg.tail == s and not seg.highway
                                         for seg in p.segments)]
    if any(s in on_line and s != line[0] for s in buses):
        return None
    buses.sort(key=lambda s: s != line[0])
    taps: dict[str, tuple[str, int]] = {}
    used: dict[str, set[int]] = {}
    for seg in p.segments:
        if seg.tail in buses and not seg.highway:
            sources = operands.get(seg.head, ())
            index = next((k for k, s in enumerate(sources)
                          if s == seg.tail and k not in used.setdefault(seg.head, set())), -1)
            used.setdefault(seg.head, set()).add(index)
            taps[seg.id] = (seg.tail, index)
    row = tuple(dict.fromkeys(seg.head for seg in p.segments
                              if seg.id in taps and taps[seg.id][1] >= 0))
    vias = tuple(sid for sid, (_, index) in taps.items() if index < 0)
    # A node that only feeds the gate row (the MGU's f⊙h[t-1], read by U_n) stands among the
    # gates, below what else reads what it reads: higher up, its way down into the row would
    # cross what they send up to the line.
    feeding = {n for n in p.glyphs if n not in on_line and n not in row and n not in buses
               and {seg.head in row for seg in p.segments if seg.tail == n} == {True}}
    lifted = tuple(dict.fromkeys(
        (into.head, out.head) for into in p.segments if into.head in feeding
        and into.id not in taps for out in p.segments if out.tail == into.tail
        and out.head not in feeding and out.head not in row and out.head not in on_line))
    # What flows down from the line (not through the gate row) is laid out below it.
    flowing: set[str] = set()
    frontier = set(line)
    while frontier:
        frontier = {seg.head for seg in p.segments if seg.tail in frontier
                    and seg.head not in on_line and seg.head not in row
                    and seg.head not in feeding and seg.head not in flowing}
        flowing |= frontier
    sinks = set(p.sinks)
    beside = {seg.head: seg.tail for seg in p.segments
              if seg.head in sinks and seg.head not in on_line and seg.tail in flowing}
    # Into the gate row or a node feeding it from above, or down from the line: head first.
    down = frozenset(seg.id for seg in p.segments if seg.id not in taps and seg.head not in beside
                     and (((seg.head in row or seg.head in feeding) and seg.tail not in row)
                          or (seg.head in flowing
                              and (seg.tail in flowing or seg.tail in on_line))))
    return BusPlan(line, tuple(buses), taps, row, vias, down, beside,
                   tuple(n for n in p.glyphs if n in flowing), lifted, _first_gate(p, line, row))


def _first_gate(p: DotPlan, line: tuple[str, ...],
                row: tuple[str, ...]) -> tuple[str, str] | None:
    """The gate whose output reaches the line nearest its start (then in fewest steps, then
    the first such gate), and the node of the line it reaches; None if none reaches it."""
    where = {n: k for k, n in enumerate(line)}
    found: list[tuple[int, int, int]] = []
    for order, node in enumerate(row):
        seen, frontier, steps = {node}, [node], 0
        while frontier:
            steps += 1
            frontier = [s.head for s in p.segments if s.tail in frontier and s.head not in seen]
            seen.update(frontier)
            hit = [where[n] for n in frontier if n in where]
            if hit:
                found.append((min(hit), steps, order))
                break
    if not found:
        return None
    at, _, order = min(found)
    return row[order], line[at]


def _topmost(p: DotPlan, members: tuple[str, ...]) -> str:
    """The member of a region that no other member reads: the one nearest the line."""
    inside = set(members)
    reads = {seg.tail for seg in p.segments if seg.head in inside and seg.tail in inside}
    return next((m for m in reversed(members) if m not in reads), members[-1])


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bus_source(name: str, theme: Theme, p: DotPlan, b: BusPlan) -> str:
    """The DOT text of the part of the figure dot places: everything but the sources off
    the line, with the line in the top rank, the gate row and the vias at the bottom."""
    gap = theme.space
    lines = [
        f"digraph {_q(name)} {{",
        f"  graph [rankdir=BT, newrank=true, splines=spline, nodesep={gap * 1.1 / 72:.4f}, "
        f"ranksep={gap * 1.6 / 72:.4f}, pad=0, margin=0];",
        '  node [shape=box, fixedsize=true, label="", margin=0];',
        "  edge [arrowsize=0.7];",
    ]
    drawn = {n for n in p.glyphs if n not in b.buses or n in b.line}
    # The line's nodes stand further apart than dot would set them: room for the line's
    # shape labels, for a region's side between two of them, and for the title of a region
    # round some of them.
    room = max((w for w, _ in p.label_size.values()), default=0.0) + gap * 0.5
    wider = {n: room for n in b.line} | {n: room + gap for n in b.beside}
    for label, members in p.clusters:
        held = [m for m in members if m in b.line]
        if held:
            need = gate_label_size(label, p.caption)[0] + gap * 2
            have = sum(p.glyphs[m].width + room for m in held) + gap * 1.1 * (len(held) - 1)
            for m in held:
                wider[m] += max(0.0, need - have) / len(held)
    for node_id in p.glyphs:
        if node_id in drawn:
            glyph = p.glyphs[node_id]
            wide = wider.get(node_id, 0.0)
            # (A widened circle would grow tall too, and edges from below stop short of it.)
            shape = ", shape=circle" if glyph.circle and not wide else ""
            lines.append(f"  {_q(node_id)} [width={(glyph.width + wide) / 72:.4f}, "
                         f"height={glyph.height / 72:.4f}{shape}];")
    for sid in b.vias:
        lines.append(f'  {_q("via:" + sid)} [width=0.01, height=0.01];')
    lines.append(f"  {{ rank=max; {' '.join(_q(n) for n in b.line)} }}")
    if b.row or b.vias:
        # Nothing below the gate row, where the taps come up from the buses; the vias stand
        # in it (dot routes what they carry up between the gates).
        lowest = (*b.row, *(f"via:{s}" for s in b.vias), *(("floor",) if b.flowing else ()))
        lines.append(f"  {{ rank=min; {' '.join(_q(n) for n in lowest)} }}")
        if b.flowing:
            # What flows down from the line stays above the gate row, clear of the taps.
            lines.append('  "floor" [width=0.01, height=0.01, style=invis];')
            for k, node in enumerate(b.flowing):
                lines.append(f'  "floor" -> {_q(node)} [id="floor{k}", style=invis, weight=0];')
    if b.tie is not None:
        # The gate that acts first on the line is tied to where it does: dot alone sets gates
        # that look alike in any order (the GRU's n left of z, its edge across z's).
        lines.append(f'  {_q(b.tie[0])} -> {_q(b.tie[1])} [id="tie", style=invis, weight=0];')
    for k, (node, reader) in enumerate(b.lifted):
        lines.append(f'  {_q(node)} -> {_q(reader)} [id="lift{k}", style=invis, weight=0];')
    for sink, tail in b.beside.items():
        lines.append(f"  {{ rank=same; {_q(tail)} {_q(sink)} }}")
    # The gate regions, less the line's nodes: a region round part of the line makes dot
    # give up the line's order.
    above = {seg.tail for seg in p.segments if seg.id in b.down and seg.head in b.row}
    off_line = DotPlan(**{**p.__dict__, "clusters": tuple(
        (label, tuple(m for m in members if m not in b.line and m not in above))
        for label, members in p.clusters)})
    # A region round part of the line has its title above the line, not in dot's strip.
    # Any other region holds its title as a node above its members, round which dot routes
    # the edges that leave them upwards.
    bare = frozenset(k for k, (_, members) in enumerate(p.clusters) if set(members) & set(b.line))
    titled = frozenset(range(len(p.clusters))) - bare
    lines += cluster_lines(off_line, theme, top=False, bare=bare, titled=titled)
    for k in sorted(titled):
        # Beside (left of) the member nearest the line: the last one an edge reaches.
        top = _topmost(p, p.clusters[k][1])
        lines.append(f"  {{ rank=same; {_q(f'title:{k}')} {_q(top)} }}")
        lines.append(f'  {_q(f"title:{k}")} -> {_q(top)} [id="title{k}", style=invis];')
    for seg in p.segments:
        if seg.id in b.taps and seg.id not in b.vias:
            continue
        tail = f"via:{seg.id}" if seg.id in b.vias else seg.tail
        # Into the line from below, or out of it downwards, or up from a bus: by the bottom
        # of its node.
        into = "s" if (seg.head in b.line and not seg.highway) or seg.id in b.vias else ""
        out = "s" if seg.tail in b.line and not seg.highway else ""
        if seg.id in b.down:
            # What flows down (from the line, or into the gate row from above) is given to
            # dot head first, since its ranks count upwards.
            attrs = edge_attrs(p, seg, out, back=True, label=False, tailport=into)
            lines.append(f"  {_q(seg.head)} -> {_q(tail)} [{', '.join(attrs)}];")
        else:
            attrs = edge_attrs(p, seg, into, label=False, tailport=out)
            if seg.head in b.beside:
                attrs.append("weight=20")  # right beside its node, nothing between
            lines.append(f"  {_q(tail)} -> {_q(seg.head)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _bezier_middle(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The middle of one cubic Bézier curve."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    return (x0 + 3 * x1 + 3 * x2 + x3) / 8, (y0 + 3 * y1 + 3 * y2 + y3) / 8


def polyline(points: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """Straight lines through ``points`` as cubic Bézier points (start, then three a line)."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        out += [(x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3),
                (x0 + 2 * (x1 - x0) / 3, y0 + 2 * (y1 - y0) / 3), (x1, y1)]
    return tuple(out)


def _bridged(x: float, y0: float, y1: float, rows: list[tuple[float, float, float]],
             gap: float) -> tuple[tuple[tuple[float, float], ...], tuple[int, ...]]:
    """A vertical line at ``x`` from ``y0`` up to ``y1`` (y0 > y1), with a gap wherever it
    passes a bus (``rows``: y, from x, to x): its Bézier points and the curves not drawn."""
    stops = sorted((y for y, a, b in rows if y1 + gap < y < y0 - gap and a <= x <= b),
                   reverse=True)
    points: list[tuple[float, float]] = [(x, y0)]
    hidden: list[int] = []
    for y in stops:
        points += [(x, y + gap), (x, y - gap)]
        hidden.append(len(points) - 2)
    points.append((x, y1))
    return polyline(points), tuple(hidden)


def _regions(p: DotPlan, b: BusPlan, nodes: dict[str, Placed], dot_boxes: dict[int, Box],
             fs: float) -> list[ClusterBox]:
    """The gate regions: dot's cluster boxes (of the members off the line), grown round the
    members on the line, each with a strip for its title along its top."""
    out = []
    margin = fs * (0.7 + REGION_INSET)
    for k, (label, members) in enumerate(p.clusters):
        _, strip = gate_label_size(label, p.caption)
        strip += 2 * fs * REGION_INSET
        boxes = [(n.x - n.w / 2 - margin, n.y - n.h / 2 - margin - strip, n.x + n.w / 2 + margin,
                  n.y + n.h / 2 + margin) for m in members if m in b.line
                 for n in (nodes[m],)]
        if k in dot_boxes:
            boxes.append(dot_boxes[k])
        x0, top = min(q[0] for q in boxes), min(q[1] for q in boxes)
        x1, bottom = max(q[2] for q in boxes), max(q[3] for q in boxes)
        title = nodes.pop(f"title:{k}", None)
        boxed = cluster_boxes(p, members)
        if title is None:
            out.append(ClusterBox(label, x0, top, x1, bottom, (x0, top + strip / 2), boxed))
        else:
            out.append(ClusterBox(label, x0, top, x1, bottom, (x0, title.y), boxed,
                                  label_x=title.x - title.w / 2 + 3))
    return out


def _read(p: DotPlan, b: BusPlan, data: dict[str, Any],
          pt: Callable[[float, float], Point]) -> tuple[dict[str, Placed], dict[int, Box],
                                                        dict[str, Route]]:
    """dot's nodes, cluster boxes and routes, through ``pt`` into figure coordinates; a
    segment given to dot head first is turned back, and a labelled one starts its label at
    its middle (dot is given no labels: they would double its ranks)."""
    nodes: dict[str, Placed] = {}
    boxes: dict[int, Box] = {}
    for obj in data.get("objects", []):
        name = str(obj.get("name", ""))
        if name.startswith("cluster_") and "bb" in obj:
            x0, y0, x1, y1 = floats(obj["bb"])
            boxes[int(name.split("_")[1])] = (*pt(x0, y1), *pt(x1, y0))
        elif "pos" in obj and "nodes" not in obj:
            w, h = (0.0, 0.0)
            if name in p.glyphs:
                w, h = p.glyphs[name].width, p.glyphs[name].height
            elif name.startswith("title:"):
                w, h = gate_label_size(p.clusters[int(name.split(":")[1])][0], p.caption)
            nodes[name] = Placed(*pt(*floats(obj["pos"])), w, h)
    labelled = {seg.id for seg in p.segments if seg.label}
    routes: dict[str, Route] = {}
    for edge in data.get("edges", []):
        if edge.get("style") == "invis":
            continue
        sid = str(edge["id"])
        ends: dict[str, Point] = {}
        points: list[Point] = []
        for token in str(edge["pos"]).split():
            if token[:2] in ("e,", "s,"):
                ends[token[0]] = pt(*floats(token[2:])[:2])
            else:
                points.append(pt(*floats(token)))
        if sid in b.down:
            points.reverse()
        k = (len(points) - 1) // 6 * 3
        mx, my = _bezier_middle(points[k:k + 4]) if len(points) == 4 else points[k]
        # A hair to the lower right of the edge: the side its label takes (labels.hug).
        middle = (mx + 0.5, my + 0.5) if sid in labelled else None
        routes[sid] = Route(tuple(points), ends.get("s" if sid in b.down else "e"), middle)
    return nodes, boxes, routes


def _straighten(p: DotPlan, b: BusPlan, nodes: dict[str, Placed], routes: dict[str, Route],
                arrow: float) -> None:
    """The line, and an output beside its node, straight from glyph to glyph (dot's ends are
    on the wider boxes it was given); where something stands between after all, dot's route
    from the glyph."""
    for seg in p.segments:
        if not (seg.highway or seg.head in b.beside):
            continue
        tail, head = nodes[seg.tail], nodes[seg.head]
        y = tail.y
        if seg.head in b.beside and head.x < tail.x:
            # dot set the output left of its node: to its right instead, if that is free.
            # Clear of the region round its node too (its margin), and an arrow's room.
            x = tail.x + tail.w / 2 + arrow * (2 + (0.7 + REGION_INSET) / 0.75) + head.w / 2
            crossed = [q for r in routes.values() for q in route_points(r.points)
                       if abs(q[0] - x) < head.w / 2 + arrow and abs(q[1] - y) < head.h / 2]
            if not crossed and not any(
                    abs(n.x - x) < (n.w + head.w) / 2 + arrow and abs(n.y - y) < (
                        n.h + head.h) / 2 + arrow for k, n in nodes.items() if k != seg.head):
                head = nodes[seg.head] = Placed(x, head.y, head.w, head.h)
        way = 1.0 if head.x > tail.x else -1.0  # an output may stand left of its node
        x0, x1 = tail.x + way * tail.w / 2, head.x - way * head.w / 2
        if any(min(x0, x1) < n.x < max(x0, x1) and abs(n.y - y) < n.h / 2
               for n in nodes.values()):
            route = routes[seg.id]
            tip = (x1, route.tip[1]) if route.tip else None
            routes[seg.id] = Route((*polyline([(x0, y), route.points[0]]), *route.points[1:]),
                                   tip, route.label)
            continue
        stop = x1 - way * arrow if seg.arrow else x1
        mid = ((x0 + stop) / 2 + 0.5, y + 0.5) if seg.label else None
        routes[seg.id] = Route(polyline([(x0, y), (stop, y)]), (x1, y) if seg.arrow else None,
                               mid)


def _rows(p: DotPlan, b: BusPlan, nodes: dict[str, Placed], clusters: list[ClusterBox],
          free: list[str], src_w: float, fs: float) -> list[float]:
    """The buses' rows under everything dot placed (top row first), each source off the line
    placed at the left of its row."""
    bottom = max([*(n.y + n.h / 2 for k, n in nodes.items() if not k.startswith("via:")),
                  *(c.y1 for c in clusters)], default=0.0)
    y = max([bottom + fs * 1.4, *(nodes[f"via:{s}"].y for s in b.vias)])
    rows: list[float] = []
    for k, source in enumerate(b.buses):
        if k:
            before = p.glyphs[b.buses[k - 1]].height if b.buses[k - 1] in free else 0.0
            here = p.glyphs[source].height if source in free else 0.0
            y += max(fs * 1.6, (before + here) / 2 + fs * 0.5)
        rows.append(y)
        if source in free:
            glyph = p.glyphs[source]
            nodes[source] = Placed(fs * 0.2 + src_w - glyph.width / 2, y, glyph.width,
                                   glyph.height)
    return rows


def bus_layout(p: DotPlan, b: BusPlan, theme: Theme, data: dict[str, Any]) -> Layout:
    """dot's answer for ``bus_source`` in figure coordinates (y down), with the sources off
    the line stacked at the left of their bus rows, the buses and the taps."""
    fs = theme.space
    _, _, dot_w, dot_h = floats(str(data["bb"]))
    free = [s for s in b.buses if s not in b.line]
    src_w = max((p.glyphs[s].width for s in free), default=0.0)
    lane = fs * 0.9
    left = (src_w + fs * 1.6) if free else 0.0
    left += lane * 1.5 if b.line[0] in b.buses else 0.0
    # Room above the line for the titles of regions that hold part of it.
    lifted = [gate_label_size(label, p.caption)[1] for label, members in p.clusters
              if set(members) & set(b.line)]
    above = max(lifted, default=-fs * (0.7 + REGION_INSET)) + fs * (0.7 + 3 * REGION_INSET)

    def pt(x: float, y: float) -> Point:
        return x + left, dot_h - y + above

    nodes, dot_boxes, routes = _read(p, b, data, pt)
    arrow = fs * 0.75
    _straighten(p, b, nodes, routes, arrow)
    clusters = _regions(p, b, nodes, dot_boxes, fs)
    rows = _rows(p, b, nodes, clusters, free, src_w, fs)
    heads = {seg.id: seg.head for seg in p.segments}
    tap_x: dict[str, float] = {}
    for sid, (_, index) in b.taps.items():
        target = nodes[f"via:{sid}"] if sid in b.vias else nodes[heads[sid]]
        tap_x[sid] = target.x if sid in b.vias else (
            target.x - target.w / 2 + p.glyphs[heads[sid]].ports[index])
    spans: list[tuple[float, float, float]] = []
    buses: list[tuple[str, Route]] = []
    for k, source in enumerate(b.buses):
        far = max(x for sid, x in tap_x.items() if b.taps[sid][0] == source)
        node = nodes[source]
        if source in free:
            way = [(node.x + node.w / 2, rows[k])]
        else:  # the line's start: left of everything, then down to its row
            way = [(node.x - node.w / 2, node.y), (left - lane, node.y), (left - lane, rows[k])]
        spans.append((rows[k], way[-1][0], far))
        buses.append((source, Route(polyline([*way, (far, rows[k])]), None, None)))
    for sid, (source, _) in b.taps.items():
        k = b.buses.index(source)
        if sid in b.vias:
            up, hidden = _bridged(tap_x[sid], rows[k], nodes[f"via:{sid}"].y, spans[:k],
                                  fs * 0.35)
            rest = routes.pop(sid)
            routes[sid] = Route((*up, *rest.points[1:]), rest.tip, None, hidden)
        else:
            node = nodes[heads[sid]]
            up, hidden = _bridged(tap_x[sid], rows[k], node.y + node.h / 2 + arrow, spans[:k],
                                  fs * 0.35)
            routes[sid] = Route(up, (tap_x[sid], node.y + node.h / 2), None, hidden)
    for name in [n for n in nodes if n.startswith("via:") or n == "floor"]:
        del nodes[name]
    width = max([dot_w + left, *(n.x + n.w / 2 for n in nodes.values())])
    height = max([rows[-1] if rows else dot_h + above,
                  *(n.y + n.h / 2 for n in nodes.values())]) + fs * 0.4
    return Layout(width, height, nodes, routes, tuple(clusters), tuple(buses))


def lay_out(name: str, theme: Theme, p: DotPlan, b: BusPlan) -> Layout:
    """Run dot on ``bus_source`` and draw the buses."""
    return bus_layout(p, b, theme, run_dot(bus_source(name, theme, p, b)))


def operand_sources(cell: Cell) -> dict[str, tuple[str | None, ...]]:
    """For each dense node, the source of each of its operands (None for a bias)."""
    return {n.id: tuple(o.source for o in n.operands) for n in cell.graph.nodes
            if n.kind == "dense"}


def figure_dot(cell: Cell, theme: Theme, the_plan: DotPlan | None = None) -> str:
    """The DOT text dot lays the figure out from: the bus layout's for a cell with a state
    line (``buses.bus_source``), else the upright ``dot_source``."""
    p = the_plan or plan(cell, theme)
    buses = bus_plan(p, operand_sources(cell))
    return dot_source(cell, theme, p) if buses is None else bus_source(cell.name, theme, p,
                                                                         buses)
