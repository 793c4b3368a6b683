"""The Telegram webhook with hostile bodies (with the right secret): arbitrary bytes and JSON, 100,000-deep
JSON, and updates from the fake Bot API with hostile text, callback data, ids, file names and types, or with a
field replaced by anything. Never a 500 (an exception in the app fails the test): 200 for what was handled or
cannot be an update, 400 for a body that is not JSON, 413 for one too large. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import strategies as st

from bot.composition import Services, build_services
from bot.telegram.runtime import SECRET_HEADER, WEBHOOK_PATH
from bot.web import create_app
from config.settings import Settings, StorageSettings
from tests.fakes.telegram_api import FakeTelegram
from tests.hostile.strategies import KNOWN_HOSTILE, fuzz_variants, hostile_text, json_value
from tests.support.telegram import GROUP, STAFF_ID, fake_bot_api, register

SECRET = "hostile-test-secret"
KINDS = ["raw", "json", "deep", "text", "command", "press", "staff_press", "reply", "document", "mutated"]


@dataclass
class Hook:
    tg: FakeTelegram
    services: Services
    client: httpx.AsyncClient

    async def post(self, body: bytes) -> int:
        r = await self.client.post(WEBHOOK_PATH, content=body,
                                   headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"})
        return r.status_code


@pytest.fixture
async def hook(tmp_path: Path, db_url: str) -> AsyncIterator[Hook]:
    """The app in webhook mode over ASGI (its lifespan, which registers the webhook, is not run)."""
    async with FakeTelegram(token="123456:TEST") as tg:
        settings = Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url),
                            telegram=fake_bot_api(tg, mode="webhook", webhook_secret=SECRET))
        settings.storage.ensure_dirs()
        services = build_services(settings)
        await register(services)
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield Hook(tg, services, client)
        await services.aclose()


def _replace_somewhere(update: dict[str, Any], value: Any, seed: int) -> dict[str, Any]:
    """`update` with one of its fields (at any depth) replaced by `value`."""
    paths: list[tuple[Any, Any]] = []
    stack: list[Any] = [update]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
        for key, child in items:
            paths.append((node, key))
            stack.append(child)
    node, key = random.Random(seed).choice(paths)
    node[key] = value
    return update


def _update(hook: Hook, kind: str, text: str, number: int, value: Any) -> bytes:
    tg = hook.tg
    user = abs(number) % (2**52) or 1
    if kind == "raw":
        return text.encode("utf-8", "surrogatepass")
    if kind == "json":
        return json.dumps(value).encode()
    if kind == "deep":
        depth = abs(number) % 200_000
        return b"[" * depth + b"]" * depth if number % 2 else b'{"update_id":' * depth + b"1" + b"}" * depth
    if kind == "text":
        update = tg.user_sends_text(user, text, first_name=text[:64] or "x")
    elif kind == "command":
        update = tg.user_sends_text(user, "/" + text)
    elif kind == "press":
        update = tg.user_presses(user, user, abs(number) % 5 + 1, text[:64])
    elif kind == "staff_press":
        action = text if number % 3 == 0 else random.Random(number).choice(["approve", "reject", "revise"])
        update = tg.user_presses(STAFF_ID if number % 2 else user, GROUP, 1, f"m:{action}:{number}"[:64])
    elif kind == "reply":
        tg.user_sends_text(STAFF_ID, "catatan", chat_id=GROUP)
        update = tg.user_replies(STAFF_ID, GROUP, 1, text)
    elif kind == "document":  # (the fake serves the type as a header: no control characters in it)
        printable = "".join(c for c in text if c.isprintable())
        update = tg.user_sends_document(user, text.encode("utf-8", "surrogatepass")[:2000], filename=text[:200],
                                        mime_type=printable[:100])
    else:
        update = _replace_somewhere(tg.user_sends_text(user, "halo"), value, number)
    return json.dumps(update).encode()


async def webhook_never_fails(hook: Hook, kind: str, text: str, number: int, value: Any) -> None:
    status = await hook.post(_update(hook, kind, text, number, value))
    assert status in (200, 400, 413), status  # 413: a body over ESURAT_HTTP_MAX_BODY_BYTES


test_webhook, test_webhook_slow = fuzz_variants(
    webhook_never_fails, kind=st.sampled_from(KINDS), text=hostile_text,
    number=st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.integers(min_value=-(2**80), max_value=2**80),
    value=json_value,
    examples=[{"kind": k, "text": t, "number": n, "value": None} for k in KINDS for t, n in
              [(KNOWN_HOSTILE[0], 2**63 - 1), ("\x00", -(2**63)), ("m:approve:" + "9" * 40, 99_999), ("", 2**70)]])


async def test_an_update_with_ids_beyond_64_bits_is_refused_not_a_crash(hook: Hook) -> None:
    update = hook.tg.user_sends_text(5001, "halo")
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = 10**30
    assert await hook.post(json.dumps(update).encode()) == 400
    assert await hook.post(b"[" * 100_000 + b"]" * 100_000) == 400
    assert await hook.post(json.dumps({"update_id": "x", "message": 3}).encode()) == 400  # not an update: refused
