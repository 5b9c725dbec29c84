"""The ``pymdownx.superfences`` custom fence: in ``mkdocs.yml``::

    markdown_extensions:
      - pymdownx.superfences:
          custom_fences:
            - name: cellviz
              class: cellviz
              validator: !!python/name:cellviz.markdown.fence_validator
              format: !!python/name:cellviz.markdown.fence_format
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from .render import fence_to_html, page_of

__all__ = ["fence_format", "fence_validator"]


def fence_validator(language: str, inputs: dict[str, str], options: dict[str, str],
                    attrs: dict[str, str], md: Any) -> bool:
    """Take every attribute of the fence as an option; ``fence_format`` checks them, so that
    a bad one is a warning rather than a silent code block."""
    options.update(inputs)
    return True


def _line_of(text: str | None, serial: int) -> int:
    """The line of the page's ``serial``-th cellviz fence (1 where the page is unknown)."""
    if text is None:
        return 1
    lines = [k for k, line in enumerate(text.splitlines(), start=1)
             if re.match(r"\s*(`{3,}|~{3,})\s*\{?\s*\.?cellviz\b", line)]
    return lines[serial - 1] if serial <= len(lines) else 1


def fence_format(source: str, language: str, class_name: str, options: dict[str, str],
                 md: Any, **kwargs: Any) -> str:
    """The figure of one fence. superfences reads options as ``name="value"`` with names of
    letters, digits and ``_`` (``hidden_size="3"`` for hidden-size), and gives a bare word
    its own name as value (``values`` is ``values="values"``; ``lstm`` names the cell)."""
    page = page_of(md)
    serial = getattr(md, "cellviz_serial", 0) + 1
    md.cellviz_serial = serial
    header = " ".join(k if v == k else f"{k}={shlex.quote(v)}" for k, v in options.items())
    return fence_to_html(md, header, source or None, page=page, line=_line_of(page.text, serial),
                         serial=serial)
