"""The desk's queue (issue #13, /desk/): the two-step "checked" status, filters by letter type, status,
channel and submission dates (WIB) that each narrow the list in SQL and keep their values in the form, bad
values ignored with a note (never a 500), and an open request's time left against its service time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from db.models import LetterRequest, Resident
from lifecycle.service_time import due_date, time_left
from tests.desk.conftest import Desk, login
from tests.support.lifecycle import kelurahan

FRIDAY = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # Friday 20 November 2026, 10.00 WIB
SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # the desk's clock: Sunday, 16.00 WIB
# code -> (kelurahan, letter type, status, channel, submitted at)
ROWS = {"Q-A": ("bukit-tunggal", "sktm", "submitted", "telegram", FRIDAY),
        "Q-B": ("bukit-tunggal", "ahli_waris", "checked", "whatsapp", SUNDAY),
        "Q-C": ("bukit-tunggal", "sktm", "issued", "web", datetime(2026, 11, 10, 2, 0, tzinfo=UTC)),
        "Q-D": ("menteng", "sktm", "submitted", "telegram", FRIDAY)}


async def queued(desk: Desk) -> None:
    for n, (code, (slug, kind, status, channel, at)) in enumerate(ROWS.items()):
        kel = await kelurahan(desk.services.sessions, slug)
        async with desk.services.sessions.begin() as s:
            resident = Resident(channel=channel, external_id=f"q{n}", profile={}, created_at=at)
            s.add(resident)
            await s.flush()
            s.add(LetterRequest(code=code, kelurahan_id=kel.id, resident_id=resident.id, letter_type=kind,
                                fields={}, status=status, created_at=at, updated_at=at, submitted_at=at))


def codes(html: str) -> set[str]:
    return set(re.findall(r'<a href="/desk/permohonan/\d+">(Q-[A-Z])</a>', html))


def row_of(html: str, code: str) -> str:
    found = re.search(rf"<tr><td><a href=\"/desk/permohonan/\d+\">{code}</a>.*?</tr>", html)
    assert found, code
    return found.group(0)


@pytest.fixture
async def staffed(desk: Desk) -> Desk:
    await queued(desk)
    _, user = await desk.staff()
    await login(desk.client, user)
    return desk


@pytest.mark.parametrize(("query", "shown"), [
    ({}, {"Q-A", "Q-B", "Q-C"}),
    ({"jenis": "ahli_waris"}, {"Q-B"}),
    ({"status": "checked"}, {"Q-B"}),
    ({"status": "issued"}, {"Q-C"}),
    ({"kanal": "telegram"}, {"Q-A"}),
    ({"kanal": "web"}, {"Q-C"}),
    ({"dari": "2026-11-21"}, {"Q-B"}),
    ({"sampai": "2026-11-20"}, {"Q-A", "Q-C"}),
    ({"dari": "2026-11-20", "sampai": "2026-11-20"}, {"Q-A"}),
    ({"jenis": "sktm", "kanal": "telegram", "status": "submitted"}, {"Q-A"}),
    ({"jenis": "sktm", "status": "checked"}, set()),
])
async def test_each_filter_narrows_the_list(staffed: Desk, query: dict[str, str], shown: set[str]) -> None:
    page = await staffed.client.get("/desk/", params=query)
    assert page.status_code == 200 and codes(page.text) == shown
    for name, value in query.items():  # the form keeps the chosen values
        assert (f'value="{value}" selected' in page.text if name in {"jenis", "status", "kanal"}
                else f'name="{name}" type="date" value="{value}"' in page.text), name


async def test_checked_is_shown_and_open_requests_show_their_time_left(staffed: Desk) -> None:
    page = (await staffed.client.get("/desk/")).text
    assert "Diperiksa, menunggu persetujuan Lurah" in page
    assert "sisa 1 hari" in row_of(page, "Q-A")  # SKTM, 1 working day: due Monday
    assert "sisa 3 hari" in row_of(page, "Q-B")  # ahli waris, 3 working days: due Wednesday
    assert not re.search(r"sisa|lewat|batas", row_of(page, "Q-C"))  # issued: no clock runs
    staffed.tick(days=3)  # Wednesday (the session has expired meanwhile: log in again)
    await login(staffed.client, "rina")
    page = (await staffed.client.get("/desk/")).text
    assert "lewat 2 hari" in row_of(page, "Q-A") and "batas hari ini" in row_of(page, "Q-B")


@pytest.mark.parametrize("query", [
    {"jenis": "surat-palsu"}, {"status": "draft"}, {"kanal": "fax"}, {"dari": "2026-13-45"},
    {"sampai": "kemarin"}, {"dari": "2026-11-22", "sampai": "2026-11-01"}, {"dari": "9" * 5000},
    {"jenis": "<script>", "status": "'", "kanal": "\u0000", "dari": "20261120"}, {"sampai": "2026-W47-1"},
])
async def test_bad_values_are_ignored_with_a_note(staffed: Desk, query: dict[str, str]) -> None:
    page = await staffed.client.get("/desk/", params=query)
    assert page.status_code == 200 and codes(page.text) == {"Q-A", "Q-B", "Q-C"}
    assert "diabaikan" in page.text and "<script>" not in page.text


def test_time_left_counts_working_days_in_wib() -> None:
    assert due_date(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday + 1 working day = Monday
    assert due_date(date(2026, 11, 23), 3) == date(2026, 11, 26)
    late_evening = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # Tuesday 01.00 WIB
    assert time_left(late_evening, 1, datetime(2026, 11, 24, 3, 0, tzinfo=UTC)) == "sisa 1 hari"
    assert time_left(FRIDAY, 1, datetime(2026, 11, 23, 3, 0, tzinfo=UTC)) == "batas hari ini"
    assert time_left(FRIDAY, 1, datetime(2026, 11, 30, 3, 0, tzinfo=UTC)) == "lewat 5 hari"
