"""The Python examples of the documentation run as written, in order, page by page, and an
expression followed by a comment holding a Python value (``table.total  # 56``) gives it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[1] / "docs"

#: Pages whose examples stand alone (others need torch or files of the reader's own).
PAGES = ["getting-started.md", "drawing.md", "embedding.md"]

MGU = """\
# Minimal gated unit (Zhou et al. 2016)
f[t] = sigmoid(W_f @ x[t] + U_f @ h[t-1] + b_f)      # forget gate
h[t] = (1 - f[t]) * h[t-1] + f[t] * tanh(W_h @ x[t] + U_h @ (f[t] * h[t-1]) + b_h)
"""


def python_blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)


def claims(block: str) -> list[tuple[str, object]]:
    """(expression, value) for each line ``expression  # value``."""
    out = []
    for line in block.splitlines():
        code, sep, comment = line.partition("  # ")
        if not sep:
            continue
        try:
            ast.parse(code.strip(), mode="eval")
            value = ast.literal_eval(comment.strip())
        except (SyntaxError, ValueError):
            continue
        out.append((code.strip(), value))
    return out


@pytest.mark.dot
@pytest.mark.parametrize("page", PAGES)
def test_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mgu.cell").write_text(MGU, encoding="utf-8")
    blocks = python_blocks(page)
    assert blocks
    namespace: dict[str, object] = {}
    checked = 0
    for block in blocks:
        exec(compile(block, page, "exec"), namespace)
        for code, value in claims(block):
            assert eval(code, namespace) == value, code
            checked += 1
    if page == "getting-started.md":
        assert checked >= 3
