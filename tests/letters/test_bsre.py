"""Certified signatures through BSrE (`letters/bsre.py`) against a fake BSrE server on loopback
(`tests/fakes/bsre_api.py`), the whole service on both databases: approval -> the fake signs -> the signed PDF
is stored -> the letter is issued and delivered; pyHanko sees the BSrE signature. A wrong passphrase, an
expired certificate and the service being down each leave the request approved with its number, tell the
officials (their moderation chat) once, and succeed on retry: one letter, one number."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import func, select, update

from bot.composition import Services, build_services
from config.settings import BsreSettings, HttpSettings, Settings, StorageSettings
from db.models import AuditEvent, FollowUp, Letter, LetterRequest, OutboxMessage, Staff
from tests.fakes.bsre_api import BSRE_ORG, FakeBsre, served_bsre
from tests.support.lifecycle import FixedClock, make_resident

FIELDS = {"nama": "Siti Aminah", "nik": "6271034507900001", "alamat": "Jl. G. Obos XII No. 5",
          "keperluan": "Pendaftaran beasiswa anak", "tanggungan": []}


@pytest.fixture
def bsre(tmp_path: Path) -> Iterator[tuple[FakeBsre, str]]:
    with served_bsre(tmp_path / "bsre-pki") as running:
        yield running


@pytest.fixture
async def services(bsre: tuple[FakeBsre, str], db_url: str, tmp_path: Path) -> AsyncIterator[Services]:
    fake, url = bsre
    settings = Settings(
        http=HttpSettings(public_url="http://testserver"), demo=True, _env_file=None,
        storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url),
        bsre=BsreSettings(base_url=url, client_id=fake.client[0], client_secret=fake.client[1],
                          kelurahan=["bukit-tunggal"], nik=fake.nik, passphrase="rahasia-lurah",
                          trust_roots=[fake.pki[2]]),
    )
    made = build_services(settings, clock=FixedClock())
    yield made
    await made.aclose()


async def approved(services: Services) -> LetterRequest:
    resident = await make_resident(services.sessions, external_id="demo-warga")
    req = await services.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                              fields=dict(FIELDS))
    async with services.sessions.begin() as s:
        staff = Staff(kelurahan_id=req.kelurahan_id, name="Petugas", role="lurah")
        s.add(staff)
    await services.moderation.act(req.id, staff, "approve")
    async with services.sessions() as s:
        fresh = await s.get(LetterRequest, req.id)
    assert fresh is not None and fresh.status == "approved" and fresh.number
    return fresh


async def due_now(services: Services) -> None:
    """The retries are due (the fixed clock does not move past their backoff)."""
    async with services.sessions.begin() as s:
        await s.execute(update(FollowUp).values(next_attempt_at=FixedClock()()))


async def state(services: Services, req: LetterRequest) -> tuple[str, str | None, int]:
    async with services.sessions() as s:
        now = await s.get(LetterRequest, req.id)
        letters = await s.scalar(select(func.count()).select_from(Letter).where(Letter.request_id == req.id))
    assert now is not None
    return now.status, now.number, int(letters or 0)


async def told(services: Services) -> list[str]:
    async with services.sessions() as s:
        rows = await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id.like("%moderasi%")
                                                           | OutboxMessage.chat_id.like("%bukit-tunggal%")))
        return [r.payload.get("text", "") for r in rows if "belum dapat ditandatangani" in r.payload.get("text", "")]


async def test_approval_signed_by_bsre_is_issued_and_delivered(services: Services,
                                                               bsre: tuple[FakeBsre, str]) -> None:
    fake, _ = bsre
    req = await approved(services)
    await services.follow_ups.run_once()
    assert await state(services, req) == ("issued", req.number, 1) and fake.signed == 1
    async with services.sessions() as s:
        letter = await s.scalar(select(Letter).where(Letter.request_id == req.id))
        delivered = await s.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == "demo-warga",
                                                               OutboxMessage.payload["type"].as_string() == "document"))
    assert letter is not None and delivered is not None
    pdf = services.issuing.pdf_path(letter).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == letter.pdf_sha256
    reader = PdfFileReader(io.BytesIO(pdf))
    [signature] = reader.embedded_signatures
    assert signature.field_name == "BSrE"
    subject = signature.signer_cert.subject.native
    assert subject["organization_name"] == BSRE_ORG and subject["common_name"] == "LURAH BUKIT TUNGGAL (UJI)"
    x1, y1, x2, y2 = (float(v) for v in signature.sig_field["/Rect"])
    assert abs(x2 - x1 - 204.1) < 1.5 and abs(y2 - y1 - 39.7) < 1.5  # the signature block's space: 72 x 14 mm
    assert 300 < x1 < x2 <= 595 and 0 < y1 < 500  # right of the QR, in the lower half of the A4 page
    assert [c["kind"] for c in fake.calls] == ["sign"]
    report = await asyncio.to_thread(services.pades.validate, pdf)  # /v/{id}/check trusts BSrE's root
    assert report.ok and report.signer and "LURAH BUKIT TUNGGAL" in report.signer


@pytest.mark.parametrize("fault", ["passphrase", "certificate", "unavailable"])
async def test_a_bsre_error_keeps_the_approval_tells_the_officials_and_succeeds_on_retry(
        services: Services, bsre: tuple[FakeBsre, str], fault: str) -> None:
    fake, _ = bsre
    if fault == "passphrase":
        fake.passphrase = "yang-lain"
    elif fault == "certificate":
        fake.status = "EXPIRED"
    else:
        fake.down = 1000
    req = await approved(services)
    for _ in range(3):  # the follow-up and two retries (the clock does not move: run them as due)
        await due_now(services)
        await services.follow_ups.run_once()
    assert await state(services, req) == ("approved", req.number, 0)  # approved, its number kept, no letter
    messages = await told(services)
    assert len(messages) == 1 and req.code in messages[0], messages  # told once, not at every retry
    expected = {"passphrase": "Passphrase", "certificate": "kedaluwarsa", "unavailable": "tidak dapat dihubungi"}
    assert expected[fault] in messages[0] and "nomornya tidak berubah" in messages[0]
    async with services.sessions() as s:
        audit = list(await s.scalars(select(AuditEvent.detail).where(AuditEvent.request_id == req.id,
                                                                      AuditEvent.action == "signing_failed")))
    assert audit == [fault]

    fake.passphrase, fake.status, fake.down = "rahasia-lurah", "ISSUE", 0  # fixed: the next retry signs
    await due_now(services)
    await services.follow_ups.run_once()
    assert await state(services, req) == ("issued", req.number, 1)  # one letter, the same number
    assert fake.signed == 1
