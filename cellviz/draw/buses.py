"""The bus layout of a cell with a state line, as the classic diagrams draw it: the line
straight along the top, the gates side by side beneath it, the inputs on buses along the
bottom with short taps up into the very term that reads them, bridged where they pass
another bus. dot places the nodes between line and buses (``busdot``); here its answer is
read back, the line and the outputs straightened, and the buses and taps drawn."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from .busdot import bus_source
from .busends import clear_way, drop_from_line, leave_apart, part_ends, polyline
from .busplan import BusPlan
from .dot import floats, run_dot
from .dottext import REGION_INSET, cluster_boxes, gate_label_size, title_room
from .labels import route_points
from .layout import ClusterBox, DotPlan, Layout, Placed, Route
from .lines import bezier_at, bridged
from .regions import Box, bounding, overlap
from .themes import Theme

Point = tuple[float, float]

__all__ = ["bus_layout", "lay_out"]


def _tap(x: float, y0: float, y1: float, rows: list[tuple[float, float, float]],
         gap: float) -> tuple[tuple[Point, ...], tuple[int, ...]]:
    """A vertical tap at ``x`` from ``y0`` up to ``y1``, bridged wherever it passes a bus
    (``rows``: y, from x, to x): its Bézier points and the curves not drawn."""
    return bridged([(x, y0), (x, y1)], [(x, y) for y, a, b in rows if a <= x <= b], gap, 0)


def _regions(p: DotPlan, b: BusPlan, nodes: dict[str, Placed], dot_boxes: dict[int, Box],
             theme: Theme) -> list[ClusterBox]:
    """The gate regions: dot's cluster boxes (of the members off the line), grown round the
    members on the line, each with a strip for its title along its top, as wide as the title
    needs (dot was told to leave room for it). Where the rectangle
    round both would take in a node or region not its own (dot knows nothing of the part
    round the line), the region keeps the two as its parts."""
    fs = theme.space
    margin = fs * (0.7 + REGION_INSET)
    found: list[tuple[list[Box], float]] = []
    for k, (label, members) in enumerate(p.clusters):
        _, strip = gate_label_size(label, p.caption)
        strip += 2 * fs * REGION_INSET
        held = [(n.x - n.w / 2 - margin, n.y - n.h / 2 - margin - strip, n.x + n.w / 2 + margin,
                 n.y + n.h / 2 + margin) for m in members if m in b.line for n in (nodes[m],)]
        parts = []
        if held:
            x0, y0, x1, y1 = bounding(held)
            grow = max(0.0, title_room(label, p.caption, theme.font_size) - (x1 - x0)) / 2
            parts.append((x0 - grow, y0, x1 + grow, y1))
        if k in dot_boxes:
            x0, y0, x1, y1 = dot_boxes[k]
            if parts:  # up to the middle of the line, so that the two parts join
                y0 = min(y0, (parts[0][1] + parts[0][3]) / 2)
            parts.append((x0, y0, x1, y1))
        found.append((parts, strip))
    inset = fs * REGION_INSET

    def drawn(box: Box) -> Box:
        return box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset

    out = []
    for k, ((label, members), (parts, strip)) in enumerate(zip(p.clusters, found, strict=True)):
        x0, top, x1, bottom = whole = bounding(parts)
        boxed = cluster_boxes(p, members)
        own = {*boxed, f"title:{k}"}
        strangers = [(n.x - n.w / 2, n.y - n.h / 2, n.x + n.w / 2, n.y + n.h / 2)
                     for name, n in nodes.items() if name not in own]
        strangers += [drawn(q) for j, (others, _) in enumerate(found) if j != k for q in others]
        crowded = len(parts) > 1 and any(overlap(drawn(whole), q) for q in strangers)
        shape = tuple(parts) if crowded else ()
        title = nodes.get(f"title:{k}")
        if title is None:
            out.append(ClusterBox(label, x0, top, x1, bottom, (x0, top + strip / 2), boxed,
                                  parts=shape))
        else:
            out.append(ClusterBox(label, x0, top, x1, bottom, (x0, title.y), boxed,
                                  label_x=title.x - title.w / 2 + 3, parts=shape))
    for k in range(len(p.clusters)):
        nodes.pop(f"title:{k}", None)
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
        mx, my = bezier_at(tuple(points[k:k + 4]), 0.5) if len(points) == 4 else points[k]
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


def _square_way(tail: Placed, follow: Placed, mark: Placed | None, head: Placed,
                arrow: float) -> list[Point] | None:
    """The corners of an edge from ``tail`` on the line (``follow`` is the line's next node)
    down to ``head``, through ``mark`` if given: straight down from the line into the mark (or
    the head) where it stands under the tail or the gap after it, else down from the middle
    of that gap; then across to above the head and down into its top, or (no mark, level
    with the head) into its side. None where the head is not below and right of the tail."""
    below = mark or head
    x = (tail.x + tail.w / 2 + follow.x - follow.w / 2) / 2
    if tail.x <= below.x < follow.x - follow.w / 2 - arrow:
        x = below.x
    elif below.x - below.w / 2 <= x:
        return None
    y = below.y
    if not (x <= head.x and tail.y < y < head.y + head.h / 2):
        return None
    if mark is None and x == head.x:
        return [(x, tail.y), (x, head.y - head.h / 2)]
    if y < head.y - head.h / 2 - arrow:
        return [(x, tail.y), (x, y), (head.x, y), (head.x, head.y - head.h / 2)]
    return None if mark else [(x, tail.y), (x, head.y), (head.x - head.w / 2, head.y)]


def _square(p: DotPlan, b: BusPlan, nodes: dict[str, Placed], routes: dict[str, Route],
            arrow: float) -> None:
    """What leaves the line downwards (tanh(c[t]) into o[t]⊙tanh(c[t])) as the classic
    diagrams draw it, square (``_square_way``); where that way would cross another edge or
    pass a node, dot's route stays."""
    after = dict(itertools.pairwise(b.line))
    out_of = {seg.tail: seg for seg in p.segments}
    for seg in p.segments:
        if seg.highway or seg.tail not in after or seg.head not in b.flowing:
            continue
        mark = seg.head if not seg.arrow and seg.head in out_of else None
        last = out_of[mark] if mark else seg
        m, head = (nodes[mark] if mark else None), nodes[last.head]
        way = _square_way(nodes[seg.tail], nodes[after[seg.tail]], m, head, arrow)
        if way is None:
            continue
        if not clear_way(way, routes, nodes, {seg.id, last.id, seg.tail, seg.head, last.head}):
            continue
        (x0, y0), (tx, ty) = way[-2:]
        size = abs(tx - x0) + abs(ty - y0)
        stop = (tx - (tx - x0) / size * arrow, ty - (ty - y0) / size * arrow)
        rest = [*way[:-1], stop]
        if m is not None:
            y = m.y
            # Into the mark's top if it stands right under the line, else into its side.
            into = [(m.x, y - m.h / 2)] if way[0][0] == m.x else [way[1], (m.x - m.w / 2, y)]
            routes[seg.id] = Route(polyline([way[0], *into]), None, None)
            # On from the mark's right side, or from its bottom if the node is under it.
            rest = ([(m.x + m.w / 2, y), *way[2:-1], stop] if head.x > m.x + m.w / 2
                    else [(head.x, y + m.h / 2), stop])
        mid = ((rest[0][0] + rest[1][0]) / 2 + 0.5, (rest[0][1] + rest[1][1]) / 2 + 0.5)
        routes[last.id] = Route(polyline(rest), (tx, ty), mid if last.label else None)


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


def _title_box(c: ClusterBox, p: DotPlan, fs: float) -> Box:
    """About where a region's title goes (``labels.gate_label_at``'s first choice)."""
    lw, lh = gate_label_size(c.label, p.caption)
    x = c.label_x if c.label_x is not None else c.x0 + fs * (REGION_INSET + 0.6)
    return x - 5, c.label_at[1] - lh / 2 - 1, x + lw, c.label_at[1] + lh / 2 + 1


def _upright(sid: str, p: DotPlan, b: BusPlan, rows: list[float],
             lay: tuple[dict[str, Route], dict[str, Placed], list[ClusterBox]],
             fs: float) -> tuple[float, float] | None:
    """Where a via's tap can enter its node straight up from its bus (dot bends it on the
    way, the via standing beside the node): under the node's middle, else an eighth or a
    quarter of its width either side (into a circle's rim), with no edge crossed, no node or
    region title passed, no region's side run along, its tip an arrow's length or more from
    any other's; None if nowhere."""
    routes, nodes, clusters = lay
    name = next(seg.head for seg in p.segments if seg.id == sid)
    head, y0 = nodes[name], rows[b.buses.index(b.taps[sid][0])]
    others = {k: r for k, r in routes.items() if k != sid}
    inset, arrow = fs * REGION_INSET, fs * 0.75
    for dx in (0.0, -head.w / 8, head.w / 8, -head.w / 4, head.w / 4):
        x = head.x + dx
        y1 = head.y + (math.sqrt((head.w / 2) ** 2 - dx * dx) if p.glyphs[name].circle
                       else head.h / 2)
        if any(math.dist((x, y1), r.tip) < arrow * 0.75 for r in others.values() if r.tip):
            continue  # its arrowhead would touch another's
        if clear_way([(x, y0), (x, y1)], others, nodes, {f"via:{sid}", name}) and not any(
                c.y0 < y0 and c.y1 > y1 and (
                    any(side - 3 < x < side + 3 for side in (c.x0 + inset, c.x1 - inset))
                    or overlap(_title_box(c, p, fs), (x - 0.5, y1, x + 0.5, y0)))
                for c in clusters):
            return x, y1
    return None


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
    _square(p, b, nodes, routes, arrow)
    part_ends(p, nodes, routes, arrow)
    leave_apart(p, nodes, routes)
    clusters = _regions(p, b, nodes, dot_boxes, theme)
    inset = fs * REGION_INSET
    drop_from_line(p, b.line, b.row, (nodes, routes), [
        (x0 + inset, y0 + inset, x1 - inset, y1 - inset)
        for c in clusters for x0, y0, x1, y1 in (c.parts or ((c.x0, c.y0, c.x1, c.y1),))],
        [_title_box(c, p, fs) for c in clusters], arrow)
    rows = _rows(p, b, nodes, clusters, free, src_w, fs)
    heads = {seg.id: seg.head for seg in p.segments}
    tap_x: dict[str, float] = {}
    for sid, (_, index) in b.taps.items():
        target = nodes[f"via:{sid}"] if sid in b.vias else nodes[heads[sid]]
        tap_x[sid] = target.x if sid in b.vias else (
            target.x - target.w / 2 + p.glyphs[heads[sid]].ports[index])
    upright: dict[str, tuple[float, float]] = {}
    for sid in b.vias:
        entry = _upright(sid, p, b, rows, (routes, nodes, clusters), fs)
        if entry is not None:
            upright[sid] = entry
            tap_x[sid] = entry[0]
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
        if sid in b.vias and sid not in upright:
            up, hidden = _tap(tap_x[sid], rows[k], nodes[f"via:{sid}"].y, spans[:k],
                                  fs * 0.35)
            rest = routes.pop(sid)
            routes[sid] = Route((*up, *rest.points[1:]), rest.tip, None, hidden)
        else:
            node = nodes[heads[sid]]
            tip = upright.get(sid, (tap_x[sid], node.y + node.h / 2))
            up, hidden = _tap(tip[0], rows[k], tip[1] + arrow, spans[:k], fs * 0.35)
            routes[sid] = Route(up, tip, None, hidden)
    for name in [n for n in nodes if n.startswith("via:") or n == "floor"]:
        del nodes[name]
    width = max([dot_w + left, *(n.x + n.w / 2 for n in nodes.values())])
    height = max([rows[-1] if rows else dot_h + above,
                  *(n.y + n.h / 2 for n in nodes.values())]) + fs * 0.4
    return Layout(width, height, nodes, routes, tuple(clusters), tuple(buses))


def lay_out(name: str, theme: Theme, p: DotPlan, b: BusPlan) -> Layout:
    """Run dot on ``bus_source`` and draw the buses."""
    return bus_layout(p, b, theme, run_dot(bus_source(name, theme, p, b)))
