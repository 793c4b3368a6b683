"""Shared by the web tests: the demo service they run (`Demo` in-process, `Live` on a port), the SKTM
conversation as a script (values for the JSON API, button titles for the browser), a resident client over
the JSON API, and the headless Chromium the browser tests drive."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI

from bot.composition import Services
from bot.webchat.router import STATIC_DIR
from config.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SAMPLE_KTP = (STATIC_DIR / "ktp-contoh.png").read_bytes()
WIB = timedelta(hours=7)


@dataclass
class Demo:
    """The demo app in-process over ASGI, and a browser's client of it."""

    app: FastAPI
    services: Services
    settings: Settings
    transport: httpx.ASGITransport
    client: httpx.AsyncClient

    def other_client(self) -> httpx.AsyncClient:
        """A second browser: its own cookie jar, so its own session."""
        return httpx.AsyncClient(transport=self.transport, base_url="http://127.0.0.1")


@dataclass
class Live:
    """`esurat demo` on a loopback port."""

    base_url: str
    settings: Settings


@dataclass(frozen=True)
class Step:
    kind: str  # start | text | choice | file
    value: str = ""
    title: str = ""  # the button's title (choices)


def sktm_script() -> list[Step]:
    """Bukit Tunggal, SKTM, one dependant, three attachments, then Kirim (see flows/letter_types/sktm.yaml)."""
    pengantar = (datetime.now(UTC) + WIB - timedelta(days=2)).strftime("%d-%m-%Y")

    def c(value: str, title: str) -> Step:
        return Step("choice", value, title)

    def t(value: str) -> Step:
        return Step("text", value)

    return [
        Step("start"), c("ya", "Setuju"), c("Jekan Raya", "Jekan Raya"), c("bukit-tunggal", "Bukit Tunggal"),
        c("sktm", "SKTM"), c("lanjut", "Lanjut"),
        t("Siti Aminah"), t("6271034507900001"), t("Palangka Raya"), t("05-07-1990"), c("P", "Perempuan"),
        c("islam", "Islam"), c("kawin", "Kawin"), t("Wiraswasta"), c("WNI", "WNI (Indonesia)"),
        t("Jl. G. Obos XII No. 5"), t("003/005"), t("6271032011150004"), t("0812-3456-7890"),
        t("012/RT.03/XI/2026"), t(pengantar), c("Tidak", "Tidak"), t("Pendaftaran beasiswa anak"),
        c("ya", "Ya"), t("Budi Santoso"), t("6271031203120002"), c("L", "Laki-laki"), t("Palangka Raya"),
        t("12-03-2012"), c("anak", "Anak"), c("tidak", "Tidak"),
        Step("file", "pengantar_rt_rw"), Step("file", "ktp"), Step("file", "kk"),
        c("kirim", "Kirim"),
    ]


def before_first_file(steps: list[Step]) -> list[Step]:
    """The steps up to the first upload: the conversation then asks for a file."""
    return steps[:next(i for i, s in enumerate(steps) if s.kind == "file")]


class Resident:
    """One browser session of the web chat, through the JSON API."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.cursor = 0
        self.messages: list[dict[str, Any]] = []

    async def open(self) -> None:
        r = await self.client.get("/demo")
        assert r.status_code == 200, r.text

    async def poll(self) -> list[dict[str, Any]]:
        r = await self.client.get("/demo/api/chat/messages", params={"after": self.cursor})
        assert r.status_code == 200, r.text
        body = r.json()
        new = [m for m in body["messages"] if m["id"] > self.cursor]
        self.cursor = body["cursor"]
        self.messages += new
        return new

    async def text(self, text: str) -> list[dict[str, Any]]:
        r = await self.client.post("/demo/api/chat/message", json={"text": text})
        assert r.status_code == 200, r.text
        return await self.poll()

    async def choice(self, value: str) -> list[dict[str, Any]]:
        r = await self.client.post("/demo/api/chat/choice", json={"value": value})
        assert r.status_code == 200, r.text
        return await self.poll()

    async def upload(self, data: bytes, name: str = "ktp.png", media_type: str = "image/png",
                     expect: int = 200) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        r = await self.client.post("/demo/api/chat/upload", files={"file": (name, data, media_type)})
        assert r.status_code == expect, r.text
        return r.json(), await self.poll()

    async def run(self, steps: list[Step]) -> None:
        for step in steps:
            before = len(self.messages)
            if step.kind == "start":
                await self.text("/start")
            elif step.kind == "text":
                await self.text(step.value)
            elif step.kind == "choice":
                await self.choice(step.value)
            else:
                await self.upload(SAMPLE_KTP, f"{step.value}.png")
            assert len(self.messages) > before, f"no answer to {step}:\n{self.transcript()}"

    @property
    def last(self) -> dict[str, Any]:
        return self.messages[-1]

    def transcript(self) -> str:
        return "\n---\n".join(m.get("text") or m.get("caption") or "" for m in self.messages[-6:])


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


NEEDS_CHROMIUM = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(apt-get install chromium; `make test` installs it)"),
]  # a browser test module's pytestmark


@contextmanager
def served(app: FastAPI, port: int) -> Iterator[None]:
    """`app` under uvicorn on 127.0.0.1:`port`, in a thread, until the block ends."""
    import threading
    import time

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium under Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
