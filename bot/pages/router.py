"""`/` (what the service is and how to reach it), `/layanan` (the service standard of every
letter type, read from the catalogue), `/statistik` (`bot.pages.statistics`) and the offline verifier
`/periksa` (`bot.pages.periksa`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from bot.pages.periksa import register_periksa_page
from bot.pages.statistics import register_statistics_page
from bot.pages.templating import environment, render

if TYPE_CHECKING:
    from bot.composition import Services


def create_pages_router(services: Services) -> APIRouter:
    router = APIRouter()
    env = environment()
    settings = services.settings

    def common() -> dict[str, Any]:
        return {"demo": services.settings.demo, "city": settings.city_name}

    @router.get("/", response_class=HTMLResponse)
    async def home() -> HTMLResponse:
        async with services.sessions() as session:
            directory = await services.directories.current(session)
        by_kecamatan = [
            (kecamatan, [k.name for k in directory.in_kecamatan(kecamatan)]) for kecamatan in directory.kecamatan
        ]
        return render(
            env, "home.html", **common(), letter_types=list(services.catalogue), kecamatan=by_kecamatan,
            kelurahan_count=sum(len(names) for _, names in by_kecamatan),
            telegram=settings.telegram.enabled, public_url=settings.http.public_url.rstrip("/"),
        )

    @router.get("/layanan", response_class=HTMLResponse)
    async def layanan() -> HTMLResponse:
        types = sorted(services.catalogue, key=lambda t: (not t.online, t.menu_order, t.code))
        return render(env, "layanan.html", **common(), letter_types=types)

    register_statistics_page(router, services, env, common())
    register_periksa_page(router, env, common(), {t.code: t.title for t in services.catalogue})
    return router
