"""Verify by forwarding on Telegram (the whole service against the fake Bot API, both databases): a verifier
who sends the bot the issued letter's PDF as a document gets ASLI in the chat."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from db.models import Letter
from tests.support.telegram import World, settled, submitted_request

VERIFIER = 9001


async def test_a_forwarded_letter_pdf_is_asli(world: World) -> None:
    request = await submitted_request(world)
    await world.staff().press(request.code, "approve")
    letter = None
    for _ in range(500):
        async with world.services.sessions() as s:
            letter = await s.scalar(select(Letter).where(Letter.request_id == request.id))
        if letter is not None:
            break
        await asyncio.sleep(0.02)
    assert letter is not None
    pdf = world.services.issuing.pdf_path(letter).read_bytes()
    update = world.tg.user_sends_document(VERIFIER, pdf, "surat.pdf", "application/pdf")
    await settled(world.tg, world.services, update, VERIFIER)
    for _ in range(500):
        said = "\n".join(world.tg.messages_to(VERIFIER))
        if "Hasil pemeriksaan" in said:
            break
        await asyncio.sleep(0.02)
    assert "Hasil pemeriksaan: ASLI" in said and letter.number in said, said
