"""`/statistik`: the city's figures and each kelurahan's, for everyone, in Indonesian and good on a phone.
Charts by Chart.js (served from /static/vendor/chartjs), each with the same figures in a table under it."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from sqlalchemy import select

from bot.pages.templating import STATIC_DIR, asset_url, render
from db.models import Kelurahan
from flows.dates import local_date
from stats.figures import Filters, UnknownKelurahan

if TYPE_CHECKING:
    from bot.composition import Services

STATUS = {"draft": "Belum diajukan", "submitted": "Menunggu keputusan", "checked": "Diperiksa",
          "needs_revision": "Perlu perbaikan", "approved": "Disetujui", "issued": "Terbit", "rejected": "Ditolak",
          "cancelled": "Dibatalkan", "revoked": "Dicabut"}
CHANNELS = {"whatsapp": "WhatsApp", "telegram": "Telegram", "web": "Web"}


def _parse(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


def chart(id_: str, kind: str, title: str, items: list[tuple[str, int]]) -> dict[str, Any]:
    return {"id": id_, "kind": kind, "title": title, "labels": [k for k, _ in items], "values": [v for _, v in items]}


def page_context(figures: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    """The charts (their labels and values, also shown in tables) from the statistics."""
    def named(counts: dict[str, int], names: dict[str, str]) -> list[tuple[str, int]]:
        return sorted(((names.get(k, k), n) for k, n in counts.items()), key=lambda kv: -kv[1])

    kel_names = {k["slug"]: k["nama"] for k in figures["kelurahan"]}
    charts = [
        chart("grafik-status", "doughnut", "Permohonan menurut status", named(figures["per_status"], STATUS)),
        chart("grafik-jenis", "bar", "Permohonan menurut jenis surat", named(figures["per_jenis"], titles)),
        chart("grafik-kanal", "doughnut", "Permohonan menurut kanal", named(figures["per_kanal"], CHANNELS)),
        chart("grafik-kelurahan", "barh", "Permohonan menurut kelurahan", named(figures["per_kelurahan"], kel_names)),
    ]
    return {"charts": charts, "chart_json": json.dumps({"charts": charts}, ensure_ascii=False).replace("</", "<\\/")}


def register_statistics_page(router: APIRouter, services: Services, env: Environment,
                             common: dict[str, Any]) -> None:
    chart_js = asset_url("/static", STATIC_DIR, "vendor/chartjs/chart.umd.min.js")
    page_js = asset_url("/static", STATIC_DIR, "statistik.js")

    @router.get("/statistik", response_class=HTMLResponse)
    async def statistik(dari: str | None = None, sampai: str | None = None, kelurahan: str | None = None,
                        jenis: str | None = None) -> HTMLResponse:
        notes: list[str] = []
        today = local_date(services.clock())
        first, last = _parse(dari), _parse(sampai)
        if (dari and first is None) or (sampai and last is None):
            notes.append("Tanggal yang tidak terbaca diabaikan.")
        first = first or date(today.year, 1, 1)
        last = last or today
        if last < first:
            notes.append("Tanggal akhir lebih awal dari tanggal awal: keduanya ditukar.")
            first, last = last, first
        kind = jenis if jenis and services.catalogue.get(jenis) else None
        if jenis and kind is None:
            notes.append("Jenis surat tidak dikenal: semua jenis ditampilkan.")
        async with services.sessions() as session:
            directory = [(k.slug, k.name) for k in await session.scalars(select(Kelurahan).order_by(Kelurahan.name))]
        slug = kelurahan if kelurahan and kelurahan in dict(directory) else None
        if kelurahan and slug is None:
            notes.append("Kelurahan tidak dikenal: seluruh kota ditampilkan.")
        try:
            figures = (await services.statistics.figures(Filters(first, last, slug, kind))).data
        except UnknownKelurahan:  # removed since the list was read
            figures = (await services.statistics.figures(Filters(first, last, None, kind))).data
        titles = {t.code: t.title for t in services.catalogue}
        return render(env, "statistik.html", **common, page="statistik", f=figures, notes=notes,
                      dari=first.isoformat(), sampai=last.isoformat(), slug=slug or "", jenis=kind or "",
                      directory=directory, letter_types=[(t.code, t.title) for t in services.catalogue],
                      titles=titles, status_names=STATUS, channel_names=CHANNELS, chart_js=chart_js,
                      page_js=page_js, **page_context(figures, titles))
