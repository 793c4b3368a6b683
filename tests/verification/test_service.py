"""The public verification service, end to end: issue, scan the QR from the rendered PDF,
open the decoded URL against the running app."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from flows.definitions import LetterTypeDef
from tests.support.letter_samples import letter_types
from tests.support.letters import HOLDER, NIK, qr_texts
from tests.support.verification import Service
from verification.records import LetterStatus
from verification.seal import public_keys, seal_from_url, verify_seal

TYPES = letter_types()
JSON = {"Accept": "application/json"}


def with_seal(url: str) -> str:
    """What the page's script does: the seal in the fragment moves into ?s=."""
    return url.split("#", 1)[0] + "?" + urlencode({"s": seal_from_url(url)})


def assert_private(html: str) -> None:
    assert NIK not in html
    assert HOLDER not in html and " ".join(HOLDER.split()[:2]) not in html
    assert HOLDER.title() not in html


@pytest.mark.parametrize("defn", TYPES, ids=[t.code for t in TYPES])
def test_scanned_qr_of_every_type_answers_asli_and_the_json_matches(service: Service, defn: LetterTypeDef) -> None:
    issued = service.issue(defn)
    (url,) = qr_texts(issued.pdf_bytes)
    assert url == issued.qr_url

    page = httpx.get(url)
    assert page.status_code == 200 and "ASLI" in page.text
    assert_private(page.text)

    data = httpx.get(url, headers=JSON).json()
    inp = issued.spec
    assert data["status"] == "ASLI" and data["status_code"] == "valid"
    assert data["letter"] == {
        "public_id": issued.public_id, "number": inp.number, "type": defn.code, "type_title": defn.title,
        "kelurahan": "Bukit Tunggal", "kecamatan": "Jekan Raya", "issued_on": "2026-11-22",
        "valid_until": inp.valid_until.isoformat() if inp.valid_until else None, "expired": False,
        "signatory_name": inp.letterhead.signatory_name, "signatory_title": "Lurah Bukit Tunggal",
        "issuer": "Kelurahan Bukit Tunggal, Kecamatan Jekan Raya", "signature_kind": "segel_esurat",
        "signature": "Segel elektronik e-Surat (tanda tangan elektronik tidak tersertifikasi, PP 71/2019)",
        "holder_name": "SITI A***", "nik": "6271********0001",
        "subject_label": "Nama pemohon", "subject_name": None,  # issue #11: whose letter (see test_subjects)
    }
    assert data["seal"]["presented"] is False

    checked = httpx.get(with_seal(url), headers=JSON).json()
    assert checked["status"] == "ASLI" and checked["seal"]["valid"] is True
    assert checked["seal"]["key_id"] == issued.key_id


def test_the_qr_alone_verifies_offline_with_the_published_keys(service: Service) -> None:
    issued = service.issue(TYPES[0])
    (url,) = qr_texts(issued.pdf_bytes)
    keys = public_keys(httpx.get(f"{service.base_url}/.well-known/esurat-keys.json").json())
    sealed = verify_seal(seal_from_url(url), keys.get).fields
    inp = issued.spec
    code = inp.letter_type.code.upper().replace("_", "-")
    assert (sealed.number, sealed.letter_type, sealed.kelurahan) == (inp.number, code, "BUKIT-TUNGGAL")
    assert (sealed.issued_on, sealed.valid_until) == (inp.issued_on, inp.valid_until)
    assert (sealed.holder_name_masked, sealed.nik_masked) == ("SITI A***", "6271********0001")


def _flip(text: str, index: int) -> str:
    ch = text[index]
    new = "7" if ch.isdigit() and ch != "7" else ("3" if ch.isdigit() else ("Q" if ch != "Q" else "R"))
    return text[:index] + new + text[index + 1:]


@pytest.mark.parametrize("where", ["signature", "digest", "number", "name", "nik", "issue date", "kid"])
def test_one_changed_character_of_the_seal_gives_tidak_valid(service: Service, where: str) -> None:
    issued = service.issue(TYPES[0])
    seal = seal_from_url(qr_texts(issued.pdf_bytes)[0])
    index = {
        "signature": len(seal) - 40, "digest": len(seal) - 155 - 30, "number": seal.index("/0") + 2,
        "name": seal.index("SITI") + 1, "nik": seal.index("6271*") + 2, "issue date": len(seal) - 249 + 7,
        "kid": 5,
    }[where]
    tampered = _flip(seal, index)
    assert tampered != seal
    url = f"{service.base_url}/v/{issued.public_id}"
    data = httpx.get(url, params={"s": tampered}, headers=JSON).json()
    assert data["status"] == "TIDAK VALID" and data["seal"]["valid"] is False
    page = httpx.get(url, params={"s": tampered})
    assert "TIDAK VALID" in page.text and "ASLI" not in page.text.replace("keaslian", "").replace("Keaslian", "")


