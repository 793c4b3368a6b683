"""OutboxNotifier on its own: the outbox rows each lifecycle event writes, in the event's
transaction (resident text per event, the letter on issue, a moderation card on the first
submission and card updates after it, the web card only in demo mode)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.webchat.http import MODERATION_CHAT
from db.directory import update_kelurahan
from db.identities import moderation_chats
from db.models import Kelurahan, Letter, LetterRequest, ModerationPost, OutboxMessage, Resident
from lifecycle.actors import Actor
from lifecycle.notifications import ModerationTargets, OutboxNotifier, RevisionHook
from lifecycle.service import RequestLifecycle
from lifecycle.transitions import Event, Status
from tests.support.lifecycle import CLASSIFICATION, FixedClock, make_resident, make_staff

GROUP = -1001234567
WEB_CARDS = MODERATION_CHAT.format(slug="bukit-tunggal")
TITLES = {"sktm": "Surat Keterangan Tidak Mampu"}
FIELDS = {"nama": "Siti Aminah", "alamat": "Jl. G. Obos XII No. 5"}
Row = tuple[str, str, dict[str, Any]]


def targets(demo: bool) -> ModerationTargets:
    """The moderation chats the composition root would list: the web chat's staff pane (only in demo mode),
    then the kelurahan's Telegram groups."""

    async def find(session: AsyncSession, kel: Kelurahan) -> list[tuple[str, str]]:
        web = [("web", MODERATION_CHAT.format(slug=kel.slug))] if demo else []
        return web + [("telegram", chat) for chat in await moderation_chats(session, kel.id, "telegram")]

    return find


def lifecycle_with(sessions: async_sessionmaker[AsyncSession], *, demo: bool = False,
                   on_revision: RevisionHook | None = None) -> RequestLifecycle:
    clock = FixedClock()
    notifier = OutboxNotifier(TITLES, clock, on_revision=on_revision, moderation_targets=targets(demo))
    return RequestLifecycle(sessions, classification=CLASSIFICATION, clock=clock, notify=notifier)


async def with_group(sessions: async_sessionmaker[AsyncSession]) -> None:
    await update_kelurahan(sessions, "bukit-tunggal", telegram_chat_id=GROUP)


async def rows_after(sessions: async_sessionmaker[AsyncSession], after: int = 0) -> list[Row]:
    async with sessions() as s:
        found = await s.scalars(select(OutboxMessage).where(OutboxMessage.id > after).order_by(OutboxMessage.id))
        return [(r.channel, r.chat_id, r.payload) for r in found]


