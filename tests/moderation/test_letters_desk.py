"""The staff desk's letters (`moderation.letters.LetterDesk`), on both databases, with real issued letters:
search of the own kelurahan only, the PDF, revocation seen by the verification page, resending through
the outbox; staff of another kelurahan get nothing, whatever letter id they try."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.directory import add_staff
from db.models import AuditEvent, Letter, OutboxMessage, Resident, Staff
from db.outbound import DocumentOut, parse_outbound
from flows import load_catalogue
from lifecycle.actors import Actor
from lifecycle.errors import IllegalTransition, NotAuthorized, ReasonRequired
from lifecycle.issuing import Issuing
from lifecycle.service import RequestLifecycle
from moderation.letters import LetterDesk, ResendRefused, ShownStatus
from moderation.service import ModerationService
from tests.support.issuing import issuing_stack
from tests.support.letter_samples import stored_fields
from tests.support.lifecycle import FixedClock, deactivate, kelurahan

CATALOGUE = load_catalogue()
NIK_SITI, NIK_BUDI = "6271034507900001", "6271031203850002"


@dataclass
class Desk:
    desk: LetterDesk
    lifecycle: RequestLifecycle
    issuing: Issuing
    clock: FixedClock
    sessions: async_sessionmaker[AsyncSession]
    staff_a: Staff
    staff_b: Staff
    client: httpx.AsyncClient


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> AsyncIterator[Desk]:
    clock = FixedClock(datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    stack = issuing_stack(sessions, tmp_path, clock)
    desk = LetterDesk(ModerationService(sessions, stack.lifecycle, CATALOGUE), stack.issuing, clock=clock)
    staff_a = await add_staff(sessions, "bukit-tunggal", name="Rina", role="operator")
    staff_b = await add_staff(sessions, "menteng", name="Dedi", role="operator")
    yield Desk(desk, stack.lifecycle, stack.issuing, clock, sessions, staff_a, staff_b, stack.client)
    await stack.aclose()


async def issue(w: Desk, name: str, nik: str, *, slug: str = "bukit-tunggal", channel: str = "telegram",
                chat: str = "1001", letter_type: str = "sktm") -> Letter:
    """An issued letter of a new resident (on `channel`, chat `chat`) of kelurahan `slug`."""
    async with w.sessions.begin() as s:
        resident = Resident(channel=channel, external_id=chat, profile={}, created_at=w.clock())
        s.add(resident)
        await s.flush()
    kel = await kelurahan(w.sessions, slug)
    fields = stored_fields(CATALOGUE[letter_type]) | {"nama": name, "nik": nik}
    req = await w.lifecycle.submit_new(Actor.resident(resident.id), kelurahan_slug=slug, letter_type=letter_type,
                                       fields=fields)
    approver = w.staff_a if w.staff_a.kelurahan_id == kel.id else w.staff_b
    await w.lifecycle.approve(req.id, Actor.staff(approver.id, kel.id, approver.name))
    w.clock.now += timedelta(minutes=1)
    return await w.issuing.issue(req.id)


async def outbox(w: Desk) -> list[OutboxMessage]:
    async with w.sessions() as s:
        return list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_search_by_number_name_and_nik_of_the_own_kelurahan(world: Desk) -> None:
    w = world
    siti = await issue(w, "Siti Aminah", NIK_SITI, chat="1")
    budi = await issue(w, "Budi Santoso", NIK_BUDI, chat="2", letter_type="sku")
    await issue(w, "Siti Rahmawati", "6271030000000003", slug="menteng", chat="3")

    (hit,) = await w.desk.search(w.staff_a, siti.number)
    assert (hit.letter_id, hit.number, hit.holder_name) == (siti.id, siti.number, "Siti Aminah")
    assert hit.type_title == CATALOGUE["sktm"].title and hit.status is ShownStatus.VALID
    assert hit.issued_on.isoformat() == "2026-11-22" and hit.nik_masked == "6271********0001"
    prefix = siti.number.rsplit("/", 3)[0]  # "400.12.2.2/001"
    assert [h.letter_id for h in await w.desk.search(w.staff_a, prefix)] == [siti.id]
    assert {h.letter_id for h in await w.desk.search(w.staff_a, "/".join(budi.number.split("/")[:1]))} == {budi.id}

    assert [h.letter_id for h in await w.desk.search(w.staff_a, "siti")] == [siti.id]  # not Menteng's Siti
    assert [h.letter_id for h in await w.desk.search(w.staff_a, "  SANTOSO ")] == [budi.id]
    assert [h.letter_id for h in await w.desk.search(w.staff_a, "")] == [budi.id, siti.id]  # newest first
    assert await w.desk.search(w.staff_a, "100%_") == []  # LIKE characters are text, in a number
    assert await w.desk.search(w.staff_a, "_%") == []  # and in a name

    (by_nik,) = await w.desk.search(w.staff_a, "6271 0312 0385 0002")
    assert by_nik.letter_id == budi.id and by_nik.nik_masked == "6271********0002"
    assert NIK_BUDI not in repr(by_nik)
    assert await w.desk.search(w.staff_a, "6271030000000003") == []  # Menteng's holder


async def test_staff_of_another_kelurahan_find_nothing_and_may_not_act(world: Desk) -> None:
    w = world
    letter = await issue(w, "Siti Aminah", NIK_SITI)
    assert await w.desk.search(w.staff_b, letter.number) == []
    assert await w.desk.search(w.staff_b, "siti") == []
    assert await w.desk.search(w.staff_b, NIK_SITI) == []
    with pytest.raises(NotAuthorized):
        await w.desk.letter_pdf(w.staff_b, letter.id)
    with pytest.raises(NotAuthorized):
        await w.desk.revoke(w.staff_b, letter.id, "Data tidak benar")
    with pytest.raises(NotAuthorized):
        await w.desk.resend(w.staff_b, letter.id)
    with pytest.raises(NotAuthorized):
        await w.desk.letter_pdf(w.staff_a, letter.id + 1000)  # no such letter: the same answer
    assert await outbox(w) == []
    await deactivate(w.sessions, w.staff_a.id)
    with pytest.raises(NotAuthorized):
        await w.desk.letter_pdf(w.staff_a, letter.id)
    with pytest.raises(NotAuthorized):
        await w.desk.search(w.staff_a, letter.number)


async def test_the_pdf_is_the_issued_one(world: Desk) -> None:
    w = world
    letter = await issue(w, "Siti Aminah", NIK_SITI)
    pdf = await w.desk.letter_pdf(w.staff_a, letter.id)
    assert pdf.startswith(b"%PDF") and pdf == w.issuing.pdf_path(letter).read_bytes()


async def test_revoke_needs_a_reason_then_the_verification_page_says_dicabut(world: Desk) -> None:
    w = world
    letter = await issue(w, "Siti Aminah", NIK_SITI)
    with pytest.raises(ReasonRequired):
        await w.desk.revoke(w.staff_a, letter.id, "  ")
    assert (await w.client.get(f"/v/{letter.public_id}", headers={"Accept": "application/json"})
            ).json()["status"] == "ASLI"

    revoked = await w.desk.revoke(w.staff_a, letter.id, "Data pemohon tidak benar")
    assert revoked.status == "revoked" and revoked.revoked_reason == "Data pemohon tidak benar"
    page = await w.client.get(f"/v/{letter.public_id}")
    assert "DICABUT" in page.text and "Data pemohon tidak benar" in page.text
    async with w.sessions() as s:
        event = await s.scalar(select(AuditEvent).where(AuditEvent.action == "revoke"))
    assert event is not None and event.actor == f"staff:{w.staff_a.id}"
    (hit,) = await w.desk.search(w.staff_a, letter.number)
    assert hit.status is ShownStatus.REVOKED
    with pytest.raises(IllegalTransition, match="sudah dicabut"):
        await w.desk.revoke(w.staff_a, letter.id, "Sekali lagi")


async def test_resend_goes_once_to_the_residents_own_chat_and_not_twice_within_a_minute(world: Desk) -> None:
    w = world
    letter = await issue(w, "Siti Aminah", NIK_SITI, channel="whatsapp", chat="6281200000009")
    await w.desk.resend(w.staff_a, letter.id)
    (row,) = await outbox(w)
    assert (row.channel, row.chat_id) == ("whatsapp", "6281200000009")
    message = parse_outbound(row.payload)
    assert isinstance(message, DocumentOut)
    assert message.letter_id == letter.id and message.path == letter.pdf_path and letter.number in message.caption
    assert message.notice is not None and message.notice.event == "issue" and message.notice.number == letter.number

    w.clock.now += timedelta(seconds=59)
    with pytest.raises(ResendRefused, match="baru saja dikirim ulang"):
        await w.desk.resend(w.staff_a, letter.id)
    assert len(await outbox(w)) == 1
    w.clock.now += timedelta(seconds=2)
    await w.desk.resend(w.staff_a, letter.id)
    assert len(await outbox(w)) == 2
    async with w.sessions() as s:
        actors = list(await s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "resend")))
    assert actors == [f"staff:{w.staff_a.id}"] * 2


async def test_a_revoked_letter_is_not_resent(world: Desk) -> None:
    w = world
    letter = await issue(w, "Siti Aminah", NIK_SITI)
    await w.desk.revoke(w.staff_a, letter.id, "Data pemohon tidak benar")
    with pytest.raises(ResendRefused, match="dicabut"):
        await w.desk.resend(w.staff_a, letter.id)
    assert await outbox(w) == []


async def test_a_letter_past_its_validity_shows_expired(world: Desk) -> None:
    w = world
    letter = await issue(w, "Siti Aminah", NIK_SITI)
    assert letter.valid_until is not None
    w.clock.now = datetime.combine(letter.valid_until + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    (hit,) = await w.desk.search(w.staff_a, "aminah")
    assert hit.status is ShownStatus.EXPIRED


async def test_two_resends_at_once_give_one_message(world: Desk) -> None:
    w = world
    letter = await issue(w, "Siti Aminah", NIK_SITI)
    results = await asyncio.gather(w.desk.resend(w.staff_a, letter.id), w.desk.resend(w.staff_a, letter.id),
                                   return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["NoneType", "ResendRefused"]
    assert len(await outbox(w)) == 1
