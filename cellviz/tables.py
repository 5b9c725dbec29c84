"""A parameter table written for documents: GitHub Markdown, LaTeX (booktabs) and CSV."""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

from .params import shape_text

if TYPE_CHECKING:
    from .params import ParamEntry, ParamTable

__all__ = ["display_rows", "latex_escape", "to_csv", "to_latex", "to_markdown"]

#: The columns of every format: the gate (or dense node), parameter, symbolic shape, size, count.
_HEAD = ("node", "parameter", "shape", "size", "count")

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}

#: Characters the figures and tables use that LaTeX's default (pdfLaTeX) set-up cannot print
#: as they are, with their text-mode equivalents.
_LATEX_UNICODE = {
    "×": r"$\times$", "−": r"$-$", "⊙": r"$\odot$", "·": r"$\cdot$", "…": r"\dots{}",
    "σ": r"$\sigma$", "Σ": r"$\Sigma$", "→": r"$\rightarrow$", "←": r"$\leftarrow$",
    "↔": r"$\leftrightarrow$", "∂": r"$\partial$", "‖": r"$\|$", "≤": r"$\leq$",
    "≥": r"$\geq$", "≈": r"$\approx$", "⊕": r"$\oplus$", "√": r"$\surd$", "–": "--",
    "—": "---", "²": r"\textsuperscript{2}", "³": r"\textsuperscript{3}",
    "¹": r"\textsuperscript{1}", "⁰": r"\textsuperscript{0}", "⁴": r"\textsuperscript{4}",
    "⁵": r"\textsuperscript{5}", "⁶": r"\textsuperscript{6}", "⁷": r"\textsuperscript{7}",
    "⁸": r"\textsuperscript{8}", "⁹": r"\textsuperscript{9}",
}


def latex_escape(text: str) -> str:
    """Text for LaTeX's text mode: its special characters escaped, and the figures' symbols
    (×, ⊙, σ, −, superscripts) as LaTeX commands; any other character is left as it is
    (pdfLaTeX prints Latin letters through inputenc; LuaLaTeX and XeLaTeX print all).

    >>> latex_escape("W_f: 2×3, 50% σ")
    'W\\\\_f: 2$\\\\times$3, 50\\\\% $\\\\sigma$'
    """
    return "".join(_LATEX_SPECIAL.get(ch) or _LATEX_UNICODE.get(ch) or ch for ch in text)


def _rows(table: ParamTable) -> list[tuple[str, list[ParamEntry]]]:
    """(title, entries) per dense node: its gate label and node id, as ``to_text`` shows it."""
    out = []
    for node, entries in table.by_node().items():
        gate = entries[0].gate
        out.append((f"{gate} ({node})" if gate else node, list(entries)))
    return out


def _caption(table: ParamTable) -> str:
    sizes = ", ".join(f"{s}={v}" for s, v in table.sizes)
    return f"{table.cell} ({table.convention} convention), {sizes}"


def display_rows(table: ParamTable) -> list[tuple[str, str, str, str, str]]:
    """The rows a table shows (node, parameter, shape, size, count), as ``to_text`` prints
    them: a row per parameter with the node's title on its first, a subtotal under a node of
    several parameters, and a last row with the total."""
    rows = []
    for title, entries in _rows(table):
        for k, e in enumerate(entries):
            rows.append((title if k == 0 else "", e.name, shape_text(e.dims),
                         shape_text(e.shape), str(e.count)))
        if len(entries) > 1:
            rows.append(("", "", "", "", str(sum(e.count for e in entries))))
    rows.append(("total", "", "", "", str(table.total)))
    return rows


def _md_cell(text: str) -> str:
    # A pipe ends a cell in a GitHub table, and Markdown would read _x_ as emphasis.
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("_", "\\_").replace("*", "\\*")


def to_markdown(table: ParamTable) -> str:
    """A GitHub-flavoured Markdown table: a row per parameter, a total row in bold."""
    lines = [f"**{_md_cell(_caption(table))}**", "",
             "| " + " | ".join(_HEAD) + " |", "| --- | --- | --- | --- | ---: |"]
    for title, entries in _rows(table):
        for k, e in enumerate(entries):
            cells = (_md_cell(title) if k == 0 else "", f"`{e.name}`", shape_text(e.dims),
                     shape_text(e.shape), str(e.count))
            lines.append("| " + " | ".join(cells) + " |")
    lines.append(f"| **total** | | | | **{table.total}** |")
    return "\n".join(lines) + "\n"


def _latex_name(name: str) -> str:
    """A parameter's name as a paper writes it: ``W_ii`` as $W_{ii}$; any other name in type."""
    match = re.fullmatch(r"([A-Za-z]+)_([A-Za-z0-9]+)", name)
    if match:
        return f"${match[1]}_{{{match[2]}}}$"
    return rf"\texttt{{{latex_escape(name)}}}"


def _latex_shape(text: str) -> str:
    """``n×i`` as $n \\times i$."""
    return "$" + text.replace("×", r" \times ") + "$"


def to_latex(table: ParamTable) -> str:
    """A LaTeX ``tabular`` with booktabs rules (``\\usepackage{booktabs}``): a row per
    parameter, a rule between dense nodes, the total below the last rule."""
    lines = [f"% {_caption(table)}: {table.summary()}", r"\begin{tabular}{llllr}", r"\toprule",
             " & ".join(_HEAD) + r" \\", r"\midrule"]
    groups = _rows(table)
    for index, (title, entries) in enumerate(groups):
        for k, e in enumerate(entries):
            cells = (latex_escape(title) if k == 0 else "", _latex_name(e.name),
                     _latex_shape(shape_text(e.dims)), _latex_shape(shape_text(e.shape)),
                     str(e.count))
            lines.append(" & ".join(cells) + r" \\")
        if index < len(groups) - 1:
            lines.append(r"\addlinespace")
    lines += [r"\midrule", rf"total & & & & {table.total} \\", r"\bottomrule",
              r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def to_csv(table: ParamTable) -> str:
    """Comma-separated values with a header line, a row per parameter and no total (a sum of
    the count column): parameter, node, gate, role, symbolic shape, size, count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("parameter", "node", "gate", "role", "shape", "size", "count"))
    for e in table.entries:
        writer.writerow((e.name, e.node, e.gate or "", e.role, shape_text(e.dims),
                         shape_text(e.shape), e.count))
    return out.getvalue()
