"""`POST /api/v1/verifikasi` over real issued letters (both databases): an agency's key gets each letter's
verdict as the public page gives it; no key, a wrong or a revoked one gets 401 and nothing else; at most 100
letters a call; a rate limit per key; one audit row per answered call, with counts only."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.composition import build_services
from bot.web import create_app
from config.settings import HttpSettings, Settings, StorageSettings
from db.models import AuditEvent, Letter
from flows import load_catalogue
from lifecycle.actors import Actor
from tests.support.issuing import IssuingStack, issuing_stack
from tests.support.letter_samples import stored_fields
from tests.support.letters import NIK, qr_texts
from tests.support.lifecycle import FixedClock, make_resident, make_staff
from verification.agencies import create_agency, revoke_agency
from verification.agency_api import PATH, create_agency_router
from verification.agency_models import VerifyResponse
from verification.db_source import DbRecordSource
from verification.keys import KeyStore
from verification.ratelimit import RateLimiter
from verification.records import MemoryRecordSource
from verification.seal import qr_url, seal_from_url
from verification.subjects import subjects_of

CATALOGUE = load_catalogue()
UNKNOWN_ID = "B" * 26


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    stack: IssuingStack
    api: httpx.AsyncClient
    clock: FixedClock
    ticks: list[float]  # the rate limiter's clock, in seconds
    valid: Letter
    revoked: Letter
    key: str
    agency_id: int

    def qr(self, letter: Letter) -> str:
        return qr_url(self.stack.kit.settings.http.public_url, letter.public_id, letter.seal)

    async def post(self, items: Any, key: str | None = None, **headers: str) -> httpx.Response:
        auth = {"Authorization": f"Bearer {key or self.key}"} if not headers else headers
        return await self.api.post(PATH, json={"surat": items} if isinstance(items, list) else items, headers=auth)

    async def audit(self) -> list[AuditEvent]:
        async with self.sessions() as s:
            return list(await s.scalars(select(AuditEvent).where(AuditEvent.action == "agency_verify")
                                        .order_by(AuditEvent.id)))


async def issue(stack: IssuingStack, sessions: async_sessionmaker[AsyncSession], staff: Actor,
                external_id: str) -> Letter:
    resident = await make_resident(sessions, external_id)
    req = await stack.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                           fields=stored_fields(CATALOGUE["sktm"]))
    await stack.lifecycle.approve(req.id, staff)
    return await stack.issuing.issue(req.id)


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> AsyncIterator[World]:
    clock = FixedClock()
    stack = issuing_stack(sessions, tmp_path, clock)
    staff = await make_staff(sessions)
    valid, revoked = await issue(stack, sessions, staff, "1001"), await issue(stack, sessions, staff, "1002")
    await stack.issuing.revoke(revoked.number, staff, "Data pemohon tidak benar")
    made = await create_agency(sessions, "Dinas Sosial Kota Palangka Raya", clock())
    ticks = [0.0]
    source = DbRecordSource(sessions, {t.code: t.title for t in CATALOGUE}, subjects_of(CATALOGUE))
    app = FastAPI()
    app.include_router(create_agency_router(sessions, source, stack.kit.keystore, stack.kit.settings, clock=clock,
                                            limiter=RateLimiter(60, 20, clock=lambda: ticks[0])))
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    yield World(sessions, stack, api, clock, ticks, valid, revoked, made.key, made.agency.id)
    await api.aclose()
    await stack.aclose()


async def test_each_letter_gets_the_public_pages_verdict_in_order(world: World) -> None:
    pdf = (world.stack.kit.settings.storage.letters_dir / world.valid.pdf_path).read_bytes()
    (scanned,) = qr_texts(pdf)  # what the letter's QR code carries
    assert scanned == world.qr(world.valid)
    other_seal = seal_from_url(world.qr(world.revoked))
    tampered = [scanned.replace("SITI%20A***", "SITI%20B***"),  # a sealed field changed: the signature fails
                scanned.split("#")[0] + "#" + other_seal]  # another letter's (genuine) seal
    page_url = f"{scanned.split('#')[0]}?s={seal_from_url(scanned)}"
    items = [world.valid.public_id, scanned, page_url, world.revoked.public_id, UNKNOWN_ID, *tampered, "halo"]
    res = await world.post(items)
    assert res.status_code == 200, res.text
    data = res.json()
    VerifyResponse.model_validate(data)
    assert [r["masukan"] for r in data["hasil"]] == items
    assert [r["status"] for r in data["hasil"]] == ["ASLI", "ASLI", "ASLI", "DICABUT", "TIDAK DITEMUKAN",
                                                    "TIDAK VALID", "TIDAK VALID", "TIDAK DITEMUKAN"]
    assert data["jumlah"] == {"ASLI": 3, "DICABUT": 1, "TIDAK VALID": 2, "DIGANTI": 0, "KEDALUWARSA": 0,
                              "TIDAK DITEMUKAN": 2}
    first, sealed = data["hasil"][0], data["hasil"][1]
    assert first["letter"]["holder_name"] == "SITI A***" and first["letter"]["nik"] == "6271********0001"
    assert first["seal"]["presented"] is False and sealed["seal"]["valid"] is True
    assert data["hasil"][3]["revocation"]["reason"] == "Data pemohon tidak benar"
    assert data["hasil"][4]["letter"] is None and data["hasil"][4]["contact"]["text"]
    assert NIK not in res.text and "SITI AMINAH" not in res.text

    for item, answer in zip(items[:5], data["hasil"][:5], strict=True):  # exactly what the public JSON says
        public_id = item.split("#")[0].split("?")[0].rsplit("/", 1)[-1]
        seal = seal_from_url(item) or None
        page = await world.stack.client.get(f"/v/{public_id}", params={"s": seal} if seal else {},
                                            headers={"Accept": "application/json"})
        assert {"masukan": item} | page.json() == answer


async def test_the_key_may_also_come_as_x_api_key(world: World) -> None:
    res = await world.post([world.valid.public_id], **{"X-API-Key": world.key})
    assert res.status_code == 200 and res.json()["hasil"][0]["status"] == "ASLI"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer esk_salah"}, {"X-API-Key": "esk_salah"},
                                     {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}])
async def test_no_key_or_a_wrong_one_gets_401_and_no_data(world: World, headers: dict[str, str],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    res = await world.api.post(PATH, json={"surat": [world.valid.public_id]}, headers=headers)
    assert res.status_code == 401 and res.headers["www-authenticate"] == "Bearer"
    assert list(res.json()) == ["error"] and "Kunci API" in res.json()["error"]
    assert world.valid.number not in res.text and world.valid.public_id not in res.text
    assert "API instansi: permintaan ditolak" in caplog.text and "esk_salah" not in caplog.text
    assert await world.audit() == []


async def test_a_revoked_key_gets_401(world: World, caplog: pytest.LogCaptureFixture) -> None:
    assert (await world.post([world.valid.public_id])).status_code == 200
    await revoke_agency(world.sessions, world.agency_id, world.clock())
    caplog.set_level(logging.WARNING)
    res = await world.post([world.valid.public_id])
    assert res.status_code == 401 and list(res.json()) == ["error"]
    assert world.key not in caplog.text and world.key[:12] not in caplog.text
    assert len(await world.audit()) == 1  # the call made before


async def test_at_most_100_letters_a_call(world: World) -> None:
    accepted = await world.post([world.valid.public_id] * 100)
    assert accepted.status_code == 200 and accepted.json()["jumlah"]["ASLI"] == 100
    refused = await world.post([world.valid.public_id] * 101)
    assert refused.status_code == 422 and list(refused.json()) == ["error"]
    assert "paling banyak 100" in refused.json()["error"]
    empty = await world.post([])
    assert empty.status_code == 422 and "kosong" in empty.json()["error"]
    for body in ({"surat": [1]}, {"nomor": "x"}, {"surat": ["x" * 2049]}):
        bad = await world.post(body)
        assert bad.status_code == 422 and "Isi permintaan tidak sesuai" in bad.json()["error"]
    bad = await world.api.post(PATH, content=b"{not json", headers={"Authorization": f"Bearer {world.key}"})
    assert bad.status_code == 422


async def test_each_key_has_its_rate_limit(world: World) -> None:
    for _ in range(20):  # the burst
        assert (await world.post([world.valid.public_id])).status_code == 200
    limited = await world.post([world.valid.public_id])
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert "Terlalu banyak permintaan" in limited.json()["error"] and list(limited.json()) == ["error"]
    other = await create_agency(world.sessions, "RSUD Doris Sylvanus", world.clock())
    assert (await world.post([world.valid.public_id], key=other.key)).status_code == 200
    world.ticks[0] += 1.0  # 60 a minute: one more a second
    assert (await world.post([world.valid.public_id])).status_code == 200
    assert (await world.post([world.valid.public_id])).status_code == 429
    assert len(await world.audit()) == 22  # refused calls leave no row


async def test_one_audit_row_per_call_with_counts_only(world: World) -> None:
    await world.post([world.valid.public_id, world.revoked.public_id, UNKNOWN_ID])
    await world.post([world.valid.public_id])
    await world.post([])
    rows = await world.audit()
    assert [(r.actor, r.action) for r in rows] == [(f"agency:{world.agency_id}", "agency_verify")] * 3
    assert [json.loads(r.detail or "") for r in rows] == [
        {"jumlah": 3, "ASLI": 1, "DICABUT": 1, "TIDAK DITEMUKAN": 1}, {"jumlah": 1, "ASLI": 1}, {"ditolak": 1}]
    assert all(r.request_id is None and r.at == world.clock() for r in rows)


async def test_the_limits_come_from_the_settings(sessions: async_sessionmaker[AsyncSession], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESURAT_AGENCY_RATE_PER_MINUTE", "1")
    monkeypatch.setenv("ESURAT_AGENCY_RATE_BURST", "2")
    settings = Settings(_env_file=None)
    made = await create_agency(sessions, "Sekolah", FixedClock()())
    app = FastAPI()
    app.include_router(create_agency_router(sessions, MemoryRecordSource(), KeyStore(tmp_path), settings))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as api:
        codes = [(await api.post(PATH, json={"surat": [UNKNOWN_ID]}, headers={"X-API-Key": made.key}))
                 for _ in range(3)]
        assert [r.status_code for r in codes] == [200, 200, 429] and int(codes[2].headers["retry-after"]) > 30
        guesses = [(await api.post(PATH, json={"surat": [UNKNOWN_ID]}, headers={"X-API-Key": f"esk_{n}"})).status_code
                   for n in range(18)]  # the address may make 10 times a key's calls (20 at once), keys or none
    assert guesses == [401] * 17 + [429]


async def test_the_service_serves_and_documents_it(db_url: str, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, http=HttpSettings(_env_file=None, public_url="http://testserver"),
                        storage=StorageSettings(_env_file=None, data_dir=tmp_path / "data", database_url=db_url))
    services = build_services(settings)
    made = await create_agency(services.sessions, "Bank Kalteng", services.clock())
    try:
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            found = await client.post(PATH, json={"surat": [UNKNOWN_ID]}, headers={"X-API-Key": made.key})
            refused = await client.post(PATH, json={"surat": [UNKNOWN_ID]})
            schema = (await client.get("/openapi.json")).json()
    finally:
        await services.aclose()
    assert found.status_code == 200 and found.json()["hasil"][0]["status"] == "TIDAK DITEMUKAN"
    assert refused.status_code == 401 and "Kunci API" in refused.json()["error"]
    operation = schema["paths"][PATH]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["surat"]["maxItems"] == 100
    assert {"401", "422", "429"} <= set(operation["responses"]) and "VerifyItem" in schema["components"]["schemas"]
