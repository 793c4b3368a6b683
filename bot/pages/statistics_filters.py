"""The filters of `/statistik` from its query string (`dari`, `sampai`, `kelurahan`, `jenis`), and how the page
writes numbers and dates in Indonesian.

A value that cannot be used is dropped with a note for the reader, never an error: dates are YYYY-MM-DD days in
Palangka Raya (WIB) between `EARLIEST` and `LATEST` (outside that no request was filed, and the far ends do not
fit a datetime once the time zone is applied); by default the current year up to today.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from datetime import date

from flows.dates import format_date
from stats.figures import Filters

MAX_PARAM = 40
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def _day(raw: str | None, what: str, notes: list[str]) -> date | None:
    value = (raw or "").strip()[:MAX_PARAM]
    if not value:
        return None
    try:
        day = date.fromisoformat(value) if ISO_DAY.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        notes.append(f"Tanggal {what} tidak terbaca (contoh 2026-01-31); tanggal itu diabaikan.")
    elif not EARLIEST <= day <= LATEST:
        notes.append(f"Tanggal {what} di luar tahun {EARLIEST.year}–{LATEST.year}; tanggal itu diabaikan.")
        day = None
    return day


def _choice(raw: str | None, known: Container[str], notes: list[str], note: str) -> str | None:
    value = (raw or "").strip()[:MAX_PARAM]
    if value and value in known:
        return value
    if value:
        notes.append(note)
    return None


def read_filters(params: Mapping[str, str], today: date, kinds: Container[str],
                 slugs: Container[str]) -> tuple[Filters, list[str]]:
    """The filters asked for (the current year up to `today` where no date is given) and the notes on the
    values that were dropped."""
    notes: list[str] = []
    first = _day(params.get("dari"), "awal", notes) or date(today.year, 1, 1)
    last = _day(params.get("sampai"), "akhir", notes) or max(today, first)
    if last < first:
        notes.append("Tanggal akhir lebih awal dari tanggal awal: keduanya ditukar.")
        first, last = last, first
    slug = _choice(params.get("kelurahan"), slugs, notes, "Kelurahan tidak dikenal: seluruh kota ditampilkan.")
    kind = _choice(params.get("jenis"), kinds, notes, "Jenis surat tidak dikenal: semua jenis ditampilkan.")
    return Filters(first, last, slug, kind), notes


def angka(value: float | None, digits: int = 1) -> str:
    """A number as Indonesians write it: 1.234 and 87,5; "–" where there is none (no data yet)."""
    if value is None:
        return "–"
    text = f"{value:,.0f}" if isinstance(value, int) else f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def tanggal(value: date | str | None) -> str:
    """1 Januari 2026."""
    return format_date(value) if value else "–"
