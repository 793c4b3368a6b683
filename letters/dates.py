"""Palangka Raya's clock (WIB, UTC+7): the calendar day of a moment, as a letter is dated.

Dates are written in Indonesian by `flows.dates.format_date` ("22 November 2026").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")


def local_date(moment: datetime) -> date:
    """The calendar date in Palangka Raya of an aware datetime (naive is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(WIB).date()
