"""The demo staff pane shows the same two-step buttons as every channel (they come from the card): the demo
staff member (an operator) forwards, and is refused the final approval in plain Indonesian."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Kelurahan
from lifecycle.approval import set_steps
from tests.support.webchat import Demo
from tests.web.test_api import SLUG, act, cards, submitted_sktm


async def test_two_step_buttons_in_the_staff_pane(demo: Demo) -> None:
    async with demo.services.sessions.begin() as s:
        kel = await s.scalar(select(Kelurahan).where(Kelurahan.slug == SLUG))
        assert kel is not None
        await set_steps(s, kel.id, None, 2)
    resident = await submitted_sktm(demo)
    [card] = (await cards(demo.client))["cards"]
    assert [a["action"] for a in card["actions"]] == ["forward", "reject", "revise"]
    assert card["actions"][0]["label"] == "Teruskan ke Lurah"

    r = await act(demo.client, card["request_id"], "forward")
    assert r.status_code == 200, r.text
    forwarded = r.json()["card"]
    assert r.json()["status"] == "checked" and forwarded["outcome"].startswith("DIPERIKSA")
    assert [a["label"] for a in forwarded["actions"]] == ["Setujui & tandatangani", "Tolak", "Minta perbaikan"]
    assert any("diteruskan kepada Lurah" in m.get("text", "") for m in await resident.poll())

    refused = await act(demo.client, card["request_id"], "approve")
    assert refused.status_code == 409
    assert refused.json()["error"] == "Hanya Lurah atau Sekretaris yang dapat menyetujui surat ini."
