"""The request's page and decisions at the desk (issue #13): own kelurahan only (URL tampering gets 404),
CSRF on every decision, a decision changes the request and tells the resident, a second one is refused."""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import LetterRequest, OutboxMessage
from tests.desk.conftest import CSRF_RE, Desk, login
from tests.desk.test_files import submitted


async def test_own_staff_see_the_card_and_decide_once(desk: Desk) -> None:
    req, att_id = await submitted(desk)
    _, user = await desk.staff()
    await login(desk.client, user)
    page = await desk.client.get(f"/desk/permohonan/{req.id}")
    assert page.status_code == 200 and req.code in page.text and "no-store" in page.headers["cache-control"]
    assert f"/desk/permohonan/{req.id}/lampiran/{att_id}" in page.text and "Pratinjau surat (DRAF)" in page.text
    found = CSRF_RE.search(page.text)
    assert found
    async with desk.services.sessions() as s:
        before = await s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == "2001"))
    path = f"/desk/permohonan/{req.id}/keputusan"
    assert (await desk.client.post(path, data={"action": "reject", "text": "x"})).status_code == 403
    assert (await desk.client.post(path, data={"csrf": "salah", "action": "reject", "text": "x"})).status_code == 403
    no_reason = await desk.client.post(path, data={"csrf": found.group(1), "action": "reject"})
    assert no_reason.status_code == 400
    done = await desk.client.post(path, data={"csrf": found.group(1), "action": "reject", "text": "Data tidak cocok"})
    assert done.status_code == 200 and "Keputusan tersimpan." in done.text
    again = await desk.client.post(path, data={"csrf": found.group(1), "action": "approve"})
    assert again.status_code == 409 and "sudah diputuskan" in again.text
    async with desk.services.sessions() as s:
        row = await s.get(LetterRequest, req.id)
        after = await s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == "2001"))
    assert row is not None and row.status == "rejected"
    assert (after or 0) > (before or 0)


async def test_other_kelurahan_cannot_open_or_decide(desk: Desk) -> None:
    req, _ = await submitted(desk)
    _, user = await desk.staff("menteng", name="Dewi", login="dewi")
    await login(desk.client, user)
    page = await desk.client.get(f"/desk/permohonan/{req.id}")
    assert page.status_code == 404 and req.code not in page.text
    home = await desk.client.get("/desk/")
    found = CSRF_RE.search(home.text)
    assert found
    answer = await desk.client.post(f"/desk/permohonan/{req.id}/keputusan",
                                    data={"csrf": found.group(1), "action": "approve"})
    assert answer.status_code == 404
    async with desk.services.sessions() as s:
        row = await s.get(LetterRequest, req.id)
    assert row is not None and row.status == "submitted"
    async with desk.other_client() as stranger:
        out = await stranger.get(f"/desk/permohonan/{req.id}")
    assert out.status_code == 303 and out.headers["location"] == "/desk/masuk"


async def test_an_approval_at_the_desk_issues_the_letter_to_the_resident(desk: Desk) -> None:
    req, _ = await submitted(desk)
    _, user = await desk.staff()
    await login(desk.client, user)
    found = CSRF_RE.search((await desk.client.get(f"/desk/permohonan/{req.id}")).text)
    assert found
    preview = await desk.client.get(f"/desk/permohonan/{req.id}/draf.pdf")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    done = await desk.client.post(f"/desk/permohonan/{req.id}/keputusan",
                                  data={"csrf": found.group(1), "action": "approve"})
    assert done.status_code == 200 and "Keputusan tersimpan." in done.text
    await desk.services.follow_ups.run_once()  # the issuing the approval scheduled, as the runner would
    async with desk.services.sessions() as s:
        row = await s.get(LetterRequest, req.id)
        kinds = [m.payload.get("type") for m in await s.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == "2001"))]
    assert row is not None and row.status == "issued" and row.number
    assert "document" in kinds  # the letter goes to the resident's own chat
