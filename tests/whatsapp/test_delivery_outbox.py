"""WhatsApp delivery through the OutboxSender (the channel's outbox rows, settled in the database): rate
limits lose and double nothing, refusals fail without the number in the log, and a send cut short is resent."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import OutboxSender, RateLimiter, RatePolicy
from bot.metrics import Metrics
from bot.whatsapp.client import WhatsAppClient
from bot.whatsapp.delivery import WhatsAppDelivery
from config.settings import WhatsAppSettings
from db.models import InboundUpdate, OutboxMessage
from db.outbound import TextOut, parse_outbound
from db.outbox import enqueue
from tests.fakes.whatsapp_api import FakeWhatsApp
from tests.support.lifecycle import FixedClock

Sessions = async_sessionmaker[AsyncSession]
ANI, BUDI = "6281234567890", "6285798765432"


@pytest.fixture
async def sender(fake_whatsapp: FakeWhatsApp, whatsapp_settings: WhatsAppSettings, sessions: Sessions,
                 tmp_path: Path) -> AsyncIterator[tuple[OutboxSender, FixedClock]]:
    clock = FixedClock()
    client = WhatsAppClient(whatsapp_settings)
    channel = WhatsAppDelivery(client, sessions, whatsapp_settings, tmp_path, clock)

    async def deliver(row: OutboxMessage) -> dict[str, Any] | None:
        return await channel(row, parse_outbound(row.payload))

    async with sessions.begin() as session:  # both residents wrote a minute ago: their windows are open
        for n, wa_id in enumerate((ANI, BUDI)):
            session.add(InboundUpdate(channel="whatsapp", update_id=f"wamid.in{n}", chat_key=wa_id, payload={},
                                      received_at=clock() - timedelta(minutes=1), next_attempt_at=clock()))
            fake_whatsapp.set_last_inbound(wa_id, fake_whatsapp.now())
    yield OutboxSender(sessions, "whatsapp", deliver, clock=clock,
                       limiter=RateLimiter(RatePolicy(0, 0, 10_000))), clock
    await client.aclose()


async def fill(sessions: Sessions, clock: FixedClock, items: list[tuple[str, str]]) -> None:
    async with sessions.begin() as session:
        for wa_id, text in items:
            await enqueue(session, "whatsapp", wa_id, TextOut(text=text), clock())


async def rows(sessions: Sessions) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def drain(sender: OutboxSender, clock: FixedClock, rounds: int = 20) -> None:
    for _ in range(rounds):
        await sender.run_once()
        clock.now += timedelta(minutes=5)  # past any retry delay


async def test_rate_limits_lose_and_double_nothing(sender: tuple[OutboxSender, FixedClock],
                                                   fake_whatsapp: FakeWhatsApp, sessions: Sessions) -> None:
    outbox, clock = sender
    ani = [f"Ani {i}" for i in range(1, 6)]
    budi = [f"Budi {i}" for i in range(1, 4)]
    await fill(sessions, clock, [*zip([ANI] * 5, ani, strict=True), *zip([BUDI] * 3, budi, strict=True)])
    fake_whatsapp.fail_next("messages", 130429, times=3)
    fake_whatsapp.fail_next("messages", 131056, times=2, to=ANI, status=429)
    fake_whatsapp.fail_next("messages", 80007, times=1, to=BUDI)
    await drain(outbox, clock)
    assert fake_whatsapp.messages_to(ANI) == ani  # each once, in order
    assert fake_whatsapp.messages_to(BUDI) == budi
    refused = [c for c in fake_whatsapp.calls_of("messages") if not c.ok]
    assert len(refused) == 6
    stored = await rows(sessions)
    assert all(r.status == "sent" and r.attempts == 1 for r in stored)  # the send; a rate limit spends none
    assert {r.result["message_id"] for r in stored if r.result} == {m.wamid for m in fake_whatsapp.sent}


async def test_invalid_recipient_fails_without_the_number_in_the_log(
        sender: tuple[OutboxSender, FixedClock], fake_whatsapp: FakeWhatsApp, sessions: Sessions,
        caplog: pytest.LogCaptureFixture) -> None:
    outbox, clock = sender
    await fill(sessions, clock, [(ANI, "Halo Ani"), (BUDI, "Halo Budi")])
    fake_whatsapp.fail_next("messages", 131026, to=ANI)
    caplog.set_level(logging.INFO)  # (the database drivers log SQL parameters at DEBUG; masked by bot.logging_setup)
    await drain(outbox, clock, rounds=2)
    by_chat = {r.chat_id: r for r in await rows(sessions)}
    assert by_chat[ANI].status == "failed" and by_chat[BUDI].status == "sent"
    assert ANI not in (by_chat[ANI].last_error or "") and "62812****7890" in (by_chat[ANI].last_error or "")
    assert "131026" in caplog.text
    for record in caplog.records:
        assert ANI not in record.getMessage()
    assert fake_whatsapp.messages_to(BUDI) == ["Halo Budi"]


async def test_a_send_cut_short_is_sent_again(sender: tuple[OutboxSender, FixedClock], fake_whatsapp: FakeWhatsApp,
                                              sessions: Sessions) -> None:
    """The Cloud API has no idempotency key and no way to look a message up: a send whose answer was lost is
    sent again. Lost before WhatsApp acted: delivered once; lost after: delivered twice (never zero times)."""
    outbox, clock = sender
    await fill(sessions, clock, [(ANI, "Sebelum"), (BUDI, "Sesudah")])
    fake_whatsapp.fail_next("messages", to=ANI, drop="before")
    fake_whatsapp.fail_next("messages", to=BUDI, drop="after")
    await drain(outbox, clock, rounds=3)
    assert fake_whatsapp.messages_to(ANI) == ["Sebelum"]
    assert fake_whatsapp.messages_to(BUDI) == ["Sesudah", "Sesudah"]
    assert [(r.status, r.attempts) for r in await rows(sessions)] == [("sent", 2), ("sent", 2)]


async def test_failed_sends_are_counted_by_graph_code(sender: tuple[OutboxSender, FixedClock],
                                                      fake_whatsapp: FakeWhatsApp, sessions: Sessions) -> None:
    outbox, clock = sender
    metrics = Metrics()
    outbox.on_error = metrics.send_failed
    await fill(sessions, clock, [(ANI, "Halo Ani"), (BUDI, "Halo Budi")])
    fake_whatsapp.fail_next("messages", 130429, to=ANI)  # throughput limit: later
    fake_whatsapp.fail_next("messages", 131026, to=BUDI)  # undeliverable: given up
    fake_whatsapp.fail_next("messages", 131000, to=ANI, status=500)  # "something went wrong": retried
    fake_whatsapp.fail_next("messages", to=ANI, drop="before")  # no answer at all
    await drain(outbox, clock, rounds=5)
    assert fake_whatsapp.messages_to(ANI) == ["Halo Ani"]

    def count(code: str) -> float | None:
        return metrics.registry.get_sample_value("esurat_send_errors_total", {"channel": "whatsapp", "code": code})

    assert {c: count(c) for c in ("130429", "131026", "131000", "network")} == dict.fromkeys(
        ("130429", "131026", "131000", "network"), 1.0)
