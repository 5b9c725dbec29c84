"""Helpers the tests import: every built-in cell in every convention with readable ids, and a
built-in cell at small sizes, compiling LaTeX and reading PDFs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import cellviz

#: (cell, convention) for every built-in cell in every convention; a convention without a file of
#: its own computes the paper form, and must run just the same.
ALL_CELLS = [(name, conv) for name in cellviz.BUILTIN_CELLS for conv in cellviz.CONVENTIONS]


def load(name: str, convention: str = "paper", *, i: int = 3, n: int = 2) -> cellviz.Cell:
    """A built-in cell at small sizes (p=1 for a projection)."""
    proj = 1 if name == "lstm-proj" else None
    return cellviz.load(name, input_size=i, hidden_size=n, proj_size=proj, convention=convention)


every_cell = pytest.mark.parametrize(
    ("name", "convention"), ALL_CELLS, ids=[f"{n}-{c}" for n, c in ALL_CELLS]
)


def pdflatex(tex: str, directory: Path, name: str = "doc") -> Path:
    """Compile a LaTeX document with pdfLaTeX in ``directory``; the PDF, or a failed test that
    shows LaTeX's first error. Skips where pdfLaTeX is missing."""
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (apt-get install texlive-pictures)")
    source = directory / f"{name}.tex"
    source.write_text(tex, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           f"{name}.tex"], cwd=directory, capture_output=True, text=True,
                          timeout=300, check=False)
    if done.returncode != 0:
        log = done.stdout
        start = log.find("\n!")
        pytest.fail(f"pdflatex failed: {log[start:start + 1500] if start >= 0 else log[-1500:]}")
    return directory / f"{name}.pdf"


def pdf_text(pdf: Path) -> str:
    """The text of a PDF, as poppler's pdftotext reads it (skips where it is missing)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout
