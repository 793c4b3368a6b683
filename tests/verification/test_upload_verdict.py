"""After an upload the banner carries the uploaded file's verdict: the document in hand is what counts
(issue #11: an altered PDF under a big green ASLI; another genuine letter shown as ASLI)."""

from __future__ import annotations

import re

import httpx

from tests.support.letter_samples import letter_types
from tests.support.verification import Service

TYPES = letter_types()
JSON = {"Accept": "application/json"}
BANNER = re.compile(r'<section class="banner ([a-z_]+)"[^>]*>(.*?)</section>', re.S)


def upload(service: Service, public_id: str, content: bytes, name: str = "surat.pdf", *, json: bool = False,
           ) -> httpx.Response:
    return httpx.post(f"{service.base_url}/v/{public_id}/check", files={"pdf": (name, content, "application/pdf")},
                      headers=JSON if json else {})


def banner(html: str) -> tuple[str, str]:
    """The banner's colour class and its text (tags removed)."""
    match = BANNER.search(html)
    assert match is not None, html
    return match.group(1), " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def altered(pdf: bytes) -> bytes:
    changed = bytearray(pdf)
    changed[pdf.index(b"stream") + 40] ^= 0x01  # a byte inside the first content stream
    return bytes(changed)


def test_an_altered_pdf_turns_the_banner_red_with_berbeda(service: Service) -> None:
    issued = service.issue(TYPES[0])
    kind, text = banner(upload(service, issued.public_id, altered(issued.pdf_bytes)).text)
    assert kind == "altered" and text.startswith("BERBEDA")
    assert f"BERBEDA dari surat nomor {issued.spec.number} yang terdaftar" in text and "ASLI" not in text
    data = upload(service, issued.public_id, altered(issued.pdf_bytes), json=True).json()
    assert data["status"] == "BERBEDA" and data["letter_status"] == "ASLI"
    assert data["upload"]["verdict"] == "BERBEDA"


def test_the_genuine_pdf_keeps_asli(service: Service) -> None:
    issued = service.issue(TYPES[0])
    kind, text = banner(upload(service, issued.public_id, issued.pdf_bytes).text)
    assert kind == "valid" and text.startswith("ASLI")


def test_another_genuine_letter_says_it_is_another_letter_and_links_it(service: Service) -> None:
    first, second = service.issue(TYPES[0]), service.issue(TYPES[0])
    page = upload(service, second.public_id, first.pdf_bytes)
    kind, text = banner(page.text)
    assert kind == "other_letter" and text.startswith("SURAT LAIN")
    assert f"nomor {first.spec.number}" in text and f"BUKAN surat nomor {second.spec.number}" in text
    assert f'href="/v/{first.public_id}"' in page.text
    data = upload(service, second.public_id, first.pdf_bytes, json=True).json()
    assert data["status"] == "SURAT LAIN"
    assert data["upload"]["other_letter"] == {"number": first.spec.number, "public_id": first.public_id}


def test_a_text_file_is_not_a_pdf(service: Service) -> None:
    issued = service.issue(TYPES[0])
    kind, text = banner(upload(service, issued.public_id, b"Surat ini asli, percayalah.\n", "surat.txt").text)
    assert kind == "not_pdf" and text.startswith("BUKAN PDF") and "bukan berkas PDF" in text
    data = upload(service, issued.public_id, b"hello", json=True).json()
    assert data["status"] == "BUKAN PDF" and data["upload"]["pades"] is None


def test_a_damaged_pdf_cannot_be_read(service: Service) -> None:
    issued = service.issue(TYPES[0])
    kind, text = banner(upload(service, issued.public_id, issued.pdf_bytes[:4000]).text)
    assert kind == "unreadable" and text.startswith("TIDAK TERBACA") and "tidak dapat dibaca" in text
