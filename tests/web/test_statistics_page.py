"""The public statistics page `/statistik`: served in Indonesian with its filters, headline figures, a table
under every chart and a per-kelurahan table; bad filter values are dropped with a note, never a 500.
(The charts in Chromium: tests/web/test_statistics_browser.py.)"""

from __future__ import annotations

import json
import re

from tests.support.a11y import page_problems
from tests.support.webchat import Demo
from tests.web.test_api import submitted_sktm


async def test_the_page_shows_the_figures_in_tables(demo: Demo) -> None:
    await submitted_sktm(demo)
    r = await demo.client.get("/statistik", params={"dari": "2020-01-01"})
    assert r.status_code == 200 and "script-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    assert '<html lang="id">' in html and "Statistik layanan e-Surat" in html
    assert page_problems(html) == []
    assert html.count("<canvas") == 4 and html.count('role="img"') >= 4
    assert html.count("<caption>") == 6  # a table under each of the 4 charts, durations, kelurahan (no rejections)
    data = json.loads(re.search(r'id="statistik-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    by_id = {c["id"]: c for c in data["charts"]}
    assert by_id["grafik-status"]["labels"] == ["Menunggu keputusan"] and by_id["grafik-status"]["values"] == [1]
    assert by_id["grafik-kanal"]["labels"] == ["Web"]
    assert "Bukit Tunggal" in by_id["grafik-kelurahan"]["labels"]
    assert '/static/vendor/chartjs/chart.umd.min.js?v=' in html and "https://" not in html.split("<main")[1]


async def test_bad_filters_are_dropped_with_a_note(demo: Demo) -> None:
    r = await demo.client.get("/statistik", params={"dari": "kemarin", "sampai": "2026-13-45", "kelurahan": "x<y",
                                                     "jenis": "paspor"})
    assert r.status_code == 200
    assert "Tanggal awal tidak terbaca" in r.text and "Tanggal akhir tidak terbaca" in r.text
    assert "Kelurahan tidak dikenal" in r.text
    assert "Jenis surat tidak dikenal" in r.text and "x<y" not in r.text
    swapped = await demo.client.get("/statistik", params={"dari": "2026-06-01", "sampai": "2026-01-01"})
    assert swapped.status_code == 200 and "ditukar" in swapped.text
    assert "1 Januari 2026 s.d. 1 Juni 2026" in swapped.text


async def test_dates_a_datetime_cannot_hold_are_dropped_not_a_500(demo: Demo) -> None:
    """0001-01-01 in WIB is before year 1 in UTC, and the day after 9999-12-31 does not exist."""
    for params in ({"dari": "0001-01-01"}, {"sampai": "9999-12-31"}, {"dari": "0001-01-01", "sampai": "0001-01-01"}):
        r = await demo.client.get("/statistik", params=params)
        assert r.status_code == 200, params
        assert "di luar tahun 2000–2099; tanggal itu diabaikan." in r.text
    r = await demo.client.get("/statistik", params={"dari": "20260101", "sampai": "2026-W01-1"})
    assert r.status_code == 200 and r.text.count("tidak terbaca (contoh 2026-01-31)") == 2


async def test_one_kelurahan(demo: Demo) -> None:
    r = await demo.client.get("/statistik", params={"kelurahan": "menteng", "jenis": "sktm"})
    assert r.status_code == 200 and '<option value="menteng" selected>' in r.text
    assert r.text.count('<th scope="row"><a href="/statistik?') == 1
