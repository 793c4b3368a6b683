"""`data saya` and `hapus data saya` on the whole service (fake Telegram, SQLite and PostgreSQL): what is
shown, what is deleted (profile, consent, drafts, uploads of finished requests, the chat's delivered
messages), what is kept (issued letters for the archive; requests under review, with their uploads)."""

from __future__ import annotations

from sqlalchemy import func, select

from db.integrity import check_files
from db.models import Attachment, Conversation, Letter, LetterRequest, OutboxMessage, Resident, SkmResponse
from tests.support.flows import ANSWERS
from tests.support.telegram import RESIDENT_ID, World, submitted_request


async def another_request(world: World) -> LetterRequest:
    """A second SKTM request of the same resident, from the saved profile."""
    resident = world.resident()
    await resident.text("/start")
    await resident.text("bukit tunggal")
    await resident.press("sktm")
    await resident.press("lanjut")
    await resident.fill(dependants=0)
    await resident.press("kirim")
    async with world.services.sessions() as s:
        req = await s.scalar(select(LetterRequest).order_by(LetterRequest.id.desc()).limit(1))
    assert req is not None and req.status == "submitted"
    return req


async def attachments_of(world: World, request_id: int) -> list[Attachment]:
    async with world.services.sessions() as s:
        return list(await s.scalars(select(Attachment).where(Attachment.request_id == request_id)))


def replies(world: World) -> str:
    return "\n".join(world.tg.messages_to(RESIDENT_ID)[-3:])


async def test_data_saya_then_hapus_data_saya_keeps_the_archive_and_requests_under_review(
    token_world: World,
) -> None:
    world, resident = token_world, token_world.resident()
    uploads_dir = world.services.settings.storage.uploads_dir
    issued = await submitted_request(world)
    await world.staff().press(issued.code, "approve")
    pending = await another_request(world)
    [shared] = {a.path for a in await attachments_of(world, issued.id)}  # the same photo each time
    assert {a.path for a in await attachments_of(world, pending.id)} == {shared}

    await resident.text("data saya")
    shown = replies(world)
    assert "Data Anda yang kami simpan" in shown and "NIK: 6271********0001" in shown
    assert ANSWERS["nik"] not in shown and ANSWERS["no_kk"] not in shown
    assert f"{pending.code} SKTM: Menunggu pemeriksaan petugas" in shown and "berkas tersimpan" in shown
    assert "Surat telah terbit" in shown and "dihapus otomatis 30 hari" in shown

    async with world.services.sessions.begin() as s:  # a survey answer with a comment that names someone
        s.add(SkmResponse(request_id=issued.id, kelurahan_id=issued.kelurahan_id, letter_type="sktm", u1=4, u3=3,
                          comment="Terima kasih Bu Rina", answered_at=world.services.clock()))

    await resident.text("/hapusdatasaya")
    assert "Ketik YA untuk menghapus" in world.tg.messages_to(RESIDENT_ID)[-1]
    await resident.text("ya")
    told = replies(world)
    async with world.services.sessions() as s:
        letter = await s.scalar(select(Letter).where(Letter.request_id == issued.id))
        row = await s.scalar(select(Resident).where(Resident.external_id == str(RESIDENT_ID)))
        conv = await s.get(Conversation, ("telegram", str(RESIDENT_ID)))
        delivered = await s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.chat_id == str(RESIDENT_ID), OutboxMessage.status == "sent"))
    assert letter is not None and row is not None and conv is not None
    assert "Data Anda telah dihapus" in told and letter.number in told and "arsip kelurahan" in told
    assert pending.code in told and "masih diproses" in told
    assert row.profile == {} and row.consent_at is None and row.display_name == ""
    assert conv.state["consent"] is False and conv.state["step"] == "idle"
    assert delivered == 1  # only the answer itself: the chat's earlier messages are gone
    assert all(a.deleted_at is not None and a.deleted_reason == "resident"
               for a in await attachments_of(world, issued.id))
    assert all(a.deleted_at is None for a in await attachments_of(world, pending.id))
    assert (uploads_dir / shared).is_file()  # still needed by the request under review
    assert world.services.issuing.pdf_path(letter).is_file()  # the archive
    async with world.services.sessions() as s:
        answer = await s.scalar(select(SkmResponse).where(SkmResponse.request_id == issued.id))
    assert answer is not None and answer.comment is None and (answer.u1, answer.u3) == (4, 3)  # scores: anonymous
    report = await check_files(world.services.sessions, world.services.settings.storage.letters_dir, uploads_dir)
    assert report.ok and report.deleted == 3

    # Once the request under review is decided, asking again deletes its uploads too.
    await world.staff().press(pending.code, "reject")
    await world.staff().reply_to_prompt("Pengantar RT tidak terbaca")
    await resident.text("hapus data saya")
    await resident.press("ya")
    last = world.tg.messages_to(RESIDENT_ID)[-1]
    assert "Data Anda telah dihapus" in last and "masih diproses" not in last
    assert all(a.deleted_at is not None for a in await attachments_of(world, pending.id))
    assert not (uploads_dir / shared).exists()
    async with world.services.sessions() as s:
        rejected = await s.get(LetterRequest, pending.id)
        kept = await s.get(LetterRequest, issued.id)
    assert rejected is not None and rejected.fields == {} and rejected.status == "rejected"
    assert kept is not None and kept.fields["nik"] == ANSWERS["nik"]  # the issued letter's request: archive

    await resident.text("/start")  # consent is asked again
    assert "Apakah Anda menyetujui" in world.tg.messages_to(RESIDENT_ID)[-1]
    async with world.services.sessions() as s:
        row = await s.scalar(select(Resident).where(Resident.external_id == str(RESIDENT_ID)))
    assert row is not None and row.consent_at is None and row.display_name == ""  # nothing kept before consent
    await resident.press("ya")
    async with world.services.sessions() as s:
        row = await s.scalar(select(Resident).where(Resident.external_id == str(RESIDENT_ID)))
    assert row is not None and row.consent_at is not None  # recorded at once, before any question is answered
    await resident.text("data saya")
    assert "tidak menyimpan data diri" in replies(world)
