"""One service with the Telegram group (on the fake Bot API) and the desk (issue #13): a decision taken in
the group and one on the console at the same moment record exactly one decision, the loser is told, and both
the console's page and the group's card show the final state; decided on one side, the other follows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.desk.accounts import Passwords, create_account
from bot.desk.channel import DeskChannel
from db.directory import add_staff
from db.models import AuditEvent, LetterRequest
from tests.desk.conftest import CHEAP, CSRF_RE, PASSWORD, login
from tests.desk.letters_support import FIELDS
from tests.fakes.telegram_api import FakeTelegram
from tests.support.lifecycle import make_resident
from tests.support.telegram import GROUP, RESIDENT_ID, STAFF_ID, World, issued_or_not_approved, running_world, settled

DECISIONS = ("approve", "reject", "request_revision", "forward")
SHOWN = {"issued": "DISETUJUI", "rejected": "DITOLAK"}


@dataclass
class Both:
    world: World
    client: httpx.AsyncClient
    desk_staff_id: int


@pytest.fixture
async def both(tmp_path: Path, db_url: str) -> AsyncIterator[Both]:
    async with FakeTelegram(token="123456:TEST") as tg, running_world(tg, tmp_path / "data", db_url) as world:
        services = world.services
        desk = services.channels["desk"]
        assert isinstance(desk, DeskChannel)
        desk.passwords = Passwords(services.sessions, services.clock, CHEAP)
        staff = await add_staff(services.sessions, "bukit-tunggal", name="Dewi (meja)", role="operator")
        link = await create_account(services.sessions, "dewi", staff.id, services.clock())
        assert await desk.passwords.use_setup(link.token, PASSWORD) is not None
        async with httpx.AsyncClient(base_url=world.service.base_url) as client:
            assert (await login(client, "dewi")).status_code == 303
            yield Both(world, client, staff.id)


async def until(check: Any, what: str) -> Any:
    for _ in range(1000):
        if found := check():
            return found
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def submitted(both: Both, resident: Any) -> tuple[LetterRequest, int]:
    """A submitted SKTM of Bukit Tunggal, and the message id of its card in the group."""
    req = await both.world.services.moderation.lifecycle.submit_new(
        resident, kelurahan_slug="bukit-tunggal", letter_type="sktm", fields=dict(FIELDS), attachment_ids={})
    tg = both.world.tg
    card = await until(lambda: next((m for m in tg.bot_messages(GROUP) if req.code in (m.get("text") or "")
                                     and (m.get("reply_markup") or {}).get("inline_keyboard")), None), "the card")
    return req, int(card["message_id"])


async def group_card_shows(both: Both, message_id: int, outcome: str) -> str:
    """The group's card as the fake Bot API holds it after its last edit, once it shows `outcome`, no buttons."""
    tg = both.world.tg
    card = await until(lambda: (m := tg.message(GROUP, message_id)) and outcome in m["text"]
                       and not (m.get("reply_markup") or {}).get("inline_keyboard") and m, f"card {outcome}")
    return str(card["text"])


async def at_desk(both: Both, path: str, csrf: str, action: str, after: dict[str, Any] | None) -> httpx.Response:
    """The console's decision; `after`: once the group's update is in the inbox, being handled meanwhile."""
    if after is not None:
        await both.world.tg.wait_confirmed(after)
    return await both.client.post(f"{path}/keputusan", data={"csrf": csrf, "action": action,
                                                             "text": "Ditolak dari meja"})


async def decisions(both: Both, request_id: int) -> list[AuditEvent]:
    async with both.world.services.sessions() as s:
        return list(await s.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id,
                                                             AuditEvent.action.in_(DECISIONS))))


