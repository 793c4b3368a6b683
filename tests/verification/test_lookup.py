"""What a verifier can do when the QR says nothing: look a letter up by number and issue date, and
whom to ask (issue #11: TIDAK DITEMUKAN offered no next step)."""

from __future__ import annotations

import httpx

from tests.support.letter_samples import letter_types
from tests.support.letters import ISSUED_AT
from tests.support.verification import Service
from verification.records import KelurahanContact

TYPES = letter_types()
JSON = {"Accept": "application/json"}
DAY = ISSUED_AT.date().isoformat()  # 10:00 WIB on the same day
CONTACT = KelurahanContact("BT", "Bukit Tunggal", "Jekan Raya", "Jl. RTA Milono Km 3", "(0536) 3221234")


def find(service: Service, number: str, day: str, *, json: bool = False, follow: bool = False) -> httpx.Response:
    return httpx.get(f"{service.base_url}/v", params={"nomor": number, "tanggal": day},
                     headers=JSON if json else {}, follow_redirects=follow)


def test_exact_number_and_date_open_the_letters_page(service: Service) -> None:
    issued = service.issue(TYPES[0])
    found = find(service, issued.spec.number, DAY)
    assert found.status_code == 303 and found.headers["location"] == f"/v/{issued.public_id}"
    page = find(service, f"  {issued.spec.number} ", "22 November 2026", follow=True)
    assert page.status_code == 200 and issued.spec.number in page.text and "ASLI" in page.text


def test_a_wrong_date_answers_exactly_like_an_unknown_number(service: Service) -> None:
    issued = service.issue(TYPES[0])
    unknown = issued.spec.number.replace(issued.spec.number.split("/")[1], "999")  # same kelurahan: same contact
    wrong_date = find(service, issued.spec.number, "2026-11-23")
    nowhere = find(service, unknown, "2026-11-23")
    assert wrong_date.status_code == nowhere.status_code == 404
    assert "Tidak ada surat dengan nomor dan tanggal terbit itu" in wrong_date.text
    def typed_back(text: str) -> str:  # the number typed back into the form (and an example that may equal it)
        return text.replace(issued.spec.number, "N").replace(unknown, "N")

    assert typed_back(wrong_date.text) == typed_back(nowhere.text)
    wrong_json = find(service, issued.spec.number, "2026-11-23", json=True).json()
    assert wrong_json == find(service, unknown, "2026-11-23", json=True).json()
    assert find(service, issued.spec.number, "").status_code == 404


def test_not_found_offers_the_lookup_form_and_the_contact(service: Service) -> None:
    page = httpx.get(f"{service.base_url}/v/ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert page.status_code == 404
    assert '<form class="card" method="get" action="/v">' in page.text and 'name="tanggal"' in page.text
    assert "Hubungi kantor kelurahan yang menerbitkan surat" in page.text and "Kota Palangka Raya" in page.text

    service.source.contacts[:] = [CONTACT]
    try:
        page = find(service, "400.12.2.2/999/BT/XI/2026", DAY)
        assert page.status_code == 404
        assert "Kantor Kelurahan Bukit Tunggal" in page.text
        assert CONTACT.address in page.text and CONTACT.phone in page.text
        data = find(service, "400.12.2.2/999/BT/XI/2026", DAY, json=True).json()
        assert data["contact"]["phone"] == CONTACT.phone
    finally:
        service.source.contacts.clear()
