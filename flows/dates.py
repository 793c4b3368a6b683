"""Dates as residents type them (17-08-1990, 17 Agustus 1990, 17 agt 1990) and as letters print them,
and Palangka Raya's calendar (WIB, UTC+7): the local day of a moment, as a letter is dated and numbered."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")  # Palangka Raya (Kalimantan Tengah) keeps Western Indonesia Time

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
_MONTH_WORDS: dict[str, int] = {name.lower(): i for i, name in enumerate(MONTHS, 1)}
_MONTH_WORDS.update({
    "jan": 1, "feb": 2, "peb": 2, "pebruari": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7,
    "agu": 8, "agt": 8, "ags": 8, "agst": 8, "agust": 8, "aug": 8, "sep": 9, "sept": 9, "okt": 10, "oct": 10,
    "nov": 11, "nop": 11, "nopember": 11, "des": 12, "dec": 12,
})
_NUMERIC = re.compile(r"^(\d{1,2})[-/.\s]+(\d{1,2})[-/.\s]+(\d{2,4})$", re.ASCII)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_NAMED = re.compile(r"^(\d{1,2})[-/.\s]*([a-z]+)\.?[-/.\s]*(\d{2,4})$", re.ASCII)
EXAMPLE = "Contoh: 17-08-1990, 17/08/1990 atau 17 Agustus 1990."


class DateError(ValueError):
    """A date that cannot be read or cannot be right; the message is for the resident."""


def _parts(text: str) -> tuple[int, int, str]:
    if m := _ISO.match(text):
        return int(m[3]), int(m[2]), m[1]
    if m := _NUMERIC.match(text):
        return int(m[1]), int(m[2]), m[3]
    if m := _NAMED.match(text):
        month = _MONTH_WORDS.get(m[2])
        if month is None:
            raise DateError(f"Nama bulan \"{m[2]}\" tidak dikenali. {EXAMPLE}")
        return int(m[1]), month, m[3]
    raise DateError(f"Format tanggal tidak dikenali. {EXAMPLE}")


def parse_date(raw: str, today: date, *, allow_future: bool = False) -> date:
    """The date a resident typed; DateError when unreadable, not on the calendar or in the future."""
    text = " ".join(raw.strip().lower().split())
    day, month, year_text = _parts(text)
    if len(year_text) != 4:
        raise DateError(f"Mohon tulis tahun dengan 4 digit. {EXAMPLE}")
    try:
        value = date(int(year_text), month, day)
    except ValueError:
        raise DateError(f"Tanggal {day}-{month}-{year_text} tidak ada di kalender. {EXAMPLE}") from None
    if value.year < 1900:
        raise DateError("Tahun tersebut terlalu lampau. Mohon periksa kembali.")
    if value > today and not allow_future:
        raise DateError("Tanggal tidak boleh melewati hari ini. Mohon periksa kembali.")
    return value


def format_date(value: date | str) -> str:
    """17 Agustus 1990 (from a date or an ISO string)."""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def local_date(moment: datetime) -> date:
    """The calendar date in Palangka Raya of an aware datetime (naive is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(WIB).date()
