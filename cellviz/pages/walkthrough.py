"""A walkthrough page: one HTML file that steps through a sequence, a figure with the step's
numbers and the equations with them substituted (MathML, vectors as columns), moved by a
slider, buttons or arrow keys; the figure fills the window, the equations beside it when the
window is wide."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..draw.compose import compose, figure_title
from ..draw.layout import layout, plan
from ..draw.render import environment, render_scene
from ..draw.scene import Scene
from ..draw.themes import get_theme
from ..draw.unroll import relabel, step_label
from ..draw.values import Values
from ..errors import UsageError
from ..lang.substitute import substitute
from ..record import record
from .chain import Row
from .mathml import MathEquation, math_equations

if TYPE_CHECKING:
    from ..cell import Cell

__all__ = ["MAX_STEPS", "StepView", "walkthrough_html"]

#: The most steps one page holds (each step is a whole figure).
MAX_STEPS = 50


@record
class StepView:
    """One step of the page: its place on the slider, figure (SVG text) and equations, each
    as MathML with its plain text (as written, with the numbers put in, the activation's
    argument, and the result) for screen readers and search (a step back's equations are its
    chain rule's rows: the rule, with the numbers, the share); and the label the slider shows
    for it."""

    step: int
    svg: str
    equations: tuple[tuple[MathEquation, tuple[str, str, str, str]], ...]
    label: str = ""


def _step_scene(cell: Cell, theme_name: str, values: Values, laid: Any, steps: int,
                back: bool = False) -> Scene:
    theme = get_theme(theme_name)
    scene = compose(cell, theme, laid, values)
    title = f"{figure_title(cell)}, {'back through ' if back else ''}step {values.step} of {steps}"
    head, *rest = scene.groups
    groups = (relabel(head, values.step, title=title), *(relabel(g, values.step) for g in rest))
    return Scene(scene.width, scene.height, scene.background, scene.font_family, title,
                 scene.desc, groups)


def walkthrough_html(cell: Cell, values: Sequence[Values],
                     traces: Sequence[Mapping[str, Any]], *, theme: str = "light",
                     source: str = "",
                     backward: Sequence[tuple[Values, tuple[Row, ...], tuple[Row, ...]]] = ()
                     ) -> str:
    """The page for a run of ``len(values)`` steps: ``values`` and ``traces`` per step (the
    traces as the evaluator gives them, node id -> 1-D array); ``source`` says where the
    numbers came from. ``backward``, if given, continues the slider back from the last step
    to the first: each step's values with their gradients, and its chain rule
    (``chain_rows``) as text and as MathML (``words=MathWords(step)``). One layout serves
    every step."""
    if not values or len(values) != len(traces):
        raise UsageError("a walkthrough needs the values and the trace of each step")
    if len(values) > MAX_STEPS:
        raise UsageError(f"a walkthrough holds at most {MAX_STEPS} steps, not {len(values)}")
    th = get_theme(theme)
    _, lay = layout(cell, th, values[0])
    steps = []
    aspect = 1.0
    for v, trace in zip(values, traces, strict=True):
        laid = (plan(cell, th, v), lay)
        scene = _step_scene(cell, theme, v, laid, len(values))
        aspect = scene.width / scene.height
        svg = render_scene(scene)
        numbers = {k: a.tolist() for k, a in trace.items()}
        texts = [(step_label(eq.written, v.step), step_label(eq.substituted, v.step),
                  step_label(eq.activated, v.step), eq.result)
                 for eq in substitute(cell.graph, numbers, digits=v.digits)]
        maths = math_equations(cell.graph, numbers, v.step, digits=v.digits)
        steps.append(StepView(v.step, svg, tuple(zip(maths, texts, strict=True)),
                              f"step {v.step} of {len(values)}"))
    if backward:
        _, lay = layout(cell, th, backward[0][0])
    for k, (v, chain, chain_math) in enumerate(backward):
        svg = render_scene(_step_scene(cell, theme, v, (plan(cell, th, v), lay), len(values),
                                       back=True))
        rows = tuple((MathEquation(lhs_m + rule_m, numbers_m, "", result_m),
                      (step_label(f"{lhs} {rule}", v.step), step_label(numbers, v.step), "",
                       result))
                     for (lhs, rule, numbers, result), (lhs_m, rule_m, numbers_m, result_m)
                     in zip(chain, chain_math, strict=True))
        steps.append(StepView(len(values) + k + 1, svg, rows,
                              f"back through step {v.step} of {len(values)}"))
    sizes = ", ".join(f"{s}={n}" for s, n in cell.sizes)
    return environment().get_template("walkthrough.html.j2").render(
        title=f"{cell.name.upper()} step by step ({cell.convention} convention, {sizes})",
        description=cell.graph.description or "", source=source, steps=steps,
        limit=values[0].limit, background=th.background, text=th.text, muted=th.muted,
        grads=backward[0][0].grads if backward else None, aspect=f"{aspect:.4f}")
