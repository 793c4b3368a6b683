"""Issuing letters of every type: the PDF reads like a kelurahan letter, its QR decodes
to the sealed URL, its PAdES signature validates against the kelurahan CA."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

from flows.definitions import LetterTypeDef
from letters.making import render_draft
from letters.qr import MAX_VERSION
from tests.support.letter_samples import formatted, letter_types
from tests.support.letters import (
    HOLDER,
    ISSUED_AT,
    LETTERHEAD,
    NIK,
    Kit,
    letter_spec,
    make_kit,
    pdf_text,
    qr_texts,
)
from verification.records import PUBLIC_ID_RE

TYPES = letter_types()


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    return make_kit(tmp_path_factory.mktemp("issue"))


@pytest.mark.parametrize("defn", TYPES, ids=[t.code for t in TYPES])
def test_every_type_issues_a_sealed_signed_letter(kit: Kit, defn: LetterTypeDef) -> None:
    values, rows = formatted(defn)
    issued = kit.maker.make(letter_spec(defn, values, rows, f"{defn.classification_code}/017/BT/XI/2026"))

    assert qr_texts(issued.pdf_bytes) == [issued.qr_url]
    assert issued.qr_version <= MAX_VERSION
    assert PUBLIC_ID_RE.fullmatch(issued.public_id)
    assert issued.qr_url.startswith(f"{kit.settings.http.public_url}/v/{issued.public_id}#ES1")
    text = pdf_text(issued.pdf_bytes)
    for expected in (
        "PEMERINTAH KOTA PALANGKA RAYA", "KECAMATAN JEKAN RAYA", "KELURAHAN BUKIT TUNGGAL",
        defn.template.title.upper(), f"Nomor: {defn.classification_code}/017/BT/XI/2026",
        "Palangka Raya, 22 November 2026", "Lurah Bukit Tunggal", LETTERHEAD.signatory_name,
        f"NIP. {LETTERHEAD.signatory_nip}", "Pindai untuk memeriksa keaslian surat ini",
        *([HOLDER, NIK] if {"nama", "nik"} <= set(defn.template.identity) else []),
    ):
        assert expected in text, expected
    report = kit.validator.validate(issued.pdf_bytes)
    assert report.ok, report.detail
    assert "Bukit Tunggal" in (report.signer or "")


def test_sktm_lists_dependants_purpose_and_validity(kit: Kit) -> None:
    defn = next(t for t in TYPES if t.template.table is not None)
    values, rows = formatted(defn, dependants=3)
    issued = kit.maker.make(letter_spec(defn, values, rows, "400.12.2.2/018/BT/XI/2026"))
    text = pdf_text(issued.pdf_bytes)
    table, purpose_field = defn.template.table, defn.template.purpose_field
    assert table is not None and purpose_field is not None
    for column in table.columns:
        assert column.label in text
    assert all(row["nama"] in text for row in rows)
    purpose = values[purpose_field]
    assert f"Surat keterangan ini diberikan untuk keperluan: {purpose}" in text
    if defn.template.validity_days:
        assert "berlaku sampai dengan" in text


def test_resident_text_is_printed_literally_never_as_markup(kit: Kit) -> None:
    defn = next(t for t in TYPES if t.code == "sktm")
    name = "<b>Budi</b> & Sons <font size=40>"
    values, rows = formatted(defn, nama=name, alamat="Jl. <i>Tjilik</i> Riwut &amp; Km 5 </para>",
                             no_pengantar_rt="<u>12</u>/RT&RW {kota}", keperluan="<b>beasiswa</b> & <br/> lain")
    issued = kit.maker.make(letter_spec(defn, values, rows, "400.12.2.2/019/BT/XI/2026", holder=name))
    text = " ".join(pdf_text(issued.pdf_bytes).split())
    for literal in (name, "Jl. <i>Tjilik</i> Riwut &amp; Km 5 </para>", "<u>12</u>/RT&RW {kota}",
                    "<b>beasiswa</b> & <br/> lain"):
        assert literal in text, literal


def test_long_values_wrap_and_a_long_table_repeats_its_header_on_the_next_page(kit: Kit) -> None:
    defn = next(t for t in TYPES if t.template.table is not None)
    table = defn.template.table
    assert table is not None
    group = next(g for g in defn.groups if g.name == table.group)
    long_address = "Jalan Tjilik Riwut Kilometer Tujuh Setengah Gang Mawar Merah Nomor Seratus Dua Puluh " * 3
    values, rows = formatted(defn, dependants=group.max_items, alamat=long_address)
    rows = rows * 3  # more rows than fit one page
    issued = kit.maker.make(letter_spec(defn, values, rows, "400.12.2.2/020/BT/XI/2026"))
    doc = pdfium.PdfDocument(issued.pdf_bytes)
    assert len(doc) >= 2
    page1, page2 = (doc[i].get_textpage().get_text_range() for i in (0, 1))
    header = table.columns[-1].label
    assert header in page1 and header in page2
    assert "Lanjutan Surat Nomor: 400.12.2.2/020/BT/XI/2026" in page2
    assert " ".join(long_address.split()) in " ".join(page1.split())
    width = doc[0].get_size()[0]
    for obj in doc[0].get_objects():  # nothing runs off the page
        left, _, right, _ = obj.get_bounds()
        assert 0 <= left and right <= width
    assert qr_texts(issued.pdf_bytes, page=len(doc) - 1) == [issued.qr_url]


def test_f4_paper(tmp_path: Path) -> None:
    kit = make_kit(tmp_path, paper="F4")
    values, rows = formatted(TYPES[0])
    issued = kit.maker.make(letter_spec(TYPES[0], values, rows, "400.12.2.2/021/BT/XI/2026"))
    w, h = pdfium.PdfDocument(issued.pdf_bytes)[0].get_size()
    assert (round(w / 72 * 25.4), round(h / 72 * 25.4)) == (215, 330)
    assert qr_texts(issued.pdf_bytes) == [issued.qr_url]


def test_delegated_signatory_signs_on_behalf_of_the_lurah(tmp_path: Path) -> None:
    from dataclasses import replace

    kit = make_kit(tmp_path)
    head = replace(LETTERHEAD, delegated=True, signatory_position="Sekretaris Kelurahan")
    values, rows = formatted(TYPES[0])
    issued = kit.maker.make(letter_spec(TYPES[0], values, rows, "400.12.2.2/022/BT/XI/2026", head=head))
    text = pdf_text(issued.pdf_bytes)
    assert "a.n. Lurah Bukit Tunggal" in text and "Sekretaris Kelurahan" in text


def test_a_draft_has_no_qr_and_no_number() -> None:
    values, rows = formatted(TYPES[0])
    pdf = render_draft(TYPES[0], LETTERHEAD, values, rows, ISSUED_AT.date())
    assert qr_texts(pdf) == []
    text = pdf_text(pdf)
    assert "DRAF" in text and "Pindai untuk memeriksa" not in text and "Nomor: -" in text


def test_secrets_live_under_the_data_dir_with_private_modes(kit: Kit) -> None:
    kit.keystore.active()
    kit.ca.signer("bukit-tunggal")
    data = kit.settings.storage.data_dir
    private = [*data.glob("keys/seal-*.json"), data / "pki" / "ca.key.pem", *data.glob("pki/kelurahan/*.key.pem")]
    assert len(private) >= 3
    for path in private:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path


def test_qr_decodes_at_150_dpi_whatever_the_letter(kit: Kit) -> None:
    """Different numbers, dependants and lengths move and change the QR; it must still decode."""
    failures = []
    for defn in TYPES:
        for n in range(3):
            values, rows = formatted(defn, dependants=n)
            number = f"{defn.classification_code}/{n}{n}{n}/BT/XI/2026"
            letter = kit.maker.make_unsigned(letter_spec(defn, values, rows, number))
            if qr_texts(letter.pdf_bytes) != [letter.qr_url]:
                failures.append((defn.code, n))
    assert failures == []


def test_the_coat_of_arms_sits_left_of_the_letterhead(tmp_path: Path) -> None:
    from dataclasses import replace

    from PIL import Image

    logo = tmp_path / "lambang.png"
    Image.new("RGB", (220, 260), (200, 30, 30)).save(logo)
    values, rows = formatted(TYPES[0])
    pdf = render_draft(TYPES[0], replace(LETTERHEAD, logo_path=logo), values, rows, ISSUED_AT.date())
    page = pdfium.PdfDocument(pdf)[0]
    images = [o for o in page.get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    assert len(images) == 1
    left, _, right, top = images[0].get_bounds()
    assert right < page.get_size()[0] / 3 and top > page.get_size()[1] * 0.85
    assert "KELURAHAN BUKIT TUNGGAL" in pdf_text(pdf)


def test_justified_text_wraps_within_the_width_and_splits_between_lines() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from letters.flowables import JustifiedText
    from letters.fonts import STANDARD
    from letters.styles import styles_for

    BODY_J = styles_for(STANDARD).BODY_J  # noqa: N806
    text = "Kelurahan Bukit Tunggal menerangkan bahwa " * 40
    para = JustifiedText(text, BODY_J)
    _, height = para.wrap(400, 10_000)
    lines = para._lines or []
    assert len(lines) > 5 and height == len(lines) * BODY_J.leading
    assert all(stringWidth(line, BODY_J.fontName, BODY_J.fontSize) <= 400 for line in lines)
    assert " ".join(lines) == " ".join(text.split())
    head, tail = para.split(400, 3.5 * BODY_J.leading)
    assert (head._lines, tail._lines) == (lines[:3], lines[3:])
    assert para.split(400, 10_000) == []


def test_a_letter_whose_qr_edge_also_reads_as_a_micro_qr_gives_one_url() -> None:
    """A letter seen failing at 150 dpi: its QR decoded right, but a few modules near its edge also read as a
    Micro QR code ("050"); the letters' reader asks for full-size QR codes only."""
    data = Path(__file__).parent / "data"
    pdf, url = (data / "phantom_micro_qr.pdf").read_bytes(), (data / "phantom_micro_qr.txt").read_text()
    image = pdfium.PdfDocument(pdf)[0].render(scale=150 / 72).to_pil()
    every_kind = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    assert url in [b.text for b in every_kind]
    assert qr_texts(pdf) == [url]
