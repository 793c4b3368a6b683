"""Operations: `/readyz` (the database answers and is at the newest migration; 503 otherwise, said in
Indonesian) and Prometheus metrics at `/metrics`, in-process over ASGI on both databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from alembic import command

from bot.composition import build_services
from bot.web import create_app
from config.settings import HttpSettings, Settings, StorageSettings
from db.migrate import alembic_config, head_revision
from tests.support.metrics import sample
from tests.support.webchat import Demo, sktm_script
from tests.web.test_api import act, cards, submitted_sktm


async def test_ready_when_the_database_is_at_the_newest_migration(demo: Demo, db_url: str) -> None:
    r = await demo.client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ready", "migration": head_revision()}
    await asyncio.to_thread(command.downgrade, alembic_config(db_url), "-1")
    r = await demo.client.get("/readyz")
    assert r.status_code == 503 and "belum diperbarui" in r.json()["reason"]
    assert (await demo.client.get("/healthz")).status_code == 200  # alive all the same


async def test_not_ready_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, http=HttpSettings(public_url="http://testserver"), storage=StorageSettings(
        data_dir=tmp_path / "data", database_url="postgresql+asyncpg://postgres@127.0.0.1:9/none"))
    services = build_services(settings)
    try:
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            r = await client.get("/readyz")
        assert r.status_code == 503 and r.json()["reason"] == "basis data tidak dapat dihubungi"
    finally:
        await services.aclose()


async def test_metrics_say_what_the_database_and_the_process_know(demo: Demo) -> None:
    await submitted_sktm(demo)
    await demo.client.get("/v/" + "A" * 26, headers={"Accept": "application/json"})
    r = await demo.client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert 'esurat_requests{status="submitted"} 1.0' in text
    assert 'esurat_verifications_total{verdict="TIDAK DITEMUKAN"} 1.0' in text
    assert "esurat_outbox_oldest_pending_seconds" in text and "esurat_inbox_pending 0.0" in text
    assert 'esurat_follow_ups_pending{kind=' in text or "esurat_follow_ups_pending" in text


async def test_updates_handled_are_counted_by_channel_once_each(demo: Demo) -> None:
    await submitted_sktm(demo)
    handled = 'esurat_updates_handled_total{channel="web"}'
    assert sample((await demo.client.get("/metrics")).text, handled) == len(sktm_script())
    for _ in range(2):  # a retried POST (the same client message id) is handled once, and counted once
        r = await demo.client.post("/demo/api/chat/message", json={"text": "status", "client_id": "retry-0001"})
        assert r.status_code == 200
    assert sample((await demo.client.get("/metrics")).text, handled) == len(sktm_script()) + 1


async def test_the_time_to_issue_a_letter_is_observed(demo: Demo) -> None:
    await submitted_sktm(demo)
    [card] = (await cards(demo.client))["cards"]
    assert (await act(demo.client, card["request_id"], "approve")).status_code == 200  # issued at once
    text = (await demo.client.get("/metrics")).text
    assert sample(text, 'esurat_issue_seconds_count{signature="segel_esurat"}') == 1.0
    seconds = sample(text, 'esurat_issue_seconds_sum{signature="segel_esurat"}')
    assert seconds is not None and 0 < seconds < 30
    assert sample(text, 'esurat_issue_seconds_bucket{le="+Inf",signature="segel_esurat"}') == 1.0
