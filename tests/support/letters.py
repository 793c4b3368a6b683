"""Shared by the letters and verification tests: settings, letter maker, sample specs, QR reading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import zxingcpp

from config.settings import HttpSettings, Settings, StorageSettings
from flows.definitions import LetterTypeDef
from letters.letterhead import Letterhead
from letters.making import LetterMaker, LetterSpec
from letters.pki import LocalCA
from letters.signing import LocalCASigner
from verification.keys import KeyStore
from verification.pades import PadesValidator

PUBLIC_URL = "https://esurat.palangkaraya.go.id"
ISSUED_AT = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 10:00 WIB
HOLDER = "SITI AMINAH BINTI ABDULLAH"
NIK = "6271035205900001"
LETTERHEAD = Letterhead(
    kecamatan="Jekan Raya", kelurahan="Bukit Tunggal", kelurahan_slug="bukit-tunggal",
    address="Jl. Contoh Alamat No. 1 (DATA CONTOH)", phone="(0536) 000000", email="contoh@example.go.id",
    postal_code="73112", signatory_name="CONTOH NAMA LURAH, S.STP", signatory_rank="Penata Tk. I (III/d)",
    signatory_nip="198001012005011001",
)


@dataclass
class Kit:
    settings: Settings
    keystore: KeyStore
    ca: LocalCA
    maker: LetterMaker
    validator: PadesValidator


def make_kit(tmp_path: Path, paper: str = "A4", public_url: str = PUBLIC_URL) -> Kit:
    settings = Settings(storage=StorageSettings(data_dir=tmp_path), http=HttpSettings(public_url=public_url),
                        paper=paper, _env_file=None)
    keystore = KeyStore(settings.storage.keys_dir)
    ca = LocalCA(settings.storage.data_dir / "pki")
    maker = LetterMaker(settings, keystore, LocalCASigner(ca))
    return Kit(settings, keystore, ca, maker, PadesValidator([ca.ca().cert]))


def letter_spec(defn: LetterTypeDef, values: dict[str, str], rows: list[dict[str, str]], number: str,
                *, holder: str = HOLDER, head: Letterhead = LETTERHEAD) -> LetterSpec:
    return LetterSpec(defn, head, values, rows, number, ISSUED_AT, holder, NIK)


# Letters carry a full-size (model 2) QR code. zxing-cpp 3's `QRCode` names the whole family, Micro QR
# included, and about one letter in 3,000 has a run of modules near its edge that also reads as a tiny
# Micro QR code (a few digits) beside the real one (tests/letters/data/phantom_micro_qr.pdf).
PLAIN_QR = getattr(zxingcpp.BarcodeFormat, "QRCodeModel2", zxingcpp.BarcodeFormat.QRCode)


def qr_texts_in(image: Any) -> list[str]:
    """Every full-size QR code in a PIL image, decoded with zxing-cpp."""
    return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(PLAIN_QR))]


def qr_texts(pdf: bytes, page: int = 0) -> list[str]:
    """Render a page at 150 dpi with pdfium and decode every QR code on it with zxing-cpp."""
    return qr_texts_in(pdfium.PdfDocument(pdf)[page].render(scale=150 / 72).to_pil())


def pdf_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
