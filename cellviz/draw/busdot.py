"""The DOT text of the bus layout: the line in dot's top rank, the gate row in its bottom one,
the gate regions and their titles, and the ties that keep the gates in order."""

from __future__ import annotations

from ..cell import Cell
from ..record import replace
from .busplan import BusPlan, bus_plan, operand_sources
from .dottext import REGION_INSET, cluster_lines, edge_attrs, quote, title_room
from .layout import DotPlan, dot_source, plan
from .themes import Theme

__all__ = ["bus_source", "figure_dot"]


def _topmost(p: DotPlan, members: tuple[str, ...]) -> str:
    """The member of a region that no other member reads: the one nearest the line."""
    inside = set(members)
    reads = {seg.tail for seg in p.segments if seg.head in inside and seg.tail in inside}
    return next((m for m in reversed(members) if m not in reads), members[-1])


def bus_source(name: str, theme: Theme, p: DotPlan, b: BusPlan) -> str:
    """The DOT text of the part of the figure dot places: everything but the sources off
    the line, with the line in the top rank, the gate row and the vias at the bottom."""
    gap = theme.space
    lines = [
        f"digraph {quote(name)} {{",
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
            # The region's part round them (buses._regions) at its narrowest: the nodes side
            # by side, each widened by ``room``, nodesep apart, and its margin either side.
            # Widening each node by d/(n-1) parts the ends by d; a lone node's box, as wide
            # as its region must be, keeps its neighbours off.
            need = title_room(label, p.caption, theme.font_size)
            have = (sum(p.glyphs[m].width for m in held) + (len(held) - 1) * (room + gap * 1.1)
                    + 2 * gap * (0.7 + REGION_INSET))
            for m in held:
                wider[m] += max(0.0, need - have) / max(1, len(held) - 1)
    for node_id in p.glyphs:
        if node_id in drawn:
            glyph = p.glyphs[node_id]
            wide = wider.get(node_id, 0.0)
            # (A widened circle would grow tall too, and edges from below stop short of it.)
            shape = ", shape=circle" if glyph.circle and not wide else ""
            lines.append(f"  {quote(node_id)} [width={(glyph.width + wide) / 72:.4f}, "
                         f"height={glyph.height / 72:.4f}{shape}];")
    for sid in b.vias:
        lines.append(f'  {quote("via:" + sid)} [width=0.01, height=0.01];')
    lines.append(f"  {{ rank=max; {' '.join(quote(n) for n in b.line)} }}")
    if b.row or b.vias:
        # Nothing below the gate row, where the taps come up from the buses; the vias stand
        # in it (dot routes what they carry up between the gates).
        lowest = (*b.row, *(f"via:{s}" for s in b.vias), *(("floor",) if b.flowing else ()))
        lines.append(f"  {{ rank=min; {' '.join(quote(n) for n in lowest)} }}")
        if b.flowing:
            # What flows down from the line stays above the gate row, clear of the taps.
            lines.append('  "floor" [width=0.01, height=0.01, style=invis];')
            for k, node in enumerate(b.flowing):
                lines.append(f'  "floor" -> {quote(node)} [id="floor{k}", style=invis, weight=0];')
    if b.tie is not None:
        # The gate that acts first on the line is tied to where it does: dot alone sets gates
        # that look alike in any order (the GRU's n left of z, its edge across z's).
        lines.append(f'  {quote(b.tie[0])} -> {quote(b.tie[1])} [id="tie", style=invis, weight=0];')
    for k, (node, reader) in enumerate(b.lifted):
        lines.append(f'  {quote(node)} -> {quote(reader)} [id="lift{k}", style=invis, weight=0];')
    for sink, tail in b.beside.items():
        lines.append(f"  {{ rank=same; {quote(tail)} {quote(sink)} }}")
    # The gate regions, less the line's nodes: a region round part of the line makes dot
    # give up the line's order.
    above = {seg.tail for seg in p.segments if seg.id in b.down and seg.head in b.row}
    off_line = replace(p, clusters=tuple(
        (label, tuple(m for m in members if m not in b.line and m not in above))
        for label, members in p.clusters))
    # A region round part of the line has its title above the line, not in dot's strip.
    # Any other region holds its title as a node above its members, round which dot routes
    # the edges that leave them upwards.
    bare = frozenset(k for k, (_, members) in enumerate(p.clusters) if set(members) & set(b.line))
    titled = frozenset(range(len(p.clusters))) - bare
    lines += cluster_lines(off_line, theme, top=False, bare=bare, titled=titled)
    for k in sorted(titled):
        # Beside (left of) the member nearest the line: the last one an edge reaches.
        top = _topmost(p, p.clusters[k][1])
        lines.append(f"  {{ rank=same; {quote(f'title:{k}')} {quote(top)} }}")
        lines.append(f'  {quote(f"title:{k}")} -> {quote(top)} [id="title{k}", style=invis];')
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
            lines.append(f"  {quote(seg.head)} -> {quote(tail)} [{', '.join(attrs)}];")
        else:
            attrs = edge_attrs(p, seg, into, label=False, tailport=out)
            if seg.head in b.beside:
                attrs.append("weight=20")  # right beside its node, nothing between
            lines.append(f"  {quote(tail)} -> {quote(seg.head)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def figure_dot(cell: Cell, theme: Theme, the_plan: DotPlan | None = None) -> str:
    """The DOT text dot lays the figure out from: the bus layout's for a cell with a state
    line (``bus_source``), else the upright ``dot_source``."""
    p = the_plan or plan(cell, theme)
    buses = bus_plan(p, operand_sources(cell))
    return dot_source(cell, theme, p) if buses is None else bus_source(cell.name, theme, p,
                                                                         buses)
