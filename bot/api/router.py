"""`GET /api/v1/layanan` (the service catalogue) and `GET /api/v1/statistik` (the statistics), for the
city's dashboard of every agency's services and its SPBE evidence. Both answer conditional GETs (ETag,
Last-Modified); the statistics are cached for `statistics_cache_seconds` by their normalized filters."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from sqlalchemy import select

from bot.api.catalogue import catalogue_feed
from bot.api.http_cache import Versions, conditional, etag_of
from bot.api.schemas import Galat, Katalog, Statistik
from bot.pages.statistics_filters import EARLIEST, LATEST
from db.models import Kelurahan
from stats.figures import Filters, UnknownKelurahan

if TYPE_CHECKING:
    from bot.composition import Services

CATALOGUE_MAX_AGE = 300
UNKNOWN_KELURAHAN = "Kelurahan tidak dikenal: lihat /api/v1/layanan untuk kode (slug) setiap kelurahan."


def _json(body: dict[str, Any]) -> bytes:  # (the statistics come serialized: `stats.service`)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _date(value: str | None, name: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(422, f"Tanggal '{name}' tidak terbaca: gunakan format TTTT-BB-HH, mis. 2026-01-31.") \
            from None
    if not EARLIEST <= day <= LATEST:
        raise HTTPException(422, f"Tanggal '{name}' di luar rentang {EARLIEST.isoformat()} s.d. {LATEST.isoformat()}.")
    return day


def create_api_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["data terbuka"])
    versions = Versions()
    stats_age = max(int(services.settings.statistics_cache_seconds), 0)

    def channels() -> list[dict[str, str]]:
        return [{"kode": name, "nama": channel.label} for name, channel in services.channels.items()
                if getattr(channel, "serves_residents", True)]

    @router.get("/layanan", response_model=Katalog, responses={404: {"model": Galat}, 304: {"description": "Tetap"}},
                summary="Katalog layanan per kelurahan dengan standar pelayanannya")
    async def layanan(request: Request, kelurahan: str | None = Query(
            None, description="Slug satu kelurahan, mis. bukit-tunggal; kosong: semua")) -> Response:
        async with services.sessions() as session:
            query = select(Kelurahan).order_by(Kelurahan.kecamatan, Kelurahan.name)
            if kelurahan is not None:
                query = query.where(Kelurahan.slug == kelurahan.strip().lower())
            rows = list(await session.scalars(query))
        if kelurahan is not None and not rows:
            raise HTTPException(404, UNKNOWN_KELURAHAN)
        body = _json(catalogue_feed(services.settings.city_name, services.catalogue, rows, channels(),
                                    services.settings.complaint_channel))
        etag = etag_of(body)
        return conditional(request, body, etag=etag, modified=versions.since(etag, services.clock()),
                           max_age=CATALOGUE_MAX_AGE)

    @router.get("/statistik", response_model=Statistik, responses={404: {"model": Galat}, 422: {"model": Galat}},
                summary="Statistik permohonan, waktu penyelesaian, penolakan dan indeks kepuasan (SKM)")
    async def statistik(
        request: Request,
        dari: str | None = Query(None, description="Tanggal pengajuan paling awal (WIB), TTTT-BB-HH",
                                 examples=["2026-01-01"]),
        sampai: str | None = Query(None, description="Tanggal pengajuan paling akhir (WIB), TTTT-BB-HH",
                                   examples=["2026-12-31"]),
        kelurahan: str | None = Query(None, description="Slug kelurahan", examples=["bukit-tunggal"]),
        jenis: str | None = Query(None, description="Kode jenis surat", examples=["sktm"]),
    ) -> Response:
        first, last = _date(dari, "dari"), _date(sampai, "sampai")
        if first and last and last < first:
            raise HTTPException(422, "Tanggal 'sampai' lebih awal dari tanggal 'dari'.")
        kind = jenis.strip().lower() if jenis and jenis.strip() else None
        if kind is not None and services.catalogue.get(kind) is None:
            raise HTTPException(404, "Jenis surat tidak dikenal: lihat /api/v1/layanan untuk kode setiap jenis.")
        slug = kelurahan.strip().lower() if kelurahan and kelurahan.strip() else None
        try:
            figures = await services.statistics.figures(Filters(first, last, slug, kind))
        except UnknownKelurahan:
            raise HTTPException(404, UNKNOWN_KELURAHAN) from None
        body, etag = figures.body, figures.etag
        return conditional(request, body, etag=etag, modified=versions.since(etag, services.clock()),
                           max_age=stats_age)

    return router
