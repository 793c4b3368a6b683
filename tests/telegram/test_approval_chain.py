"""Two-step approval in the Telegram group: the card's buttons for each status (Teruskan ke Lurah, then
Setujui & tandatangani), the operator refused the final approval, the Lurah approving; the resident told."""

from __future__ import annotations

from typing import Any

from db.directory import add_staff
from db.models import LetterRequest
from lifecycle.approval import set_steps
from tests.support.lifecycle import kelurahan
from tests.support.telegram import RESIDENT_ID, World, submitted_request

LURAH_ID = 7003


def labels(card: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (card.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def status_of(world: World, request_id: int) -> str:
    async with world.services.sessions() as s:
        row = await s.get(LetterRequest, request_id)
    assert row is not None
    return row.status


async def test_two_step_buttons_for_each_status(world: World) -> None:
    services = world.services
    kel = await kelurahan(services.sessions)
    async with services.sessions.begin() as s:
        await set_steps(s, kel.id, None, 2)
    await add_staff(services.sessions, "bukit-tunggal", name="Drs. Bambang (Lurah)", role="lurah",
                    telegram_user_id=LURAH_ID)
    req = await submitted_request(world)
    operator, lurah = world.staff(), world.staff(LURAH_ID)
    assert labels(operator.card(req.code)) == ["Teruskan ke Lurah", "Tolak", "Minta perbaikan"]

    await operator.press(req.code, "forward")
    assert await status_of(world, req.id) == "checked"
    card = operator.card(req.code)
    assert labels(card) == ["Setujui & tandatangani", "Tolak", "Minta perbaikan"]
    assert "DIPERIKSA" in card["text"]
    assert "diteruskan kepada Lurah" in world.tg.messages_to(RESIDENT_ID)[-1]

    update = await operator.press(req.code, "approve")  # the operator may not sign
    answer = world.tg.callback_answer(update["callback_query"]["id"])
    assert answer and answer.get("show_alert") and "Hanya Lurah atau Sekretaris" in answer.get("text", "")
    assert await status_of(world, req.id) == "checked"

    await lurah.press(req.code, "approve")
    assert await status_of(world, req.id) == "issued"
    card = operator.card(req.code)
    assert labels(card) == [] and "Bambang" in card["text"]
    assert len(world.tg.sent_documents(RESIDENT_ID)) == 1
