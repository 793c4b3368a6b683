"""Uploads are deleted `upload_retention_days` after their request ended (time injected): the rows stay,
saying when and why; requests under way keep theirs; a file shared with a row still in use stays;
uploads never attached to a request go as long after they came in; a file a crash left is removed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.composition import Services, build_services
from config.settings import Settings, StorageSettings
from db.models import Attachment
from db.retention import purge_expired_uploads, retention_job
from lifecycle.actors import Actor
from tests.lifecycle.test_issuing import FIELDS
from tests.support.lifecycle import FixedClock, make_resident, make_staff

DAYS = 30


@pytest.fixture
async def services(tmp_path: Path, db_url: str) -> AsyncIterator[Services]:
    settings = Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url,
                                                                upload_retention_days=DAYS))
    services = build_services(settings, clock=FixedClock())
    yield services
    await services.aclose()


async def upload(services: Services, content: bytes) -> Attachment:
    async with services.sessions.begin() as s:
        return await services.uploads.store(s, b"%PDF-1.4 " + content, "ktp", services.clock())


async def rows(services: Services) -> dict[int, Attachment]:
    async with services.sessions() as s:
        return {a.id: a for a in await s.scalars(select(Attachment))}


async def request_with(services: Services, resident: Actor, *attachments: Attachment) -> int:
    req = await services.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                              fields=FIELDS, attachment_ids=[a.id for a in attachments])
    return req.id


async def test_uploads_are_deleted_days_after_their_request_ended(services: Services) -> None:
    clock = services.clock
    assert isinstance(clock, FixedClock)
    start = clock.now
    uploads_dir = services.settings.storage.uploads_dir
    resident, staff = await make_resident(services.sessions), await make_staff(services.sessions)
    rejected_file, shared, active_file, issued_file, old_draft = (
        await upload(services, b"a"), await upload(services, b"shared"), await upload(services, b"b"),
        await upload(services, b"c"), await upload(services, b"d"))
    shared_again = await upload(services, b"shared")  # the same photo sent twice: one file, two rows
    rejected = await request_with(services, resident, rejected_file, shared)
    await services.lifecycle.reject(rejected, staff, "Berkas tidak terbaca")
    active = await request_with(services, resident, active_file, shared_again)
    issued = await request_with(services, resident, issued_file)
    await services.lifecycle.approve(issued, staff)
    await services.issuing.issue(issued)

    clock.now = start + timedelta(days=10)
    new_draft = await upload(services, b"e")  # a draft's upload, 20 days younger than the others
    clock.now = start + timedelta(days=DAYS) - timedelta(minutes=1)
    assert await purge_expired_uploads(services.sessions, uploads_dir, DAYS, clock.now) == 0

    clock.now = start + timedelta(days=DAYS, minutes=1)
    assert await purge_expired_uploads(services.sessions, uploads_dir, DAYS, clock.now) == 4
    found = await rows(services)
    gone = {rejected_file.id, shared.id, issued_file.id, old_draft.id}
    for att in found.values():
        if att.id in gone:
            assert att.deleted_at == clock.now and att.deleted_reason == "retention", att.id
            assert att.path == shared.path or not (uploads_dir / att.path).exists()
        else:
            assert att.deleted_at is None and (uploads_dir / att.path).is_file(), att.id
    assert (uploads_dir / shared.path).is_file()  # still needed by the request under way
    assert await purge_expired_uploads(services.sessions, uploads_dir, DAYS, clock.now) == 0  # idempotent

    # The request under way ends; 30 days later its uploads go, the shared file with them.
    await services.lifecycle.cancel(active, resident)
    clock.now += timedelta(days=DAYS + 1)
    assert await purge_expired_uploads(services.sessions, uploads_dir, DAYS, clock.now) == 3
    assert not (uploads_dir / shared.path).exists() and not (uploads_dir / new_draft.path).exists()
    assert all(a.deleted_at is not None for a in (await rows(services)).values())

    # A file left behind by a crash between the commit and its removal goes at the next round.
    (uploads_dir / active_file.path).write_bytes(b"left over")
    assert await purge_expired_uploads(services.sessions, uploads_dir, DAYS, clock.now) == 0
    assert not (uploads_dir / active_file.path).exists()


async def test_the_retention_job_runs_with_the_service_clock(services: Services) -> None:
    clock = services.clock
    assert isinstance(clock, FixedClock)
    uploads_dir = services.settings.storage.uploads_dir
    draft = await upload(services, b"never sent")
    clock.now += timedelta(days=DAYS + 1)
    job = asyncio.create_task(retention_job(services.sessions, uploads_dir, DAYS, clock, interval=0.01))
    try:
        for _ in range(500):
            if (await rows(services))[draft.id].deleted_at is not None:
                break
            await asyncio.sleep(0.01)
    finally:
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)
    assert (await rows(services))[draft.id].deleted_reason == "retention"
    assert not (uploads_dir / draft.path).exists()


def test_the_retention_period_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESURAT_UPLOAD_RETENTION_DAYS", "7")
    assert StorageSettings(_env_file=None).upload_retention_days == 7
    monkeypatch.delenv("ESURAT_UPLOAD_RETENTION_DAYS")
    assert StorageSettings(_env_file=None).upload_retention_days == 30
    monkeypatch.setenv("ESURAT_UPLOAD_RETENTION_DAYS", "0")
    with pytest.raises(ValueError, match="upload_retention_days"):
        StorageSettings(_env_file=None)
