"""``cellviz render`` and ``cellviz gallery`` in-process; a missing dot; an installed wheel."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cellviz.cli import main
from cellviz.cli.render import default_path
from cellviz.draw.dot import clear_cache

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.dot
def test_render_writes_the_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["render", "lstm", "-i", "3", "-n", "2"]) == 0
    svg = (tmp_path / "output" / "lstm.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "48 parameters" in svg
    assert "output/lstm.svg" in capsys.readouterr().err


@pytest.mark.dot
def test_render_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["render", "gru", "-o", "-", "--theme", "print"]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"<svg") and b"36 parameters" in out


@pytest.mark.dot
def test_render_png_by_suffix(tmp_path: Path) -> None:
    pytest.importorskip("cairosvg")
    target = tmp_path / "rnn.png"
    assert main(["render", "rnn", "-o", str(target), "--scale", "2"]) == 0
    assert target.read_bytes().startswith(b"\x89PNG")


def test_default_paths() -> None:
    assert default_path("gru", "paper", "light", "svg") == Path("output/gru.svg")
    assert default_path("lstm", "pytorch", "dark", "png") == Path("output/lstm.pytorch.dark.png")
    assert default_path("x.y", "paper", "light", "svg") == Path("output/x.y.svg")
    assert default_path(".cell", "paper", "light", "svg") == Path("output/cell.svg")
    assert default_path("../a/b", "paper", "light", "svg") == Path("output/a_b.svg")


MINIMAL = "cell {name}\ninput x: i\nstate h: n\nh[t] = tanh(W_h @ x[t] + U_h @ h[t-1] + b_h)\n"


@pytest.mark.dot
@pytest.mark.parametrize(("filename", "text", "expected"), [
    ("noext", MINIMAL.replace("cell {name}\n", ""), "noext.svg"),
    ("sub/named.cell", MINIMAL.format(name="elman"), "elman.svg"),
    (".cell", MINIMAL.replace("cell {name}\n", ""), "cell.svg"),
])
def test_default_path_of_a_cell_file_is_directly_in_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filename: str, text: str,
        expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "cells" / filename
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(text, encoding="utf-8")
    assert main(["render", str(source)]) == 0
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.svg"))
    assert written == [f"output/{expected}"]


@pytest.mark.dot
def test_render_into_a_symlink_and_a_fifo(tmp_path: Path) -> None:
    real = tmp_path / "real.svg"
    real.write_bytes(b"old")
    link = tmp_path / "link.svg"
    link.symlink_to(real)
    assert main(["render", "rnn", "-o", str(link)]) == 0
    assert link.is_symlink() and real.read_bytes().startswith(b"<svg")


@pytest.mark.dot
@pytest.mark.parametrize("case", ["directory", "under-a-file"])
def test_render_to_an_unwritable_path_exits_1(tmp_path: Path, case: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_bytes(b"keep")
    out = str(tmp_path) if case == "directory" else str(tmp_path / "file" / "x.svg")
    assert main(["render", "rnn", "-o", out]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"cellviz: error: cannot write {out!r}: ") and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.dot
def test_pdf_bytes_are_the_same_every_run(tmp_path: Path) -> None:
    pytest.importorskip("cairosvg")
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert main(["render", "gru", "-o", str(a)]) == 0
    subprocess.run([sys.executable, "-m", "cellviz", "render", "gru", "-o", str(b)], check=True,
                   capture_output=True, env={**os.environ, "TZ": "Pacific/Chatham"})
    assert a.read_bytes().startswith(b"%PDF") and a.read_bytes() == b.read_bytes()


@pytest.mark.dot
def test_format_from_the_suffix_or_the_option(tmp_path: Path) -> None:
    pytest.importorskip("cairosvg")
    assert main(["render", "rnn", "-o", str(tmp_path / "noext"), "--format", "png"]) == 0
    assert (tmp_path / "noext").read_bytes().startswith(b"\x89PNG")
    assert main(["render", "rnn", "-o", str(tmp_path / "noext2")]) == 0
    assert (tmp_path / "noext2").read_bytes().startswith(b"<svg")


@pytest.mark.parametrize(("argv", "message"), [
    (["render", "gru", "--theme", "neon"], "invalid choice: 'neon'"),
    (["render", "gru", "--format", "gif"], "invalid choice: 'gif'"),
    (["render", "gru", "--scale", "0"], "not a number from 0.05 to 20: '0'"),
    (["render", "gru", "--scale", "0.0001"], "not a number from 0.05 to 20"),
    (["render", "gru", "--scale", "1e-300"], "not a number from 0.05 to 20"),
    (["render", "gru", "--scale", "nan"], "not a number from 0.05 to 20"),
    (["render", "gru", "-o", ""], "-o: an empty file name"),
    (["render", "gru", "-o", "m.svg", "--format", "png"],
     "format 'png' disagrees with the file name 'm.svg'"),
    (["render", "gru", "-o", "m.jpg"], "unknown format: 'jpg' (must be one of svg, png, pdf"),
    (["gallery", "-o", ""], "-o: an empty directory name"),
])
def test_usage_errors_exit_2(argv: list[str], message: str, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cellviz: error:") and message in err
    assert list(tmp_path.iterdir()) == []


def test_gallery_into_a_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file"
    target.write_bytes(b"keep")
    assert main(["gallery", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file" in err
    assert target.read_bytes() == b"keep"


def test_unknown_cell_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "lstn"]) == 1
    assert "did you mean 'lstm'" in capsys.readouterr().err


def test_missing_dot_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    clear_cache()  # this process may have laid the GRU out before, with dot
    assert main(["render", "gru", "-o", str(tmp_path / "gru.svg")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    assert not (tmp_path / "gru.svg").exists()


@pytest.mark.dot
def test_gallery(tmp_path: Path) -> None:
    assert main(["gallery", "-o", str(tmp_path / "g")]) == 0
    index = (tmp_path / "g" / "index.html").read_text(encoding="utf-8")
    assert index.count("<img ") == 28 and "<script" not in index
    assert "36 parameters: 6 weight matrices, 3 bias vectors" in index
    assert len(list((tmp_path / "g").glob("*.svg"))) == 28


@pytest.mark.dot
def test_templates_ship_in_the_wheel(tmp_path: Path) -> None:
    """Build the wheel, unpack it as site-packages would hold it, and render from elsewhere."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist), str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob("cellviz-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    assert (site / "cellviz" / "templates" / "figure.svg.j2").is_file()
    assert (site / "cellviz" / "templates" / "gallery.html.j2").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (f"import sys; sys.path.insert(0, {str(site)!r}); import cellviz; "
            "c = cellviz.load('gru', input_size=3, hidden_size=2); "
            f"assert cellviz.__file__.startswith({str(site)!r}), cellviz.__file__; "
            "print(cellviz.render(c)[:4])")
    out = subprocess.run([sys.executable, "-I", "-c", code],
                         cwd=elsewhere, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": ""})
    assert out.stdout.strip() == "<svg"


def _wide_cell(gates: int) -> str:
    lines = ["cell wide", "input x: i", "state h: n"]
    lines += [f"g{k}[t] = sigmoid(W_{k} @ x[t] + U_{k} @ h[t-1] + b_{k})" for k in range(gates)]
    # Products of at most 50 factors, so that no expression is deeper than a cell file allows.
    chunks = [range(k, min(k + 50, gates)) for k in range(0, gates, 50)]
    if len(chunks) == 1:
        lines.append("h[t] = " + " * ".join(f"g{k}[t]" for k in chunks[0]))
    else:
        lines += [f"q{j}[t] = " + " * ".join(f"g{k}[t]" for k in chunk)
                  for j, chunk in enumerate(chunks)]
        lines.append("h[t] = " + " * ".join(f"q{j}[t]" for j in range(len(chunks))))
    return "\n".join(lines) + "\n"


def test_a_cell_too_large_to_draw_is_one_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """500 equations: refused before dot runs (so no dot marker), naming count and limit; a
    file with more equations than boxes allowed is refused by its count before parsing."""
    source = tmp_path / "wide.cell"
    source.write_text(_wide_cell(499), encoding="utf-8")
    out = tmp_path / "wide.svg"
    assert main(["render", str(source), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert re.search(r"its 5\d\d equations would be at least 5\d\d boxes", err)
    assert "at most 100" in err
    assert not out.exists()


@pytest.mark.dot
def test_a_cell_at_the_limit_is_drawn(tmp_path: Path) -> None:
    source = tmp_path / "wide.cell"
    source.write_text(_wide_cell(24), encoding="utf-8")  # 98 boxes
    out = tmp_path / "wide.svg"
    assert main(["render", str(source), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").count('class="node"') == 98


@pytest.mark.dot
def test_no_title_and_no_legend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["render", "lstm", "--theme", "slides", "--no-title", "--no-legend"]) == 0
    svg = (tmp_path / "output" / "lstm.slides.notitle.nolegend.svg").read_text(encoding="utf-8")
    assert 'class="title"' not in svg and 'class="legend"' not in svg
    assert re.search(r'<title id="[^"]+">LSTM, paper convention, i=3, n=2</title>', svg)
    assert main(["render", "lstm", "--no-legend"]) == 0
    svg = (tmp_path / "output" / "lstm.nolegend.svg").read_text(encoding="utf-8")
    assert 'class="title"' in svg and 'class="legend"' not in svg
