"""The demo's HTTP API with the inputs the issue found crashing it: integers beyond 64 bits in URLs and
bodies, 100,000-deep JSON, NUL bytes, RTL marks, emoji and 10,000-character text, bodies too large or with a
bad length. Never a 500; the answer is in Indonesian. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

from bot.webchat.resident_routes import MAX_TEXT, TOO_LONG
from tests.hostile.strategies import LONG, assert_indonesian
from tests.support.webchat import Demo, Resident

SLUG = "bukit-tunggal"
HUGE = str(10**30)
TEXTS = ["\x00", "Siti\x00Aminah", "\u202eAminah\u202c", "🙂👨\u200d👩\u200d👧🇮🇩", "x" * LONG, "\u200f٦٢٧١" * 100,
         "9" * 5000, "<script>alert(1)</script>", "'; DROP TABLE resident; --"]


async def test_huge_integers_in_urls_are_answered(demo: Demo) -> None:
    resident = Resident(demo.client)
    await resident.open()
    c = demo.client
    for after in (HUGE, "-" + HUGE, str(2**63), str(2**63 - 1)):
        r = await c.get("/demo/api/chat/messages", params={"after": after})
        assert r.status_code == 200, (after, r.text)
        r = await c.get(f"/demo/api/staff/{SLUG}/cards", params={"after": after})
        assert r.status_code == 200, (after, r.text)
    for path in (f"/demo/api/letters/{HUGE}.pdf", f"/demo/api/letters/{2**63}.pdf", "/demo/api/letters/²³.pdf",
                 f"/demo/api/staff/{SLUG}/attachments/{HUGE}", f"/demo/api/staff/{SLUG}/attachments/-{HUGE}",
                 f"/demo/api/staff/{SLUG}/attachments/{2**63}", "/demo/api/staff/%00/cards",
                 "/demo/api/staff/Bukit%20Tunggal%00/cards", f"/demo/api/staff/{'x' * 5000}/cards"):
        r = await c.get(path)
        assert r.status_code == 404, (path, r.text)
        assert_indonesian(r.json()["error"])
    r = await c.get("/demo/api/chat/messages", params={"after": "x"})
    assert r.status_code == 422 and "after" in r.json()["error"]
    assert_indonesian(r.json()["error"])
    assert (await c.get("/demo", params={"kelurahan": "\x00" + "x" * LONG})).status_code == 200


async def test_hostile_staff_actions_are_refused_in_indonesian(demo: Demo) -> None:
    c = demo.client
    bodies: list[Any] = [
        {"request_id": 10**30, "action": "approve"}, {"request_id": HUGE, "action": "approve"},
        {"request_id": "²", "action": "approve"}, {"request_id": -1, "action": "approve"},
        {"request_id": 1.5, "action": "approve"}, {"request_id": True, "action": "approve"},
        {"request_id": 1, "action": ["approve"]}, {"request_id": 1, "action": {"a": 1}},
        {"request_id": 2**63 - 1, "action": "reject", "text": "\x00alasan\u202e" + "x" * LONG},
    ]
    for body in bodies:
        r = await c.post(f"/demo/api/staff/{SLUG}/act", content=json.dumps(body),
                         headers={"Content-Type": "application/json"})
        assert r.status_code in (400, 409, 422), (body, r.text)
        assert_indonesian(r.json()["error"])


async def test_deep_or_odd_json_and_hostile_text_reach_the_chat_safely(demo: Demo) -> None:
    resident = Resident(demo.client)
    await resident.open()
    c = demo.client
    odd = [b"[" * 100_000 + b"]" * 100_000, b'{"text":' * 100_000 + b'"x"' + b"}" * 100_000, b"[" * 100_000,
           b'{"text": NaN}', b'{"text": 1e400}', b'{"text": "\\ud800"}', b'{"text": ' + b"9" * 5000 + b"}",
           b'{"text": "a", "client_id": ' + HUGE.encode() + b"}", b"\xff\xfe", b'{"value": "\\u0000ya"}']
    for body in odd:
        for path in ("/demo/api/chat/message", "/demo/api/chat/choice"):
            r = await c.post(path, content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 200, (body[:40], r.text)
    for text in TEXTS:
        if await refused_as_too_long(demo, text):
            continue
        new = await resident.text(text)
        assert new, text
        for message in new:
            assert_indonesian(message["text"], echoed=text)
    await resident.choice("ya")  # consent; then a kelurahan typed with hostile text
    for text in TEXTS:
        if await refused_as_too_long(demo, text):
            continue
        for message in await resident.text(text):
            assert_indonesian(message["text"], echoed=text)


async def refused_as_too_long(demo: Demo, text: str) -> bool:
    """A text over the one limit is refused with the message the page shows (the engine's question stands)."""
    if len(text) <= MAX_TEXT:
        return False
    r = await demo.client.post("/demo/api/chat/message", json={"text": text})
    assert r.status_code == 422 and r.json()["error"] == TOO_LONG
    return True


async def test_bodies_too_large_or_with_a_bad_length_are_refused_unread(demo: Demo) -> None:
    c = demo.client
    limit = demo.settings.http.max_body_bytes
    r = await c.post("/demo/api/chat/message", content=b" " * (limit + 1), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert_indonesian(r.json()["error"])

    async def raw(headers: list[tuple[bytes, bytes]]) -> tuple[int, dict[str, Any]]:
        sent: list[MutableMapping[str, Any]] = []

        async def receive() -> dict[str, Any]:
            raise AssertionError("the body was read")

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": "/demo/api/chat/message", "raw_path": b"/demo/api/chat/message",
                 "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
                 "headers": [(b"host", b"127.0.0.1"), *headers]}
        await demo.app(scope, receive, send)
        return sent[0]["status"], json.loads(sent[1]["body"])

    for length in (b"abc", b"-1", b"1e9", str(10**30).encode()):
        status, body = await raw([(b"content-length", length), (b"content-type", b"application/json")])
        assert status in (400, 413), length
        assert_indonesian(body["error"])


async def test_a_streamed_body_is_cut_at_the_limit(demo: Demo) -> None:
    sent = 0

    async def stream() -> Any:
        nonlocal sent
        for _ in range(50):
            sent += 1024 * 1024
            yield b" " * (1024 * 1024)

    r = await demo.client.post("/demo/api/chat/message", content=stream(),
                               headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and sent <= 3 * 1024 * 1024
