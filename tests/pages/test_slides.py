"""cellviz sequence: the frames share one frame, the folder's files, the PDF and the deck."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from helpers import load, pdflatex

import cellviz
from cellviz import CellvizError, UsageError
from cellviz.cli.app import main
from cellviz.draw.render import RenderOptions
from cellviz.draw.sequence import equation_text, sequence_frames
from cellviz.pages.slides import PICTURE_WIDTH, write_sequence

pytestmark = pytest.mark.dot


@pytest.mark.parametrize("name", cellviz.BUILTIN_CELLS)
def test_frames_build_up_the_cell_in_one_frame(name: str) -> None:
    cell = load(name)
    frames = sequence_frames(cell, RenderOptions(theme="slides"))
    gates = cell.graph.gates
    assert [f.slug for f in frames] == ["00-state-line", *(
        f"{k:02d}-{g.equation}" for k, g in enumerate(gates, 1)), f"{len(gates) + 1:02d}-cell"]
    assert len({(f.scene.width, f.scene.height) for f in frames}) == 1
    # Only colours differ: every frame has the same groups and shapes in the same places.
    for frame in frames:
        assert [(g.role, g.id, len(g.shapes)) for g in frame.scene.groups] == [
            (g.role, g.id, len(g.shapes)) for g in frames[-1].scene.groups]
    assert len({f.scene for f in frames}) == len(frames)  # each highlights something else
    assert [f.heading for f in frames[1:-1]] == [g.label for g in gates]


def test_the_slide_text_is_the_gates_equation() -> None:
    graph = load("lstm").graph
    assert equation_text(graph, "f") == "f[t] = sigmoid(W_f @ x[t] + U_f @ h[t-1] + b_f)"
    frames = sequence_frames(load("gru"), RenderOptions())
    assert frames[2].text == "r[t] = sigmoid(W_r @ x[t] + U_r @ h[t-1] + b_r)"
    assert frames[-1].text.splitlines()[-1] == "h[t] = (1 - z[t]) * n[t] + z[t] * h[t-1]"
    with pytest.raises(UsageError, match="highlights each gate in turn"):
        sequence_frames(load("gru"), RenderOptions(highlight="z"))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    pytest.importorskip("pptx", reason="the slides extra (python-pptx)")
    pytest.importorskip("pypdf", reason="the slides extra (pypdf)")
    directory = tmp_path_factory.mktemp("seq") / "lstm slides"
    return directory, write_sequence(load("lstm"), directory, "svg", RenderOptions())


def test_the_folder_holds_a_figure_a_step_with_one_viewbox(
        written: tuple[Path, list[Path]]) -> None:
    directory, paths = written
    names = sorted(p.name for p in directory.iterdir())
    assert names == sorted(p.name for p in paths)
    svgs = [p for p in paths if p.suffix == ".svg"]
    assert [p.name for p in svgs] == [
        "lstm-00-state-line.svg", "lstm-01-f.svg", "lstm-02-i.svg", "lstm-03-g.svg",
        "lstm-04-o.svg", "lstm-05-c.svg", "lstm-06-h.svg", "lstm-07-cell.svg"]
    boxes = {re.search(r'viewBox="([^"]+)" width="([^"]+)" height="([^"]+)"',
                       p.read_text()).groups() for p in svgs}  # type: ignore[union-attr]
    assert len(boxes) == 1
    assert svgs[-1].read_text() == cellviz.render(load("lstm"))


def test_the_pdf_has_a_page_a_figure(written: tuple[Path, list[Path]]) -> None:
    from pypdf import PdfReader

    directory, _ = written
    pages = PdfReader(directory / "lstm.pdf").pages
    assert len(pages) == 8
    sizes = {(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2))
             for p in pages}
    scene = sequence_frames(load("lstm"), RenderOptions())[0].scene
    assert sizes == {(round(scene.width * 0.75, 2), round(scene.height * 0.75, 2))}


def test_the_deck_has_a_slide_a_figure(written: tuple[Path, list[Path]]) -> None:
    from PIL import Image
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    directory, _ = written
    deck = Presentation(str(directory / "lstm.pptx"))
    frames = sequence_frames(load("lstm"), RenderOptions())
    assert len(deck.slides) == len(frames)
    for slide, frame in zip(deck.slides, frames, strict=True):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert len(pictures) == 1 and texts == [frame.heading, frame.text]
        width, height = Image.open(io.BytesIO(pictures[0].image.blob)).size
        assert width >= 1600 and width == PICTURE_WIDTH
        assert abs(width / height - frame.scene.width / frame.scene.height) < 0.01
        # The picture lies on the slide, its aspect kept.
        pic = pictures[0]
        assert pic.left >= 0 and pic.left + pic.width <= deck.slide_width
        assert pic.top >= 0 and pic.top + pic.height <= deck.slide_height
        assert abs(pic.width / pic.height - width / height) < 0.01
    assert "f[t] = sigmoid(W_f @ x[t]" in deck.slides[1].notes_slide.notes_text_frame.text


def test_a_sequence_gives_the_same_bytes_twice(written: tuple[Path, list[Path]],
                                               tmp_path: Path) -> None:
    _, paths = written
    again = write_sequence(load("lstm"), tmp_path, "svg", RenderOptions())
    for first, second in zip(paths, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_cli_sequence_into_a_file_is_one_line(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    target = tmp_path / "deck.pdf"
    target.write_bytes(b"mine")
    assert main(["sequence", "lstm", "-o", str(target), "--no-deck"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err == (f"cellviz: error: {str(target)!r} is a file, not a folder: a sequence "
                   "writes several files; give a folder (it is made if missing)\n")
    assert target.read_bytes() == b"mine" and sorted(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize(("argv", "message"), [
    (["--format", "gif"], "invalid choice: 'gif'"),
    (["--standalone"], "--standalone is for --format tikz, not svg"),
    (["--theme", "neon"], "invalid choice: 'neon'"),
])
def test_cli_sequence_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                   argv: list[str], message: str) -> None:
    assert main(["sequence", "gru", "-o", str(tmp_path / "d"), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "d").exists()


def test_cli_sequence_without_the_extra_says_which(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pptx", None)
    assert main(["sequence", "rnn", "-o", str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("cellviz: error: the sequence's PowerPoint deck needs the slides "
                          "extra: pip install 'cellviz[slides]'")
    assert not (tmp_path / "d").exists()
    assert main(["sequence", "rnn", "-o", str(tmp_path / "d"), "--no-deck"]) == 0
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == [
        "rnn-00-state-line.svg", "rnn-01-h.svg", "rnn-02-cell.svg"]


def test_cli_sequence_in_tikz_compiles(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    assert main(["sequence", "gru", "-o", str(tmp_path), "--format", "tikz", "--standalone",
                 "--no-deck"]) == 0
    assert capsys.readouterr().err == f"wrote 6 files into {tmp_path}\n"
    pdf = pdflatex((tmp_path / "gru-02-r.tex").read_text(), tmp_path, "r")
    assert pdf.stat().st_size > 1000


def test_a_missing_pptx_raises_a_cellviz_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from cellviz.pages.slides import pptx_deck

    monkeypatch.setitem(sys.modules, "pptx", None)
    with pytest.raises(CellvizError, match="--no-deck"):
        pptx_deck(sequence_frames(load("rnn"), RenderOptions()), RenderOptions())
