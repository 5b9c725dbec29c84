"""Many figures share one page: every id in a figure starts with a prefix of its own
(deterministic by default, settable), and no figure's styles reach another."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from browser import dump_dom, result_of
from helpers import load

import cellviz
from cellviz import RenderOptions
from cellviz.cli.app import main
from cellviz.draw.values import values_of

pytestmark = pytest.mark.dot

#: Every id in a figure, and every reference to one.
IDS = re.compile(r'\sid="([^"]*)"')
REFS = re.compile(r'aria-labelledby="([^"]*)"')


def twenty_figures() -> list[tuple[str, str]]:
    """Twenty different figures: every cell, four themes, numbers, gradients, unrolled
    steps, a stack, a convention's form, a bare one."""
    figures = [(name, cellviz.render(load(name))) for name in cellviz.BUILTIN_CELLS]
    for name in ("gru", "lstm"):
        cell = load(name)
        for theme in ("dark", "slides", "print"):
            figures.append((f"{name}.{theme}", cellviz.render(cell, theme=theme)))
        weights, xs = cellviz.example_inputs(cell, seed=0)
        _, trace = cell.step(weights, xs["x"][0])
        values = RenderOptions(values=values_of(trace, weights))
        figures.append((f"{name}.values", cellviz.render(cell, options=values)))
    figures.append(("gru.unroll3", cellviz.render(load("gru"), options=RenderOptions(unroll=3))))
    figures.append(("lstm.pytorch", cellviz.render(load("lstm", "pytorch"))))
    stack = cellviz.stack("gru", input_size=3, hidden_size=2, num_layers=2)
    figures.append(("gru.stack2", cellviz.render(stack)))
    with tempfile.TemporaryDirectory() as folder:  # gradients are drawn by the command line
        path = Path(folder) / "lstm.grads.svg"
        assert main(["render", "lstm", "--grads", "-o", str(path)]) == 0
        figures.append(("lstm.grads", path.read_text(encoding="utf-8")))
    bare = RenderOptions(heading=False, legend=False)
    figures.append(("rnn.bare", cellviz.render(load("rnn"), options=bare)))
    assert len(figures) == 20 and len({svg for _, svg in figures}) == 20
    return figures


def test_ids_carry_the_figures_prefix() -> None:
    svg = cellviz.render(load("lstm"))
    ids = IDS.findall(svg)
    assert ids == ["cellviz-" + ids[0].split("-")[1] + "-title", ids[0][:-5] + "desc"]
    assert REFS.findall(svg) == [" ".join(ids)]
    assert svg == cellviz.render(load("lstm"))  # deterministic
    assert IDS.findall(cellviz.render(load("gru")))[0] != ids[0]


def test_the_prefix_is_settable() -> None:
    svg = cellviz.render(load("gru"), options=RenderOptions(id_prefix="fig-3_"))
    assert IDS.findall(svg) == ["fig-3_title", "fig-3_desc"]
    assert 'aria-labelledby="fig-3_title fig-3_desc"' in svg


@pytest.mark.parametrize("bad", ["", "3fig", "a b", "a\"", "x" * 65, 3])
def test_a_bad_prefix_is_refused(bad: object) -> None:
    with pytest.raises(cellviz.UsageError, match="id_prefix must be a letter"):
        RenderOptions(id_prefix=bad)  # type: ignore[arg-type]


def test_twenty_figures_have_distinct_ids() -> None:
    ids = [i for _, svg in twenty_figures() for i in IDS.findall(svg)]
    assert len(ids) == 40 and len(set(ids)) == 40


#: A reference to an id: url(#...) in a paint or clip, href or xlink:href="#...".
USES = re.compile(r'url\(#([^)]+)\)|href="#([^"]+)"')


def test_every_id_and_reference_stays_in_its_figure() -> None:
    """Any id a figure has (a marker, gradient or clip path as well as the title's) starts
    with the figure's prefix, and every reference names an id of the same figure."""
    for name, svg in twenty_figures():
        prefix = REFS.findall(svg)[0].split()[0].removesuffix("title")
        ids = IDS.findall(svg)
        assert all(i.startswith(prefix) for i in ids), name
        used = {a or b for a, b in USES.findall(svg)} | set(REFS.findall(svg)[0].split())
        assert used <= set(ids), name


CHECK = """
<script>
const ids = [...document.querySelectorAll("[id]")].map(e => e.id);
const duplicates = ids.filter((id, k) => ids.indexOf(id) !== k);
const problems = [];
const probe = document.createElement("div");
document.body.appendChild(probe);
function colour(value) { probe.style.color = ""; probe.style.color = value;
                         return getComputedStyle(probe).color; }
for (const svg of document.querySelectorAll("svg")) {
  const name = svg.dataset.file;
  for (const ref of (svg.getAttribute("aria-labelledby") || "").split(" ")) {
    const target = document.getElementById(ref);
    if (!target || target.closest("svg") !== svg) problems.push(name + ": aria " + ref);
  }
  if (svg.querySelector("style, [style]")) problems.push(name + ": has a style");
  for (const el of svg.querySelectorAll("[fill], [stroke], [font-size]")) {
    const cs = getComputedStyle(el);
    for (const [attr, prop] of [["fill", "fill"], ["stroke", "stroke"]]) {
      const given = el.getAttribute(attr);
      if (given && given !== "none" && colour(given) !== cs[prop])
        problems.push(name + ": " + el.tagName + " " + attr + " " + given + " shows " + cs[prop]);
    }
    const size = el.getAttribute("font-size");
    if (size && Math.abs(parseFloat(cs.fontSize) - parseFloat(size)) > 0.01)
      problems.push(name + ": font-size " + size + " shows " + cs.fontSize);
  }
}
const pre = document.createElement("pre");
pre.id = "result";
pre.textContent = JSON.stringify({count: document.querySelectorAll("svg").length,
                                  ids: ids.length, duplicates, problems});
document.body.appendChild(pre);
</script>
"""


@pytest.mark.browser
def test_twenty_figures_on_one_page_in_a_browser(tmp_path: Path) -> None:
    figures = twenty_figures()
    tagged = [svg.replace("<svg ", f'<svg data-file="{name}" ', 1) for name, svg in figures]
    page = tmp_path / "twenty.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                    + "\n".join(tagged) + CHECK + "</body></html>", encoding="utf-8")
    report = result_of(dump_dom(page, tmp_path))
    assert report == {"count": 20, "ids": 40, "duplicates": [], "problems": []}
