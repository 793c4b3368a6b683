"""The desk's other decisions (issue #13): forwarding under two-step approval (the operator checks, the Lurah
approves and signs), asking for a correction (the resident gets the note), and a decision that lost a race
(another decision landed first) told "sudah diputuskan", with the first decision kept."""

from __future__ import annotations

import asyncio
import html
from typing import Any

import pytest
from sqlalchemy import select

from db.models import AuditEvent, LetterRequest, OutboxMessage
from lifecycle.approval import SIGNERS_ONLY, set_steps
from moderation.service import SIGN_LABEL, AlreadyDecided
from tests.desk.conftest import CSRF_RE, Desk, login
from tests.desk.test_files import submitted
from tests.support.lifecycle import kelurahan


async def row_of(desk: Desk, request_id: int) -> LetterRequest:
    async with desk.services.sessions() as s:
        row = await s.get(LetterRequest, request_id)
    assert row is not None
    return row


async def decide(desk: Desk, client: Any, request_id: int, action: str, text: str = "") -> Any:
    page = await client.get(f"/desk/permohonan/{request_id}")
    found = CSRF_RE.search(page.text)
    assert found, page.text
    return await client.post(f"/desk/permohonan/{request_id}/keputusan",
                             data={"csrf": found.group(1), "action": action, "text": text})


async def test_two_step_the_operator_forwards_and_the_lurah_approves(desk: Desk) -> None:
    kel = await kelurahan(desk.services.sessions)
    async with desk.services.sessions.begin() as s:
        await set_steps(s, kel.id, None, 2)
    req, _ = await submitted(desk)
    _, operator = await desk.staff()
    _, lurah = await desk.staff(name="Drs. Bambang", login="bambang", role="lurah")
    await login(desk.client, operator)
    page = await desk.client.get(f"/desk/permohonan/{req.id}")
    assert "Teruskan ke Lurah" in page.text and 'value="approve"' not in page.text
    done = await decide(desk, desk.client, req.id, "forward")
    assert done.status_code == 200 and "Keputusan tersimpan." in done.text and "DIPERIKSA" in done.text
    assert (await row_of(desk, req.id)).status == "checked"
    refused = await decide(desk, desk.client, req.id, "approve")
    assert refused.status_code == 409 and SIGNERS_ONLY in refused.text
    assert (await row_of(desk, req.id)).status == "checked"
    async with desk.other_client() as client:
        await login(client, lurah)
        page = await client.get(f"/desk/permohonan/{req.id}")
        assert SIGN_LABEL in html.unescape(page.text) and "diteruskan oleh Rina" in page.text
        approved = await decide(desk, client, req.id, "approve")
    assert approved.status_code == 200 and "Keputusan tersimpan." in approved.text
    await desk.services.follow_ups.run_once()
    row = await row_of(desk, req.id)
    assert row.status == "issued" and row.number


async def test_asking_for_a_correction_tells_the_resident_the_note(desk: Desk) -> None:
    req, _ = await submitted(desk)
    _, user = await desk.staff()
    await login(desk.client, user)
    assert (await decide(desk, desk.client, req.id, "revise")).status_code == 400  # a note is required
    note = "Alamat kurang lengkap, mohon tulis jalan dan nomor rumah"
    done = await decide(desk, desk.client, req.id, "revise", note)
    assert done.status_code == 200 and "MENUNGGU PERBAIKAN WARGA" in done.text and note in done.text
    row = await row_of(desk, req.id)
    assert row.status == "needs_revision" and row.note == note and row.fields_to_fix == ["alamat"]
    async with desk.services.sessions() as s:
        told = [str(m.payload.get("text", "")) for m in await s.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == "2001"))]
    assert any(note in t for t in told), told


async def test_a_decision_that_lost_the_race_is_told_and_changes_nothing(desk: Desk,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    req, _ = await submitted(desk)
    rina, user = await desk.staff()
    await login(desk.client, user)
    moderation = desk.services.moderation
    act = moderation.act

    async def colleague_first(request_id: int, *args: Any, **kwargs: Any) -> LetterRequest:
        monkeypatch.setattr(moderation, "act", act)
        await act(request_id, rina, "reject", "Ditolak lebih dulu")  # between the page's check and the decision
        return await act(request_id, *args, **kwargs)

    monkeypatch.setattr(moderation, "act", colleague_first)
    lost = await decide(desk, desk.client, req.id, "approve")
    assert lost.status_code == 409 and "sudah diputuskan" in lost.text and "DITOLAK" in lost.text
    row = await row_of(desk, req.id)
    assert row.status == "rejected" and row.number is None
    with pytest.raises(AlreadyDecided):
        await act(req.id, rina, "approve")


async def test_two_staff_deciding_at_once_at_the_desk_give_one_decision(desk: Desk) -> None:
    req, _ = await submitted(desk)
    _, rina = await desk.staff()
    _, dewi = await desk.staff(name="Dewi", login="dewi")
    async with desk.other_client() as other:
        await login(desk.client, rina)
        await login(other, dewi)
        tokens = []
        for client in (desk.client, other):
            found = CSRF_RE.search((await client.get(f"/desk/permohonan/{req.id}")).text)
            assert found
            tokens.append(found.group(1))
        answers = await asyncio.gather(*(
            client.post(f"/desk/permohonan/{req.id}/keputusan", data={"csrf": token, "action": action, "text": "x"})
            for client, token, action in zip((desk.client, other), tokens, ("approve", "reject"), strict=True)))
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert "sudah diputuskan" in next(a for a in answers if a.status_code == 409).text
    async with desk.services.sessions() as s:
        decided = list(await s.scalars(select(AuditEvent.action).where(
            AuditEvent.request_id == req.id, AuditEvent.action.in_(("approve", "reject")))))
    assert len(decided) == 1
