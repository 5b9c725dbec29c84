"""The Python examples of the documentation pages run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[1] / "docs"


def python_blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.M | re.S)


@pytest.mark.dot
def test_the_unrolled_values_example_runs(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (code,) = [b for b in python_blocks("drawing.md") if "unroll=3" in b]
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/drawing.md", "exec"), namespace)
    unrolled = str(namespace["unrolled"])
    assert unrolled.startswith("<svg") and 'data-key="s3:h/0"' in unrolled
