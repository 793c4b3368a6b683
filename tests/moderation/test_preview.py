"""The letter preview through the database: staff who may decide a request get its draft, which reads as the
letter issued after approval but for the number's sequence and the watermark; it stores nothing and takes no
number; its QR is answered by the verification page as no letter; other staff are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pypdfium2 as pdfium
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.directory import add_staff
from db.models import AuditEvent, Letter, LetterRequest, NumberSequence, Staff
from flows import load_catalogue
from lifecycle.actors import Actor
from lifecycle.errors import IllegalTransition, NotAuthorized
from lifecycle.issuing import Issuing
from lifecycle.service import RequestLifecycle
from moderation.preview import LetterPreview
from moderation.service import AlreadyDecided, ModerationService
from tests.support.issuing import issuing_stack
from tests.support.letter_samples import stored_fields
from tests.support.letters import Kit, qr_texts
from tests.support.lifecycle import FixedClock, deactivate, make_resident
from verification.seal import seal_from_url

CATALOGUE = load_catalogue()
LONG = "MUHAMMAD RIZKY ANANDA PRATAMA SAPUTRA BIN ABDURRAHMAN WAHID"


class World(NamedTuple):
    sessions: async_sessionmaker[AsyncSession]
    lifecycle: RequestLifecycle
    moderation: ModerationService
    preview: LetterPreview
    issuing: Issuing
    client: httpx.AsyncClient
    staff: Staff
    kit: Kit


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> AsyncIterator[World]:
    stack = issuing_stack(sessions, tmp_path, FixedClock())
    moderation = ModerationService(sessions, stack.lifecycle, CATALOGUE)
    staff = await add_staff(sessions, "bukit-tunggal", name="Rina", role="operator", telegram_user_id=7001)
    yield World(sessions, stack.lifecycle, moderation, LetterPreview(moderation, stack.maker), stack.issuing,
                stack.client, staff, stack.kit)
    await stack.aclose()


def sktm_fields(dependants: int = 2, **overrides: Any) -> dict[str, Any]:
    return stored_fields(CATALOGUE["sktm"], dependants) | overrides


async def submitted(world: World, fields: dict[str, Any]) -> LetterRequest:
    resident = await make_resident(world.sessions)
    return await world.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                            fields=fields)


def pages(pdf: bytes) -> list[list[str]]:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].get_textpage().get_text_range().split() for i in range(len(doc))]


async def counts(world: World) -> tuple[int, int, int]:
    async with world.sessions() as s:
        return (await s.scalar(select(func.count()).select_from(Letter)) or 0,
                await s.scalar(select(func.count()).select_from(NumberSequence)) or 0,
                await s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


async def test_the_draft_is_the_letter_issued_after_approval(world: World) -> None:
    fields = sktm_fields(10, nama=LONG, tanggungan=[r | {"nama": LONG} for r in sktm_fields(10)["tanggungan"]])
    req = await submitted(world, fields)
    before = await counts(world)
    draft = await world.preview.draft_pdf(req.id, world.staff)
    assert await counts(world) == before  # no letter row, no number taken, no audit event
    assert not list(world.kit.settings.storage.letters_dir.rglob("*"))
    async with world.sessions() as s:
        unchanged = await s.get(LetterRequest, req.id)
    assert unchanged is not None and unchanged.status == "submitted" and unchanged.number is None

    await world.moderation.act(req.id, world.staff, "approve")
    letter = await world.issuing.issue(req.id)
    assert letter.number == "400.12.2.2/001/BT/XI/2026"  # the preview consumed no number
    issued = (world.kit.settings.storage.letters_dir / letter.pdf_path).read_bytes()

    drafted, made = pages(draft), pages(issued)
    assert len(drafted) >= 2 and len(drafted) == len(made)
    for words, issued_words in zip(drafted, made, strict=True):
        assert words.count("DRAF") == 1  # the watermark, on every page
        pending = "400.12.2.2/\u2026/BT/XI/2026"
        assert [letter.number if w == pending else w for w in words if w != "DRAF"] == issued_words


async def test_the_draft_qr_is_no_letter_to_the_verification_page(world: World) -> None:
    req = await submitted(world, sktm_fields())
    draft = await world.preview.draft_pdf(req.id, world.staff)
    (url,) = qr_texts(draft)
    path = url.split("#")[0].removeprefix(world.kit.settings.http.public_url)
    answer = await world.client.get(path, params={"s": seal_from_url(url)}, headers={"Accept": "application/json"})
    assert answer.status_code == 404 and answer.json()["status"] == "TIDAK DITEMUKAN"

    await world.moderation.act(req.id, world.staff, "approve")
    letter = await world.issuing.issue(req.id)
    check = await world.client.post(f"/v/{letter.public_id}/check", files={"pdf": ("draf.pdf", draft)},
                                    headers={"Accept": "application/json"})
    assert check.json()["upload"]["verdict"] != "SAMA"  # the draft is not the issued letter either


async def test_a_corrected_request_previews_its_corrected_data(world: World) -> None:
    req = await submitted(world, sktm_fields(keperluan="Berobat di RSUD"))
    await world.moderation.act(req.id, world.staff, "revise", "keperluan kurang jelas")
    with pytest.raises(IllegalTransition):  # waiting for the resident: nothing to preview
        await world.preview.draft_pdf(req.id, world.staff)
    async with world.sessions() as s:
        row = await s.get(LetterRequest, req.id)
        assert row is not None
        resident = row.resident_id
    await world.lifecycle.resubmit(req.id, Actor.resident(resident),
                                   fields=sktm_fields(keperluan="Keringanan biaya berobat di RSUD"))
    words = " ".join(sum(pages(await world.preview.draft_pdf(req.id, world.staff)), []))
    assert "Keringanan biaya berobat di RSUD" in words


async def test_only_staff_who_may_decide_get_the_draft(world: World) -> None:
    req = await submitted(world, sktm_fields())
    other = await add_staff(world.sessions, "menteng", name="Budi", role="operator", telegram_user_id=7002)
    with pytest.raises(NotAuthorized):
        await world.preview.draft_pdf(req.id, other)
    await deactivate(world.sessions, world.staff.id)
    with pytest.raises(NotAuthorized):
        await world.preview.draft_pdf(req.id, world.staff)
    with pytest.raises(NotAuthorized):
        await world.preview.draft_pdf(req.id + 1000, world.staff)


async def test_a_decided_request_has_no_draft(world: World) -> None:
    req = await submitted(world, sktm_fields())
    await world.moderation.act(req.id, world.staff, "reject", "Persyaratan tidak lengkap")
    with pytest.raises(AlreadyDecided, match="DITOLAK"):
        await world.preview.draft_pdf(req.id, world.staff)
