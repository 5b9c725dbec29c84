"""A real browser (headless Chromium) draws the gallery: every figure renders, no two text boxes
overlap and everything lies inside the viewBox, as measured by getBBox."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import check_figures, chromium

from cellviz.pages.gallery import write_gallery

pytestmark = [pytest.mark.browser, pytest.mark.dot]

def test_gallery_in_a_real_browser(tmp_path: Path) -> None:
    if chromium() is None:
        pytest.skip("no headless Chromium (Debian: apt-get install chromium)")
    gallery = tmp_path / "gallery"
    index = write_gallery(gallery)
    names = re.findall(r'src="([^"]+\.svg)"', index.read_text(encoding="utf-8"))
    assert len(names) == 28
    check_figures([(name, (gallery / name).read_text(encoding="utf-8")) for name in names],
                  tmp_path)
