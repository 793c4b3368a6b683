"""The draft before approval is the letter as issuing would make it, page for page, but for the number's
sequence and the DRAF watermark over every page; its QR seals nothing; it is not PAdES-signed."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from flows.definitions import LetterTypeDef
from letters.draft import DraftMaker, draft_qr_url
from moderation.preview import pending_number
from tests.support.letter_samples import formatted, letter_types
from tests.support.letters import ISSUED_AT, PUBLIC_URL, Kit, letter_spec, make_kit, qr_texts
from verification.records import PUBLIC_ID_RE
from verification.seal import SealFormatError, parse_seal, seal_from_url

TYPES = letter_types()
LONG = "MUHAMMAD RIZKY ANANDA PRATAMA SAPUTRA BIN ABDURRAHMAN WAHID"


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    return make_kit(tmp_path_factory.mktemp("draft"))


def pages(pdf: bytes) -> list[list[str]]:
    """The words of each page (pdfium places the line breaks by position, which the watermark crosses)."""
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].get_textpage().get_text_range().split() for i in range(len(doc))]


def without_watermark(words: list[str]) -> list[str]:
    """The page's words without the watermark's one "DRAF" (no letter prints the word otherwise)."""
    assert words.count("DRAF") == 1, words
    return [w for w in words if w != "DRAF"]


def number_of(defn: LetterTypeDef, seq: str) -> str:
    return f"{defn.classification_code}/{seq}/BT/XI/2026"


@pytest.mark.parametrize("defn", TYPES, ids=[t.code for t in TYPES])
def test_the_draft_reads_as_the_issued_letter_but_for_the_number(kit: Kit, defn: LetterTypeDef) -> None:
    values, rows = formatted(defn)
    pending = pending_number("{kode}/{seq:03d}/{unit}/{month_roman}/{year}", kode=defn.classification_code,
                             unit="BT", when=ISSUED_AT)
    assert pending == number_of(defn, "\u2026")
    draft = DraftMaker.for_settings(kit.settings).make(letter_spec(defn, values, rows, pending))
    issued = kit.maker.make(letter_spec(defn, values, rows, number_of(defn, "017")))

    draft_pages, issued_pages = pages(draft.pdf_bytes), pages(issued.pdf_bytes)
    assert len(draft_pages) == len(issued_pages)
    for drafted, made in zip(draft_pages, issued_pages, strict=True):
        assert "DRAF" not in made
        assert [issued.spec.number if w == pending else w for w in without_watermark(drafted)] == made
    assert ["Nomor:", pending] == draft_pages[0][draft_pages[0].index("Nomor:"):][:2]
    assert number_of(defn, "017") not in sum(draft_pages, [])


def test_a_long_sktm_is_watermarked_and_numbered_alike_on_every_page(kit: Kit) -> None:
    sktm = next(t for t in TYPES if t.code == "sktm")
    values, rows = formatted(sktm, dependants=10, nama=LONG, alamat="Jl. " + "Tjilik Riwut Km 5 Gang Mawar " * 3)
    rows = [r | {"nama": LONG} for r in rows]
    pending = number_of(sktm, "\u2026")
    draft = DraftMaker.for_settings(kit.settings).make(letter_spec(sktm, values, rows, pending))
    texts = pages(draft.pdf_bytes)
    assert len(texts) >= 2
    for page, words in enumerate(texts):
        assert without_watermark(words)  # the page's own text, and one DRAF
        if page:
            assert " ".join(words).startswith(f"Lanjutan Surat Nomor: {pending}")
    issued = kit.maker.make_unsigned(letter_spec(sktm, values, rows, number_of(sktm, "001")))
    assert len(pages(issued.pdf_bytes)) == len(texts)


def test_the_watermark_is_large_diagonal_and_see_through(kit: Kit) -> None:
    values, rows = formatted(TYPES[0])
    pdf = DraftMaker.for_settings(kit.settings).make(letter_spec(TYPES[0], values, rows, "X/\u2026/BT")).pdf_bytes
    page = pdfium.PdfDocument(pdf)[0]
    text = page.get_textpage()
    found = text.search("DRAF", match_case=True).get_next()
    assert found is not None
    boxes = [text.get_charbox(i) for i in range(found[0], found[0] + found[1])]
    width, height = page.get_size()
    # The four letters climb from bottom left to top right over most of the page.
    assert boxes[-1][0] - boxes[0][0] > width / 3 and boxes[-1][1] - boxes[0][1] > height / 3
    assert b"/ca .2" in pdf or b"/ca 0.2" in pdf  # a fill alpha of 0.2 (reportlab's ExtGState)


def test_the_draft_qr_names_no_letter_and_carries_no_seal(kit: Kit) -> None:
    values, rows = formatted(TYPES[0])
    draft = DraftMaker.for_settings(kit.settings).make(letter_spec(TYPES[0], values, rows, "X/\u2026/BT"))
    (url,) = qr_texts(draft.pdf_bytes)
    assert url == draft.qr_url == draft_qr_url(PUBLIC_URL)
    public_id = url.split("#")[0].rsplit("/v/", 1)[1]
    assert PUBLIC_ID_RE.fullmatch(public_id) is None  # no letter has, or can have, this id
    with pytest.raises(SealFormatError):
        parse_seal(seal_from_url(url))
    assert "BUKAN-SURAT-SAH" in url


def test_the_draft_is_not_signed_and_names_no_number(kit: Kit) -> None:
    """A draft maker holds no seal key and no signer: it has only the paper and the public URL."""
    values, rows = formatted(TYPES[0])
    draft = DraftMaker("A4", PUBLIC_URL).make(letter_spec(TYPES[0], values, rows, "X/\u2026/BT"))
    report = kit.validator.validate(draft.pdf_bytes)
    assert not report.signed and not report.ok
    assert report.number == "DRAF"  # the /Subject an upload check reads a letter's number from