def test_a_genuine_seal_of_another_letter_gives_tidak_valid(service: Service) -> None:
    first, second = service.issue(TYPES[0]), service.issue(TYPES[0])
    data = httpx.get(f"{service.base_url}/v/{second.public_id}", params={"s": first.seal}, headers=JSON).json()
    assert data["status"] == "TIDAK VALID"
    assert "tidak cocok" in data["seal"]["message"]


def test_a_revoked_letter_gives_dicabut_with_reason_and_date(service: Service) -> None:
    issued = service.issue(TYPES[0])
    record = service.records[issued.public_id]
    revoked_at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    service.source.add(dataclasses.replace(record, status=LetterStatus.REVOKED, revoked_reason="Data pemohon keliru",
                                           revoked_at=revoked_at))
    url = qr_texts(issued.pdf_bytes)[0]
    page = httpx.get(with_seal(url))
    assert "DICABUT" in page.text and "Data pemohon keliru" in page.text and "1 Desember 2026" in page.text
    assert_private(page.text)
    data = httpx.get(url, headers=JSON).json()
    assert data["status"] == "DICABUT"
    assert data["revocation"] == {"reason": "Data pemohon keliru", "revoked_at": revoked_at.isoformat()}


def test_unknown_and_malformed_ids_get_the_same_answer(service: Service) -> None:
    answers = []
    for public_id in ["ABCDEFGHIJKLMNOPQRSTUVWXYZ", "1", "A" * 200, "%3Cscript%3E", "abcdefghijklmnopqrstuvwxyz"]:
        page = httpx.get(f"{service.base_url}/v/{public_id}")
        data = httpx.get(f"{service.base_url}/v/{public_id}", headers=JSON)
        assert page.status_code == data.status_code == 404
        assert "TIDAK DITEMUKAN" in page.text
        answers.append((page.text, data.text))
    assert len(set(answers)) == 1
    assert httpx.get(f"{service.base_url}/v/ABCDEFGHIJKLMNOPQRSTUVWXYZ/check").status_code == 405


def test_the_uploaded_pdf_is_checked_byte_for_byte_and_by_its_pades_signature(service: Service) -> None:
    issued = service.issue(TYPES[0])
    url = f"{service.base_url}/v/{issued.public_id}/check"
    same = httpx.post(url, files={"pdf": ("surat.pdf", issued.pdf_bytes, "application/pdf")}, headers=JSON).json()
    assert same["status"] == "ASLI"
    assert same["upload"]["identical"] is True and same["upload"]["pades"]["ok"] is True
    assert same["upload"]["verdict"] == "SAMA"

    changed = bytearray(issued.pdf_bytes)
    at = issued.pdf_bytes.index(b"stream") + 40  # a byte inside the first content stream
    changed[at] ^= 0x01
    result = httpx.post(url, files={"pdf": ("surat.pdf", bytes(changed), "application/pdf")}, headers=JSON).json()
    assert result["upload"]["identical"] is False
    assert result["upload"]["pades"]["intact"] is False and result["upload"]["pades"]["ok"] is False
    assert result["upload"]["verdict"] == "BERBEDA"

    page = httpx.post(url, files={"pdf": ("surat.pdf", bytes(changed), "application/pdf")})
    assert "BERBEDA dari surat yang diterbitkan" in page.text and "RUSAK atau tidak sah" in page.text
    assert_private(page.text)


def test_a_pdf_signed_by_another_ca_is_not_trusted(service: Service, tmp_path: Path) -> None:
    from tests.support.letters import make_kit

    foreign = make_kit(tmp_path).maker.make(service.issue(TYPES[0]).spec).pdf_bytes
    report = service.kit.validator.validate(foreign)
    assert report.signed and report.intact and not report.trusted and not report.ok


def test_keys_rotate_and_old_letters_still_verify(service: Service) -> None:
    old = service.issue(TYPES[0])
    new_key = service.kit.keystore.rotate()
    new = service.issue(TYPES[0])
    assert new.key_id == new_key.kid != old.key_id
    keys = httpx.get(f"{service.base_url}/.well-known/esurat-keys.json").json()["keys"]
    status = {k["kid"]: k["status"] for k in keys}
    assert status[new.key_id] == "active" and status[old.key_id] == "retired"
    for letter in (old, new):
        data = httpx.get(f"{service.base_url}/v/{letter.public_id}", params={"s": letter.seal}, headers=JSON).json()
        assert data["status"] == "ASLI" and data["seal"]["valid"] is True


def test_the_page_is_self_contained_and_locked_down(service: Service) -> None:
    issued = service.issue(TYPES[0])
    page = httpx.get(f"{service.base_url}/v/{issued.public_id}")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "http://" not in page.text.replace(service.base_url, "") and "https://" not in page.text
    assert 'name="viewport"' in page.text
