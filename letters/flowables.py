"""Fast flowables for the fixed parts of a letter, drawn as literal text (no markup).

Paragraph parsing dominates reportlab's cost; fixed lines (letterhead, signature block)
and short table cells do not need it. Text drawn here is never parsed as markup, so it
must not be escaped; wrapped text goes through `cell()`, which escapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from letters.fonts import STANDARD, FontSet

Line = tuple[str, str, float]  # text, font name, font size


def draw_lines(canvas: Canvas, lines: Sequence[tuple[float, float, str, str, float]]) -> None:
    """(x, y, text, font, size) lines in one PDF text object (cheaper than drawString each)."""
    text = canvas.beginText()
    for x, y, line, font, size in lines:
        text.setFont(font, size)
        text.setTextOrigin(x, y)
        text.textOut(line)
    canvas.drawText(text)


def clean(text: str) -> str:
    """One line of text: whitespace (newlines, tabs) collapsed."""
    return " ".join(text.split())


def fitted(text: str, font: str, size: float, width: float) -> float:
    """The font size at which `text` fits `width` (never below 60% of `size`)."""
    w = stringWidth(text, font, size)
    return size if w <= width else max(size * width / w, size * 0.6)


def wrap_words(text: str, font: str, size: float, width: float) -> list[str]:
    """`text` broken into lines at word boundaries, each at most `width` wide (but a longer word)."""
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in clean(text).split(" "):
        w = stringWidth(word, font, size)
        if line and used + space + w > width:
            lines.append(" ".join(line))
            line, used = [], 0.0
        used += (space if line else 0) + w
        line.append(word)
    return [*lines, " ".join(line)] if line else lines


def cell(text: str, style: ParagraphStyle, width: float) -> str | Paragraph:
    """A table cell: the plain string when it fits on one line, else a wrapping Paragraph."""
    text = clean(text) or "-"
    if stringWidth(text, style.fontName, style.fontSize) <= width:
        return text
    return Paragraph(escape(text), style)


class JustifiedText(Flowable):
    """Plain text (never markup), wrapped at word boundaries and justified like a letter's
    paragraphs; splits between lines across pages. Much cheaper than a Paragraph."""

    def __init__(self, text: str | list[str], style: ParagraphStyle) -> None:
        super().__init__()
        self.style = style
        self.width = 0.0
        self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter
        self._lines = text if isinstance(text, list) else None
        self._text = "" if isinstance(text, list) else clean(text)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._lines is None or avail_width != self.width:
            self.width = avail_width
            self._lines = self._lines if self._lines is not None else self._break(avail_width)
        self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    def _break(self, width: float) -> list[str]:
        return wrap_words(self._text, self.style.fontName, self.style.fontSize, width)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        lines = self._lines or []  # set by wrap()
        fit = int(avail_height // self.style.leading)
        if fit <= 0 or fit >= len(lines):
            return []
        return [JustifiedText(lines[:fit], self.style), JustifiedText(lines[fit:], self.style)]

    def draw(self) -> None:
        st, lines = self.style, self._lines or []
        text = self.canv.beginText(0, self.height - st.fontSize)
        text.setFont(st.fontName, st.fontSize, st.leading)
        for i, line in enumerate(lines):
            gaps = line.count(" ")
            last = i == len(lines) - 1
            slack = self.width - stringWidth(line, st.fontName, st.fontSize)
            text.setWordSpace(slack / gaps if gaps and not last and slack > 0 else 0)
            text.textLine(line)
        self.canv.drawText(text)


class LabelledRows(Flowable):
    """``label : value`` rows (the identity table); a long value wraps under itself."""

    def __init__(self, rows: list[tuple[str, str]], width: float, style: ParagraphStyle,
                 indent: float = 8 * mm, label_width: float = 42 * mm, colon_width: float = 4 * mm,
                 gap: float = 3.5) -> None:
        super().__init__()
        self.style, self.gap = style, gap
        self.label_x, self.colon_x, self.value_x = indent, indent + label_width, indent + label_width + colon_width
        value_width = width - self.value_x - 2
        self.rows = [(clean(label), cell(value, style, value_width)) for label, value in rows]
        self.heights = [
            v.wrap(value_width, 10_000)[1] if isinstance(v, Paragraph) else style.leading for _, v in self.rows
        ]
        self.width, self.height = width, sum(self.heights) + gap * len(self.rows)

    def draw(self) -> None:
        st, y, lines = self.style, self.height, []
        font = (st.fontName, st.fontSize)
        for (label, value), h in zip(self.rows, self.heights, strict=True):
            y -= h + self.gap
            base = y + self.gap + h - st.fontSize
            lines += [(self.label_x, base, label, *font), (self.colon_x, base, ":", *font)]
            if isinstance(value, Paragraph):
                value.drawOn(self.canv, self.value_x, y + self.gap)
            else:
                lines.append((self.value_x, base, value, *font))
        draw_lines(self.canv, lines)


class RightAligned(Flowable):
    """Flowables side by side, top-aligned, against the right margin."""

    def __init__(self, parts: list[Flowable], width: float, gap: float = 4 * mm) -> None:
        super().__init__()
        self.parts, self.gap, self.width = parts, gap, width
        self.height = max(p.height for p in parts)

    def draw(self) -> None:
        x = self.width - sum(p.width for p in self.parts) - self.gap * (len(self.parts) - 1)
        for part in self.parts:
            part.drawOn(self.canv, x, self.height - part.height)
            x += part.width + self.gap


class CenteredLines(Flowable):
    """Centred single lines (letterhead, title); each shrinks to fit; bold ones underlined on request."""

    def __init__(self, lines: list[Line], width: float, leading: float = 1.2, underline: bool = False) -> None:
        super().__init__()
        self.lines, self.width, self.leading, self.underline = lines, width, leading, underline
        self.sizes = [fitted(clean(t), f, s, width) for t, f, s in lines]
        self.height = sum(s * leading for s in self.sizes)

    def draw(self) -> None:
        y, lines = self.height, []
        for (text, font, _), size in zip(self.lines, self.sizes, strict=True):
            y -= size * self.leading
            line = clean(text)
            lines.append(((self.width - stringWidth(line, font, size)) / 2, y + size * 0.25, line, font, size))
            if self.underline and font.endswith("Bold"):
                self.canv.setLineWidth(0.8)
                self.canv.line(lines[-1][0], y + size * 0.1, self.width - lines[-1][0], y + size * 0.1)
        draw_lines(self.canv, lines)


class DoubleRule(Flowable):
    """The letterhead's rule: a thick line over a thin one."""

    def __init__(self, width: float) -> None:
        super().__init__()
        self.width, self.height = width, 2.2 * mm

    def draw(self) -> None:
        c = self.canv
        c.setLineWidth(2.2)
        c.line(0, self.height - 1, self.width, self.height - 1)
        c.setLineWidth(0.6)
        c.line(0, self.height - 3.6, self.width, self.height - 3.6)


