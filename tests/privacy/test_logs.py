"""No secret and no personal data in any log line of a whole run: a resident files an SKTM request with
NIK, KK and phone number on the fake Telegram, staff approve it, the letter is issued and delivered;
every logger (e-surat, uvicorn, aiogram, aiohttp, httpx, aiosqlite with its SQL parameters) at DEBUG,
through the service's own logging setup."""

from __future__ import annotations

import contextlib
import json
import logging
import re
from pathlib import Path

import httpx
from sqlalchemy import select

from db.models import Letter
from tests.fakes.telegram_api import DEFAULT_TOKEN
from tests.support.flows import ANSWERS, DEPENDANT
from tests.support.logs import LogCapture
from tests.support.telegram import RESIDENT_ID, World, submitted_request

PHONE_FORMS = ("0812-3456-7890", "081234567890", "+6281234567890", "6281234567890", "812-3456-7890",
               "0812 3456 7890", "81234567890")


def assert_clean(text: str) -> None:
    token_secret = DEFAULT_TOKEN.split(":", 1)[1]
    assert DEFAULT_TOKEN not in text and token_secret not in text
    for number in (ANSWERS["nik"], ANSWERS["no_kk"], DEPENDANT["nik"]):
        assert number not in text, number
    for phone in PHONE_FORMS:
        assert phone not in text, phone
    assert not re.search(r"(?<!\d)\d{16}(?!\d)", text), "a 16-digit number in the logs"


async def test_a_whole_run_logs_no_token_nik_kk_or_phone(captured_logs: LogCapture, token_world: World) -> None:
    world = token_world
    captured_logs.adopt_uvicorn()
    captured_logs.only_here()
    req = await submitted_request(world)
    await world.staff().press(req.code, "approve")
    assert len(world.tg.sent_documents(RESIDENT_ID)) == 1
    async with world.services.sessions() as s:
        letter = await s.scalar(select(Letter).where(Letter.request_id == req.id))
    assert letter is not None
    async with httpx.AsyncClient() as client:
        # The letter's QR link is opened (uvicorn's access log), and a monitoring probe calls the
        # Bot API: httpx logs the URL, which carries the token.
        page = await client.get(f"{world.service.base_url}/v/{letter.public_id}", params={"s": letter.seal},
                                headers={"Accept": "application/json"})
        assert page.status_code == 200 and page.json()["status"] == "ASLI"
        assert (await client.get(f"{world.tg.base_url}/bot{DEFAULT_TOKEN}/getMe")).status_code == 200
    logging.getLogger("esurat.test").info("resident %s phone %s", ANSWERS["nik"], "0812-3456-7890",
                                          extra={"kk": ANSWERS["no_kk"]})

    text = captured_logs.text
    lines = text.splitlines()
    assert len(lines) > 50, "the run logged too little to prove anything"
    for line in lines:  # one JSON object per line
        json.loads(line)
    assert_clean(text)
    # Not vacuous: the data and the token did reach the loggers, and were masked there.
    assert "/bot[token]/getMe" in text and "[telepon]" in text and "6271********0004" in text
    loggers = {json.loads(line)["logger"] for line in lines}
    assert {"httpx", "aiogram.event", "uvicorn.access"} <= loggers, loggers
    if "aiosqlite" in loggers:  # on SQLite its DEBUG lines carry the SQL parameters: NIK, KK, phone
        assert text.count("6271********0001") > 5 and text.count("[telepon]") > 2


async def test_the_web_chats_polling_is_logged_at_debug_only(tmp_path: Path) -> None:
    """`esurat demo` at INFO: a browser polling the chat and the staff pane leaves no access lines (it was
    93% of the log), while its other requests do; at DEBUG the polls are there, as DEBUG lines."""
    import asyncio
    import io

    import uvicorn

    from bot.composition import build_services
    from bot.logging_setup import configure_logging, unconfigure_logging
    from bot.server import uvicorn_config
    from bot.web import create_app
    from bot.webchat.seed import seed_demo_staff
    from config.settings import HttpSettings, Settings, StorageSettings
    from db.migrate import upgrade
    from tests.support.service import free_port

    port = free_port()
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    out: dict[str, str] = {}
    for level in ("INFO", "DEBUG"):
        settings = Settings(_env_file=None, demo=True, log_level=level, http=HttpSettings(_env_file=None, port=port),
                            storage=StorageSettings(_env_file=None, data_dir=tmp_path / "data"))
        settings.storage.ensure_dirs()
        await asyncio.to_thread(upgrade, settings.storage.effective_database_url)
        stream = io.StringIO()
        configure_logging(level, stream=stream)
        services = build_services(settings)
        await seed_demo_staff(services.sessions)
        server = uvicorn.Server(uvicorn_config(create_app(services), settings))
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]  # pytest's signals
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if task.done():
                    await task  # it failed to start: its error
                await asyncio.sleep(0.01)
            async with httpx.AsyncClient(base_url=settings.http.public_url) as client:
                assert (await client.get("/demo")).status_code == 200
                for _ in range(3):
                    assert (await client.get("/demo/api/chat/messages", params={"after": 0})).status_code == 200
                    assert (await client.get("/demo/api/staff/bukit-tunggal/cards")).status_code == 200
                assert (await client.post("/demo/api/chat/message", json={"text": "halo"})).status_code == 200
        finally:
            server.should_exit = True
            await task
            await services.aclose()
            unconfigure_logging()
            root.handlers[:] = saved[0]
            root.setLevel(saved[1])
        out[level] = stream.getvalue()
    access = {level: [line for line in text.splitlines() if "uvicorn.access" in line] for level, text in out.items()}
    assert any('"GET /demo HTTP' in line for line in access["INFO"]), out["INFO"]
    assert any('"POST /demo/api/chat/message HTTP' in line for line in access["INFO"])
    assert not [line for line in access["INFO"] if "/cards" in line or "/api/chat/messages" in line]
    polls = [line for line in access["DEBUG"] if "/cards" in line or "/api/chat/messages" in line]
    assert len(polls) == 6 and all(" DEBUG uvicorn.access:" in line for line in polls), polls
