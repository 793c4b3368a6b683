"""What the kelurahan's moderation chats are told about service time: the requests nearing or past it
(`sweep_text`) and the daily summary (`summary_text`). Request codes, letter titles and times only: no
NIK, no names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flows.dates import WIB, format_date

MAX_LISTED = 20  # requests listed by name in one message; the rest are counted


@dataclass(frozen=True)
class Due:
    """One open request in a reminder: its code, its letter's title, its end of service time, time left."""

    code: str
    title: str
    end: datetime
    left: str  # "sisa 1 hari", "batas hari ini", "lewat 2 hari" (`service_time.time_left`)


@dataclass
class Summary:
    awaiting: int = 0
    near: int = 0
    late: list[str] = field(default_factory=list)  # codes
    issued_yesterday: int = 0

    def empty(self) -> bool:
        return not (self.awaiting or self.issued_yesterday)


def _end(moment: datetime) -> str:
    local = moment.astimezone(WIB)
    return f"{format_date(local.date())} pukul {local:%H.%M} WIB"


def _lines(items: list[Due]) -> list[str]:
    lines = [f"• {d.code} — {d.title}, batas {_end(d.end)} ({d.left})" for d in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        lines.append(f"• dan {len(items) - MAX_LISTED} permohonan lainnya")
    return lines


def sweep_text(kelurahan: str, near: list[Due], late: list[Due]) -> str:
    parts = [f"⏰ Pengingat waktu layanan — Kelurahan {kelurahan}"]
    if near:
        parts += ["", "Mendekati batas waktu layanan:", *_lines(near)]
    if late:
        parts += ["", "Melewati batas waktu layanan:", *_lines(late)]
    parts += ["", "Mohon segera diperiksa dan diputuskan."]
    return "\n".join(parts)


def summary_text(kelurahan: str, day: date, s: Summary) -> str:
    lines = [
        f"📋 Ringkasan harian {format_date(day)} — Kelurahan {kelurahan}",
        f"Menunggu keputusan petugas: {s.awaiting}",
        f"Mendekati batas waktu layanan: {s.near}",
        f"Melewati batas waktu layanan: {len(s.late)}",
        f"Surat terbit kemarin: {s.issued_yesterday}",
    ]
    if s.late:
        shown = ", ".join(s.late[:MAX_LISTED])
        more = f" dan {len(s.late) - MAX_LISTED} lainnya" if len(s.late) > MAX_LISTED else ""
        lines.append(f"Terlambat: {shown}{more}")
    return "\n".join(lines)