class SignatureSpot:
    """Where a drawn letter keeps its signature's space (the gap above the signer's name): page (1-based) and
    box in PDF points from the page's bottom left, for a visible electronic signature (BSrE) to go there."""

    def __init__(self) -> None:
        self.box: tuple[int, float, float, float, float] | None = None  # page, x, y, width, height


class SignatureBlock(Flowable):
    """Place and date, title, the space for the signature (with an optional note), the
    name (bold, underlined, wrapped onto more lines rather than shrunk), rank and NIP; the other
    lines shrink to fit the width, never to be larger than the name."""

    def __init__(self, top: list[str], bottom: list[str], width: float, gap: float, note: str | None = None,
                 fonts: FontSet = STANDARD, size: float = 11.5, spot: SignatureSpot | None = None) -> None:
        super().__init__()
        self.top, self.width, self.gap, self.note, self.spot = [clean(t) for t in top], width, gap, note, spot
        self.font, self.bold, self.note_font, self.size = fonts.serif, fonts.serif_bold, fonts.sans_italic, size
        font, bold = self.font, self.bold
        name, *rest = [clean(t) for t in bottom] or [""]
        self.names = wrap_words(name, bold, size, width) or [""]
        self.name_size = min(fitted(n, bold, size, width) for n in self.names)
        self.rest = [(t, min(fitted(t, font, size, width), self.name_size)) for t in rest]
        self.leading = size * 1.3
        self.height = self.leading * (len(self.top) + len(self.names) + len(self.rest)) + gap

    def draw(self) -> None:
        y, lines = self.height, []
        for text in self.top:
            y -= self.leading
            lines.append((0, y + 3, text, self.font, fitted(text, self.font, self.size, self.width)))
        if self.note:
            lines.append((0, y - self.gap / 2, self.note, self.note_font, 7))
        if self.spot is not None:
            x0, y0 = self.canv.absolutePosition(0, y - self.gap)
            self.spot.box = (self.canv.getPageNumber(), float(x0), float(y0), float(self.width), float(self.gap))
        y -= self.gap
        self.canv.setLineWidth(0.7)
        for text in self.names:
            y -= self.leading
            lines.append((0, y + 3, text, self.bold, self.name_size))
            self.canv.line(0, y + 1.5, stringWidth(text, self.bold, self.name_size), y + 1.5)
        for text, size in self.rest:
            y -= self.leading
            lines.append((0, y + 3, text, self.font, size))
        draw_lines(self.canv, lines)
