"""A real browser (headless Chromium) draws the gallery: every figure renders, no two text boxes
overlap and everything lies inside the viewBox, as measured by getBBox."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from browser import chromium, dump_dom, result_of

from cellviz.pages.gallery import write_gallery

pytestmark = [pytest.mark.browser, pytest.mark.dot]

CHECK = """
<script>
const out = [];
for (const svg of document.querySelectorAll("svg")) {
  const vb = svg.viewBox.baseVal;
  const texts = [...svg.querySelectorAll("text")].map(t => [t.textContent, t.getBBox()]);
  const overlaps = [];
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    const [a, p] = texts[i], [b, q] = texts[j];
    if (p.x < q.x + q.width - 0.5 && q.x < p.x + p.width - 0.5 &&
        p.y < q.y + q.height - 0.5 && q.y < p.y + p.height - 0.5) overlaps.push([a, b]);
  }
  const outside = [];
  for (const el of svg.querySelectorAll("rect, circle, path, text")) {
    const b = el.getBBox();
    if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 ||
        b.y + b.height > vb.y + vb.height + 0.5) outside.push(el.tagName + ":" + el.textContent);
  }
  const box = svg.getBBox();
  out.push({name: svg.dataset.file, rendered: box.width > 10 && box.height > 10 &&
            svg.getBoundingClientRect().width > 10, texts: texts.length, overlaps, outside});
}
const pre = document.createElement("pre");
pre.id = "result";
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>
"""


def check_figures(figures: list[tuple[str, str]], tmp_path: Path) -> None:
    """Every figure (name, SVG text) renders in Chromium with no text boxes overlapping and
    everything inside its viewBox."""
    tagged = [svg.replace("<svg ", f'<svg data-file="{html.escape(name)}" ', 1)
              for name, svg in figures]
    page = tmp_path / "check.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                    + "\n".join(tagged) + CHECK + "</body></html>", encoding="utf-8")
    report = result_of(dump_dom(page, tmp_path))
    assert isinstance(report, list)
    assert [r["name"] for r in report] == [name for name, _ in figures]
    bad = {r["name"]: (r["overlaps"], r["outside"]) for r in report
           if not r["rendered"] or r["overlaps"] or r["outside"] or not r["texts"]}
    assert not bad


def test_gallery_in_a_real_browser(tmp_path: Path) -> None:
    if chromium() is None:
        pytest.skip("no headless Chromium (Debian: apt-get install chromium)")
    gallery = tmp_path / "gallery"
    index = write_gallery(gallery)
    names = re.findall(r'src="([^"]+\.svg)"', index.read_text(encoding="utf-8"))
    assert len(names) == 28
    check_figures([(name, (gallery / name).read_text(encoding="utf-8")) for name in names],
                  tmp_path)
