"""Measures of a figure read from its SVG alone: edge crossings, arrowhead spacing, type size
on a slide. Edges are the stroked paths of the ``edge`` groups, arrowheads their filled
paths, nodes the ``node`` groups (their outline is their first shape)."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

__all__ = ["Box", "Figure", "arrow_gap", "box_of", "crossings", "figure", "overlaps",
           "path_pieces", "slide_points", "starts_at_heads"]

SVG = "{http://www.w3.org/2000/svg}"
Point = tuple[float, float]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Figure:
    """What the measures read: the viewBox size, each edge as its pieces (polylines: a bridge
    splits an edge into pieces), each arrowhead as its polygon, each node's box, each text's
    font size and each subscript's (a ``tspan`` with a size of its own)."""

    width: float
    height: float
    edges: list[list[list[Point]]]
    heads: list[list[Point]]
    nodes: list[Box]
    sizes: list[float]
    subscripts: list[float]


def path_pieces(d: str) -> list[list[Point]]:
    """A path's subpaths as polylines, each cubic Bézier curve sampled at 16 steps."""
    pieces: list[list[Point]] = []
    for command, body in re.findall(r"([MCLZ])([^MCLZ]*)", d):
        nums = [float(v) for v in re.split(r"[ ,]+", body.strip()) if v]
        pts = list(zip(nums[::2], nums[1::2], strict=True))
        if command == "M":
            pieces.append(list(pts))
        elif command == "L":
            pieces[-1] += pts
        elif command == "C":
            for k in range(0, len(pts), 3):
                p0, (p1, p2, p3) = pieces[-1][-1], pts[k:k + 3]
                for step in range(1, 17):
                    s = step / 16
                    a, b, c, e = (1 - s) ** 3, 3 * s * (1 - s) ** 2, 3 * s * s * (1 - s), s ** 3
                    pieces[-1].append((a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0],
                                       a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1]))
        elif command == "Z":
            pieces[-1].append(pieces[-1][0])
    return [p for p in pieces if len(p) > 1]


def box_of(shape: ET.Element) -> Box | None:
    tag = shape.tag.removeprefix(SVG)
    if tag == "rect":
        x, y = float(shape.get("x", 0)), float(shape.get("y", 0))
        return x, y, x + float(shape.get("width", 0)), y + float(shape.get("height", 0))
    if tag == "circle":
        cx, cy, r = (float(shape.get(k, 0)) for k in ("cx", "cy", "r"))
        return cx - r, cy - r, cx + r, cy + r
    return None


def figure(svg: str) -> Figure:
    """The measurable parts of an SVG figure."""
    root = ET.fromstring(svg)
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    edges: list[list[list[Point]]] = []
    heads: list[list[Point]] = []
    nodes: list[Box] = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") in ("edge", "edges"):
            for path in group.iter(f"{SVG}path"):
                pieces = path_pieces(path.get("d", ""))
                if path.get("fill", "none") == "none":
                    edges.append(pieces)
                else:
                    heads.append(pieces[0])
        elif group.get("class") == "node":
            first = box_of(group[0]) if len(group) else None
            if first is not None:
                nodes.append(first)
    sizes = [float(t.get("font-size", 0)) for t in root.iter(f"{SVG}text")]
    subscripts = [float(t.get("font-size", 0)) for t in root.iter(f"{SVG}tspan")
                  if t.get("font-size")]
    return Figure(width, height, edges, heads, nodes, sizes, subscripts)


def _cross(a: Point, b: Point, c: Point, d: Point) -> Point | None:
    """Where segment ab properly crosses segment cd (inside both, not at an end), if it does."""
    rx, ry, sx, sy = b[0] - a[0], b[1] - a[1], d[0] - c[0], d[1] - c[1]
    den = rx * sy - ry * sx
    if abs(den) < 1e-9:
        return None
    t = ((c[0] - a[0]) * sy - (c[1] - a[1]) * sx) / den
    u = ((c[0] - a[0]) * ry - (c[1] - a[1]) * rx) / den
    eps = 1e-6
    if eps < t < 1 - eps and eps < u < 1 - eps:
        return a[0] + t * rx, a[1] + t * ry
    return None


def _inside(p: Point, box: Box, margin: float) -> bool:
    return box[0] - margin <= p[0] <= box[2] + margin and box[1] - margin <= p[1] <= box[3] + margin


def _ends(edge: list[list[Point]]) -> list[Point]:
    return [edge[0][0], edge[-1][-1]]


