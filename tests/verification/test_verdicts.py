"""Every verdict of the verification page, on the page and in its JSON, over the database (both backends):
ASLI, DICABUT, TIDAK VALID, TIDAK DITEMUKAN, KEDALUWARSA (the injected clock past the validity end), DIGANTI
(re-issued, naming the replacement); the page says who issued and signed it and how; the PDF check names the
PAdES signer and whether the file changed since it was signed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.directory import add_staff
from db.models import Letter, Resident, Staff
from lifecycle.actors import Actor
from lifecycle.errors import DomainError
from tests.support.issuing import CATALOGUE, IssuingStack, issuing_stack
from tests.support.letter_samples import stored_fields
from tests.support.letters import qr_texts
from tests.support.lifecycle import FixedClock
from verification.seal import seal_from_url

JSON = {"Accept": "application/json"}


@pytest.fixture
async def stack(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> AsyncIterator[IssuingStack]:
    made = issuing_stack(sessions, tmp_path, FixedClock(datetime(2026, 11, 22, 3, 0, tzinfo=UTC)))
    yield made
    await made.aclose()


async def issue(stack: IssuingStack, staff: Staff, chat: str) -> Letter:
    clock = stack.lifecycle.clock
    async with stack.lifecycle.sessions.begin() as s:
        resident = Resident(channel="telegram", external_id=chat, profile={}, created_at=clock())
        s.add(resident)
        await s.flush()
    req = await stack.lifecycle.submit_new(Actor.resident(resident.id), kelurahan_slug="bukit-tunggal",
                                           letter_type="sktm", fields=stored_fields(CATALOGUE["sktm"]))
    await stack.lifecycle.approve(req.id, Actor.staff(staff.id, staff.kelurahan_id, staff.name))
    assert isinstance(clock, FixedClock)
    clock.now += timedelta(minutes=1)
    return await stack.issuing.issue(req.id)


async def both(client: httpx.AsyncClient, path: str, **params: str) -> tuple[str, dict[str, Any]]:
    page = await client.get(path, params=params)
    data = await client.get(path, params=params, headers=JSON)
    assert page.status_code in (200, 404) and data.status_code == page.status_code
    return page.text, data.json()


async def test_every_verdict_on_the_page_and_in_the_json(stack: IssuingStack) -> None:
    staff = await add_staff(stack.lifecycle.sessions, "bukit-tunggal", name="Rina", role="lurah")
    first, second, third = [await issue(stack, staff, chat) for chat in ("1", "2", "3")]
    [url] = qr_texts(stack.issuing.pdf_path(first).read_bytes())
    client = stack.client

    page, data = await both(client, f"/v/{first.public_id}", s=seal_from_url(url))
    assert data["status"] == "ASLI" and "ASLI" in page
    letter = data["letter"]
    assert letter["issuer"] == "Kelurahan Bukit Tunggal, Kecamatan Jekan Raya" and letter["signatory_title"]
    assert letter["signature_kind"] == "segel_esurat" and "Segel elektronik e-Surat" in page
    assert "Diterbitkan oleh" in page and "Jenis tanda tangan" in page

    tampered = seal_from_url(url)[:-6] + ("A" if seal_from_url(url)[-6] != "A" else "B") + seal_from_url(url)[-5:]
    page, data = await both(client, f"/v/{first.public_id}", s=tampered)
    assert data["status"] == "TIDAK VALID" and "TIDAK VALID" in page

    page, data = await both(client, "/v/" + "A" * 26)
    assert data["status"] == "TIDAK DITEMUKAN" and "TIDAK DITEMUKAN" in page

    await stack.issuing.revoke(second.number, Actor.operator("rina"), "Data pemohon tidak benar")
    page, data = await both(client, f"/v/{second.public_id}")
    assert data["status"] == "DICABUT" and "DICABUT" in page and data["revocation"]["reason"]

    await stack.issuing.supersede(first.number, third.number, Actor.operator("rina"))
    page, data = await both(client, f"/v/{first.public_id}")
    assert data["status"] == "DIGANTI" and data["status_code"] == "superseded"
    assert data["replacement"]["number"] == third.number and f"Nomor {third.number}" in page and "DIGANTI" in page
    page, data = await both(client, f"/v/{third.public_id}")
    assert data["status"] == "ASLI" and data["replacement"] is None

    assert third.valid_until is not None
    clock = stack.lifecycle.clock
    assert isinstance(clock, FixedClock)
    clock.now = datetime.combine(third.valid_until, datetime.min.time(), UTC) + timedelta(days=1, hours=1)
    page, data = await both(client, f"/v/{third.public_id}")
    assert data["status"] == "KEDALUWARSA" and data["status_code"] == "expired" and data["letter"]["expired"]
    assert "KEDALUWARSA" in page and "Masa berlaku surat ini telah berakhir" in page


async def test_supersede_refuses_what_is_not_a_reissue(stack: IssuingStack) -> None:
    staff = await add_staff(stack.lifecycle.sessions, "bukit-tunggal", name="Rina", role="lurah")
    first, second = await issue(stack, staff, "1"), await issue(stack, staff, "2")
    with pytest.raises(DomainError):
        await stack.issuing.supersede(second.number, first.number, Actor.operator("rina"))  # the older one
    with pytest.raises(DomainError):
        await stack.issuing.supersede(first.number, first.number, Actor.operator("rina"))
    await stack.issuing.supersede(first.number, second.number, Actor.operator("rina"))
    with pytest.raises(DomainError):
        await stack.issuing.supersede(first.number, second.number, Actor.operator("rina"))  # once


async def test_the_pdf_check_names_the_signer_and_whether_it_changed(stack: IssuingStack) -> None:
    staff = await add_staff(stack.lifecycle.sessions, "bukit-tunggal", name="Rina", role="lurah")
    letter = await issue(stack, staff, "1")
    pdf = stack.issuing.pdf_path(letter).read_bytes()
    path = f"/v/{letter.public_id}/check"
    same = (await stack.client.post(path, files={"pdf": ("s.pdf", pdf)}, headers=JSON)).json()["upload"]
    assert same["pades"]["signer"] and "Bukit Tunggal" in same["pades"]["signer"]
    assert same["pades"]["changed_since_signing"] is False
    changed = pdf + b"\n1 0 obj\n<< /Changed true >>\nendobj\n"  # something added after the signature
    after = await stack.client.post(path, files={"pdf": ("s.pdf", changed)})
    data = (await stack.client.post(path, files={"pdf": ("s.pdf", changed)}, headers=JSON)).json()["upload"]
    assert data["pades"]["changed_since_signing"] is True and data["pades"]["signer"]
    assert "Sejak ditandatangani" in after.text and "BERUBAH" in after.text and "Ditandatangani oleh" in after.text


async def test_a_check_does_not_wait_for_a_writer(stack: IssuingStack) -> None:
    """The lookup is a read: on SQLite a plain BEGIN, so it answers while another transaction holds the write
    lock (a chat's update in progress), instead of queueing behind it."""
    import asyncio

    from sqlalchemy import update

    from db.models import Kelurahan
    from verification.db_source import DbRecordSource

    staff = await add_staff(stack.lifecycle.sessions, "bukit-tunggal", name="Rina", role="lurah")
    letter = await issue(stack, staff, "1")
    sessions = stack.lifecycle.sessions
    source = DbRecordSource(sessions, {"sktm": "SKTM"})
    async with sessions.begin() as writer:
        await writer.execute(update(Kelurahan).where(Kelurahan.slug == "menteng").values(phone="0536 1"))
        record = await asyncio.wait_for(source.get_by_public_id(letter.public_id), timeout=5)
    assert record is not None and record.number == letter.number
