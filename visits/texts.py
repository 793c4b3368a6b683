"""What the service tells residents about their visits (Indonesian)."""

from __future__ import annotations

from datetime import datetime

from flows.messages import bullets
from flows.visit_texts import when


def _office(kelurahan: str, address: str) -> str:
    return f"Kantor Kelurahan {kelurahan}" + (f", {address}" if address else "")


def _details(code: str, start: datetime, title: str, requirements: list[str], bring: str) -> str:
    return (f"Kode kunjungan: *{code}*\nWaktu: {when(start)}\nKeperluan: {title}\n\n"
            f"{bring} (asli beserta fotokopinya):\n{bullets(requirements)}\n\n")


def booked(code: str, start: datetime, title: str, kelurahan: str, address: str, requirements: list[str]) -> str:
    return (
        f"Jadwal kunjungan Anda tercatat.\n\nTempat: {_office(kelurahan, address)}\n"
        + _details(code, start, title, requirements, "Yang perlu dibawa")
        + "Tunjukkan kode ini kepada petugas. Kami akan mengingatkan Anda sehari sebelumnya. "
        "Ketik *batal kunjungan* bila Anda tidak jadi datang, agar tempatnya dapat dipakai warga lain."
    )


def already(code: str, start: datetime) -> str:
    return (f"Anda sudah memiliki jadwal kunjungan {code} untuk surat ini pada {when(start)}. "
            "Ketik *batal kunjungan* bila ingin menggantinya.")


def cancelled(code: str, start: datetime) -> str:
    return (f"Kunjungan {code} pada {when(start)} dibatalkan; tempatnya kini dapat dipesan warga lain. "
            "Ketik /start bila ingin memilih jadwal baru.")


NOT_CANCELLED = "Kunjungan itu tidak dapat dibatalkan (sudah lewat, sudah dibatalkan, atau bukan milik Anda)."


def reminder(code: str, start: datetime, title: str, kelurahan: str, address: str, requirements: list[str]) -> str:
    return (
        f"Pengingat: besok Anda dijadwalkan datang ke {_office(kelurahan, address)}.\n\n"
        + _details(code, start, title, requirements, "Jangan lupa membawa")
        + "Ketik *batal kunjungan* bila Anda tidak dapat datang."
    )


def status_lines(rows: list[tuple[str, datetime, str]]) -> str:
    """The resident's booked visits, for their `status` answer."""
    lines = [f"- {code} {title}: {when(start)}" for code, start, title in rows]
    return "Jadwal kunjungan Anda:\n" + "\n".join(lines) + "\nKetik *batal kunjungan* untuk membatalkan."
