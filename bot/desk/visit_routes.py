"""The desk's visits page: /desk/kunjungan?tanggal=YYYY-MM-DD lists the own kelurahan's visits of a day (WIB;
today by default) and marks each done or missed (CSRF; only staff of that kelurahan: `VisitDesk.mark`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.desk.auth import DeskUser
from bot.desk.pages import read_form
from bot.desk.sessions import same_token
from bot.untrusted import row_id
from flows.dates import local_date
from lifecycle.errors import IllegalTransition, NotAuthorized, NotFound
from visits.desk import VisitStatus

if TYPE_CHECKING:
    from bot.desk.channel import DeskChannel

LABELS = {"booked": "Terjadwal", "cancelled": "Dibatalkan", "done": "Datang", "missed": "Tidak datang"}
OUTCOMES = {"datang": VisitStatus.DONE, "tidak-datang": VisitStatus.MISSED}


def _day(raw: str | None, today: date) -> tuple[date, str | None]:
    """The day asked for, or today with a message when it cannot be read."""
    if not raw:
        return today, None
    try:
        return date.fromisoformat(raw[:10]), None
    except ValueError:
        return today, "Tanggal tidak dapat dibaca (contoh 2026-12-01); ditampilkan hari ini."


def add_visit_routes(router: APIRouter, desk: DeskChannel) -> None:
    pages, services = desk.pages, desk.services

    async def show(request: Request, user: DeskUser, day: date, status: int = 200, *, message: str | None = None,
                   ok: bool = False) -> Response:
        visits = []
        if user.kelurahan is not None and services.visit_desk is not None:
            visits = await services.visit_desk.day(user.kelurahan.slug, day)
        response = pages.render(request, "kunjungan.html", status, title="Kunjungan", day=day, visits=visits,
                                labels=LABELS, csrf=user.csrf, message=message, ok=ok,
                                admin=user.staff is None)
        response.headers["Cache-Control"] = "no-store"
        return response

    @router.get("/desk/kunjungan")
    async def visits(request: Request, tanggal: str | None = None,
                     user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        day, problem = _day(tanggal, local_date(services.clock()))
        return await show(request, user, day, message=problem)

    @router.post("/desk/kunjungan/{visit_id}")
    async def mark(request: Request, visit_id: str, user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        form = await read_form(request)
        if not same_token(form.get("csrf"), user.csrf):
            return pages.forbidden(request)
        day, _ = _day(form.get("tanggal"), local_date(services.clock()))
        vid, outcome = row_id(visit_id), OUTCOMES.get(form.get("hasil", ""))
        if vid is None or outcome is None or user.staff is None or services.visit_desk is None:
            return await show(request, user, day, 400, message="Permintaan tidak dikenali.")
        try:
            await services.visit_desk.mark(vid, user.staff.id, outcome)
        except (NotAuthorized, NotFound):  # another kelurahan's visit (an edited URL) looks like none
            return await show(request, user, day, 404, message="Kunjungan tidak ditemukan di kelurahan Anda.")
        except IllegalTransition:
            return await show(request, user, day, 409, message=(
                "Tidak dapat dicatat: kunjungan itu sudah dicatat atau dibatalkan, atau waktunya belum tiba."))
        return await show(request, user, day, message="Kunjungan dicatat.", ok=True)
