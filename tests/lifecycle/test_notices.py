"""Every message that tells a resident about a decision carries a typed `Notice` (what happened, to which
request, with which details), so that a channel that cannot send free text at that moment (WhatsApp
outside its 24-hour window) can send a registered template saying the same; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.composition import Services, build_services
from config.settings import Settings, StorageSettings
from db.models import OutboxMessage
from db.outbound import AskFileOut, Notice, Outbound, TextOut, parse_outbound
from lifecycle.actors import Actor
from tests.support.letter_samples import stored_fields
from tests.support.lifecycle import make_resident, make_staff

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@pytest.fixture
async def services(tmp_path: Path, db_url: str) -> AsyncIterator[Services]:
    settings = Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url))
    svc = build_services(settings, clock=lambda: NOW, channels=[])
    yield svc
    await svc.aclose()


async def messages(services: Services, after: int = 0) -> list[tuple[int, Outbound]]:
    async with services.sessions() as s:
        rows = await s.scalars(select(OutboxMessage).where(OutboxMessage.id > after).order_by(OutboxMessage.id))
        return [(r.id, parse_outbound(r.payload)) for r in rows]


async def submitted(services: Services) -> tuple[int, str, Actor]:
    resident = await make_resident(services.sessions, external_id="6281234567890")
    staff = await make_staff(services.sessions)
    fields = stored_fields(services.catalogue["sktm"], dependants=1)
    req = await services.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                              fields=fields)
    return req.id, req.code, staff


async def test_decisions_carry_their_notice(services: Services) -> None:
    request_id, code, staff = await submitted(services)
    ((_, sent),) = await messages(services)
    title = services.catalogue["sktm"].title
    assert isinstance(sent, TextOut) and sent.notice == Notice(event="submit", code=code, title=title)
    await services.lifecycle.reject(request_id, staff, "Surat pengantar RT tidak terbaca")
    ((_, rejected),) = [m for m in await messages(services) if m[1] != sent]
    assert isinstance(rejected, TextOut) and rejected.notice is not None
    assert rejected.notice.event == "reject" and rejected.notice.code == code
    assert rejected.notice.detail == "Surat pengantar RT tidak terbaca"
    assert "DITOLAK" in rejected.text


async def test_a_correction_announces_itself_once(services: Services) -> None:
    request_id, code, staff = await submitted(services)
    last = max(i for i, _ in await messages(services))
    await services.lifecycle.request_revision(request_id, staff, "Alamat kurang lengkap", ["alamat"])
    asked = [m for _, m in await messages(services, last)]
    assert asked, "the resident is told about the correction"
    first, *rest = asked
    assert isinstance(first, TextOut | AskFileOut) and first.notice is not None
    assert (first.notice.event, first.notice.code, first.notice.detail) == (
        "request_revision", code, "Alamat kurang lengkap")
    assert all(getattr(m, "notice", None) is None for m in rest)  # the questions after it are plain


def test_rows_of_older_versions_still_parse() -> None:
    old_ask = {"type": "text", "kind": "ask_file", "text": "Kirim foto KK.", "attachment_kind": "kk",
               "choices": [], "style": "buttons"}
    parsed = parse_outbound(old_ask)
    assert isinstance(parsed, TextOut) and parsed.text == "Kirim foto KK." and parsed.notice is None
    old_doc = {"type": "document", "letter_id": 3, "path": "2026/1-x.pdf", "filename": "sku-BT.pdf", "caption": "c"}
    assert parse_outbound(old_doc).type == "document"
