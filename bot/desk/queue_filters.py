"""The desk queue's filters from the query string (`jenis`, `status`, `kanal`, `dari`, `sampai`): each value
is checked against what the desk knows; a value that cannot be read is dropped with a polite note, never an
error. Dates are days in Palangka Raya (WIB), YYYY-MM-DD, both ends included."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flows.dates import WIB

MAX_PARAM = 40
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


@dataclass(frozen=True)
class Filters:
    letter_type: str | None = None
    status: str | None = None
    channel: str | None = None
    since: date | None = None  # dari, included
    until: date | None = None  # sampai, included

    def submitted_from(self) -> datetime | None:
        return datetime.combine(self.since, time(), WIB).astimezone(UTC) if self.since else None

    def submitted_before(self) -> datetime | None:
        return (datetime.combine(self.until + timedelta(days=1), time(), WIB).astimezone(UTC)
                if self.until else None)

    def form(self) -> dict[str, str]:
        """The chosen values, as the form shows them again."""
        return {"jenis": self.letter_type or "", "status": self.status or "", "kanal": self.channel or "",
                "dari": self.since.isoformat() if self.since else "",
                "sampai": self.until.isoformat() if self.until else ""}


def _choice(raw: str | None, known: Mapping[str, str], what: str, notes: list[str]) -> str | None:
    value = (raw or "").strip()[:MAX_PARAM]
    if not value:
        return None
    if value in known:
        return value
    notes.append(f"{what} yang dipilih tidak dikenal; filter itu diabaikan.")
    return None


def _day(raw: str | None, what: str, notes: list[str]) -> date | None:
    value = (raw or "").strip()[:MAX_PARAM]
    if not value:
        return None
    try:
        if ISO_DAY.fullmatch(value):  # only YYYY-MM-DD (fromisoformat also reads 20261201 and week dates)
            return date.fromisoformat(value)
    except ValueError:
        pass
    notes.append(f"Tanggal {what} tidak dapat dibaca (contoh 2026-12-01); filter itu diabaikan.")
    return None


def read_filters(params: Mapping[str, str], types: Mapping[str, str], statuses: Mapping[str, str],
                 channels: Mapping[str, str]) -> tuple[Filters, list[str]]:
    """The filters asked for and the notes on the values that were ignored."""
    notes: list[str] = []
    since, until = _day(params.get("dari"), "awal", notes), _day(params.get("sampai"), "akhir", notes)
    if since and until and since > until:
        notes.append("Tanggal awal sesudah tanggal akhir; rentang tanggal diabaikan.")
        since = until = None
    return Filters(_choice(params.get("jenis"), types, "Jenis surat", notes),
                   _choice(params.get("status"), statuses, "Status", notes),
                   _choice(params.get("kanal"), channels, "Kanal", notes), since, until), notes
