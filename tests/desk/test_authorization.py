"""The desk's authorization matrix (issue #13), as one parametrized test over every route and who asks:
- staff of Bukit Tunggal against Menteng's request, letter and visit: refused as not found (404, or absent
  from the lists: the queue, the letter search, the visits), never the content;
- a logged-out browser: every page is a redirect to the login page, every form post refused (303/403);
- a missing or wrong CSRF token on every form (decision, revoke, resend, visit, password, logout): 403;
and in every case nothing changed (requests, letters, visits, outbox, passwords, the session)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import DeskAccount, Letter, LetterRequest, OutboxMessage, VisitBooking
from tests.desk.conftest import CSRF_RE, PASSWORD, Desk, login
from tests.desk.letters_support import issued, request_of
from tests.desk.test_visits_page import NINE, booked

B_NIK = "6271030101900002"
PATHS = {
    "home": "/desk/", "search_all": "/desk/surat", "search_number": "/desk/surat?q={number}",
    "search_name": "/desk/surat?q=Budi", "search_nik": "/desk/surat?q=" + B_NIK,
    "visits": "/desk/kunjungan?tanggal=2026-11-23", "password_page": "/desk/sandi",
    "request": "/desk/permohonan/{open}", "attachment": "/desk/permohonan/{open}/lampiran/{att}",
    "draft": "/desk/permohonan/{open}/draf.pdf", "letter": "/desk/surat/{letter}",
    "download": "/desk/surat/{letter}/pdf",
}
FORMS: dict[str, tuple[str, dict[str, str]]] = {
    "decide": ("/desk/permohonan/{open}/keputusan", {"action": "approve"}),
    "revoke": ("/desk/surat/{letter}/cabut", {"alasan": "Data salah"}),
    "resend": ("/desk/surat/{letter}/kirim-ulang", {}),
    "visit": ("/desk/kunjungan/{visit}", {"hasil": "tidak-datang", "tanggal": "2026-11-23"}),
    "password": ("/desk/sandi", {"old": PASSWORD, "new": "sandi-baru-panjang-2", "again": "sandi-baru-panjang-2"}),
    "logout": ("/desk/keluar", {}),
}
LISTS = ["home", "search_all", "search_number", "search_name", "search_nik", "visits"]
OBJECTS = ["request", "attachment", "draft", "decide", "letter", "download", "revoke", "resend", "visit"]
CASES = ([("other_kelurahan", r) for r in LISTS + OBJECTS] + [("logged_out", r) for r in [*PATHS, *FORMS]]
         + [(mode, r) for mode in ["csrf_missing", "csrf_wrong"] for r in FORMS])


async def world(desk: Desk) -> dict[str, dict[str, Any]]:
    """Each kelurahan's open request (with its attachment), issued letter and visit."""
    desk.clock.now = NINE + timedelta(hours=1)
    rina, _ = await desk.staff()
    dewi, _ = await desk.staff("menteng", name="Dewi", login="dewi")
    a_open, a_att = await request_of(desk, "bukit-tunggal", "2001")
    b_open, b_att = await request_of(desk, "menteng", "3001", name="Budi Santoso", nik=B_NIK)
    a_letter = await issued(desk, rina, "2002")
    b_letter = await issued(desk, dewi, "3002", name="Budi Santoso", nik=B_NIK)
    async with desk.services.sessions() as s:
        b_letter_code = await s.scalar(select(LetterRequest.code).where(LetterRequest.id == b_letter.request_id))
    return {"a": {"open": a_open.id, "att": a_att, "letter": a_letter.id, "number": a_letter.number,
                  "visit": await booked(desk, "bukit-tunggal", "KNJ-AAAAAA"), "code": a_open.code},
            "b": {"open": b_open.id, "att": b_att, "letter": b_letter.id, "number": b_letter.number,
                  "visit": await booked(desk, "menteng", "KNJ-BBBBBB"),
                  "marks": [f'href="/desk/surat/{b_letter.id}"', f'href="/desk/permohonan/{b_open.id}"',
                            b_open.code, str(b_letter_code), "KNJ-BBBBBB", "6271********0002"]}}


async def state(desk: Desk) -> tuple[object, ...]:
    async with desk.services.sessions() as s:
        return (sorted((r.id, r.status) for r in await s.scalars(select(LetterRequest))),
                sorted((x.id, x.status, x.revoked_reason) for x in await s.scalars(select(Letter))),
                sorted((v.id, v.status) for v in await s.scalars(select(VisitBooking))),
                await s.scalar(select(func.count()).select_from(OutboxMessage)),
                sorted((a.id, a.password_hash) for a in await s.scalars(select(DeskAccount))))


@pytest.mark.parametrize(("who", "route"), CASES)
async def test_authorization_matrix(desk: Desk, who: str, route: str) -> None:
    ids = await world(desk)
    side = ids["b"] if who == "other_kelurahan" else ids["a"]
    client = desk.client
    csrf = None
    if who != "logged_out":
        await login(client, "rina")
        found = CSRF_RE.search((await client.get("/desk/")).text)
        assert found
        csrf = {"other_kelurahan": found.group(1), "csrf_wrong": "salah" + found.group(1)[5:]}.get(who)
    before = await state(desk)
    if route in FORMS:
        path, form = FORMS[route]
        answer = await client.post(path.format(**side), data={**form, **({"csrf": csrf} if csrf else {})})
    else:
        answer = await client.get(PATHS[route].format(**side))
    assert await state(desk) == before, "nothing may change"
    if who == "logged_out":
        assert answer.status_code in ({303, 403} if route in FORMS else {303})
        if answer.status_code == 303:
            assert answer.headers["location"] == "/desk/masuk"
        return
    assert (await client.get("/desk/")).status_code == 200  # still logged in (logout refused)
    if who.startswith("csrf"):
        assert answer.status_code == 403
        return
    assert answer.status_code == (200 if route in LISTS else 404), answer.text
    assert not answer.content.startswith(b"%PDF") and b"bukan foto" not in answer.content
    for mark in side["marks"]:
        assert mark not in answer.text, mark
    own = {"home": ids["a"]["code"], "search_all": ids["a"]["number"], "visits": "KNJ-AAAAAA"}
    if route in own:  # the own kelurahan's are listed
        assert own[route] in answer.text
