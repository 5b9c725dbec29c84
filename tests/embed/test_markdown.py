"""The Markdown fence through Python-Markdown alone: headers read every way, figures in
place, code left alone, and one warning naming the line for each bad fence."""

from __future__ import annotations

import logging
import re

import pytest

markdown = pytest.importorskip("markdown", reason="needs Markdown (pip install cellviz[mkdocs])")

from cellviz.errors import UsageError  # noqa: E402
from cellviz.markdown.render import parse_attributes  # noqa: E402

pytestmark = pytest.mark.dot


@pytest.mark.parametrize(("header", "cell", "options"), [
    ("lstm", "lstm", {}),
    ("lstm theme=auto hidden-size=3 values", "lstm", {"theme": "auto", "hidden-size": "3",
                                                      "values": None}),
    ('{ cell="cells/my.cell" hidden_size="4" no_title }', "cells/my.cell",
     {"hidden-size": "4", "no-title": None}),
    ("values seed=2", None, {"values": None, "seed": "2"}),
    ("", None, {}),
])
def test_headers(header: str, cell: str | None, options: dict[str, str | None]) -> None:
    assert parse_attributes(header) == (cell, options)


def test_an_unclosed_quote_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="cannot read the fence's attributes"):
        parse_attributes('lstm theme="auto')


def convert(text: str, *extensions: str) -> str:
    return str(markdown.markdown(text, extensions=["cellviz.markdown", *extensions]))


def test_fences_become_figures_and_code_stays_code() -> None:
    text = ("# Title\n\n```cellviz lstm alt='An LSTM'\n```\n\ntext\n\n~~~~cellviz theme=auto\n"
            "h[t] = tanh(W @ x[t] + U @ h[t-1] + b)\n~~~~\n\n```python\nx = 1\n```\n")
    for extra in ((), ("fenced_code",), ("pymdownx.superfences",)):
        html = convert(text, *extra)
        assert html.count("<svg ") == 1 and html.count("#only-") == 2
        assert "LSTM, paper convention, i=3, n=2" in html
        assert re.search(r'<svg [^>]*aria-label="An LSTM"', html)
        assert 'alt="CELL, paper convention, i=3, n=2"' in html  # the figure's own title
        assert re.sub(r"<[^>]+>", "", html).count("x = 1") == 1 and "h[t] = tanh" not in html


def test_bad_fences_warn_with_their_line(caplog: pytest.LogCaptureFixture) -> None:
    text = ("intro\n\n```cellviz gru theme=blue\n```\n\n```cellviz\ninput x: i\n"
            "h[t] = x[t] * h[t-1]\n```\n\n```cellviz lstmm\n```\n")
    with caplog.at_level(logging.WARNING, logger="cellviz.markdown"):
        html = convert(text)
    assert "<svg" not in html
    assert [r.getMessage() for r in caplog.records] == [
        "<markdown>:3: cellviz: option 'theme': expected one of light, dark, slides, print, "
        "auto, not 'blue'",
        "<markdown>:8: cellviz: column 8: shape mismatch: 'x[t]' is i×1 but 'h[t-1]' is n×1 "
        "in an element-wise product",
        "<markdown>:11: cellviz: no built-in cell or cell file named 'lstmm' (did you mean "
        "'lstm'? built-in cells: rnn, gru, lstm, lstm-peephole, cifg, lstm-proj, mgu; a cell "
        "file is a path such as my.cell)",
    ]
