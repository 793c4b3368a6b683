"""What a kelurahan's letterhead, signatory and numbering may hold, and a staff member's rank and NIP: the
one set of rules for the CLI (`esurat kelurahan set`, `esurat staff`) and the desk's setup pages. Each
problem is an Indonesian sentence, keyed by the field it is about (the page shows it next to the field)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from lifecycle.numbering import format_number

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
PHONE_RE = re.compile(r"^[0-9 ()+.\-]*$")
LENGTHS = {"name": 100, "address": 200, "phone": 50, "email": 100, "postal_code": 5, "signatory_name": 100,
           "signatory_title": 100, "signatory_rank": 100, "numbering_pattern": 100, "unit_code": 16, "rank": 100}
LABELS = {"name": "Nama kelurahan", "address": "Alamat kantor", "phone": "Telepon", "email": "Surel",
          "postal_code": "Kode pos", "signatory_name": "Nama penandatangan", "signatory_title": "Jabatan",
          "signatory_rank": "Pangkat/golongan", "signatory_nip": "NIP", "signatory_delegated": "a.n. Lurah",
          "numbering_pattern": "Pola nomor surat", "unit_code": "Kode unit", "rank": "Pangkat/golongan",
          "nip": "NIP"}
NIP_PROBLEM = "NIP harus 18 digit angka."


def nip_problem(nip: str) -> str | None:
    """An empty NIP is none on record; otherwise 18 digits."""
    return None if nip == "" or (len(nip) == 18 and nip.isdigit()) else NIP_PROBLEM


def _pattern_problem(pattern: str) -> str | None:
    if "{seq" not in pattern:
        return "Pola nomor surat harus memuat {seq} (nomor urut)."
    try:
        format_number(pattern, kode="400", seq=1, unit="XX", when=datetime(2026, 1, 1, tzinfo=UTC))
    except (KeyError, IndexError, ValueError):
        return ("Pola nomor surat tidak dapat dipakai; gunakan {kode}, {seq:03d}, {unit}, {month_roman}, "
                "{month} dan {year}.")
    return None


def _one(field: str, value: str) -> str | None:
    if len(value) > LENGTHS.get(field, 100):
        return f"Paling banyak {LENGTHS.get(field, 100)} karakter."
    if field in ("name", "unit_code", "numbering_pattern") and not value:
        return "Wajib diisi."
    if field in ("signatory_nip", "nip"):
        return nip_problem(value)
    if field == "email" and value and not EMAIL_RE.match(value):
        return "Alamat surel tidak valid (contoh: kelurahan@palangkaraya.go.id)."
    if field == "postal_code" and value and not (len(value) == 5 and value.isdigit()):
        return "Kode pos harus 5 digit angka."
    if field == "phone" and not PHONE_RE.match(value):
        return "Nomor telepon hanya boleh berisi angka, spasi, tanda kurung, + dan -."
    if field == "numbering_pattern":
        return _pattern_problem(value)
    return None


def cleaned(changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The changes with text trimmed, and the problems (field -> message; empty: all fine)."""
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
            if problem := _one(field, value):
                problems[field] = problem
        clean[field] = value
    return clean, problems


def staff_fields(rank: str, nip: str) -> tuple[tuple[str, str], str]:
    """A staff member's rank and NIP trimmed, and what is wrong with them ("" : nothing)."""
    clean, problems = cleaned({"rank": rank, "nip": nip})
    return (clean["rank"], clean["nip"]), " ".join(f"{LABELS[k]}: {v}" for k, v in problems.items())
