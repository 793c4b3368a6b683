"""What the chat says about visits to the kelurahan office (booking, cancelling), in Indonesian."""

from __future__ import annotations

from datetime import date, datetime

from flows.dates import MONTHS, WIB

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

PICK_DAY = "Pilih jadwal kunjungan: hari apa Anda akan datang ke Kantor Kelurahan {kelurahan}?"
PICK_SLOT = "Pilih jam kunjungan pada {day}:"
NEXT_STEP = (
    "Langkah berikutnya: pilih jadwal kunjungan di bawah ini. Anda akan mendapat kode kunjungan dan "
    "pengingat sehari sebelumnya; bawa dokumen asli beserta fotokopinya."
)
NO_SLOTS = (
    "Maaf, belum ada jadwal kunjungan yang dapat dipesan dalam dua minggu ke depan. Silakan datang pada jam "
    "layanan atau hubungi kantor kelurahan. Ketik /start bila ingin mengajukan surat lain."
)
SLOT_FULL = "Maaf, jam itu baru saja penuh. Silakan pilih jam lain."
DAY_FULL = "Maaf, jadwal pada hari itu sudah penuh. Silakan pilih hari lain."
NOT_A_DAY = "Pilih salah satu hari di bawah (atau ketik nomornya)."
NOT_A_SLOT = "Pilih salah satu jam di bawah (atau ketik nomornya)."
NO_VISITS = "Anda tidak memiliki jadwal kunjungan yang dapat dibatalkan."
PICK_CANCEL = "Jadwal kunjungan mana yang ingin dibatalkan?"
KEEP = "Tidak jadi"
KEPT = "Baik, jadwal kunjungan Anda tetap."


def local(moment: datetime) -> datetime:
    return moment.astimezone(WIB)


def long_day(day: date) -> str:
    """Senin, 23 November 2026"""
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_day(day: date) -> str:
    """Sen 23 Nov (a button title)"""
    return f"{DAYS[day.weekday()][:3]} {day.day} {MONTHS[day.month - 1][:3]}"


def clock(moment: datetime) -> str:
    """08.00 (WIB)"""
    return local(moment).strftime("%H.%M")


def slot_label(start: datetime, free: int) -> str:
    return f"{clock(start)} WIB (sisa {free} tempat)"


def when(start: datetime) -> str:
    """Senin, 23 November 2026 pukul 08.00 WIB"""
    return f"{long_day(local(start).date())} pukul {clock(start)} WIB"
