"""Headless Chromium for the tests: the DOM of a page after its scripts ran, and the JSON a
checking script leaves in it. A test that needs Chromium skips, saying why, where it is
missing."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def dump_dom(page: Path | str, tmp_path: Path, *, dark: bool = False,
             window: tuple[int, int] | None = None) -> str:
    """The DOM of a page (a file or a URL) after its scripts ran, from headless Chromium, with
    the system's colour scheme light or dark and the window ``window`` (width, height) if
    given (skip without Chromium)."""
    browser = chromium()
    if browser is None:
        pytest.skip("no headless Chromium (Debian: apt-get install chromium)")
    profile = tmp_path / ("profile-dark" if dark else "profile")
    url = page.as_uri() if isinstance(page, Path) else page
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-extensions", "--mute-audio",
         *(["--force-dark-mode"] if dark else []),
         *([f"--window-size={window[0]},{window[1]}", "--hide-scrollbars"] if window else []),
         f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.stdout, f"chromium gave no page: {result.stderr[-500:]}"
    return result.stdout


def result_of(dom: str) -> object:
    """The JSON a checking script left in ``<pre id="result">``."""
    found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert found, "the checking script left no result"
    return json.loads(html.unescape(found.group(1)))


#: Checks a built documentation page: every cellviz figure (an ``svg`` inside an element of
#: class ``cellviz-figure``, or an ``img`` of that class), whether it shows, which of a light
#: and dark pair it is, the text boxes in an inline one that overlap; and the ids of the
#: whole page that are not unique.
PAGE_CHECK = """
<script>
window.addEventListener("load", () => {
  const figures = [];
  for (const svg of document.querySelectorAll(".cellviz-figure svg")) {
    const holder = svg.closest(".cellviz-figure");
    const rect = svg.getBoundingClientRect();
    const shown = rect.width > 10 && rect.height > 10 && getComputedStyle(svg).visibility
      === "visible";
    const texts = shown ? [...svg.querySelectorAll("text")].map(t => [t.textContent, t.getBBox()])
                        : [];
    const overlaps = [];
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
      const [a, p] = texts[i], [b, q] = texts[j];
      if (p.x < q.x + q.width - 0.5 && q.x < p.x + p.width - 0.5 &&
          p.y < q.y + q.height - 0.5 && q.y < p.y + p.height - 0.5) overlaps.push([a, b]);
    }
    const pair = holder.classList.contains("only-light") ? "light"
               : holder.classList.contains("only-dark") ? "dark" : "";
    figures.push({title: svg.querySelector("title").textContent, shown, pair,
                  texts: texts.length, overlaps});
  }
  for (const img of document.querySelectorAll("img.cellviz-figure")) {
    const rect = img.getBoundingClientRect();
    const pair = img.src.endsWith("#only-light") ? "light"
               : img.src.endsWith("#only-dark") ? "dark" : "";
    figures.push({title: img.alt, shown: rect.width > 10 && rect.height > 10 &&
                  img.naturalWidth > 10, pair, texts: null, overlaps: []});
  }
  const ids = [...document.querySelectorAll("[id]")].map(e => e.id);
  const duplicates = ids.filter((id, k) => ids.indexOf(id) !== k);
  const pre = document.createElement("pre");
  pre.id = "result";
  pre.textContent = JSON.stringify({figures, duplicates});
  document.body.appendChild(pre);
});
</script>
"""


def check_page(page: Path, tmp_path: Path, *, dark: bool = False) -> dict[str, object]:
    """Open a built page in Chromium (light or dark colour scheme) with PAGE_CHECK run in it,
    and return its report: ``figures`` (title, shown, pair, texts, overlaps) and
    ``duplicates`` (ids on the page more than once)."""
    checked = page.with_name(f"checked-{'dark' if dark else 'light'}-{page.name}")
    text = page.read_text(encoding="utf-8")
    checked.write_text(text.replace("</body>", PAGE_CHECK + "</body>", 1), encoding="utf-8")
    report = result_of(dump_dom(checked, tmp_path, dark=dark))
    assert isinstance(report, dict)
    return report


#: Checks every svg of a page: its text boxes that overlap, what lies outside its viewBox.
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
