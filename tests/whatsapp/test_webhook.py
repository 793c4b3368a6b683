"""The WhatsApp webhook of the running service, posted to as Meta does (signed bodies in the Cloud API's
shape, tests/fakes/whatsapp_webhooks.py): the subscription handshake, the signature, the inbox (one row
per message, a redelivered message handled once), status callbacks, malformed bodies. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.whatsapp.webhook import message_key
from tests.fakes.whatsapp_webhooks import Signing, inbound_message, signed_request, verify_subscription
from tests.support.whatsapp import VERIFY_TOKEN, WA_ID, WaWorld, inbox_rows, settled, wa_world, wamid_of


@pytest.fixture
async def world(tmp_path: Path, db_url: str) -> AsyncIterator[WaWorld]:
    async with wa_world(tmp_path / "data", db_url) as w:
        yield w


async def test_handshake_echoes_the_challenge_for_the_right_token(world: WaWorld) -> None:
    response = await verify_subscription(world.webhook_url, VERIFY_TOKEN, challenge="1158201444")
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(("token", "mode"), [("wrong-token", "subscribe"), ("", "subscribe"),
                                             (VERIFY_TOKEN[:-1], "subscribe"), (VERIFY_TOKEN, "unsubscribe")])
async def test_handshake_refused_otherwise(world: WaWorld, token: str, mode: str) -> None:
    response = await verify_subscription(world.webhook_url, token, challenge="42", mode=mode)
    assert response.status_code == 403
    assert "42" not in response.text


@pytest.mark.parametrize(("signing", "status"), [("wrong", 403), ("tampered", 403), ("malformed", 403),
                                                 ("none", 401)])
async def test_a_bad_signature_is_refused_and_nothing_processed(world: WaWorld, signing: Signing,
                                                               status: int) -> None:
    payload = world.wa.user_sends_text(WA_ID, "halo")
    response = await world.wa.post_webhook(payload, signing=signing)
    assert response.status_code == status
    assert await inbox_rows(world.services.sessions) == []
    # The same message, signed, is then taken and answered: nothing of the refused one was kept.
    response = await world.wa.post_webhook(payload)
    assert response.status_code == 200
    await settled(world.services, wamid_of(payload))
    assert len(world.wa.sent_to(WA_ID)) >= 1


async def test_the_same_message_id_is_handled_once(world: WaWorld) -> None:
    payload = world.wa.user_sends_text(WA_ID, "halo")
    assert (await world.wa.post_webhook(payload)).status_code == 200
    await settled(world.services, wamid_of(payload))
    answered = len(world.wa.sent_to(WA_ID))
    assert answered >= 1
    for _ in range(2):  # Meta redelivers when it missed the 200
        assert (await world.wa.post_webhook(payload)).status_code == 200
    await settled(world.services, wamid_of(payload))
    rows = await inbox_rows(world.services.sessions)
    assert [r.update_id for r in rows] == [wamid_of(payload)]
    assert rows[0].status == "done" and rows[0].chat_key == WA_ID
    assert len(world.wa.sent_to(WA_ID)) == answered


async def test_every_message_of_every_entry_is_stored(world: WaWorld) -> None:
    wa = world.wa
    now = wa.now()
    first = inbound_message(WA_ID, "text", {"body": "halo"}, wamid="wamid.first", timestamp=now)
    second = inbound_message("6289876543210", "text", {"body": "halo"}, wamid="wamid.second", timestamp=now)
    payload = wa.business.messages(WA_ID, "Siti", [first])
    other = wa.business.messages("6289876543210", "Budi", [second])
    payload["entry"] += other["entry"]
    wa.set_last_inbound(WA_ID, now)
    wa.set_last_inbound("6289876543210", now)
    assert (await wa.post_webhook(payload)).status_code == 200
    await settled(world.services, "wamid.first")
    await settled(world.services, "wamid.second")
    rows = await inbox_rows(world.services.sessions)
    assert sorted((r.update_id, r.chat_key) for r in rows) == [("wamid.first", WA_ID),
                                                               ("wamid.second", "6289876543210")]
    assert wa.sent_to(WA_ID) and wa.sent_to("6289876543210")


async def test_status_callbacks_are_acknowledged_and_not_stored(world: WaWorld) -> None:
    resident = world.resident()
    await resident.text("halo")
    sent = world.wa.sent_to(WA_ID)[-1]
    for status in ("sent", "delivered", "read"):
        assert (await world.wa.post_webhook(world.wa.status_payload(sent, status))).status_code == 200
    failed = world.wa.status_payload(sent, "failed", error_code=131047)
    assert (await world.wa.post_webhook(failed)).status_code == 200
    assert len(await inbox_rows(world.services.sessions)) == 1  # the "halo" only


def _bodies(world: WaWorld) -> list[bytes | dict[str, Any]]:
    wa = world.wa
    no_id = wa.user_sends_text(WA_ID, "halo")
    del no_id["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    bad_entry = wa.user_sends_text(WA_ID, "halo")
    bad_entry["entry"] = "not a list"
    bad_message = wa.user_sends_text(WA_ID, "halo")
    bad_message["entry"][0]["changes"][0]["value"]["messages"] = ["not an object"]
    return [b"not json", b"[1, 2]", b'{"object": "page", "entry": []}', b"\xff\xfe",
            b'{"a":' * 100 + b"1" + b"}" * 100, no_id, bad_entry, bad_message]


async def test_malformed_bodies_are_refused_without_a_traceback(world: WaWorld,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    for body in _bodies(world):
        response = await world.wa.post_webhook(body)
        assert response.status_code == 400, body
    assert await inbox_rows(world.services.sessions) == []
    assert not [r for r in caplog.records if r.exc_info]


async def test_an_oversized_body_is_refused(world: WaWorld) -> None:
    body, headers = signed_request(b'{"object": "whatsapp_business_account", "pad": "' + b"x" * 2_000_000 + b'"}',
                                   world.wa.app_secret)
    async with httpx.AsyncClient(timeout=10.0) as client:
        response = await client.post(world.webhook_url, content=body, headers=headers)
    assert response.status_code == 413
    assert await inbox_rows(world.services.sessions) == []


async def test_no_phone_number_or_text_in_the_logs(world: WaWorld, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    resident = world.resident()
    await resident.text("rahasia pribadi saya")
    await resident.sticker()
    await world.wa.post_webhook(world.wa.status_payload(world.wa.sent_to(WA_ID)[-1], "failed", error_code=131026))
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("esurat"))  # not SQL echo
    assert WA_ID not in logged and "rahasia" not in logged


def test_long_message_ids_fit_the_inbox_key() -> None:
    long_id = "wamid." + "HBgLNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDMjQ1" * 3
    key = message_key(long_id)
    assert len(key) <= 64 and key == message_key(long_id) and key != message_key(long_id + "x")
    assert message_key("wamid.short") == "wamid.short"
