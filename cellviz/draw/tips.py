"""Arrow tips spread along the side of the box they enter, so that no two heads touch."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

__all__ = ["spread_tips"]

Point = tuple[float, float]


def spread_tips(tips: dict[str, Point], boxes: dict[str, tuple[float, float, float, float]],
                arrow_size: float) -> dict[str, Point]:
    """Where to move the arrow tips that enter one side of one box nearer each other than two
    heads side by side with 4 px (and a little) between them: evenly about their middle, kept
    on that side. ``tips``: each edge's tip, keyed by the edge's id; ``boxes``: the box (centre
    x, y and size w, h) each tip enters, by the same key. Only the tips moved are returned."""
    need = arrow_size * 0.76 + 5.0
    sides: dict[tuple[tuple[float, float, float, float], int, int], list[str]] = \
        defaultdict(list)
    for key, tip in tips.items():
        x, y, w, h = boxes[key]
        # The side the tip touches: left or right (spread along y), top or bottom (along x).
        dx, dy = (tip[0] - x) / max(w, 1e-9), (tip[1] - y) / max(h, 1e-9)
        axis = 1 if abs(dx) >= abs(dy) else 0
        sides[(boxes[key], axis, 1 if (dx if axis else dy) > 0 else -1)].append(key)
    moved: dict[str, Point] = {}
    for (box, axis, _), keys in sides.items():
        at = {key: tips[key][axis] for key in keys}
        keys.sort(key=lambda key: (at[key], key))
        if len(keys) < 2 or min(at[b] - at[a] for a, b in pairwise(keys)) >= need:
            continue
        centre, size = box[axis], box[axis + 2]
        step = min(need, (size - need) / (len(keys) - 1))
        middle = sum(at.values()) / len(keys)
        lo, hi = centre - size / 2 + need / 2, centre + size / 2 - need / 2
        first = min(max(middle - step * (len(keys) - 1) / 2, lo), hi - step * (len(keys) - 1))
        for k, key in enumerate(keys):
            at_k = first + k * step
            moved[key] = (tips[key][0], at_k) if axis else (at_k, tips[key][1])
    return moved
