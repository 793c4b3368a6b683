"""What the resident of the web chat is told when a file or a text is refused: one clear Indonesian
message (no media type such as application/octet-stream), and one text limit, served to the page."""

from __future__ import annotations

import re
from typing import Any

import httpx

from bot.webchat.resident_routes import MAX_TEXT
from tests.support.webchat import Demo, Resident, before_first_file, sktm_script

MIME = re.compile(r"\b(?:application|image|text)/[\w.+-]+")


async def at_first_file_step(demo: Demo) -> Resident:
    resident = Resident(demo.client)
    await resident.open()
    await resident.run(before_first_file(sktm_script()))
    return resident


def seen(answer: dict[str, Any], new: list[dict[str, Any]]) -> list[str]:
    """Everything the page shows the resident for one upload: the answer's own note, then the bot's bubbles."""
    notes = [answer[k] for k in ("notice", "error") if answer.get(k)]
    return notes + [m.get("text") or m.get("caption") or "" for m in new]


async def post_file(resident: Resident, files: Any = None, data: Any = None, **kw: Any) -> tuple[int, list[str]]:
    r = await resident.client.post("/demo/api/chat/upload", files=files, data=data, **kw)
    return r.status_code, seen(r.json(), await resident.poll())


async def test_a_refused_upload_is_told_once_without_a_media_type(demo: Demo) -> None:
    resident = await at_first_file_step(demo)
    limit = demo.settings.storage.upload_max_bytes
    cases = {
        "not an image": ({"file": ("catatan.txt", b"hello", "text/plain")}, None, "tidak didukung"),
        "no type at all": ({"file": ("berkas", b"\x00\x01binary", "application/octet-stream")}, None, "tidak didukung"),
        "over the limit, read": ({"file": ("besar.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (limit + 10), "image/png")},
                                 None, "terlalu besar"),
        "over the limit, unread": ({"file": ("arsip.zip", b"\0" * (limit + 1024 * 1024), "application/zip")},
                                   None, "melebihi batas"),
        # The page does not send a file it knows is too big: it says how big it is (as Telegram does).
        "over the limit, only its size": (None, {"size": str(limit * 3), "name": "video.mp4"}, "melebihi batas"),
    }
    for what, (files, data, expected) in cases.items():
        status, shown = await post_file(resident, files, data)
        assert status in (200, 413), (what, status)
        assert len(shown) == 1, (what, shown)
        assert expected in shown[0], (what, shown)
        assert not MIME.search(shown[0]) and "octet" not in shown[0], (what, shown)
    assert "Pengantar RT" in resident.last["text"] or "pengantar" in resident.last["text"].lower()


async def test_a_file_too_big_to_download_is_told_once_without_a_media_type_on_any_channel(demo: Demo) -> None:
    """Telegram and WhatsApp report a file's size and type without a download: the intake and the engine
    (every channel's path) answer in one message that names no media type."""
    resident = await at_first_file_step(demo)
    sid = demo.client.cookies["esurat_demo"]
    size = demo.services.intake.max_bytes * 3
    inbound = await demo.services.intake.receive(None, size=size, filename="arsip.zip",
                                                 declared_type="application/zip", is_photo=False)
    await demo.services.conversation.handle("web", sid, inbound, display_name="Warga demo")
    new = await resident.poll()
    assert len(new) == 1, new
    assert "melebihi batas" in new[0]["text"] and not MIME.search(new[0]["text"]), new[0]["text"]


async def test_one_text_limit_served_to_the_page_and_said_when_passed(demo: Demo) -> None:
    page = await demo.client.get("/demo")
    assert f'data-max-text="{MAX_TEXT}"' in page.text
    said = f"Pesan terlalu panjang (maksimal {MAX_TEXT:,} karakter).".replace(",", ".")
    assert f'data-too-long="{said}"' in page.text
    assert not re.search(r'id="chat-input"[^>]*maxlength', page.text)  # the browser cuts nothing silently
    resident = Resident(demo.client)
    await resident.text("/start")
    before = len(resident.messages)
    r = await demo.client.post("/demo/api/chat/message", json={"text": "x" * (MAX_TEXT + 1)})
    assert r.status_code == 422 and r.json()["error"] == said
    assert await resident.poll() == []  # the engine's question stands; nothing was cut and sent
    r = await demo.client.post("/demo/api/chat/message", json={"text": "  " + "y" * MAX_TEXT + "  "})
    assert r.status_code == 200
    assert len(resident.messages) == before and await resident.poll()


async def test_the_upload_answer_alone_tells_when_the_engine_was_not_told(demo: Demo) -> None:
    async with httpx.AsyncClient(transport=demo.transport, base_url="http://127.0.0.1") as client:
        resident = Resident(client)
        await resident.open()
        status, shown = await post_file(resident, data={"x": "1"})
        assert status == 400 and len(shown) == 1 and shown[0] == "Tidak ada berkas yang dikirim."
