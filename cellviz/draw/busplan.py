"""Where each part of a cell with one state line goes in the bus layout: the line, the buses
and the taps they feed, the gate row, and the edges dot is given head first."""

from __future__ import annotations

from ..cell import Cell
from ..record import record
from .layout import DotPlan

__all__ = ["BusPlan", "bus_plan", "operand_sources"]


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


def operand_sources(cell: Cell) -> dict[str, tuple[str | None, ...]]:
    """For each dense node, the source of each of its operands (None for a bias)."""
    return {n.id: tuple(o.source for o in n.operands) for n in cell.graph.nodes
            if n.kind == "dense"}