def _extent(points: list[Point]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _meet(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def crossings(fig: Figure, *, margin: float = 14.0) -> list[Point]:
    """Where two edges cross. Two edges that meet at a node they both touch (an end within
    ``margin`` of its box) do not cross there; an edge that starts or ends on another (a tap
    leaving its bus) meets it, and a bridge (a gap in one of them) passes it."""
    touching = [[k for k, box in enumerate(fig.nodes) if any(_inside(e, box, margin)
                                                             for e in _ends(edge))]
                for edge in fig.edges]
    # Pieces whose boxes do not meet cannot cross (this only saves time on large figures).
    boxes = [[_extent(piece) for piece in edge] for edge in fig.edges]
    found: list[Point] = []
    for i, first in enumerate(fig.edges):
        for j in range(i + 1, len(fig.edges)):
            if not any(_meet(p, q) for p in boxes[i] for q in boxes[j]):
                continue
            shared = [fig.nodes[k] for k in set(touching[i]) & set(touching[j])]
            for m, piece in enumerate(first):
                for n, other in enumerate(fig.edges[j]):
                    if not _meet(boxes[i][m], boxes[j][n]):
                        continue
                    for a, b in itertools.pairwise(piece):
                        for c, d in itertools.pairwise(other):
                            at = _cross(a, b, c, d)
                            if at is None or any(_inside(at, box, margin) for box in shared):
                                continue
                            if all(math.dist(at, q) > 1.0 for q in found):
                                found.append(at)
    return found


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy)
                                             / length))
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))


def _polygon_distance(a: list[Point], b: list[Point]) -> float:
    if any(_cross(p, q, r, s) for p, q in itertools.pairwise(a)
           for r, s in itertools.pairwise(b)):
        return 0.0
    return min(min(_segment_distance(p, r, s) for p in a for r, s in itertools.pairwise(b)),
               min(_segment_distance(p, r, s) for p in b for r, s in itertools.pairwise(a)))


def arrow_gap(fig: Figure) -> float:
    """The least distance between two arrowheads (inf with fewer than two)."""
    boxes = [_extent(head) for head in fig.heads]
    best = math.inf
    for k, a in enumerate(fig.heads):
        for m in range(k + 1, len(fig.heads)):
            # Two heads whose boxes stand at least ``best`` apart cannot be nearer.
            (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = boxes[k], boxes[m]
            if math.hypot(max(bx0 - ax1, ax0 - bx1, 0), max(by0 - ay1, ay0 - by1, 0)) < best:
                best = min(best, _polygon_distance(a, fig.heads[m]))
    return best


def _dense(piece: list[Point], step: float = 0.5) -> list[Point]:
    """Points every ``step`` px (about) along a polyline."""
    out = [piece[0]]
    for a, b in itertools.pairwise(piece):
        n = max(1, math.ceil(math.dist(a, b) / step))
        out += [(a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n)
                for k in range(1, n + 1)]
    return out


def overlaps(fig: Figure, *, near: float = 0.75, longest: float = 3.0) -> list[Point]:
    """Where two edges run together: more than ``longest`` px of one within ``near`` px of the
    other (collinear, drawn as one line). Two lines that meet at an angle share a px or two at
    most, a tap leaving its bus one point."""
    boxes = [[_extent(piece) for piece in edge] for edge in fig.edges]
    found: list[Point] = []
    for i, j in itertools.combinations(range(len(fig.edges)), 2):
        for m, piece in enumerate(fig.edges[i]):
            for n, other in enumerate(fig.edges[j]):
                x0, y0, x1, y1 = boxes[j][n]
                if not _meet(boxes[i][m], (x0 - near, y0 - near, x1 + near, y1 + near)):
                    continue
                close = [p for p in _dense(piece) if _inside(p, boxes[j][n], near)
                         and min(_segment_distance(p, a, b)
                                 for a, b in itertools.pairwise(other)) < near]
                if len(close) * 0.5 > longest:
                    found.append(close[len(close) // 2])
    return found


def _tip(head: list[Point]) -> Point:
    """An arrowhead's tip: its corner farthest from its centre."""
    corners = head[:-1] if head[0] == head[-1] else head
    cx, cy = sum(p[0] for p in corners) / len(corners), sum(p[1] for p in corners) / len(corners)
    return max(corners, key=lambda p: math.dist(p, (cx, cy)))


def starts_at_heads(fig: Figure, *, least: float = 4.0) -> list[Point]:
    """The starts of edges within ``least`` px of an arrowhead's tip: an edge that leaves a
    node where another's arrow enters it reads as that edge's continuation."""
    tips = [_tip(head) for head in fig.heads]
    return [edge[0][0] for edge in fig.edges
            if any(math.dist(edge[0][0], tip) < least for tip in tips)]


def slide_points(fig: Figure, width: float = 1920, height: float = 1080, *,
                 subscripts: bool = False) -> float:
    """The smallest text in points once the figure is fitted to a ``width`` × ``height`` px
    slide, where a point is two pixels; with ``subscripts``, the smallest subscript (inf if
    there is none)."""
    scale = min(width / fig.width, height / fig.height)
    return min(fig.subscripts if subscripts else fig.sizes, default=math.inf) * scale / 2
