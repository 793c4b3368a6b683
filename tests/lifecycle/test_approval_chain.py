"""The approval chain per kelurahan (and letter type): one step as before, or two (the operator checks and
forwards, the Lurah or the Sekretaris a.n. Lurah approves and signs); the issued letter names who signed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.composition import Services, build_services
from config.settings import Settings, StorageSettings
from db.directory import add_staff
from db.models import ApprovalSignature, AuditEvent, Letter, LetterRequest, OutboxMessage, Staff
from db.staff_admin import set_staff_details
from lifecycle.approval import set_steps
from lifecycle.errors import DomainError, NotAuthorized
from moderation.service import AlreadyDecided
from tests.support.flows import ANSWERS
from tests.support.letters import pdf_text
from tests.support.lifecycle import FixedClock, kelurahan, make_resident

FIELDS = {**ANSWERS, "tanggal_lahir": "1990-07-05", "jenis_kelamin": "P", "rt_rw": "003/005", "tanggungan": []}


@pytest.fixture
async def services(tmp_path: Path, db_url: str) -> AsyncIterator[Services]:
    settings = Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url))
    svc = build_services(settings, clock=FixedClock())
    yield svc
    await svc.aclose()


async def policy(services: Services, steps: int, letter_type: str | None = None, slug: str = "bukit-tunggal") -> None:
    kel = await kelurahan(services.sessions, slug)
    async with services.sessions.begin() as s:
        await set_steps(s, kel.id, letter_type, steps)


async def staff(services: Services, role: str, name: str) -> Staff:
    return await add_staff(services.sessions, "bukit-tunggal", name=name, role=role)


async def submitted(services: Services, letter_type: str = "sktm", resident: str = "2001") -> int:
    who = await make_resident(services.sessions, external_id=resident)
    req = await services.lifecycle.submit_new(who, kelurahan_slug="bukit-tunggal", letter_type=letter_type,
                                              fields=FIELDS)
    return req.id


async def issued_text(services: Services, request_id: int) -> tuple[str, Letter]:
    assert await services.follow_ups.run_once() == 1
    async with services.sessions() as s:
        letter = await s.scalar(select(Letter).where(Letter.request_id == request_id))
    assert letter is not None
    return pdf_text(services.issuing.pdf_path(letter).read_bytes()), letter


async def test_one_step_is_as_before(services: Services) -> None:
    operator = await staff(services, "operator", "Rina Operator")
    rid = await submitted(services)
    card = await services.moderation.card(rid)
    assert card.actions == [("approve", "Setujui"), ("reject", "Tolak"), ("revise", "Minta perbaikan")]
    with pytest.raises(NotAuthorized, match="satu tahap"):
        await services.moderation.act(rid, operator, "forward")
    req = await services.moderation.act(rid, operator, "approve")
    assert req.status == "approved"
    text, letter = await issued_text(services, rid)
    async with services.sessions() as s:
        assert await s.get(ApprovalSignature, rid) is None
    assert "Nama Lurah Bukit Tunggal" in text  # the kelurahan's configured signatory, as before
    assert "Rina Operator" not in text and letter.signatory_title == "Lurah Bukit Tunggal"


async def test_two_steps_operator_forwards_lurah_approves_and_signs(services: Services) -> None:
    await policy(services, 2)
    operator = await staff(services, "operator", "Rina Operator")
    lurah = await staff(services, "lurah", "Drs. Bambang Lurah")
    rid = await submitted(services)
    card = await services.moderation.card(rid)
    assert card.actions == [("forward", "Teruskan ke Lurah"), ("reject", "Tolak"), ("revise", "Minta perbaikan")]
    with pytest.raises(NotAuthorized, match="diteruskan ke Lurah terlebih dahulu"):
        await services.moderation.act(rid, lurah, "approve")
    assert (await services.moderation.act(rid, operator, "forward")).status == "checked"
    card = await services.moderation.card(rid)
    assert card.actions == [("approve", "Setujui & tandatangani"), ("reject", "Tolak"), ("revise", "Minta perbaikan")]
    assert card.outcome is not None and "DIPERIKSA" in card.outcome and "Rina Operator" in card.outcome
    with pytest.raises(NotAuthorized, match="Hanya Lurah atau Sekretaris yang dapat menyetujui surat ini"):
        await services.moderation.act(rid, operator, "approve")
    with pytest.raises(AlreadyDecided, match="sudah diperiksa dan diteruskan"):
        await services.moderation.act(rid, operator, "forward")
    assert (await services.moderation.act(rid, lurah, "approve")).status == "approved"
    text, letter = await issued_text(services, rid)
    assert "Drs. Bambang Lurah" in text and "Lurah Bukit Tunggal" in text and "a.n. Lurah" not in text
    assert "Nama Lurah Bukit Tunggal" not in text
    assert letter.signatory_name == "Drs. Bambang Lurah" and letter.signatory_title == "Lurah Bukit Tunggal"
    async with services.sessions() as s:
        sig = await s.get(ApprovalSignature, rid)
        texts = [m.payload.get("text", "") for m in await s.scalars(select(OutboxMessage))]
    assert sig is not None and sig.staff_id == lurah.id and not sig.delegated
    assert any("diteruskan kepada Lurah" in t for t in texts)  # the resident is told


async def test_sekretaris_signs_on_behalf_of_the_lurah(services: Services) -> None:
    await policy(services, 2)
    operator = await staff(services, "operator", "Rina Operator")
    sekretaris = await staff(services, "sekretaris", "Sri Wahyuni, S.Sos")
    rid = await submitted(services)
    await services.moderation.act(rid, operator, "forward")
    await services.moderation.act(rid, sekretaris, "approve")
    text, letter = await issued_text(services, rid)
    assert "a.n. Lurah Bukit Tunggal" in text and "Sekretaris Kelurahan" in text and "Sri Wahyuni, S.Sos" in text
    assert letter.signatory_title == "a.n. Lurah Bukit Tunggal, Sekretaris Kelurahan"


async def test_a_letter_type_overrides_the_kelurahan_policy(services: Services) -> None:
    await policy(services, 2)
    await policy(services, 1, "sku")
    operator = await staff(services, "operator", "Rina Operator")
    sktm, sku = await submitted(services, "sktm", "2001"), await submitted(services, "sku", "2002")
    assert (await services.moderation.card(sku)).actions[0] == ("approve", "Setujui")
    assert (await services.moderation.card(sktm)).actions[0] == ("forward", "Teruskan ke Lurah")
    assert (await services.moderation.act(sku, operator, "approve")).status == "approved"
    with pytest.raises(NotAuthorized):
        await services.moderation.act(sktm, operator, "approve")
    await policy(services, 2, "sku")  # set again: the row is updated, not duplicated
    assert (await services.moderation.card(await submitted(services, "sku", "2003"))).actions[0][0] == "forward"


async def test_reject_and_revise_from_checked(services: Services) -> None:
    await policy(services, 2)
    operator = await staff(services, "operator", "Rina Operator")
    lurah = await staff(services, "lurah", "Bambang")
    first, second = await submitted(services, resident="2001"), await submitted(services, resident="2002")
    for rid in (first, second):
        await services.moderation.act(rid, operator, "forward")
    assert (await services.moderation.act(first, lurah, "reject", "Bukan warga kelurahan ini")).status == "rejected"
    revised = await services.moderation.act(second, lurah, "revise", "NIK salah ketik")
    assert revised.status == "needs_revision" and revised.fields_to_fix == ["nik"]


async def test_two_approvals_at_once_one_wins(services: Services) -> None:
    await policy(services, 2)
    operator = await staff(services, "operator", "Rina Operator")
    lurah = await staff(services, "lurah", "Bambang")
    sekretaris = await staff(services, "sekretaris", "Sri")
    rid = await submitted(services)
    await services.moderation.act(rid, operator, "forward")
    results = await asyncio.gather(*(services.moderation.act(rid, who, "approve")
                                     for who in (lurah, sekretaris, lurah, sekretaris)), return_exceptions=True)
    wins = [r for r in results if isinstance(r, LetterRequest)]
    assert len(wins) == 1, results
    assert all(isinstance(r, DomainError) for r in results if r not in wins), results
    async with services.sessions() as s:
        approvals = await s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "approve"))
        signatures = await s.scalar(select(func.count()).select_from(ApprovalSignature))
    assert approvals == 1 and signatures == 1


async def test_the_signing_official_previews_what_they_sign(services: Services) -> None:
    """Two steps: the Sekretaris opening the draft of a forwarded request sees it signed a.n. Lurah by them; the
    operator's draft (before forwarding) shows the configured signatory."""
    await policy(services, 2)
    operator = await staff(services, "operator", "Rina Operator")
    sekretaris = await staff(services, "sekretaris", "Sri Wahyuni, S.Sos")
    rid = await submitted(services)
    assert services.preview is not None
    before = pdf_text(await services.preview.draft_pdf(rid, operator))
    assert "Sri Wahyuni" not in before and "DRAF" in before
    await services.moderation.act(rid, operator, "forward")
    draft = pdf_text(await services.preview.draft_pdf(rid, sekretaris))  # a checked request can be previewed
    assert "a.n. Lurah Bukit Tunggal" in draft and "Sri Wahyuni, S.Sos" in draft and "DRAF" in draft
    await services.moderation.act(rid, sekretaris, "approve")
    text, _ = await issued_text(services, rid)
    assert "Sri Wahyuni, S.Sos" in text


async def test_the_signing_staff_members_rank_and_nip_are_printed_under_their_name(services: Services) -> None:
    await policy(services, 2)
    operator = await staff(services, "operator", "Rina Operator")
    lurah = await add_staff(services.sessions, "bukit-tunggal", name="Drs. Bambang Lurah", role="lurah",
                            rank="Pembina (IV/a)", nip="197501012000031002")
    rid = await submitted(services)
    await services.moderation.act(rid, operator, "forward")
    assert services.preview is not None
    draft = pdf_text(await services.preview.draft_pdf(rid, lurah))
    await services.moderation.act(rid, lurah, "approve")
    await set_staff_details(services.sessions, lurah.id, rank="Pembina Tk. I (IV/b)")  # after signing: not used
    text, _ = await issued_text(services, rid)
    lines = text.splitlines()
    at = lines.index("Drs. Bambang Lurah")
    assert lines[at + 1:at + 3] == ["Pembina (IV/a)", "NIP. 197501012000031002"]
    assert "Pembina Tk. I (IV/b)" not in text
    assert "Pembina (IV/a)" in draft and "NIP. 197501012000031002" in draft
