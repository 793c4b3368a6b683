"""A kelurahan letter as PDF, with reportlab platypus; a pure function of its inputs.

Top to bottom: letterhead and rule, title and number, opening, identity table,
statement, the type's table (repeated header when it flows onto another page),
purpose, validity, closing, and the signature block with place and date, the
signatory's title, the QR code, name, rank and NIP. A draft carries a DRAF
watermark over every page: the preview before approval (`letters.draft`) is the
letter as it would be issued, with a QR that seals nothing; a letter without a
`QrMark` is a draft too (no QR).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from flows.dates import format_date
from flows.definitions import LetterTypeDef
from letters import fonts, styles
from letters.flowables import (
    CenteredLines,
    DoubleRule,
    JustifiedText,
    LabelledRows,
    RightAligned,
    SignatureBlock,
    SignatureSpot,
    wrap_words,
)
from letters.fonts import FontSet
from letters.letterhead import Letterhead
from letters.qr import QrFlowable, QrMatrix
from letters.styles import Styles
from letters.table import table
from letters.template import fill, identity_rows, statement, table_rows

PAPER = {"A4": A4, "F4": (215 * mm, 330 * mm)}
QR_CAPTION = "Pindai untuk memeriksa keaslian surat ini"
QR_NOTE = "Ditandatangani secara elektronik"
FRAME_PADDING = 6  # reportlab's SimpleDocTemplate frame pads the margins by 6 pt on each side
CONTACT_SIZE = 9.5  # the letterhead's address line(s): wrapped, never shrunk


@dataclass(frozen=True)
class LetterContent:
    letter_type: LetterTypeDef
    letterhead: Letterhead
    values: dict[str, str]  # formatted field values (dates in Indonesian, choices by label)
    rows: list[dict[str, str]]  # rows of the type's table (SKTM dependants)
    issued_on: date
    valid_until: date | None = None
    number: str | None = None


@dataclass(frozen=True)
class QrMark:
    """The verification QR; only the issuer makes one, after approval."""

    url: str
    matrix: QrMatrix


def texts_of(content: LetterContent) -> list[str]:
    """Every text the letter may print (to choose its fonts)."""
    head, tpl = content.letterhead, content.letter_type.template
    return [*content.values.values(), *(v for row in content.rows for v in row.values()), content.number or "",
            *(str(v) for k, v in vars(head).items() if isinstance(v, str)), *head.title_lines, tpl.title,
            tpl.opening, tpl.closing, *(str(p) for p in getattr(tpl, "statement", []) or [])]


def _letterhead(head: Letterhead, width: float, fs: FontSet) -> list[Flowable]:
    inner = width - (60 * mm if head.logo_path else 0)
    contact = [(line, fs.serif, CONTACT_SIZE) for line in wrap_words(head.contact_line, fs.serif, CONTACT_SIZE,
                                                                         inner)]
    lines = CenteredLines([
        (f"PEMERINTAH KOTA {head.city.upper()}", fs.serif_bold, 14),
        (f"KECAMATAN {head.kecamatan.upper()}", fs.serif_bold, 14),
        (f"KELURAHAN {head.kelurahan.upper()}", fs.serif_bold, 16),
        *contact,
    ], inner)
    block: Flowable = lines
    if head.logo_path is not None:
        logo = Image(str(head.logo_path), width=22 * mm, height=26 * mm, kind="proportional")
        block = Table([[logo, lines, ""]], colWidths=[30 * mm, lines.width, 30 * mm], style=styles.PLAIN)
    return [block, Spacer(1, 1 * mm), DoubleRule(width), Spacer(1, 4 * mm)]


def _signature(content: LetterContent, qr: QrMark | None, width: float, fs: FontSet,
               spot: SignatureSpot | None = None) -> KeepTogether:
    """The QR (when there is one) beside the signature block, at the right of the page."""
    head = content.letterhead
    top = [f"{head.city}, {format_date(content.issued_on)}", *head.title_lines]
    bottom = [head.signatory_name, head.signatory_rank, f"NIP. {head.signatory_nip}" if head.signatory_nip else ""]
    bottom = [line for line in bottom if line]  # a staff member who signs has no rank or NIP on record
    if qr is None:
        parts: list[Flowable] = [SignatureBlock(top, bottom, 76 * mm, gap=26 * mm, fonts=fs)]
    else:
        mark = QrFlowable(qr.matrix, caption=(QR_CAPTION,), font=fs.sans)
        parts = [mark, SignatureBlock(top, bottom, 72 * mm, gap=14 * mm, note=QR_NOTE, fonts=fs, spot=spot)]
    return KeepTogether([Spacer(1, 3 * mm), RightAligned(parts, width)])


def _story(content: LetterContent, qr: QrMark | None, width: float, st: Styles,
           spot: SignatureSpot | None = None) -> list[Flowable]:
    defn, head, tpl, fs = content.letter_type, content.letterhead, content.letter_type.template, st.fonts
    context = {**content.values, "kelurahan": head.kelurahan, "kecamatan": head.kecamatan, "kota": head.city}
    story = _letterhead(head, width, fs)
    title = [(tpl.title.upper(), fs.serif_bold, 13.0), (f"Nomor: {content.number or '-'}", fs.serif, 11.5)]
    story += [CenteredLines(title, width, leading=1.25, underline=True), Spacer(1, 3 * mm)]
    story.append(JustifiedText(fill(tpl.opening, context), st.BODY_J))
    identity = identity_rows(defn, content.values)
    if identity:
        story.append(LabelledRows(identity, width, st.BODY))
    story += [JustifiedText(par, st.BODY_J) for par in statement(defn, context)]
    header, body = table_rows(defn, content.rows)
    if body:
        story.append(table(header, body, width, st))
        story.append(Spacer(1, 3 * mm))
    purpose = content.values.get(tpl.purpose_field or "", "").strip()
    if purpose:
        text = f"Surat keterangan ini diberikan untuk keperluan: <b>{escape(purpose)}</b>."
        story.append(Paragraph(text, st.BODY_J))
    if content.valid_until is not None:
        text = f"Surat keterangan ini berlaku sampai dengan {format_date(content.valid_until)}."
        story.append(JustifiedText(text, st.BODY_J))
    story.append(JustifiedText(fill(tpl.closing, context), st.BODY_J))
    story.append(_signature(content, qr, width, fs, spot))
    return story


class _LetterDoc(SimpleDocTemplate):  # type: ignore[misc]  # reportlab is untyped
    """Draws the page decoration's watermark after each page's content, i.e. over it."""

    def __init__(self, buf: io.BytesIO, decoration: styles.PageDecoration, **kw: Any) -> None:
        super().__init__(buf, **kw)
        self.decoration = decoration

    def afterPage(self) -> None:  # noqa: N802 - reportlab's hook
        self.decoration.watermark(self.canv, self)


def render_letter(content: LetterContent, paper: str = "A4", qr: QrMark | None = None, *,
                  draft: bool | None = None, spot: SignatureSpot | None = None) -> bytes:
    """The letter as PDF bytes; a draft (by default: a letter without `qr`) carries the DRAF watermark."""
    fs = fonts.fonts_for(texts_of(content))
    buf = io.BytesIO()
    page = PAPER[paper.upper()]
    draft = qr is None if draft is None else draft
    decorate = styles.PageDecoration(content.number, draft=draft, fs=fs)
    doc = _LetterDoc(
        buf, decorate, pagesize=page, leftMargin=25 * mm, rightMargin=20 * mm, topMargin=12 * mm,
        bottomMargin=18 * mm, title=content.letter_type.template.title,
        author=f"Kelurahan {content.letterhead.kelurahan}", subject="DRAF" if draft else content.number or "",
        creator="e-surat",
    )
    width = doc.width - 2 * FRAME_PADDING  # what the frame holds: wider flowables overrun the margin
    story = _story(content, qr, width, styles.styles_for(fs), spot)
    doc.build(story, onFirstPage=decorate.first, onLaterPages=decorate.later)
    return buf.getvalue()
