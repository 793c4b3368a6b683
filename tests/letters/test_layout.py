"""The worst case fits: longest realistic names and addresses, ten dependants, a long letterhead
and signatory; every character stays inside the page's text block, the letterhead's address is
readable (>= 8 pt), the Lurah's name is not smaller than the rank and NIP."""

from __future__ import annotations

from dataclasses import replace

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from reportlab.lib.units import mm

from letters.making import render_draft
from tests.support.letter_samples import formatted, letter_types
from tests.support.letters import ISSUED_AT, LETTERHEAD

HEAD = replace(
    LETTERHEAD, address="Jl. Tjilik Riwut Km 5,5 No. 123 Kompleks Perkantoran Pemerintah Kota",
    phone="(0536) 3221234 / 0812 5555 6666", email="kelurahan.bukittunggal@palangkaraya.go.id",
    website="https://bukittunggal.palangkaraya.go.id", postal_code="73112",
    signatory_name="Dr. H. MUHAMMAD RIZKY SYAHPUTRA FIRDAUS ABDULLAH, S.STP., M.Si.",
    signatory_rank="Pembina Utama Muda Tingkat I (IV/c)",
)
LONG_NAME = "Raden Ajeng Siti Nurhaliza Kusumawardhani Purnamasari Binti Abdurrahman Wahid Hasyim"
LONG_PLACE = "Kabupaten Kotawaringin Timur Sampit"
LONG_ADDRESS = "Jalan Tjilik Riwut Kilometer Tujuh Setengah Gang Mawar Merah Nomor 120 Kompleks Perumahan Griya"
LEFT, RIGHT = 25 * mm, 20 * mm  # the letter's margins


def _chars(pdf: bytes) -> list[tuple[int, str, float, tuple[float, float, float, float]]]:
    """(page, character, font size, box) of every printed character."""
    doc, out = pdfium.PdfDocument(pdf), []
    for p in range(len(doc)):
        text = doc[p].get_textpage()
        for i in range(text.count_chars()):
            ch = text.get_text_range(i, 1)
            if ch.strip():
                out.append((p, ch, pdfium_c.FPDFText_GetFontSize(text.raw, i), text.get_charbox(i)))
    return out


def _worst_case() -> tuple[bytes, float]:
    sktm = next(t for t in letter_types() if t.code == "sktm")
    values, rows = formatted(sktm, dependants=10, nama=LONG_NAME, alamat=LONG_ADDRESS, tempat_lahir=LONG_PLACE)
    rows = [r | {"nama": LONG_NAME, "ttl": f"{LONG_PLACE}, 30 September 2012", "hubungan": "Saudara Kandung"}
            for r in rows]
    pdf = render_draft(sktm, HEAD, values, rows, ISSUED_AT.date())
    return pdf, pdfium.PdfDocument(pdf)[0].get_size()[0]


def test_every_character_of_the_worst_case_stays_inside_the_text_block() -> None:
    pdf, width = _worst_case()
    outside = [(p, ch, box) for p, ch, size, box in _chars(pdf)
               if size < 40 and (box[0] < LEFT - 1 or box[2] > width - RIGHT + 1)]  # not the DRAF watermark
    assert not outside, outside[:10]


def _spans(text: pdfium.PdfTextPage, label: str) -> list[tuple[float, float, float]]:
    """(left, right, bottom) of every occurrence of `label` on the page."""
    out, search = [], text.search(label, match_case=True)
    while (found := search.get_next()) is not None:
        boxes = [text.get_charbox(i) for i in range(found[0], found[0] + found[1])]
        out.append((min(b[0] for b in boxes), max(b[2] for b in boxes), min(b[1] for b in boxes)))
    return out


def test_table_headers_do_not_collide() -> None:
    pdf, _ = _worst_case()
    text = pdfium.PdfDocument(pdf)[0].get_textpage()
    (_, _, line), = _spans(text, "Hubungan")  # only the table's header says it
    spans = [next(s for s in _spans(text, label) if abs(s[2] - line) < 14)
             for label in ("Nama", "NIK", "L/P", "Tempat/Tgl.", "Hubungan")]
    for (_, right, _), (left, _, _) in zip(spans, spans[1:], strict=False):
        assert right + 4 < left, spans


def test_the_letterhead_address_is_readable_and_the_name_not_smaller_than_the_rank() -> None:
    pdf, _ = _worst_case()
    chars = _chars(pdf)
    text = "".join(ch for _, ch, _, _ in chars)

    def sizes(needle: str) -> list[float]:
        squeezed = "".join(needle.split())
        start = text.find(squeezed)
        assert start >= 0, needle
        return [size for _, _, size, _ in chars[start:start + len(squeezed)]]

    assert min(sizes(HEAD.address)) >= 8
    assert min(sizes(HEAD.email)) >= 8
    name = min(sizes(HEAD.signatory_name))
    assert name >= max(sizes(HEAD.signatory_rank)) and name >= max(sizes(HEAD.signatory_nip))
