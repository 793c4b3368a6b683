"""`/statistik` rendered from fixed figures (the shape of `stats.figures.compute_statistics`), so that every
number on the page is known: written as Indonesians write them (1.234; 87,5%; 88,31), in the headline, under
each chart and in the per-kelurahan table; and its filters read from the query string."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from bot.pages.statistics import render_statistics
from bot.pages.statistics_filters import angka, read_filters
from bot.pages.templating import environment
from stats.figures import Filters
from tests.support.a11y import page_problems

DIRECTORY = [("bukit-tunggal", "Bukit Tunggal"), ("menteng", "Menteng")]
TYPES = [("sktm", "Surat Keterangan Tidak Mampu"), ("domisili", "Surat Keterangan Domisili")]


def durations(median_hours: float, median_days: float) -> dict[str, Any]:
    return {"jumlah": 1200, "median_jam_kerja": median_hours, "p90_jam_kerja": 30.25, "median_hari": median_days,
            "p90_hari": 6.0}


FIGURES: dict[str, Any] = {
    "periode": {"dari": "2026-01-01", "sampai": "2026-11-28"}, "filter": {"kelurahan": None, "jenis": None},
    "jumlah": 1234, "per_status": {"issued": 1100, "rejected": 34, "submitted": 100},
    "per_jenis": {"sktm": 1000, "domisili": 234}, "per_kelurahan": {"bukit-tunggal": 1000, "menteng": 234},
    "per_kanal": {"whatsapp": 900, "telegram": 300, "web": 34},
    "waktu": {"keputusan": durations(6.5, 0.75), "terbit": durations(7.25, 1.5)},
    "dalam_waktu_layanan": {"terbit": 1100, "tepat_waktu": 962, "persen": 87.45},
    "penolakan": {"jumlah": 34, "alasan": [{"alasan": "Pengantar RT/RW <tidak> terbaca", "jumlah": 20},
                                            {"alasan": "KTP buram", "jumlah": 14}]},
    "skm": {"responden": 1500, "indeks": 88.31, "mutu": "A", "kinerja": "Sangat Baik", "unsur": {"u1": 3.5}},
    "skm_per_jenis": {"sktm": {"responden": 1500, "indeks": 88.31, "mutu": "A", "kinerja": "Sangat Baik"}},
    "kelurahan": [
        {"slug": "bukit-tunggal", "nama": "Bukit Tunggal", "jumlah": 1000, "terbit": 900, "persen_tepat_waktu": 90.0,
         "median_hari_terbit": 1.25, "skm": 90.12, "mutu": "A"},
        {"slug": "menteng", "nama": "Menteng", "jumlah": 234, "terbit": 200, "persen_tepat_waktu": None,
         "median_hari_terbit": None, "skm": None, "mutu": None}],
}


def page(figures: dict[str, Any], notes: list[str] | None = None) -> str:
    common = {"demo": False, "city": "Palangka Raya", "chart_js": "/static/c.js", "page_js": "/static/s.js"}
    response = render_statistics(environment(), common, figures, Filters(date(2026, 1, 1), date(2026, 11, 28)),
                                 notes or [], DIRECTORY, TYPES, {"sktm": "SKTM", "domisili": "Domisili"})
    return bytes(response.body).decode()


def rows(html: str, caption: str) -> list[list[str]]:
    table = re.search(r"<caption>" + re.escape(caption) + r".*?</table>", html, re.S)
    assert table, caption
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)]


def test_every_figure_in_indonesian_in_the_headline_and_the_tables() -> None:
    html = page(FIGURES, ["Jenis surat tidak dikenal: semua jenis ditampilkan."])
    assert '<html lang="id">' in html and page_problems(html) == []
    assert "1 Januari 2026 s.d. 28 November 2026" in html
    headline = html.split('<dl class="figures">')[1].split("</dl>")[0]
    for shown in ("1.234", "1.100", "87,5%", "(962 surat)", "0,8 hari", "6,5 jam kerja", "1,5 hari",
                  "7,2 jam kerja", "88,31", "1.500 responden", "Mutu A (Sangat Baik)"):
        assert shown in headline, shown
    assert rows(html, "Permohonan menurut status (angka)")[1:] == [
        ["Terbit", "1.100"], ["Menunggu keputusan", "100"], ["Ditolak", "34"]]
    assert rows(html, "Permohonan menurut kanal (angka)")[1] == ["WhatsApp", "900"]
    assert rows(html, "Permohonan menurut jenis surat (angka)")[1] == ["Surat Keterangan Tidak Mampu", "1.000"]
    assert rows(html, "Permohonan, surat terbit")[1:] == [
        ["Bukit Tunggal", "1.000", "900", "90,0%", "1,2", "90,12 (A)"], ["Menteng", "234", "200", "–", "–", "–"]]
    assert rows(html, "34 permohonan ditolak")[1] == ["Pengantar RT/RW &lt;tidak&gt; terbaca", "20"]
    assert '<canvas id="grafik-kelurahan" role="img" aria-label="Permohonan menurut kelurahan: Bukit Tunggal 1.000' \
        in html
    assert '<p class="note" role="status">Jenis surat tidak dikenal' in html


def test_the_chart_data_is_json_that_cannot_end_its_script_element() -> None:
    figures = {**FIGURES, "per_jenis": {"</script><script>alert(1)</script>": 3}}
    html = page(figures)
    block = re.search(r'<script type="application/json" id="statistik-data">(.*?)</script>', html, re.S)
    assert block and "<" not in block.group(1)
    charts = {c["id"]: c for c in json.loads(block.group(1))["charts"]}
    assert charts["grafik-jenis"]["labels"] == ["</script><script>alert(1)</script>"]
    text = re.findall(r'id="statistik-data">(.*?)</script>', page(FIGURES))[0]
    charts = {c["id"]: c for c in json.loads(text)["charts"]}
    assert charts["grafik-jenis"]["labels"] == ["Surat Keterangan Tidak Mampu", "Surat Keterangan Domisili"]
    assert charts["grafik-jenis"]["short"] == ["SKTM", "Domisili"]  # on the canvas; the table has the full names


def test_no_figures_yet() -> None:
    empty = {**FIGURES, "jumlah": 0, "per_status": {}, "per_jenis": {}, "per_kelurahan": {}, "per_kanal": {},
             "dalam_waktu_layanan": {"terbit": 0, "tepat_waktu": 0, "persen": None},
             "waktu": {k: {"jumlah": 0, "median_jam_kerja": None, "p90_jam_kerja": None, "median_hari": None,
                           "p90_hari": None} for k in ("keputusan", "terbit")},
             "penolakan": {"jumlah": 0, "alasan": []}, "kelurahan": [], "skm_per_jenis": {},
             "skm": {"responden": 0, "indeks": None, "mutu": None, "kinerja": None, "unsur": {}}}
    html = page(empty)
    assert "<canvas" not in html and html.count("Belum ada permohonan pada periode ini.") == 4
    assert "Tidak ada permohonan yang ditolak" in html and "responden)" not in html


def test_the_filters_from_the_query_string() -> None:
    today, kinds, slugs = date(2026, 11, 28), {"sktm"}, {"menteng"}
    assert read_filters({}, today, kinds, slugs) == (Filters(date(2026, 1, 1), today), [])
    assert read_filters({"dari": "2026-12-05"}, today, kinds, slugs)[0] == Filters(date(2026, 12, 5), date(2026, 12, 5))
    chosen, notes = read_filters({"dari": " 2026-03-01 ", "sampai": "2026-03-31", "kelurahan": "menteng",
                                  "jenis": "sktm"}, today, kinds, slugs)
    assert chosen == Filters(date(2026, 3, 1), date(2026, 3, 31), "menteng", "sktm") and notes == []
    chosen, notes = read_filters({"dari": "1999-12-31", "sampai": "2026-02-30", "kelurahan": "x" * 500,
                                  "jenis": "SKTM"}, today, kinds, slugs)
    assert chosen == Filters(date(2026, 1, 1), today) and len(notes) == 4


def test_numbers_as_indonesians_write_them() -> None:
    assert [angka(1234567), angka(87.45), angka(0.75), angka(88.305, 2), angka(None), angka(0)] == [
        "1.234.567", "87,5", "0,8", "88,31", "–", "0"]