async def test_group_and_desk_deciding_at_once_record_one_decision_both_show_it(both: Both) -> None:
    world, tg = both.world, both.world.tg
    resident = await make_resident(world.services.sessions, external_id=str(RESIDENT_ID))
    rounds = [("approve", "reject", False), ("reject", "approve", True), ("approve", "approve", True),
              ("reject", "reject", False)]
    for group_action, desk_action, desk_after_group_update in rounds:
        req, mid = await submitted(both, resident)
        path = f"/desk/permohonan/{req.id}"
        found = CSRF_RE.search((await both.client.get(path)).text)
        assert found
        if group_action == "reject":  # the button asks for the reason; the reply is the decision
            update = tg.user_presses(STAFF_ID, GROUP, mid, f"m:reject:{req.id}", first_name="Petugas")
            await settled(tg, world.services, update, GROUP)
            prompt = next(m for m in reversed(tg.bot_messages(GROUP)) if "dengan membalas" in (m.get("text") or ""))
            update = tg.user_replies(STAFF_ID, GROUP, prompt["message_id"], "Ditolak dari grup")
        else:
            update = tg.user_presses(STAFF_ID, GROUP, mid, f"m:approve:{req.id}", first_name="Petugas")

        after, since = update if desk_after_group_update else None, len(tg.messages_to(GROUP))
        _, answer = await asyncio.gather(settled(tg, world.services, update, GROUP),
                                         at_desk(both, path, found.group(1), desk_action, after))
        await issued_or_not_approved(world.services, req.id)
        await settled(tg, world.services, update, GROUP)
        recorded = await decisions(both, req.id)
        assert len(recorded) == 1, [(e.actor, e.action) for e in recorded]
        desk_won = recorded[0].actor == f"staff:{both.desk_staff_id}"
        async with world.services.sessions() as s:
            row = await s.get(LetterRequest, req.id)
        assert row is not None and row.status == ("issued" if (desk_action if desk_won else group_action)
                                                  == "approve" else "rejected")
        if desk_won:
            assert answer.status_code == 200 and "Keputusan tersimpan." in answer.text
            told = [(tg.callback_answer(update["callback_query"]["id"]) or {}).get("text", "")] \
                if "callback_query" in update else tg.messages_to(GROUP)[since:]  # the reply's refusal
            assert any("sudah diputuskan" in t for t in told), told
        else:
            assert answer.status_code == 409 and "sudah diputuskan" in answer.text
        outcome = SHOWN[row.status]
        page = await both.client.get(path)
        assert outcome in page.text and "/keputusan" not in page.text
        await group_card_shows(both, mid, outcome)


async def test_decided_in_the_group_shows_on_the_console_and_the_other_way_round(both: Both) -> None:
    world, tg = both.world, both.world.tg
    resident = await make_resident(world.services.sessions, external_id=str(RESIDENT_ID))
    req, mid = await submitted(both, resident)
    before = (await both.client.get("/desk/api/versi")).json()["versi"]
    stale = CSRF_RE.search((await both.client.get(f"/desk/permohonan/{req.id}")).text)  # a page left open
    assert stale
    update = tg.user_presses(STAFF_ID, GROUP, mid, f"m:approve:{req.id}", first_name="Petugas")
    await settled(tg, world.services, update, GROUP)
    await issued_or_not_approved(world.services, req.id)
    assert (await both.client.get("/desk/api/versi")).json()["versi"] != before
    page = await both.client.get(f"/desk/permohonan/{req.id}")
    assert "DISETUJUI" in page.text and "Rina (operator)" in page.text and "/keputusan" not in page.text
    late = await both.client.post(f"/desk/permohonan/{req.id}/keputusan",
                                  data={"csrf": stale.group(1), "action": "reject", "text": "Terlambat"})
    assert late.status_code == 409 and "sudah diputuskan" in late.text

    req, mid = await submitted(both, resident)
    found = CSRF_RE.search((await both.client.get(f"/desk/permohonan/{req.id}")).text)
    assert found
    done = await both.client.post(f"/desk/permohonan/{req.id}/keputusan",
                                  data={"csrf": found.group(1), "action": "reject", "text": "Data tidak cocok"})
    assert done.status_code == 200
    text = await group_card_shows(both, mid, "DITOLAK")
    assert "Dewi (meja)" in text and "Data tidak cocok" in text
    assert any(c.params.get("message_id") in (mid, str(mid)) for c in tg.calls_of("editMessageText"))
    late_press = tg.user_presses(STAFF_ID, GROUP, mid, f"m:approve:{req.id}", first_name="Petugas")  # an old button
    await settled(tg, world.services, late_press, GROUP)
    told = tg.callback_answer(late_press["callback_query"]["id"]) or {}
    assert "sudah diputuskan" in told.get("text", "") and told.get("show_alert")
