"""Paragraph and table styles and the page decoration of a letter (base-14 Times, no font files)."""

from __future__ import annotations

from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
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
    """Continuation header on later pages; the DRAF watermark on drafts."""

    def __init__(self, number: str | None, draft: bool) -> None:
        self.number, self.draft = number, draft

    def _watermark(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        if not self.draft:
            return
        canvas.saveState()
        canvas.setFillColorRGB(0.85, 0.85, 0.85)
        canvas.setFont("Helvetica-Bold", 44)
        canvas.translate(doc.pagesize[0] / 2, doc.pagesize[1] / 2)
        canvas.rotate(40)
        canvas.drawCentredString(0, 0, "DRAF - BUKAN SURAT RESMI")
        canvas.restoreState()

    def first(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        self._watermark(canvas, doc)

    def later(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        self._watermark(canvas, doc)
        canvas.saveState()
        canvas.setFont("Times-Italic", 9)
        label = f"Lanjutan Surat Nomor: {self.number or '-'}  -  Halaman {doc.page}"
        canvas.drawString(doc.leftMargin, doc.pagesize[1] - 10 * mm, label)
        canvas.restoreState()
