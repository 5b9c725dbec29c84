"""Compose a figure's scene: dot's layout, the node glyphs, edges, gate regions, title, legend."""

from __future__ import annotations

from collections.abc import Callable

from ..cell import Cell
from ..params import shape_text
from .dottext import REGION_INSET, gate_label_size
from .glyphs import Glyph, translate
from .labels import Grid, free_spot, gate_label_at, hug, route_points
from .layout import DotPlan, Layout, layout
from .legend import Marks, legend_min_width, line_kind, marks_of
from .legend import legend as draw_legend
from .lines import edge_shapes, line_dash
from .metrics import FONT_FAMILY, line_height, text_width
from .regions import border, outline
from .scene import Group, Path, Rect, Scene, Shape, Text, bounds, fmt
from .themes import Theme
from .values import Values

__all__ = ["body", "compose", "drawn_lines", "figure_title", "frame", "framed", "map_d", "moved",
           "place", "title_lines", "translate_any"]


def figure_title(cell: Cell) -> str:
    """The title line: cell name, convention and sizes (``LSTM, paper convention, i=3, n=2``)."""
    sizes = ", ".join(f"{s}={v}" for s, v in cell.sizes)
    return f"{cell.name.upper()}, {cell.convention} convention, {sizes}"


def place(glyph: Glyph, cx: float, cy: float) -> tuple[Shape, ...]:
    """A glyph's shapes moved so that the glyph is centred on (cx, cy)."""
    return translate(glyph.shapes, cx - glyph.width / 2, cy - glyph.height / 2)


def _description(cell: Cell, values: Values | None = None) -> str:
    graph = cell.graph
    parts = [graph.description or f"The {graph.name} cell"]
    vectors = [f"{graph.node(n).label} {shape_text((cell.size(graph.node(n).size),))}"
               for n in (*graph.inputs, *(graph.prev_id(s) for s in graph.states))]
    parts.append("reads " + ", ".join(vectors))
    outs = [f"{graph.node(n).label} {shape_text((cell.size(graph.node(n).size),))}"
            for n in graph.outputs]
    parts.append("writes " + ", ".join(outs))
    parts.append(cell.params().summary())
    if values is not None:
        parts.append(f"each vector and weight shows its value ({values.digits} decimals), "
                     f"coloured from blue (−{fmt(values.limit)}) through white (0) to red "
                     f"(+{fmt(values.limit)})")
    if values is not None and values.grads is not None:
        limit = f"{values.grads.limit:g}"
        loss = f" L = {values.grads.loss}" if values.grads.loss else ""
        parts.append(f"beside or below each value, its gradient ∂L/∂v of the loss{loss} "
                     f"({values.grads.digits} decimals), coloured from purple (−{limit}) "
                     f"through white (0) to green (+{limit})")
    return "; ".join(parts) + "."


def compose(cell: Cell, theme: Theme, laid: tuple[DotPlan, Layout] | None = None,
            values: Values | None = None, *, heading: bool = True,
            legend: bool = True, detail: str = "full", title: str | None = None) -> Scene:
    """The whole figure of a cell in a theme, as a positioned scene; ``values`` prints one
    step's numbers on it (``laid`` must then come from a plan with the same values);
    ``heading`` and ``legend`` say whether the title lines and the legend are drawn;
    ``detail`` is full or compact (one box per gate); ``title`` replaces the title line."""
    p, lay = laid or layout(cell, theme, values, detail)
    # The drawing's own bounds, not the layout's: dot's box holds room it left empty (beside
    # the line's nodes, round region titles), which a figure fitted to a slide would shrink by.
    drawn = body(p, lay, theme, 0.0, 0.0)
    x0, y0, x1, y1 = bounds([s for g in drawn for s in g.shapes])
    return frame(cell, theme, x1 - x0, y1 - y0,
                 lambda gx, gy: [moved(g, gx - x0, gy - y0) for g in drawn], values, title,
                 heading=heading, legend=legend,
                 marks=marks_of(p.glyphs.values(), drawn_lines(p, lay)))


def drawn_lines(p: DotPlan, lay: Layout) -> list[str]:
    """The kinds of line ``body`` draws (as ``legend.line_kind`` names them): each
    segment's style, heavy on the state line, the input buses, solid, and a bridge where a
    segment's route has a gap."""
    return [*(line_kind(seg.style, seg.highway) for seg in p.segments),
            *("dense" for _ in lay.buses),
            *("bridge" for seg in p.segments if lay.routes[seg.id].gaps)]


