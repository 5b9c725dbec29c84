"""``cellviz render`` and ``cellviz gallery`` in-process; a missing dot; an installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cellviz.cli import main
from cellviz.cli_render import default_path

ROOT = Path(__file__).resolve().parent.parent


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
    assert default_path("cells/my.cell", "paper", "light", "svg") == Path("output/my.svg")


@pytest.mark.parametrize("argv", [
    ["render", "gru", "--theme", "neon"],
    ["render", "gru", "--format", "gif"],
    ["render", "gru", "--scale", "0"],
])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cellviz: error:")


def test_unknown_cell_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "lstn"]) == 1
    assert "did you mean 'lstm'" in capsys.readouterr().err


def test_missing_dot_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
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
