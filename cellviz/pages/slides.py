"""A lecture sequence on disk: a figure per step in a folder, one multi-page PDF of them
(cairosvg and pypdf) and a PowerPoint deck with a slide per figure (python-pptx)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..cell import Cell
from ..draw.raster import rasterize
from ..draw.render import SUFFIX, RenderOptions, file_part, render_scene, scene_bytes, write_atomic
from ..draw.sequence import Frame, sequence_frames
from ..errors import CellvizError, UsageError

__all__ = ["PICTURE_WIDTH", "pdf_deck", "pptx_deck", "write_sequence"]

#: The width in pixels of each picture in the PowerPoint deck: sharp on a 1920-pixel screen.
PICTURE_WIDTH = 1920


def _needs(module: str, what: str) -> None:
    raise CellvizError(f"{what} needs the slides extra: pip install 'cellviz[slides]' (no "
                       f"module {module!r}); or leave the deck out with --no-deck") from None


def pdf_deck(frames: tuple[Frame, ...], options: RenderOptions) -> bytes:
    """One PDF with a page per frame: cairosvg draws each page, pypdf joins them."""
    try:
        from pypdf import PdfReader, PdfWriter
    except ImportError:
        _needs("pypdf", "the sequence's PDF")
    writer = PdfWriter()
    for frame in frames:
        page = rasterize(render_scene(frame.scene, options.scale, options.id_prefix), "pdf")
        writer.append(PdfReader(io.BytesIO(page)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pptx_deck(frames: tuple[Frame, ...], options: RenderOptions) -> bytes:
    """A 16:9 PowerPoint deck, a slide per frame: its heading as the title, the figure as a
    PNG PICTURE_WIDTH pixels wide (or wider at a larger scale), its equations below."""
    try:
        from pptx import Presentation
        from pptx.util import Emu, Inches, Pt
    except ImportError:
        _needs("pptx", "the sequence's PowerPoint deck")
    deck = Presentation()
    slide_w, slide_h = Inches(13.333), Inches(7.5)
    deck.slide_width, deck.slide_height = slide_w, slide_h
    blank = deck.slide_layouts[6]
    margin = Inches(0.4)
    room_w = slide_w - 2 * margin
    room_top = Inches(1.1)
    for frame in frames:
        slide = deck.slides.add_slide(blank)
        title = slide.shapes.add_textbox(margin, Inches(0.3), room_w, Inches(0.7)).text_frame
        title.text = frame.heading
        title.paragraphs[0].runs[0].font.size = Pt(28)
        title.paragraphs[0].runs[0].font.bold = True
        # The equations below the figure: one or two lines large, more (the whole cell) small.
        lines = frame.text.splitlines()
        size = 18 if len(lines) <= 2 else 12
        text_h = Pt(size * 1.3 * len(lines) + 10)
        room_bottom = slide_h - Inches(0.3) - text_h
        scale = max(options.scale, PICTURE_WIDTH / frame.scene.width)
        png = rasterize(render_scene(frame.scene, scale, options.id_prefix), "png")
        fit = min(room_w / frame.scene.width, (room_bottom - room_top) / frame.scene.height)
        width, height = Emu(round(frame.scene.width * fit)), Emu(round(frame.scene.height * fit))
        slide.shapes.add_picture(io.BytesIO(png), margin + (room_w - width) // 2, room_top,
                                 width, height)
        text = slide.shapes.add_textbox(margin, room_bottom + Inches(0.1), room_w,
                                        text_h).text_frame
        text.word_wrap = True
        for k, line in enumerate(lines):
            paragraph = text.paragraphs[0] if k == 0 else text.add_paragraph()
            paragraph.text = line
            paragraph.runs[0].font.size = Pt(size)
            paragraph.runs[0].font.name = "Consolas"
        slide.notes_slide.notes_text_frame.text = f"{frame.heading}\n{frame.text}"
    out = io.BytesIO()
    deck.save(out)
    return _fixed_dates(out.getvalue())


def _fixed_dates(data: bytes) -> bytes:
    """The zip archive again with every entry dated 1980-01-01, so the same deck gives the
    same bytes (python-pptx stamps each entry with the time it was written)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def write_sequence(cell: Cell, directory: Path, fmt: str, options: RenderOptions, *,
                   deck: bool = True) -> list[Path]:
    """Write the cell's sequence into ``directory`` (made if missing): a figure a frame in
    ``fmt`` as ``<cell>-<NN>-<step>.<suffix>``, and with ``deck`` the ``<cell>.pdf`` of all
    pages and the ``<cell>.pptx``. Everything is drawn before anything is written, so a
    failure leaves no half-written sequence. Returns the paths written."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{str(directory)!r} is a file, not a folder: a sequence writes "
                         "several files; give a folder (it is made if missing)")
    frames = sequence_frames(cell, options)
    name = file_part(cell.name)
    files = {f"{name}-{frame.slug}.{SUFFIX[fmt]}": scene_bytes(frame.scene, fmt, options)
             for frame in frames}
    if deck:
        files[f"{name}.pdf"] = pdf_deck(frames, options)
        files[f"{name}.pptx"] = pptx_deck(frames, options)
    written = []
    for filename, data in files.items():
        write_atomic(directory / filename, data)
        written.append(directory / filename)
    return written
