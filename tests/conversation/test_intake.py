"""The upload intake every channel calls: what it stores, and what it refuses and why, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from bot.composition import Services, build_services
from config.settings import Settings, StorageSettings
from conversation.intake import UploadIntake
from db.models import Attachment
from tests.support.lifecycle import FixedClock

LIMIT = 200_000


@pytest.fixture
async def services(tmp_path: Path, db_url: str) -> AsyncIterator[Services]:
    storage = StorageSettings(data_dir=tmp_path / "data", database_url=db_url, upload_max_bytes=LIMIT)
    svc = build_services(Settings(_env_file=None, storage=storage), clock=FixedClock())
    yield svc
    await svc.aclose()


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (200, 220, 240)).save(buf, "JPEG")
    return buf.getvalue()


async def attachments(services: Services) -> list[Attachment]:
    async with services.sessions() as s:
        return list(await s.scalars(select(Attachment)))


async def test_a_jpeg_is_stored_and_referenced(services: Services) -> None:
    intake: UploadIntake = services.intake
    data = jpeg()
    got = await intake.receive(data, size=len(data), filename="ktp.jpg", declared_type="image/jpeg", is_photo=True)
    assert got.refused is None and got.media_type == "image/jpeg" and got.size == len(data) and got.is_photo
    [att] = await attachments(services)
    assert got.file_ref == str(att.id) and att.kind == "upload" and att.size == len(data)
    assert (services.settings.storage.uploads_dir / att.path).read_bytes() == data


async def test_an_oversized_file_is_refused(services: Services) -> None:
    assert services.intake.max_bytes == LIMIT
    # Not downloaded (the platform said how big it is): the engine explains the limit from the size.
    got = await services.intake.receive(None, size=LIMIT + 1, filename="scan.pdf", declared_type="application/pdf",
                                        is_photo=False)
    assert got.file_ref == "" and got.refused is None and got.size == LIMIT + 1
    assert got.media_type == "application/pdf"
    # Read up to the limit and one byte more (the web chat): refused with the intake's reason.
    data = jpeg() + b"\0" * LIMIT
    got = await services.intake.receive(data[:LIMIT + 1], size=len(data), filename="besar.jpg",
                                        declared_type="image/jpeg", is_photo=True)
    assert got.file_ref == "" and got.refused is not None and "terlalu besar" in got.refused
    assert got.size == len(data)
    assert await attachments(services) == []


async def test_a_file_that_is_not_an_image_is_refused_whatever_it_claims(services: Services) -> None:
    data = b"<html><script>alert(1)</script></html>"
    got = await services.intake.receive(data, size=len(data), filename="ktp.jpg", declared_type="image/jpeg",
                                        is_photo=True)
    assert got.file_ref == "" and got.refused is not None and "tidak didukung" in got.refused
    assert got.media_type == "application/octet-stream"
    assert await attachments(services) == []


async def test_an_empty_file_and_one_the_platform_refused_are_refused(services: Services) -> None:
    got = await services.intake.receive(b"", size=0, filename=None, declared_type="image/jpeg", is_photo=True)
    assert got.file_ref == "" and got.refused == "Berkas kosong; kirim ulang berkasnya."
    # Not downloaded although small enough (the platform would not hand it over): not called empty.
    got = await services.intake.receive(None, size=1234, filename=None, declared_type="image/jpeg", is_photo=True)
    assert got.file_ref == "" and got.refused is not None and got.size == 0
    assert "tidak dapat diambil" in got.refused and "kosong" not in got.refused and " MB." in got.refused
    async with services.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Attachment)) == 0
