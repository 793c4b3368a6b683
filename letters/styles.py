"""Paragraph and table styles and the page decoration of a letter, in the letter's fonts (`letters.fonts`)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, TableStyle

from letters.fonts import STANDARD, FontSet

PLAIN = TableStyle([
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
])


@dataclass(frozen=True)
class Styles:
    fonts: FontSet
    BODY: ParagraphStyle
    BODY_J: ParagraphStyle
    CELL: ParagraphStyle
    HEAD: ParagraphStyle  # a table's header cells
    GRID: TableStyle


@functools.cache
def styles_for(fs: FontSet) -> Styles:
    base = ParagraphStyle(f"base-{fs.serif}", fontName=fs.serif, fontSize=11.5, leading=15)
    cell = ParagraphStyle(f"cell-{fs.serif}", base, fontSize=10, leading=12)
    grid = TableStyle([
        ("FONT", (0, 0), (-1, 0), fs.serif_bold, cell.fontSize, cell.leading),
        ("FONT", (0, 1), (-1, -1), cell.fontName, cell.fontSize, cell.leading),
        ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
        ("BACKGROUND", (0, 0), (-1, 0), (0.92, 0.92, 0.92)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ])
    return Styles(fs, base, ParagraphStyle(f"body_j-{fs.serif}", base, alignment=TA_JUSTIFY, spaceBefore=2,
                                           spaceAfter=4),
                  cell, ParagraphStyle(f"head-{fs.serif}", cell, fontName=fs.serif_bold), grid)


class PageDecoration:
    """Continuation header on later pages; on drafts, the DRAF watermark over every page's content."""

    WATERMARK = "DRAF"
    WATERMARK_RGB, WATERMARK_ALPHA = (0.75, 0.1, 0.1), 0.2

    def __init__(self, number: str | None, draft: bool, fs: FontSet = STANDARD) -> None:
        self.number, self.draft, self.fonts = number, draft, fs

    def watermark(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """A large semi-transparent DRAF along the page's diagonal, drawn over the content so that
        nothing on the page (a table header's shading, the QR) can hide it; the text stays readable."""
        if not self.draft:
            return
        width, height = doc.pagesize
        diagonal = math.hypot(width, height)
        size = 0.6 * diagonal / stringWidth(self.WATERMARK, self.fonts.sans_bold, 1)
        canvas.saveState()
        canvas.setFillColorRGB(*self.WATERMARK_RGB, alpha=self.WATERMARK_ALPHA)
        canvas.setFont(self.fonts.sans_bold, size)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(math.degrees(math.atan2(height, width)))
        canvas.drawCentredString(0, -0.35 * size, self.WATERMARK)  # centred on the cap height
        canvas.restoreState()

    def first(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        pass

    def later(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(self.fonts.serif_italic, 9)
        label = f"Lanjutan Surat Nomor: {self.number or '-'}  -  Halaman {doc.page}"
        canvas.drawString(doc.leftMargin, doc.pagesize[1] - 10 * mm, label)
        canvas.restoreState()
