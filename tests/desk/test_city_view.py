"""The city's admin at the desk (issue #13: "the city admin sees all and acts on configuration, not on
requests"): the home lists every kelurahan's requests with their kelurahan, without personal data and
without a way into a request; a request page and a decision stay closed to the admin."""

from __future__ import annotations

from db.models import LetterRequest
from tests.desk.conftest import CSRF_RE, Desk, login
from tests.desk.letters_support import request_of


async def test_the_admin_sees_every_kelurahan_to_read_only(desk: Desk) -> None:
    ours, _ = await request_of(desk, "bukit-tunggal", "3001")
    theirs, _ = await request_of(desk, "menteng", "3002", name="Budi Santoso", nik="6271031203850002")
    await login(desk.client, await desk.admin())
    home = await desk.client.get("/desk/")
    assert home.status_code == 200 and "pengelola kota" in home.text
    for req, kelurahan in ((ours, "Bukit Tunggal"), (theirs, "Menteng")):
        assert req.code in home.text and f"<td>{kelurahan}</td>" in home.text
        assert f"/desk/permohonan/{req.id}" not in home.text
    assert "Budi" not in home.text and "6271031203850002" not in home.text and "Siti" not in home.text
    only = await desk.client.get("/desk/", params={"status": "submitted", "jenis": "sktm"})
    assert ours.code in only.text and theirs.code in only.text
    page = await desk.client.get(f"/desk/permohonan/{theirs.id}")
    assert page.status_code == 404 and "Budi" not in page.text
    found = CSRF_RE.search(home.text)
    assert found
    answer = await desk.client.post(f"/desk/permohonan/{theirs.id}/keputusan",
                                    data={"csrf": found.group(1), "action": "approve"})
    assert answer.status_code == 404
    async with desk.services.sessions() as s:
        row = await s.get(LetterRequest, theirs.id)
    assert row is not None and row.status == "submitted"


async def test_staff_still_see_only_their_own_kelurahan(desk: Desk) -> None:
    ours, _ = await request_of(desk, "bukit-tunggal", "3001")
    theirs, _ = await request_of(desk, "menteng", "3002")
    _, user = await desk.staff()
    await login(desk.client, user)
    home = await desk.client.get("/desk/")
    assert f"/desk/permohonan/{ours.id}" in home.text and theirs.code not in home.text
    assert "<th scope=\"col\">Kelurahan</th>" not in home.text
