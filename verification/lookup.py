"""`GET /v?nomor=...&tanggal=...`: a letter found by its exact number and issue date.

For whoever holds a paper letter whose QR code cannot be scanned. Found: a redirect to the
letter's page. Not found (no such number, or the number on another date, or no date): the same
not-found answer, so the form tells nothing about numbers it was not given the date of. Each
lookup costs the client one page view of its allowance, like every `/v/` answer. The answer
names the contact of the kelurahan whose unit code the number carries, else the city's text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from flows.dates import DateError, parse_date
from verification.public_view import not_found_view
from verification.records import LetterRecordSource

MAX_NUMBER = 64  # `db.models.Letter.number`
Respond = Callable[..., Response]


def clean_number(raw: str) -> str:
    return " ".join(raw.split())[:MAX_NUMBER]


def parse_day(raw: str, today: date) -> date | None:
    raw = raw.strip()[:40]
    try:
        return date.fromisoformat(raw)  # what <input type="date"> sends
    except ValueError:
        pass
    try:
        return parse_date(raw, today)
    except DateError:
        return None


def add_lookup_route(router: APIRouter, source: LetterRecordSource, respond: Respond,
                     limited: Callable[[Request], Response | None], city: str, today: Callable[[], date]) -> None:
    @router.get("/v")
    async def find_by_number(request: Request, nomor: str = "", tanggal: str = "") -> Response:
        if (blocked := limited(request)) is not None:
            return blocked
        number, day = clean_number(nomor), parse_day(tanggal, today())
        record = await source.get_by_number(number) if number else None
        if record is not None and day is not None and record.issued_on == day:
            return RedirectResponse(f"/v/{record.public_id}", status_code=303)
        contact = await source.contact_for_number(number) if number else None
        page: dict[str, Any] = {"searched": {"number": number, "date": tanggal.strip()[:40]}}
        return respond(request, not_found_view(city, contact, by_number=True), 404, **page)