async def last_row_id(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as s:
        ids = await s.scalars(select(OutboxMessage.id))
        return max([0, *ids.all()])


async def posts(sessions: async_sessionmaker[AsyncSession], request_id: int) -> list[tuple[str, str]]:
    async with sessions() as s:
        found = await s.scalars(select(ModerationPost).where(ModerationPost.request_id == request_id)
                                .order_by(ModerationPost.id))
        return [(p.channel, p.chat_id) for p in found]


async def submitted(lifecycle: RequestLifecycle, sessions: async_sessionmaker[AsyncSession]
                    ) -> tuple[LetterRequest, Actor, Actor]:
    resident = await make_resident(sessions, external_id="1001")
    staff = await make_staff(sessions)
    req = await lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm", fields=FIELDS)
    return req, resident, staff


async def test_submit_tells_the_resident_and_posts_a_card_to_the_group(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await with_group(sessions)
    req, _, _ = await submitted(lifecycle_with(sessions), sessions)
    (text, card) = await rows_after(sessions)
    assert text[:2] == ("telegram", "1001") and text[2]["type"] == "text"
    assert "Surat Keterangan Tidak Mampu" in text[2]["text"] and req.code in text[2]["text"]
    assert "telah diterima" in text[2]["text"]
    assert text[2]["notice"] == {"event": "submit", "code": req.code, "title": "Surat Keterangan Tidak Mampu",
                                 "number": "", "detail": ""}
    assert card[:2] == ("telegram", str(GROUP))
    assert card[2]["type"] == "moderation_card" and card[2]["request_id"] == req.id
    assert await posts(sessions, req.id) == [("telegram", str(GROUP))]
    async with sessions() as s:
        post_id = await s.scalar(select(ModerationPost.id).where(ModerationPost.request_id == req.id))
    assert card[2]["post_id"] == post_id


async def test_without_a_moderation_chat_only_the_resident_is_told(sessions: async_sessionmaker[AsyncSession]) -> None:
    req, _, _ = await submitted(lifecycle_with(sessions), sessions)
    assert [(c, chat, p["type"]) for c, chat, p in await rows_after(sessions)] == [("telegram", "1001", "text")]
    assert await posts(sessions, req.id) == []


async def test_the_web_card_is_posted_only_in_demo_mode(sessions: async_sessionmaker[AsyncSession]) -> None:
    await with_group(sessions)
    req, _, _ = await submitted(lifecycle_with(sessions, demo=True), sessions)
    cards = [(c, chat) for c, chat, p in await rows_after(sessions) if p["type"] == "moderation_card"]
    assert cards == [("web", WEB_CARDS), ("telegram", str(GROUP))]
    assert await posts(sessions, req.id) == [("web", WEB_CARDS), ("telegram", str(GROUP))]


@pytest.mark.parametrize(("event", "expected"), [
    ("reject", "DITOLAK.\nAlasan: Data tidak lengkap"),
    ("request_revision", "Petugas meminta perbaikan"),
    ("approve", "DISETUJUI. Nomor surat: 400.12.2.2/001/BT/XI/2026"),
    ("cancel", "telah dibatalkan"),
])
async def test_each_later_event_texts_the_resident_and_updates_every_card(
    sessions: async_sessionmaker[AsyncSession], event: str, expected: str,
) -> None:
    await with_group(sessions)
    lifecycle = lifecycle_with(sessions, demo=True)
    req, resident, staff = await submitted(lifecycle, sessions)
    before = await last_row_id(sessions)
    if event == "reject":
        await lifecycle.reject(req.id, staff, "Data tidak lengkap")
    elif event == "request_revision":
        await lifecycle.request_revision(req.id, staff, "Alamat kurang lengkap", ["alamat"])
    elif event == "approve":
        await lifecycle.approve(req.id, staff)
    else:
        await lifecycle.cancel(req.id, resident)
    text, *updates = await rows_after(sessions, before)
    assert text[:2] == ("telegram", "1001") and expected in text[2]["text"] and req.code in text[2]["text"]
    assert text[2]["notice"]["event"] == event and text[2]["notice"]["code"] == req.code
    assert [(c, chat) for c, chat, _ in updates] == [("web", WEB_CARDS), ("telegram", str(GROUP))]
    assert all(p["type"] == "card_update" and p["event"] == event and p["request_id"] == req.id
               for _, _, p in updates)
    assert len(await posts(sessions, req.id)) == 2  # no new card


async def test_a_resubmission_updates_the_card_instead_of_posting_another(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await with_group(sessions)
    lifecycle = lifecycle_with(sessions)
    req, resident, staff = await submitted(lifecycle, sessions)
    await lifecycle.request_revision(req.id, staff, "Alamat kurang lengkap", ["alamat"])
    before = await last_row_id(sessions)
    await lifecycle.resubmit(req.id, resident, fields={**FIELDS, "alamat": "Jl. G. Obos XII No. 5A"})
    text, update = await rows_after(sessions, before)
    assert "telah diterima" in text[2]["text"]
    assert update[:2] == ("telegram", str(GROUP)) and update[2]["type"] == "card_update"
    assert update[2]["event"] == "submit"
    assert await posts(sessions, req.id) == [("telegram", str(GROUP))]


async def test_a_revision_hook_tells_the_resident_instead_of_the_plain_text(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await with_group(sessions)
    calls: list[tuple[int, int, Status]] = []

    async def hook(session: AsyncSession, req: LetterRequest, resident: Resident) -> None:
        calls.append((req.id, resident.id, Status(req.status)))

    lifecycle = lifecycle_with(sessions, on_revision=hook)
    req, resident, staff = await submitted(lifecycle, sessions)
    before = await last_row_id(sessions)
    await lifecycle.request_revision(req.id, staff, "Alamat kurang lengkap", ["alamat"])
    assert calls == [(req.id, resident.id, Status.NEEDS_REVISION)]
    assert [p["type"] for _, _, p in await rows_after(sessions, before)] == ["card_update"]


async def issue(lifecycle: RequestLifecycle, sessions: async_sessionmaker[AsyncSession], request_id: int) -> Letter:
    """Store a letter row for the approved request and apply ISSUE (what `lifecycle.issuing` does after the PDF)."""
    clock = FixedClock()
    async with sessions.begin() as s:
        req = await s.get(LetterRequest, request_id)
        assert req is not None and req.number
        letter = Letter(
            request_id=req.id, number=req.number, public_id="A" * 26, letter_type=req.letter_type,
            kelurahan_id=req.kelurahan_id, issued_at=clock(), pdf_path="2026/AAAA.pdf", pdf_sha256="0" * 64,
            seal="ES1:test", key_id="k1", holder_name_masked="SITI A***", nik_masked="6271********0001",
            signatory_name="Lurah", signatory_title="Lurah",
        )
        s.add(letter)
        await s.flush()
        await lifecycle.apply_in(s, req, Event.ISSUE, Actor.system())
        return letter


async def test_issue_sends_the_letter_and_revoke_tells_why(sessions: async_sessionmaker[AsyncSession]) -> None:
    await with_group(sessions)
    lifecycle = lifecycle_with(sessions)
    req, _, staff = await submitted(lifecycle, sessions)
    await lifecycle.approve(req.id, staff)
    before = await last_row_id(sessions)
    letter = await issue(lifecycle, sessions, req.id)
    document, update = await rows_after(sessions, before)
    assert document[:2] == ("telegram", "1001")
    assert document[2] == {
        "type": "document", "letter_id": letter.id, "path": "2026/AAAA.pdf", "filename": f"sktm-{req.code}.pdf",
        "caption": f"Surat Keterangan Tidak Mampu Anda telah terbit. Nomor: {letter.number}. "
                   "Keaslian surat dapat diperiksa dengan memindai kode QR pada surat.",
        "notice": {"event": "issue", "code": req.code, "title": "Surat Keterangan Tidak Mampu",
                   "number": letter.number, "detail": ""},
    }
    assert update[2]["type"] == "card_update" and update[2]["event"] == "issue"

    before = await last_row_id(sessions)
    async with sessions.begin() as s:
        row = await s.get(LetterRequest, req.id)
        assert row is not None
        await lifecycle.apply_in(s, row, Event.REVOKE, Actor.system(), reason="Data palsu")
    text, update = await rows_after(sessions, before)
    assert f"Surat nomor {letter.number} (Surat Keterangan Tidak Mampu) telah DICABUT" in text[2]["text"]
    assert "Alasan: Data palsu" in text[2]["text"] and update[2]["event"] == "revoke"
    assert text[2]["notice"] == {"event": "revoke", "code": req.code, "title": "Surat Keterangan Tidak Mampu",
                                 "number": letter.number, "detail": "Data palsu"}


async def test_the_rows_are_written_in_the_transitions_transaction(sessions: async_sessionmaker[AsyncSession]) -> None:
    await with_group(sessions)
    lifecycle = lifecycle_with(sessions)
    req, _, staff = await submitted(lifecycle, sessions)
    before = await last_row_id(sessions)
    with pytest.raises(RuntimeError):
        async with sessions.begin() as s:
            await lifecycle.reject(req.id, staff, "Data tidak lengkap", session=s)
            raise RuntimeError("the caller failed after the decision")
    assert await rows_after(sessions, before) == []
