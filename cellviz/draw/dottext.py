"""Pieces of DOT text that both layouts write (``layout.dot_source``, ``busdot.bus_source``):
quoting, fixed-size label boxes, the gate clusters and the attributes of a segment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .metrics import line_height, text_width

if TYPE_CHECKING:
    from .layout import DotPlan, Segment
    from .themes import Theme

__all__ = ["REGION_INSET", "box_label", "cluster_boxes", "cluster_lines", "edge_attrs",
           "gate_label_size", "inch", "quote", "title_room"]

#: How far inside dot's cluster box a gate region is drawn, in font sizes: regions dot stacks
#: edge to edge (the LSTM's gates) then stand apart. The clusters' margins grow by as much.
REGION_INSET = 0.25


def cluster_boxes(p: DotPlan, members: tuple[str, ...]) -> tuple[str, ...]:
    """A gate's boxes: its nodes, then the activation marks on the edges into them."""
    marks = [m for m in p.glyphs if m.startswith("act") and m.split(":", 1)[1] in members]
    return (*members, *marks)


def quote(text: str) -> str:
    """Text as a DOT string, quoted and escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def inch(px: float) -> str:
    """A length in pixels (points) as DOT's inches."""
    return f"{px / 72:.4f}"


def box_label(width: float, height: float) -> str:
    """An empty fixed-size HTML table: dot reserves exactly this room and measures no text."""
    return (f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD FIXEDSIZE="TRUE" '
            f'WIDTH="{round(width)}" HEIGHT="{round(height)}"></TD></TR></TABLE>>')


def gate_label_size(label: str, size: float) -> tuple[float, float]:
    """The room a gate region's label of font size ``size`` takes."""
    return text_width(label, size, bold=True) + 6, line_height(size) + 4


def title_room(label: str, size: float, font_size: float) -> float:
    """The width a gate region (dot's box of it) needs along its top to hold its title of
    font size ``size``: the title, 0.6 ``font_size`` of pad either side, and the inset the
    region is drawn within (the drawing's side of it is in ``compose.body``)."""
    return gate_label_size(label, size)[0] - 6 + font_size * (1.2 + 2 * REGION_INSET)


def cluster_lines(p: DotPlan, theme: Theme, *, top: bool, stack: list[int] | None = None,
                  bare: frozenset[int] = frozenset(),
                  titled: frozenset[int] = frozenset()) -> list[str]:
    """The DOT subgraphs of the gate regions, each with a label strip along its ``top`` (else
    its bottom), unless it is ``bare`` (its title goes elsewhere) or ``titled`` (it holds a
    node ``title:k`` of its title's size instead, which dot routes edges round); the
    ``stack`` (cluster indices) share one undrawn cluster, in that order."""
    gap = theme.space
    stack = stack or []

    def cluster(k: int, indent: str) -> list[str]:
        label, members = p.clusters[k]
        boxes = list(cluster_boxes(p, members))
        w, h = gate_label_size(label, p.caption)
        margin = f"margin={round(gap * (0.7 + REGION_INSET))};"
        # Extra width leaves the label a place in the top strip that no edge crosses; extra
        # height keeps it off the region's top, drawn REGION_INSET inside the cluster.
        strip = box_label(w + gap * 4, h + 2 * gap * REGION_INSET)
        head = "" if k in bare or k in titled else (f"label={strip}; labeljust=l; "
                                                     f"labelloc={'t' if top else 'b'}; ")
        if k in titled:
            boxes.append(f"title:{k}")
            head = f"{quote(f'title:{k}')} [width={inch(w)}, height={inch(h)}]; "
        return [f"{indent}subgraph cluster_{k} {{", f"{indent}  {head}{margin}",
                f"{indent}  {' '.join(quote(m) for m in boxes)};",
                f"{indent}}}"]

    lines: list[str] = []
    for k in range(len(p.clusters)):
        if k not in stack:
            lines.extend(cluster(k, "  "))
        elif k == min(stack):
            lines.append("  subgraph clusterstack {")
            lines.append("    margin=0;")
            for j in stack:
                lines.extend(cluster(j, "    "))
            lines.append("  }")
    return lines


def edge_attrs(p: DotPlan, seg: Segment, port: str = "", *, back: bool = False,
               label: bool = True, tailport: str = "") -> list[str]:
    """The DOT attributes of a segment: its id, its label's room (unless not ``label``), a
    heavy weight on the state line, the ports of dot's head and tail; ``back``: it is given
    to dot head first."""
    attrs = [f"id={quote(seg.id)}"]
    if seg.label and label:
        w, h = p.label_size[seg.id]
        attrs.append(f"label={box_label(w, h)}")
    if seg.highway:
        attrs.append("weight=20")
    if port:
        attrs.append(f"headport={port}")
    if tailport:
        attrs.append(f"tailport={tailport}")
    if back:
        attrs.append("dir=back")
    if not seg.arrow:
        attrs.append(f"{'arrowtail' if back else 'arrowhead'}=none")
    return attrs
