"""The fonts of a letter. Liberation Serif (the text) and Liberation Sans (QR caption, DRAF mark) are shipped in
`letters/fonts/` (SIL OFL 1.1) and registered with reportlab once, on first use (`register`). They are
metric-compatible with Times and Helvetica, so a letter whose every character the PDF standard fonts have
(Windows-1252: "Zoë Élodie Müller") is set in those (no font file embedded: a third of the time and a sixth of
the size), and one with any other letter ("Łukasz Ńowak") in Liberation, with the same layout (`fonts_for`)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FOLDER = Path(__file__).parent / "fonts"
SERIF, SERIF_BOLD, SERIF_ITALIC, SERIF_BOLD_ITALIC = "Serif", "Serif-Bold", "Serif-Italic", "Serif-BoldItalic"
SANS, SANS_BOLD, SANS_ITALIC = "Sans", "Sans-Bold", "Sans-Italic"
FILES = {
    SERIF: "LiberationSerif-Regular.ttf", SERIF_BOLD: "LiberationSerif-Bold.ttf",
    SERIF_ITALIC: "LiberationSerif-Italic.ttf", SERIF_BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
    SANS: "LiberationSans-Regular.ttf", SANS_BOLD: "LiberationSans-Bold.ttf", SANS_ITALIC: "LiberationSans-Italic.ttf",
}


@dataclass(frozen=True)
class FontSet:
    serif: str
    serif_bold: str
    serif_italic: str
    sans: str
    sans_bold: str
    sans_italic: str


STANDARD = FontSet("Times-Roman", "Times-Bold", "Times-Italic", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique")
LIBERATION = FontSet(SERIF, SERIF_BOLD, SERIF_ITALIC, SANS, SANS_BOLD, SANS_ITALIC)


def fonts_for(texts: Iterable[str]) -> FontSet:
    """The standard fonts when they have every character of `texts` (Windows-1252), else Liberation."""
    try:
        for text in texts:
            text.encode("cp1252")
    except UnicodeEncodeError:
        register()
        return LIBERATION
    return STANDARD


@functools.cache
def register() -> None:
    """Register the fonts with reportlab (idempotent; the first call reads the files)."""
    for name, file in FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FOLDER / file)))
    for bold, italic, name in ((0, 0, SERIF), (1, 0, SERIF_BOLD), (0, 1, SERIF_ITALIC), (1, 1, SERIF_BOLD_ITALIC),
                               (0, 0, SANS), (1, 0, SANS_BOLD), (0, 1, SANS_ITALIC)):
        family = SERIF if name.startswith(SERIF) else SANS
        addMapping(family, bold, italic, name)


def letter_code_points() -> set[int]:
    """The code points of letters (and combining marks) every serif face has: what a name may use."""
    import unicodedata

    register()
    faces = [_face(name) for name in (SERIF, SERIF_BOLD)]
    common = set.intersection(*(set(face) for face in faces))
    return {c for c in common if unicodedata.category(chr(c))[0] in "LM"}


def _face(name: str) -> dict[int, int]:
    font = pdfmetrics.getFont(name)
    cmap: dict[int, int] = font.face.charToGlyph
    return cmap