def title_lines(theme: Theme, title: str, subtitle: str, margin: float) -> tuple[Group, float]:
    """A figure's title (and the cell's description under it, if any) at the top-left margin,
    and the height the two lines take."""
    fs = theme.font_size
    head: list[Shape] = [Text(margin, margin + 0.93 * theme.title_size, title, theme.title_size,
                              theme.text, weight="bold")]
    if subtitle:
        head.append(Text(margin, margin + line_height(theme.title_size) + 0.93 * fs * 1.05,
                         subtitle, fs, theme.muted))
    height = line_height(theme.title_size) + (line_height(fs) * 1.1 if subtitle else 0)
    return Group("title", "title", tuple(head)), height


def frame(cell: Cell, theme: Theme, body_w: float, body_h: float,
          draw: Callable[[float, float], list[Group]], values: Values | None = None,
          title: str | None = None, *, heading: bool = True, legend: bool = True,
          marks: Marks | Callable[[], Marks]) -> Scene:
    """A cell's figure around a drawing ``body_w`` × ``body_h`` (``draw`` makes its groups at
    an offset): its title and the legend of the ``marks`` it draws (with the colour scale
    when there are values), as ``framed`` places them; ``marks`` may be a function, asked
    once the drawing is made."""
    return framed(theme, (title or figure_title(cell), cell.graph.description or "",
                          _description(cell, values)), body_w, body_h, draw,
                  (legend_min_width(cell, theme),
                   lambda width: draw_legend(cell, theme, width,
                                             marks() if callable(marks) else marks, values)),
                  heading=heading, legend=legend)


def framed(theme: Theme, texts: tuple[str, str, str], body_w: float, body_h: float,
           draw: Callable[[float, float], list[Group]],
           legend_of: tuple[float, Callable[[float], tuple[float, list[Group]]]], *,
           heading: bool = True, legend: bool = True) -> Scene:
    """A figure: the title and subtitle lines (``texts``: title, subtitle, description),
    the drawing ``body_w`` × ``body_h`` below them, centred (``draw`` makes its groups at an
    offset), and the legend under it (``legend_of``: its least width, and a function drawing
    its groups at (0, 0) for a width). Without the ``heading`` (a slide has a title of its
    own) or the ``legend`` the drawing fills more of the figure; the SVG keeps its accessible
    title and description."""
    fs = theme.font_size
    margin = theme.space * 1.6
    title, subtitle, description = texts
    least, draw_legend_at = legend_of
    widths = [body_w]
    if heading:
        widths += [text_width(title, theme.title_size, bold=True), text_width(subtitle, fs)]
    if legend:
        widths.append(least)
    content_w = max(widths)
    gx = margin + (content_w - body_w) / 2
    groups: list[Group] = []
    gy = margin
    if heading:
        head, title_h = title_lines(theme, title, subtitle, margin)
        groups.append(head)
        gy += title_h + fs * 1.2
    groups += draw(gx, gy)
    height = gy + body_h + margin
    if legend:
        ly0 = gy + body_h + fs * 1.4
        legend_h, legend_groups = draw_legend_at(content_w)
        groups += [moved(g, margin, ly0) for g in legend_groups]
        height = ly0 + legend_h + margin
    return Scene(round(content_w + 2 * margin, 2), round(height, 2), theme.background,
                 FONT_FAMILY, title, description, tuple(groups))


