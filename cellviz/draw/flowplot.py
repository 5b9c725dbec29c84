"""The gradient-flow plot: gradient norms against steps back in time, with matplotlib.

matplotlib is an optional extra (``pip install 'cellviz[plot]'``), imported only here, inside
the function that draws. Its output is made deterministic: a fixed hash salt for the SVG's
ids, no date in any format's metadata, one bundled font (DejaVu Sans) with text as paths.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from ..errors import CellvizError, UsageError
from .themes import Theme, get_theme, mix

if TYPE_CHECKING:
    from ..numeric.flow import GradientFlow

__all__ = ["PLOT_FORMATS", "flow_plot"]

PLOT_FORMATS = ("svg", "png", "pdf")

#: Line styles by cell, in order, so that the cells differ in grey (print) as well as colour.
_DASHES = ("-", "--", "-.", ":")


def _palette(theme: Theme) -> list[str]:
    """Okabe–Ito colours in the theme's own shades: vermillion, blue, bluish green, ..."""
    return [theme.output, theme.input, theme.state, theme.dense, theme.pointwise,
            theme.activation, theme.vector]


def _metadata(fmt: str) -> dict[str, Any]:
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None, "ModDate": None}
    return {}


def flow_plot(flow: GradientFlow, *, theme: str = "light", fmt: str = "svg",
              subtitle: str = "") -> bytes:
    """The plot as SVG, PNG or PDF bytes: for each cell the median over the seeds of
    ‖∂h[T]/∂h[t]‖ (left) and ‖∂h[T]/∂x[t]‖ (right) against T − t on a log scale, with the
    10th to 90th percentiles as a band around it."""
    if fmt not in PLOT_FORMATS:
        raise UsageError(f"unknown format: {fmt!r} (must be one of {', '.join(PLOT_FORMATS)})")
    look = get_theme(theme)
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise CellvizError("the gradient-flow plot needs matplotlib: pip install "
                           "'cellviz[plot]'") from None
    colours = _palette(look)
    size = 9.0 if look.name != "slides" else 13.0
    rc: dict[str, Any] = {
        "svg.hashsalt": "cellviz", "svg.fonttype": "path", "pdf.fonttype": 42,
        "font.family": "DejaVu Sans", "font.size": size,
        "text.color": look.text, "axes.labelcolor": look.text, "axes.edgecolor": look.muted,
        "xtick.color": look.muted, "ytick.color": look.muted, "axes.facecolor": look.background,
        "figure.facecolor": look.background, "savefig.facecolor": look.background,
        "grid.color": mix(look.muted, look.background, 0.75), "lines.linewidth": 1.6,
        "path.simplify": False,
    }
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        fig = Figure(figsize=(9.0, 3.6) if look.name != "slides" else (12.0, 5.0))
        axes = fig.subplots(1, 2, sharex=True)
        panels = (("state", "‖∂h[T]/∂h[t]‖, through the states"),
                  ("input", "‖∂h[T]/∂x[t]‖, to the inputs"))
        for ax, (of, title) in zip(axes, panels, strict=True):
            for k, name in enumerate(flow.cells):
                colour = colours[k % len(colours)]
                mid, lo, hi = flow.band(name, of)
                ax.fill_between(flow.lags, lo, hi, color=mix(colour, look.background, 0.75),
                                linewidth=0)
                ax.plot(flow.lags, mid, color=colour, linestyle=_DASHES[k % len(_DASHES)],
                        label=name)
            ax.set_yscale("log", nonpositive="mask")
            ax.set_xlim(0, flow.steps - 1)
            ax.set_xlabel("T − t, steps back from the last")
            ax.set_title(title, fontsize=size, color=look.text)
            ax.grid(True, which="major", linewidth=0.5)
        axes[0].legend(frameon=False, labelcolor=look.text)
        seeds = len(flow.seeds)
        head = (f"Gradient flow over T = {flow.steps} steps: median and 10–90 % band over "
                f"{seeds} seed{'s' if seeds != 1 else ''}")
        fig.suptitle(head + (f"\n{subtitle}" if subtitle else ""), fontsize=size,
                     color=look.text)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format=fmt, metadata=_metadata(fmt), dpi=150)
    return out.getvalue()
