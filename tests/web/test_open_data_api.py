"""The open API for the city's dashboard: the service catalogue (`/api/v1/layanan`) and the statistics
(`/api/v1/statistik`), in-process over ASGI on both databases: shapes, filters, errors in Indonesian,
conditional GETs and the statistics cache. (Every statistics figure is checked in tests/stats.)"""

from __future__ import annotations

from typing import Any

from bot.api.schemas import Katalog, Statistik
from tests.support.webchat import Demo
from tests.web.test_api import submitted_sktm


async def test_the_catalogue_lists_every_service_of_every_kelurahan(demo: Demo) -> None:
    r = await demo.client.get("/api/v1/layanan")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    feed = Katalog.model_validate(r.json())
    assert feed.jumlah_kelurahan == 30 == len(feed.kelurahan)
    codes = {t.code for t in demo.services.catalogue}
    for kel in feed.kelurahan:
        assert {s.kode for s in kel.layanan} == codes
        for s in kel.layanan:
            assert s.standar.persyaratan and s.standar.prosedur and s.standar.biaya
            assert s.standar.waktu_layanan.teks.endswith("hari kerja") and "LAPOR" in s.standar.pengaduan
            assert [k.kode for k in s.kanal] == ["web"]  # the demo's web chat; never the staff desk
            assert s.daring == demo.services.catalogue.get(s.kode).online  # type: ignore[union-attr]
    visits = [s for s in feed.kelurahan[0].layanan if not s.daring]
    assert all(s.catatan_kunjungan is not None for s in visits)


async def test_one_kelurahan_and_an_unknown_one(demo: Demo) -> None:
    r = await demo.client.get("/api/v1/layanan", params={"kelurahan": "menteng"})
    body = r.json()
    assert r.status_code == 200 and [k["slug"] for k in body["kelurahan"]] == ["menteng"]
    r = await demo.client.get("/api/v1/layanan", params={"kelurahan": "atlantis"})
    assert r.status_code == 404 and "tidak dikenal" in r.json()["detail"]


async def test_conditional_get_of_the_catalogue(demo: Demo) -> None:
    first = await demo.client.get("/api/v1/layanan")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert "max-age=300" in first.headers["cache-control"]
    again = await demo.client.get("/api/v1/layanan", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    since = await demo.client.get("/api/v1/layanan", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = await demo.client.get("/api/v1/layanan", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.headers["last-modified"] == modified


async def test_statistics_shape_errors_and_cache(demo: Demo) -> None:
    empty = await demo.client.get("/api/v1/statistik")
    assert empty.status_code == 200
    figures: dict[str, Any] = Statistik.model_validate(empty.json()).model_dump()
    assert figures["jumlah"] == 0 and len(figures["kelurahan"]) == 30
    await submitted_sktm(demo)
    cached = await demo.client.get("/api/v1/statistik")
    assert cached.json()["jumlah"] == 0, "answered from the cache within statistics_cache_seconds"
    assert cached.headers["etag"] == empty.headers["etag"]
    assert (await demo.client.get("/api/v1/statistik", headers={"If-None-Match": empty.headers["etag"]})
            ).status_code == 304
    fresh = (await demo.client.get("/api/v1/statistik", params={"kelurahan": "bukit-tunggal", "jenis": "sktm",
                                                                 "dari": "2020-01-01"})).json()
    assert fresh["jumlah"] == 1 and fresh["per_jenis"] == {"sktm": 1} and fresh["per_kanal"] == {"web": 1}
    assert [k["slug"] for k in fresh["kelurahan"]] == ["bukit-tunggal"]
    for params, status, words in [
        ({"dari": "31-01-2026"}, 422, "TTTT-BB-HH"), ({"sampai": "2026-02-30"}, 422, "tidak terbaca"),
        ({"dari": "2026-05-01", "sampai": "2026-04-01"}, 422, "lebih awal"),
        ({"kelurahan": "atlantis"}, 404, "tidak dikenal"), ({"jenis": "paspor"}, 404, "tidak dikenal"),
        ({"sampai": "9999-12-31"}, 422, "di luar rentang"), ({"dari": "0001-01-01"}, 422, "di luar rentang"),
    ]:
        r = await demo.client.get("/api/v1/statistik", params=params)
        assert r.status_code == status and words in r.json()["detail"], (params, r.text)


async def test_the_openapi_schema_documents_both_with_examples(demo: Demo) -> None:
    schema = (await demo.client.get("/openapi.json")).json()
    for path in ("/api/v1/layanan", "/api/v1/statistik"):
        assert "get" in schema["paths"][path]
    text = str(schema["components"]["schemas"])
    assert "hari_kerja" in text and "median_jam_kerja" in text and "examples" in text
