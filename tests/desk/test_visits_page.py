"""The desk's visits page (issue #13): the own kelurahan's visits of a day; staff mark them done or missed;
another kelurahan's visit is not found (URL tampering), CSRF is required, logged-out users are sent to login."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.models import VisitBooking
from tests.desk.conftest import CSRF_RE, Desk, login
from tests.support.lifecycle import kelurahan, make_resident

NINE = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 23 November 2026, 09.00 WIB


async def booked(desk: Desk, slug: str, code: str) -> int:
    resident = await make_resident(desk.services.sessions, external_id=code)
    kel = await kelurahan(desk.services.sessions, slug)
    async with desk.services.sessions.begin() as s:
        row = VisitBooking(code=code, resident_id=resident.id, kelurahan_id=kel.id, letter_type="ahli_waris",
                           slot_start=NINE, status="booked", created_at=NINE, updated_at=NINE)
        s.add(row)
        await s.flush()
        return row.id


async def test_own_visits_are_listed_and_marked_and_others_are_not_found(desk: Desk) -> None:
    ours = await booked(desk, "bukit-tunggal", "KNJ-AAAAAA")
    theirs = await booked(desk, "menteng", "KNJ-BBBBBB")
    desk.clock.now = NINE + timedelta(hours=1)
    _, user = await desk.staff()
    await login(desk.client, user)
    page = await desk.client.get("/desk/kunjungan?tanggal=2026-11-23")
    assert page.status_code == 200 and "no-store" in page.headers["cache-control"]
    assert "KNJ-AAAAAA" in page.text and "KNJ-BBBBBB" not in page.text and "09.00" in page.text
    found = CSRF_RE.search(page.text)
    assert found
    form = {"csrf": found.group(1), "tanggal": "2026-11-23", "hasil": "tidak-datang"}
    assert (await desk.client.post(f"/desk/kunjungan/{ours}", data={**form, "csrf": "salah"})).status_code == 403
    other = await desk.client.post(f"/desk/kunjungan/{theirs}", data=form)
    assert other.status_code == 404 and "KNJ-BBBBBB" not in other.text
    done = await desk.client.post(f"/desk/kunjungan/{ours}", data=form)
    assert done.status_code == 200 and "Kunjungan dicatat." in done.text and "Tidak datang" in done.text
    again = await desk.client.post(f"/desk/kunjungan/{ours}", data={**form, "hasil": "datang"})
    assert again.status_code == 409
    async with desk.services.sessions() as s:
        assert (await s.get(VisitBooking, ours)).status == "missed"  # type: ignore[union-attr]
        assert (await s.get(VisitBooking, theirs)).status == "booked"  # type: ignore[union-attr]
    odd = await desk.client.get("/desk/kunjungan?tanggal=kemarin")
    assert odd.status_code == 200 and "tidak dapat dibaca" in odd.text
    async with desk.other_client() as stranger:
        out = await stranger.get("/desk/kunjungan")
    assert out.status_code == 303 and out.headers["location"] == "/desk/masuk"
