"""Dates as written on a letter, in Bahasa Indonesia, on Palangka Raya's clock (WIB)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")
MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)


def format_date_id(d: date) -> str:
    """22 November 2026"""
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def local_date(moment: datetime) -> date:
    """The calendar date in Palangka Raya of an aware datetime (naive is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(WIB).date()
