"""PNG and PDF from a figure's SVG text, through cairosvg (the raster extra)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..errors import CellvizError

__all__ = ["PDF_DATE", "rasterize"]


def rasterize(svg: str, fmt_: str) -> bytes:
    """PNG or PDF from SVG text, through cairosvg (``pip install cellviz[raster]``); the SVG's
    own width and height already carry the scale. A PDF carries a fixed creation date, so
    that the same figure gives the same bytes."""
    try:
        import cairosvg  # type: ignore[import-untyped]
        from cairosvg.surface import PDFSurface  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:
        raise CellvizError(
            f"{fmt_} output needs the raster extra: pip install 'cellviz[raster]' ({exc})"
        ) from None
    data = svg.encode("utf-8")
    if fmt_ == "png":
        out = cairosvg.svg2png(bytestring=data)
    else:
        out = _fixed_date_pdf(PDFSurface).convert(bytestring=data)
    if not isinstance(out, bytes):
        raise CellvizError(f"cairosvg returned no {fmt_} data")
    return out


#: The creation date every PDF carries (cairo would write the time of the run).
PDF_DATE = "2000-01-01T00:00:00Z"


@lru_cache(maxsize=1)
def _fixed_date_pdf(base: type[Any]) -> type[Any]:
    """cairosvg's PDF surface with the creation date set to PDF_DATE."""
    import cairocffi  # type: ignore[import-untyped]

    class FixedDatePDF(base):  # type: ignore[misc]
        def _create_surface(self, width: float, height: float) -> Any:
            surface, width, height = super()._create_surface(width, height)
            surface.set_metadata(cairocffi.PDF_METADATA_CREATE_DATE, PDF_DATE)
            return surface, width, height

    return FixedDatePDF
