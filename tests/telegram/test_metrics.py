"""`/metrics` of the whole service on the fake Bot API: Telegram's updates handled, and its failed sends by
the status Telegram answered (429 retried later, 403 given up), on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx

from tests.support.metrics import sample
from tests.support.telegram import RESIDENT_ID, World, settled


async def test_updates_and_send_errors_of_telegram_are_counted(world: World) -> None:
    resident = world.resident()
    await resident.text("/start")
    world.tg.fail_next("sendMessage", status=429, retry_after=1, chat_id=RESIDENT_ID)
    await settled(world.tg, world.services, world.tg.user_sends_text(RESIDENT_ID, "status"), RESIDENT_ID)
    world.tg.fail_next("sendMessage", status=403, retry_after=None, chat_id=RESIDENT_ID,
                       description="Forbidden: bot was blocked by the user")
    await settled(world.tg, world.services, world.tg.user_sends_text(RESIDENT_ID, "status"), RESIDENT_ID)
    async with httpx.AsyncClient(base_url=world.service.base_url) as client:
        r = await client.get("/metrics")
    assert r.status_code == 200
    assert sample(r.text, 'esurat_updates_handled_total{channel="telegram"}') == 3.0
    assert sample(r.text, 'esurat_send_errors_total{channel="telegram",code="429"}') == 1.0
    assert sample(r.text, 'esurat_send_errors_total{channel="telegram",code="403"}') == 1.0
    assert 'esurat_outbox_pending{channel="telegram"}' not in r.text  # nothing left to send
