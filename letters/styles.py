"""Paragraph and table styles and the page decoration of a letter (base-14 Times, no font files)."""

from __future__ import annotations

import math

from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, TableStyle

_BASE = ParagraphStyle("base", fontName="Times-Roman", fontSize=11.5, leading=15)
BODY = _BASE
BODY_J = ParagraphStyle("body_j", _BASE, alignment=TA_JUSTIFY, spaceBefore=2, spaceAfter=4)
CELL = ParagraphStyle("cell", _BASE, fontSize=10, leading=12)
HEAD = ParagraphStyle("head", CELL, fontName="Times-Bold")  # a table's header cells

PLAIN = TableStyle([
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
])
GRID = TableStyle([
    ("FONT", (0, 0), (-1, 0), "Times-Bold", CELL.fontSize, CELL.leading),
    ("FONT", (0, 1), (-1, -1), CELL.fontName, CELL.fontSize, CELL.leading),
    ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
    ("BACKGROUND", (0, 0), (-1, 0), (0.92, 0.92, 0.92)),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
])


class PageDecoration:
    """Continuation header on later pages; on drafts, the DRAF watermark over every page's content."""

    WATERMARK, WATERMARK_FONT = "DRAF", "Helvetica-Bold"
    WATERMARK_RGB, WATERMARK_ALPHA = (0.75, 0.1, 0.1), 0.2

    def __init__(self, number: str | None, draft: bool) -> None:
        self.number, self.draft = number, draft

    def watermark(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """A large semi-transparent DRAF along the page's diagonal, drawn over the content so that
        nothing on the page (a table header's shading, the QR) can hide it; the text stays readable."""
        if not self.draft:
            return
        width, height = doc.pagesize
        diagonal = math.hypot(width, height)
        size = 0.6 * diagonal / stringWidth(self.WATERMARK, self.WATERMARK_FONT, 1)
        canvas.saveState()
        canvas.setFillColorRGB(*self.WATERMARK_RGB, alpha=self.WATERMARK_ALPHA)
        canvas.setFont(self.WATERMARK_FONT, size)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(math.degrees(math.atan2(height, width)))
        canvas.drawCentredString(0, -0.35 * size, self.WATERMARK)  # centred on the cap height
        canvas.restoreState()

    def first(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        pass

    def later(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Times-Italic", 9)
        label = f"Lanjutan Surat Nomor: {self.number or '-'}  -  Halaman {doc.page}"
        canvas.drawString(doc.leftMargin, doc.pagesize[1] - 10 * mm, label)
        canvas.restoreState()
