"""`/statistik`: the city's figures and each kelurahan's, for everyone, in Indonesian and good on a phone.
Charts by Chart.js (served from /static/vendor/chartjs), each with the same figures in a table under it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from sqlalchemy import select

from bot.pages.statistics_filters import angka, read_filters, tanggal
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


def chart(id_: str, kind: str, title: str, items: list[tuple[str, int]],
          short: dict[str, str] | None = None) -> dict[str, Any]:
    """`labels` for the table, `short` (the same, shortened where a name is known) for the canvas."""
    labels = [k for k, _ in items]
    return {"id": id_, "kind": kind, "title": title, "labels": labels, "values": [v for _, v in items],
            "short": [(short or {}).get(k, k) for k in labels]}


def page_context(figures: dict[str, Any], titles: dict[str, str],
                 short_titles: dict[str, str] | None = None) -> dict[str, Any]:
    """The charts (their labels and values, also shown in tables) from the statistics."""
    def named(counts: dict[str, int], names: dict[str, str]) -> list[tuple[str, int]]:
        return sorted(((names.get(k, k), n) for k, n in counts.items()), key=lambda kv: -kv[1])

    kel_names = {k["slug"]: k["nama"] for k in figures["kelurahan"]}
    charts = [
        chart("grafik-status", "doughnut", "Permohonan menurut status", named(figures["per_status"], STATUS)),
        chart("grafik-jenis", "barh", "Permohonan menurut jenis surat", named(figures["per_jenis"], titles),
              {titles.get(code, code): name for code, name in (short_titles or {}).items()}),
        chart("grafik-kanal", "doughnut", "Permohonan menurut kanal", named(figures["per_kanal"], CHANNELS)),
        chart("grafik-kelurahan", "barh", "Permohonan menurut kelurahan", named(figures["per_kelurahan"], kel_names)),
    ]
    text = json.dumps({"charts": charts}, ensure_ascii=False)  # read by statistik.js, never run
    return {"charts": charts, "chart_json": text.replace("<", "\\u003c").replace(">", "\\u003e")}


def register_statistics_page(router: APIRouter, services: Services, env: Environment,
                             common: dict[str, Any]) -> None:
    chart_js = asset_url("/static", STATIC_DIR, "vendor/chartjs/chart.umd.min.js")
    page_js = asset_url("/static", STATIC_DIR, "statistik.js")

    @router.get("/statistik", response_class=HTMLResponse)
    async def statistik(request: Request) -> HTMLResponse:
        async with services.sessions() as session:
            directory = [(k.slug, k.name) for k in await session.scalars(select(Kelurahan).order_by(Kelurahan.name))]
        filters, notes = read_filters(request.query_params, local_date(services.clock()),
                                      {t.code for t in services.catalogue}, dict(directory))
        try:
            figures = (await services.statistics.figures(filters)).data
        except UnknownKelurahan:  # removed since the list was read
            filters = replace(filters, kelurahan=None)
            figures = (await services.statistics.figures(filters)).data
        return render_statistics(env, {**common, "chart_js": chart_js, "page_js": page_js}, figures, filters, notes,
                                 directory, [(t.code, t.title) for t in services.catalogue],
                                 {t.code: t.short_title for t in services.catalogue})


def render_statistics(env: Environment, common: dict[str, Any], figures: dict[str, Any], filters: Filters,
                      notes: list[str], directory: list[tuple[str, str]],
                      letter_types: list[tuple[str, str]], short_titles: dict[str, str] | None = None) -> HTMLResponse:
    """The page for `figures` (the shape of `stats.figures.compute_statistics`) as asked by `filters`."""
    titles = dict(letter_types)
    return render(env, "statistik.html", **common, page="statistik", f=figures, notes=notes,
                  dari=filters.dari.isoformat() if filters.dari else "",
                  sampai=filters.sampai.isoformat() if filters.sampai else "",
                  slug=filters.kelurahan or "", jenis=filters.jenis or "", directory=directory,
                  letter_types=letter_types, titles=titles, status_names=STATUS, channel_names=CHANNELS,
                  angka=angka, tanggal=tanggal, **page_context(figures, titles, short_titles))