def body(p: DotPlan, lay: Layout, theme: Theme, gx: float, gy: float) -> list[Group]:
    """The drawing of one laid-out cell at (gx, gy): gate regions, edges, nodes, edge labels."""
    fs = theme.font_size
    groups: list[Group] = []
    route_samples = {seg.id: route_points(lay.routes[seg.id].points) for seg in p.segments}
    bus_samples = [pt for _, bus in lay.buses for pt in route_points(bus.points)]
    samples = Grid([*(pt for pts in route_samples.values() for pt in pts), *bus_samples], fs * 4)
    # The shape each edge carries, by its sample points: a segment before an activation mark
    # carries its labelled other part's shape (ids e3a and e3b).
    shape_of_id = {seg.id.rstrip("ab"): seg.label for seg in p.segments if seg.label}
    shape_at = {pt: shape_of_id.get(sid.rstrip("ab"), "") for sid, pts in route_samples.items()
                for pt in pts}
    misleading = {shape: {pt for pt, other in shape_at.items() if other != shape} | set(
        bus_samples) for shape in set(shape_of_id.values())}
    inset = fs * REGION_INSET
    # The regions' borders, as drawn (a little inside dot's box), in layout coordinates.
    walls = [side for box in lay.clusters for side in border(
        [(x0 + inset, y0 + inset, x1 - inset, y1 - inset)
         for x0, y0, x1, y1 in (box.parts or ((box.x0, box.y0, box.x1, box.y1),))])]
    for k, box in enumerate(lay.clusters):
        lw, lh = gate_label_size(box.label, p.caption)
        lx, ly = gate_label_at(box, lw, lh, samples, inset + fs * 0.6)
        # dot's label strip is the label's height and two insets; the label sits in its
        # lower part, an inset below the region's top (itself an inset inside dot's box).
        lx, ly = lx + gx, ly + gy + inset
        # Drawn a little inside dot's box, so that regions dot stacks edge to edge (the LSTM's
        # gates) stand apart rather than share a border.
        shape: Shape = Rect(box.x0 + gx + inset, box.y0 + gy + inset,
                            box.x1 - box.x0 - 2 * inset, box.y1 - box.y0 - 2 * inset,
                            theme.gate_fill, theme.gate_stroke, theme.stroke * 0.8, rx=fs * 0.6)
        if box.parts:
            shape = Path(outline([(x0 + gx + inset, y0 + gy + inset, x1 + gx - inset,
                                   y1 + gy - inset) for x0, y0, x1, y1 in box.parts], fs * 0.6),
                         theme.gate_stroke, theme.stroke * 0.8, theme.gate_fill)
        groups.append(Group("gate", f"gate{k}", (
            shape,
            Text(lx, ly + 0.36 * p.caption, box.label, p.caption, theme.muted,
                 weight="bold"),
        ), box.members))
    lines: list[Group] = []
    label_groups: list[Group] = []
    label_boxes = {}
    for seg in p.segments:
        at = lay.routes[seg.id].label
        if seg.label and at:
            w, h = p.label_size[seg.id]
            label_boxes[seg.id] = (at[0] - w / 2, at[1] - h / 2, at[0] + w / 2, at[1] + h / 2)
    for seg in p.segments:
        route = lay.routes[seg.id]
        width_ = theme.stroke * (2.2 if seg.highway else 1.0)
        ends = (seg.tail, seg.head)
        lines.append(Group("edge", seg.id, tuple(edge_shapes(
            route.points, route.tip, gx, gy, theme.line, width_, line_dash(seg.style, theme),
            theme.space * 0.75, route.gaps)), ends))
        if seg.label and route.label:
            others = [box for key, box in label_boxes.items() if key != seg.id]
            own = route_samples[seg.id]
            near = hug(route.label, p.label_size[seg.id], own)
            lx, ly = free_spot(near, p.label_size[seg.id], samples, lay, others, own,
                                misleading[seg.label], walls=walls,
                                fallback=route.label)
            w, h = p.label_size[seg.id]
            label_boxes[seg.id] = (lx - w / 2, ly - h / 2, lx + w / 2, ly + h / 2)
            label_groups.append(Group("label", seg.id, (
                Text(lx + gx, ly + gy + 0.36 * p.caption, seg.label, p.caption,
                     theme.muted, anchor="middle"),), ends))
    for k, (source, bus) in enumerate(lay.buses):
        lines.append(Group("edge", f"bus{k}", tuple(edge_shapes(
            bus.points, None, gx, gy, theme.line, theme.stroke, "", 0)), (source,)))
    groups += lines
    for node_id, glyph in p.glyphs.items():
        placed = lay.nodes[node_id]
        role = node_id.split(":")[0] if node_id.startswith("act") else node_id
        groups.append(Group("node", role, place(glyph, placed.x + gx, placed.y + gy),
                            (node_id,)))
    groups += label_groups
    return groups


def moved(group: Group, dx: float, dy: float) -> Group:
    """The group with every shape moved by (dx, dy)."""
    return Group(group.role, group.id, translate_any(list(group.shapes), dx, dy), group.links)


def translate_any(shapes: list[Shape], dx: float, dy: float) -> tuple[Shape, ...]:
    """Move shapes including paths (whose ``d`` holds only absolute M, C, L and Z commands)."""
    out: list[Shape] = []
    plain = [s for s in shapes if not isinstance(s, Path)]
    moved = iter(translate(tuple(plain), dx, dy))
    for s in shapes:
        if isinstance(s, Path):
            out.append(Path(map_d(s.d, lambda x, y: (x + dx, y + dy)), s.stroke, s.stroke_width,
                            s.fill, s.dash))
        else:
            out.append(next(moved))
    return tuple(out)


def map_d(d: str, point: Callable[[float, float], tuple[float, float]]) -> str:
    """A path's ``d`` (absolute M, C, L and Z commands only) with every point mapped by
    ``point``."""
    out, number = [], ""
    coords: list[str] = []
    for ch in d + " ":
        if ch in "MCLZ ":
            if number:
                coords.append(number)
                number = ""
            if ch != " ":
                out.append(_pairs(coords, point))
                coords = []
                out.append(ch)
        elif ch == ",":
            coords.append(number)
            number = ""
        else:
            number += ch
    out.append(_pairs(coords, point))
    return "".join(out)


def _pairs(coords: list[str], point: Callable[[float, float], tuple[float, float]]) -> str:
    pairs = [point(float(coords[k]), float(coords[k + 1])) for k in range(0, len(coords) - 1, 2)]
    return " ".join(f"{fmt(x)},{fmt(y)}" for x, y in pairs)
