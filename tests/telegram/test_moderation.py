"""Staff decisions in the Telegram group: rejection with a reason, the correction loop, and
buttons pressed by someone who is not registered staff of that kelurahan."""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import AuditEvent, LetterRequest
from tests.support.telegram import GROUP, RESIDENT_ID, World, submitted_request


async def status_of(world: World, request_id: int) -> LetterRequest:
    async with world.services.sessions() as s:
        row = await s.get(LetterRequest, request_id)
    assert row is not None
    return row


async def test_rejection_with_reason_reaches_the_resident(world: World) -> None:
    req = await submitted_request(world)
    staff = world.staff()
    await staff.press(req.code, "reject")
    assert "alasan penolakan" in world.tg.messages_to(GROUP)[-1]
    await staff.reply_to_prompt("Surat pengantar RT tidak terbaca")
    row = await status_of(world, req.id)
    assert row.status == "rejected" and row.reason == "Surat pengantar RT tidak terbaca"
    last = world.tg.messages_to(RESIDENT_ID)[-1]
    assert "DITOLAK" in last and "Surat pengantar RT tidak terbaca" in last
    card = staff.card(req.code)
    assert "DITOLAK" in card["text"] and not (card.get("reply_markup") or {}).get("inline_keyboard")


async def test_correction_loop_then_approval(world: World) -> None:
    req = await submitted_request(world)
    staff = world.staff()
    await staff.press(req.code, "revise")
    await staff.reply_to_prompt("Alamat kurang lengkap, mohon tulis jalan dan nomor rumah")
    row = await status_of(world, req.id)
    assert row.status == "needs_revision" and row.fields_to_fix == ["alamat"]
    told = "\n".join(world.tg.messages_to(RESIDENT_ID)[-3:])
    assert "mohon tulis jalan" in told
    resident = world.resident()
    state = await resident.state()
    assert state.step.value == "fill" and state.draft.revision_of == req.id
    await resident.text("Jl. G. Obos XII No. 5A, Gang Mawar")
    for _ in range(5):  # the summary may follow directly, or re-ask remaining corrected items
        if (await resident.state()).step.value == "summary":
            break
        await resident.fill()
    await resident.press("kirim")
    row = await status_of(world, req.id)
    assert row.status == "submitted" and row.fields["alamat"] == "Jl. G. Obos XII No. 5A, Gang Mawar"
    card = staff.card(req.code)
    assert [b["text"] for b in card["reply_markup"]["inline_keyboard"][0]] == ["Setujui", "Tolak", "Minta perbaikan"]
    await staff.press(req.code, "approve")
    assert (await status_of(world, req.id)).status == "issued"
    assert len(world.tg.sent_documents(RESIDENT_ID)) == 1


async def test_unregistered_user_pressing_setujui_changes_nothing(world: World) -> None:
    req = await submitted_request(world)
    outsider = 9999
    update = await world.staff().press(req.code, "approve", user_id=outsider)
    answer = world.tg.callback_answer(update["callback_query"]["id"])
    assert answer and answer.get("show_alert") and "tidak terdaftar" in answer.get("text", "")
    row = await status_of(world, req.id)
    assert row.status == "submitted" and row.number is None
    async with world.services.sessions() as s:
        approvals = await s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "approve"))
    assert approvals == 0
    card = world.staff().card(req.code)
    assert card["reply_markup"]["inline_keyboard"]  # still open for the real staff


async def test_two_staff_pressing_setujui_together_give_one_approval(world: World) -> None:
    import asyncio

    from db.directory import add_staff
    from tests.support.telegram import issued_or_not_approved, settled

    req = await submitted_request(world)
    await add_staff(world.services.sessions, "bukit-tunggal", name="Budi (sekretaris)", role="sekretaris",
                    telegram_user_id=7002)
    card = world.staff().card(req.code)
    data = f"m:approve:{req.id}"
    updates = [world.tg.user_presses(uid, GROUP, card["message_id"], data, first_name="Petugas")
               for uid in (7001, 7002)]
    await asyncio.gather(*(settled(world.tg, world.services, u, GROUP) for u in updates))
    await issued_or_not_approved(world.services, req.id)
    await settled(world.tg, world.services, updates[-1], GROUP)
    async with world.services.sessions() as s:
        approvals = await s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "approve"))
    assert approvals == 1
    assert (await status_of(world, req.id)).status == "issued"
    assert len(world.tg.sent_documents(RESIDENT_ID)) == 1
    answers = [world.tg.callback_answer(u["callback_query"]["id"]) for u in updates]
    assert all(a is not None for a in answers)  # both were answered at once
    card = world.staff().card(req.code)
    assert "DISETUJUI" in card["text"] and ("Rina" in card["text"] or "Budi" in card["text"])


async def test_a_file_that_is_not_an_image_or_pdf_is_refused(world: World) -> None:
    from db.models import Attachment
    from tests.support.telegram import settled

    resident = world.resident()
    await resident.start_sktm()
    await resident.fill(dependants=0, stop_at_attachment=True)
    update = world.tg.user_sends_document(RESIDENT_ID, b"MZ\x90\x00 not really a photo", "ktp.jpg", "image/jpeg")
    await settled(world.tg, world.services, update, RESIDENT_ID)
    async with world.services.sessions() as s:
        count = await s.scalar(select(func.count()).select_from(Attachment))
    assert count == 0
    state = await resident.state()
    assert state.step.value == "fill" and not state.draft.attachments
    assert "JPEG" in world.tg.messages_to(RESIDENT_ID)[-1] or "PDF" in world.tg.messages_to(RESIDENT_ID)[-1]


async def test_a_refused_upload_tells_the_resident_why_in_one_message(world: World) -> None:
    from tests.support.telegram import settled

    resident = world.resident()
    await resident.start_sktm()
    await resident.fill(dependants=0, stop_at_attachment=True)
    before = len(world.tg.messages_to(RESIDENT_ID))
    update = world.tg.user_sends_document(RESIDENT_ID, b"<html><script>alert(1)</script></html>", "ktp.pdf",
                                          "application/pdf")
    await settled(world.tg, world.services, update, RESIDENT_ID)
    replies = world.tg.messages_to(RESIDENT_ID)[before:]
    assert len(replies) == 1, replies
    assert "octet-stream" not in replies[0]
    assert "tidak sesuai" in replies[0] or "tidak didukung" in replies[0], replies[0]
