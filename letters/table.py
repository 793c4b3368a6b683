"""The type's table (SKTM dependants) sized to the text block: every column at least as wide as the
longest word of its header and of its cells (a NIK never breaks), headers wrapping at spaces; the
width left is shared by how much more each column's text wants, so the table is exactly the block."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Table

from letters.flowables import cell, clean
from letters.styles import Styles

PADDING = 7.0  # the grid's left and right padding, and a point to spare


def _width(text: str, style: ParagraphStyle, longest_word: bool) -> float:
    parts = clean(text).split(" ") if longest_word else [clean(text)]
    return float(max(stringWidth(p, style.fontName, style.fontSize) for p in parts)) + PADDING


def column_widths(header: list[str], body: list[list[str]], width: float, st: Styles) -> list[float]:
    columns = [[(h, st.HEAD)] + [(row[i], st.CELL) for row in body] for i, h in enumerate(header)]
    least = [max(_width(t, st, True) for t, st in col) for col in columns]
    wanted = [max(_width(t, st, False) for t, st in col) for col in columns]
    if sum(least) >= width:  # cannot be: still never wider than the block
        return [width * w / sum(least) for w in least]
    more = [w - m for w, m in zip(wanted, least, strict=True)]
    spare = width - sum(least)
    if sum(more) <= spare:
        left = spare - sum(more)
        return [w + left * w / sum(wanted) for w in wanted]
    return [m + spare * x / sum(more) for m, x in zip(least, more, strict=True)]


def _header(text: str, width: float, st: Styles) -> str | Paragraph:
    if stringWidth(clean(text), st.HEAD.fontName, st.HEAD.fontSize) <= width:
        return clean(text)
    return Paragraph(escape(clean(text)), st.HEAD)


def table(header: list[str], body: list[list[str]], width: float, st: Styles) -> Table:
    """The table, exactly `width` wide, its header repeated on every page it runs onto."""
    widths = column_widths(header, body, width, st)
    data = [[_header(h, w - PADDING + 1, st) for h, w in zip(header, widths, strict=True)]]
    data += [[cell(text, st.CELL, w - PADDING + 1) for text, w in zip(row, widths, strict=True)] for row in body]
    return Table(data, colWidths=widths, repeatRows=1, style=st.GRID)
