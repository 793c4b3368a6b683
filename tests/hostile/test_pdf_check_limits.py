"""The public PDF check `POST /v/{id}/check` cannot be abused: a body over the limit is refused by its
Content-Length before it is read, or cut off where it passes the limit; a check costs a client ten page
views of its allowance; a client runs one check at a time, and only a few run or wait at once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from bot.composition import build_services
from bot.web import create_app
from config.settings import HttpSettings, Settings, StorageSettings
from flows import load_catalogue
from tests.dbfixtures import DatabaseFactory
from tests.hostile.strategies import assert_indonesian
from tests.support.letter_samples import formatted
from tests.support.letters import Kit, letter_spec, make_kit
from tests.support.verification import record_of
from verification.check_limits import CheckGate
from verification.pades import PadesReport
from verification.ratelimit import RateLimiter
from verification.records import MemoryRecordSource
from verification.router import create_verification_router

MB = 1024 * 1024
BOUNDARY = "hostileboundary"
JSON = {"Accept": "application/json"}


@dataclass
class Letter:
    kit: Kit
    source: MemoryRecordSource
    public_id: str
    pdf: bytes


@pytest.fixture(scope="module")
def letter(tmp_path_factory: pytest.TempPathFactory) -> Letter:
    kit = make_kit(tmp_path_factory.mktemp("check"))
    defn = load_catalogue()["sktm"]
    values, rows = formatted(defn)
    made = kit.maker.make(letter_spec(defn, values, rows, f"{defn.classification_code}/001/BT/XI/2026"))
    source = MemoryRecordSource()
    source.add(record_of(made, "2026/x.pdf"))
    return Letter(kit, source, made.public_id, made.pdf_bytes)


class Blocking:
    """The real validator, held at its start until released; counts its calls."""

    def __init__(self, kit: Kit) -> None:
        self.real, self.calls = kit.validator, 0
        self.entered, self.release = threading.Event(), threading.Event()

    def validate(self, pdf_bytes: bytes) -> PadesReport:
        self.calls += 1
        self.entered.set()
        assert self.release.wait(20)
        return self.real.validate(pdf_bytes)


def app_of(letter: Letter, limiter: RateLimiter | None = None, gate: CheckGate | None = None,
           validator: Blocking | None = None) -> FastAPI:
    app = FastAPI()
    app.include_router(create_verification_router(
        letter.source, letter.kit.keystore, validator or letter.kit.validator, letter.kit.settings,
        limiter=limiter if limiter is not None else RateLimiter(per_minute=100_000), gate=gate))
    return app


def client(app: FastAPI, peer: str = "192.0.2.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 40000)), base_url="http://127.0.0.1")


class Body:
    """A multipart body of `size` bytes of PDF-ish data, sent in 1 MB pieces; `sent`: how much was pulled."""

    def __init__(self, size: int) -> None:
        self.size, self.sent = size, 0
        self.head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"besar.pdf\"\r\n"
                     "Content-Type: application/pdf\r\n\r\n").encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    @property
    def length(self) -> int:
        return len(self.head) + self.size + len(self.tail)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.head
        while self.sent < self.size:
            piece = min(MB, self.size - self.sent)
            self.sent += piece
            yield b"%" * piece
        yield self.tail


async def post(c: httpx.AsyncClient, public_id: str, body: Body, declare: bool) -> httpx.Response:
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", **JSON}
    if declare:
        headers["Content-Length"] = str(body.length)
    return await c.post(f"/v/{public_id}/check", content=body, headers=headers)


@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "chunked"])
async def test_a_50_mb_body_gets_413_without_being_read(letter: Letter, declare: bool) -> None:
    limit = letter.kit.settings.http.max_check_bytes
    body = Body(50 * MB)
    async with client(app_of(letter)) as c:
        r = await post(c, letter.public_id, body, declare)
    assert r.status_code == 413 and r.json()["status"] == "BERKAS TERLALU BESAR"
    assert_indonesian(r.json()["message"])
    assert body.sent <= (MB if declare else limit + 2 * MB), body.sent  # stopped at the limit, not at 50 MB


@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "chunked"])
async def test_the_whole_service_refuses_a_50_mb_body_unread(tmp_path: Path, declare: bool) -> None:
    factory = DatabaseFactory("sqlite", tmp_path)
    await asyncio.to_thread(factory.template)
    settings = Settings(_env_file=None, http=HttpSettings(_env_file=None),
                        storage=StorageSettings(data_dir=tmp_path / "data", database_url=await factory.fresh()))
    services = build_services(settings)
    try:
        body = Body(50 * MB)
        async with client(create_app(services)) as c:
            r = await post(c, "A" * 26, body, declare)
        # declared: the body limit answers at once; chunked: no such letter, and the body is not read at all
        assert r.status_code == (413 if declare else 404)
        assert body.sent <= MB
    finally:
        await services.aclose()


async def test_a_check_costs_ten_page_views(letter: Letter) -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, clock=lambda: now[0])
    files = {"pdf": ("surat.pdf", letter.pdf, "application/pdf")}
    async with client(app_of(letter, limiter)) as c:
        codes = [(await c.post(f"/v/{letter.public_id}/check", files=files, headers=JSON)).status_code
                 for _ in range(7)]
        assert codes == [200] * 6 + [429]
        assert (await c.get(f"/v/{letter.public_id}")).status_code == 429  # the allowance is spent
        now[0] += 10  # ten page views' worth back: one check
        assert (await c.post(f"/v/{letter.public_id}/check", files=files, headers=JSON)).status_code == 200
        assert (await c.post(f"/v/{letter.public_id}/check", files=files, headers=JSON)).status_code == 429
    async with client(app_of(letter, limiter), peer="192.0.2.2") as other:
        assert (await other.get(f"/v/{letter.public_id}")).status_code == 200


async def test_one_check_per_client_and_a_few_at_once(letter: Letter) -> None:
    validator = Blocking(letter.kit)
    gate = CheckGate(slots=1, waiting=1)
    app = app_of(letter, gate=gate, validator=validator)
    files = {"pdf": ("surat.pdf", letter.pdf, "application/pdf")}
    url = f"/v/{letter.public_id}/check"
    async with client(app, "192.0.2.1") as a, client(app, "192.0.2.2") as b, client(app, "192.0.2.3") as c:
        first = asyncio.create_task(a.post(url, files=files, headers=JSON))
        assert await asyncio.to_thread(validator.entered.wait, 20)  # a's check holds the only slot
        again = await a.post(url, files=files, headers=JSON)
        assert again.status_code == 429 and "masih berjalan" in again.json()["message"]
        queued = asyncio.create_task(b.post(url, files=files, headers=JSON))
        async with asyncio.timeout(20):
            while gate.queued < 1:
                if queued.done():
                    raise AssertionError(queued.result().text)
                await asyncio.sleep(0.01)
        busy = await c.post(url, files=files, headers=JSON)
        assert busy.status_code == 503 and int(busy.headers["Retry-After"]) >= 1
        assert_indonesian(busy.json()["message"])
        validator.release.set()
        assert (await first).status_code == (await queued).status_code == 200
        assert (await first).json()["upload"]["verdict"] == "SAMA"
    assert validator.calls == 2  # the refused ones cost no signature check
