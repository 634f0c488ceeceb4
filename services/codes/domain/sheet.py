"""A printable A4 PDF of many codes for field teams: vector QR codes, credit-coloured frames, names.

Drawn as vectors (not embedded bitmaps) so that codes stay sharp at any printer resolution. Chinese
names use ReportLab's built-in STSong-Light CID font, which needs no font file on the machine.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from services.codes.domain.image import dark_runs, matrix, wrap

COLUMNS, ROWS = 3, 4
CELL_W, CELL_H = 62 * mm, 66 * mm
GAP = 2 * mm  # white space between neighbouring cells, for cutting
FRAME = 2 * mm
QR_SIDE = 44 * mm  # includes the 4-module quiet zone; about 0.8 mm per module at version 7
CJK_FONT, LATIN_FONT = "STSong-Light", "Helvetica"


@dataclass(frozen=True)
class SheetEntry:
    """One code on the sheet."""

    url: str
    name: str
    uscc: str
    version: int
    colour: str
    label: str  # the credit level's name, printed small under the enterprise's name


@dataclass(frozen=True)
class Sheet:
    pdf: bytes
    pages: int


def _ensure_font() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _runs(text: str) -> list[tuple[str, str]]:
    # The CID font is not embedded, and viewers substitute fonts that may lack Latin glyphs: set
    # ASCII in Helvetica and everything else in the CJK font.
    runs: list[tuple[str, str]] = []
    for char in text:
        font = LATIN_FONT if char.isascii() else CJK_FONT
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def text_width(text: str, size: float) -> float:
    """The width of mixed Chinese and Latin text, in points."""
    return sum(pdfmetrics.stringWidth(part, font, size) for font, part in _runs(text))


def draw_text(
    pdf: canvas.Canvas, x: float, y: float, text: str, size: float, *, centred: bool = False
) -> None:
    """Draw mixed Chinese and Latin text starting (or centred) at x."""
    if centred:
        x -= text_width(text, size) / 2
    for font, part in _runs(text):
        pdf.setFont(font, size)
        pdf.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, font, size)


def _cell(pdf: canvas.Canvas, entry: SheetEntry, left: float, bottom: float) -> None:
    width, height = CELL_W - GAP, CELL_H - GAP
    pdf.setFillColor(HexColor(entry.colour))
    pdf.rect(left, bottom, width, height, stroke=0, fill=1)
    pdf.setFillColor(white)
    pdf.rect(left + FRAME, bottom + FRAME, width - 2 * FRAME, height - 2 * FRAME, stroke=0, fill=1)
    modules = matrix(entry.url)
    unit = QR_SIDE / len(modules)
    qr_left, qr_top = left + (width - QR_SIDE) / 2, bottom + height - FRAME
    pdf.setFillColor(black)
    for y, x, length in dark_runs(modules):
        pdf.rect(qr_left + x * unit, qr_top - (y + 1) * unit, length * unit, unit, stroke=0, fill=1)
    centre = left + width / 2
    lines = wrap(entry.name, lambda s: text_width(s, 8) <= width - 2 * FRAME - 4 * mm)
    for i, line in enumerate(lines):
        draw_text(pdf, centre, qr_top - QR_SIDE - 1 * mm - i * 3.6 * mm, line, 8, centred=True)
    draw_text(
        pdf,
        centre,
        bottom + FRAME + 1.2 * mm,
        f"{entry.uscc}  v{entry.version}  {entry.label}",
        5.5,
        centred=True,
    )


def render(entries: Sequence[SheetEntry], title: str) -> Sheet:
    """A PDF with COLUMNS x ROWS codes per A4 page."""
    _ensure_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    page_w, page_h = A4
    margin_x = (page_w - COLUMNS * CELL_W) / 2
    margin_y = (page_h - ROWS * CELL_H) / 2
    per_page = COLUMNS * ROWS
    pages = max(1, -(-len(entries) // per_page))
    for page in range(pages):
        draw_text(pdf, margin_x, page_h - margin_y / 2, f"{title}  {page + 1}/{pages}", 7)
        for i, entry in enumerate(entries[page * per_page : (page + 1) * per_page]):
            col, row = i % COLUMNS, i // COLUMNS
            left = margin_x + col * CELL_W + GAP / 2
            bottom = page_h - margin_y - (row + 1) * CELL_H + GAP / 2
            _cell(pdf, entry, left, bottom)
        pdf.showPage()
    pdf.save()
    return Sheet(pdf=out.getvalue(), pages=pages)
