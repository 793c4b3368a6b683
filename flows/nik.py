"""NIK and No. KK: structure, province codes, and consistency of a NIK with sex and birth date."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flows.names import ascii_digits

# Kode provinsi (Kemendagri), including the Papua provinces formed in 2022.
PROVINCES: dict[str, str] = {
    "11": "Aceh", "12": "Sumatera Utara", "13": "Sumatera Barat", "14": "Riau", "15": "Jambi",
    "16": "Sumatera Selatan", "17": "Bengkulu", "18": "Lampung", "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau", "31": "DKI Jakarta", "32": "Jawa Barat", "33": "Jawa Tengah",
    "34": "DI Yogyakarta", "35": "Jawa Timur", "36": "Banten", "51": "Bali", "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur", "61": "Kalimantan Barat", "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan", "64": "Kalimantan Timur", "65": "Kalimantan Utara", "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah", "73": "Sulawesi Selatan", "74": "Sulawesi Tenggara", "75": "Gorontalo",
    "76": "Sulawesi Barat", "81": "Maluku", "82": "Maluku Utara", "91": "Papua", "92": "Papua Barat",
    "93": "Papua Selatan", "94": "Papua Tengah", "95": "Papua Pegunungan", "96": "Papua Barat Daya",
}
_SEPARATORS = re.compile(r"[\s.\-]")
# Fields named by these bases plus a shared suffix ("nik_almarhum", "tanggal_lahir_almarhum") are
# one person's, and checked against each other.
_IDENTITY_BASES = ("nik", "tanggal_lahir", "jenis_kelamin")


class NikError(ValueError):
    """A NIK or No. KK that cannot be right; the message is for the resident."""


@dataclass(frozen=True)
class NikInfo:
    province: str
    regency: str
    district: str
    day: int
    month: int
    year2: int  # last two digits of the birth year
    female: bool
    serial: str


def _digits16(raw: str, what: str) -> str:
    text = _SEPARATORS.sub("", raw)
    if not ascii_digits(text):
        raise NikError(f"{what} hanya boleh berisi angka.")
    if len(text) != 16:
        raise NikError(f"{what} harus 16 digit (yang Anda ketik {len(text)} digit).")
    return text


def _region(text: str, what: str) -> None:
    if text[:2] not in PROVINCES:
        raise NikError(f"Kode provinsi pada {what} ({text[:2]}, dua digit pertama) tidak dikenal.")
    if text[2:4] == "00":
        raise NikError(f"Kode kabupaten/kota pada {what} (digit ke-3 dan ke-4) tidak boleh 00.")


def _real_date(year2: int, month: int, day: int) -> bool:
    for century in (1900, 2000):
        try:
            date(century + year2, month, day)
            return True
        except ValueError:
            continue
    return False


def parse_nik(raw: str) -> tuple[str, NikInfo]:
    """The NIK as 16 digits and what it encodes; NikError with an Indonesian message otherwise."""
    nik = _digits16(raw, "NIK")
    _region(nik, "NIK")
    if nik[4:6] == "00":
        raise NikError("Kode kecamatan pada NIK (digit ke-5 dan ke-6) tidak boleh 00.")
    coded_day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = coded_day > 40
    day = coded_day - 40 if female else coded_day
    if not 1 <= month <= 12:
        raise NikError(f"Bulan lahir pada NIK (digit ke-9 dan ke-10: {nik[8:10]}) tidak valid.")
    if not 1 <= day <= 31 or not _real_date(year2, month, day):
        raise NikError(
            f"Tanggal lahir pada NIK (digit ke-7 dan ke-8: {nik[6:8]}) tidak valid. "
            "Untuk perempuan tanggal lahir ditambah 40."
        )
    if nik[12:] == "0000":
        raise NikError("Nomor urut pada NIK (4 digit terakhir) tidak boleh 0000.")
    return nik, NikInfo(nik[:2], nik[2:4], nik[4:6], day, month, year2, female, nik[12:])


def parse_kk(raw: str) -> str:
    """The No. KK as 16 digits with a known region prefix."""
    kk = _digits16(raw, "Nomor KK")
    _region(kk, "Nomor KK")
    return kk


def nik_conflicts(info: NikInfo, birth_date: str | None, sex: str | None) -> list[str]:
    """Why a NIK does not fit the stated birth date (ISO) or sex (L/P); empty when it does."""
    problems = []
    if sex in ("L", "P") and (sex == "P") != info.female:
        coded = "perempuan" if info.female else "laki-laki"
        problems.append(f"NIK ini milik seorang {coded}, tidak sesuai dengan jenis kelamin yang diisi.")
    if birth_date:
        try:
            born = date.fromisoformat(birth_date)
        except ValueError:
            return problems
        if (born.day, born.month, born.year % 100) != (info.day, info.month, info.year2):
            problems.append(
                "Tanggal lahir pada NIK (digit ke-7 sampai ke-12) tidak sesuai dengan tanggal lahir yang diisi."
            )
    return problems


def _split_identity(name: str) -> tuple[str, str] | None:
    for base in _IDENTITY_BASES:
        if name == base or name.startswith(base + "_"):
            return base, name[len(base):]
    return None


def identity_problems(name: str, value: str, known: Mapping[str, str]) -> list[str]:
    """Conflicts of a NIK, birth date or sex field with the other two of the same person."""
    split = _split_identity(name)
    if split is None:
        return []
    suffix = split[1]
    values = {base: known.get(base + suffix) for base in _IDENTITY_BASES}
    values[split[0]] = value
    nik = values["nik"]
    if not nik:
        return []
    try:
        info = parse_nik(nik)[1]
    except NikError:
        return []
    return nik_conflicts(info, values["tanggal_lahir"], values["jenis_kelamin"])
