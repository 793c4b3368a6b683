"""Field validators: each turns what a resident typed into a canonical value, or raises FieldError.

Canonical values: NIK and No. KK as 16 digits, dates ISO (YYYY-MM-DD), RT/RW "003/005",
phones "+62...", choices by their stored value. Error messages are Indonesian, for the resident.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date

from flows.choice_sets import options_for
from flows.dates import DateError, parse_date
from flows.definitions import FieldDef
from flows.font_coverage import RANGES
from flows.messages import megabytes
from flows.names import ascii_digits, best_key_match, normalize
from flows.nik import NikError, identity_problems, parse_kk, parse_nik

UPLOAD_TYPES = {"image/jpeg": "JPG", "image/jpg": "JPG", "image/png": "PNG", "application/pdf": "PDF"}
_RANGE_STARTS = [start for start, _ in RANGES]
_NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '.\-])*$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_PHONE_JUNK = re.compile(r"[\s\-.()]")
_RT_RW_REST = re.compile(r"[0-9]+|rt|rw|[\s./\-,:]")


class FieldError(ValueError):
    """An answer that cannot be accepted; str(error) is the Indonesian message for the resident."""


def _small_number(digits: str, max_digits: int) -> int | None:
    """The value of a run of ASCII digits that has at most `max_digits` significant ones, else None (Python
    refuses to convert more than 4,300 digits, and no answer here needs more than a few)."""
    significant = digits.lstrip("0")
    return int(significant or "0") if ascii_digits(digits) and len(significant) <= max_digits else None


def validate_nik(raw: str) -> str:
    try:
        return parse_nik(raw)[0]
    except NikError as e:
        raise FieldError(str(e)) from None


def validate_kk(raw: str) -> str:
    try:
        return parse_kk(raw)
    except NikError as e:
        raise FieldError(str(e)) from None


def unprintable(text: str) -> str | None:
    """The first letter of `text` the letter's fonts cannot print (`flows.font_coverage`), or None."""
    if text.isascii() and _ASCII_PRINTABLE:  # the letters of ASCII are A-Z and a-z
        return None
    for ch in text:
        if unicodedata.category(ch)[0] in "LM" and not _printable(ord(ch)):
            return ch
    return None


def _printable(code: int) -> bool:
    at = bisect.bisect_right(_RANGE_STARTS, code) - 1
    return at >= 0 and code <= RANGES[at][1]


_ASCII_PRINTABLE = all(_printable(ord(ch)) for ch in map(chr, range(128)) if unicodedata.category(ch)[0] in "LM")


def _check_printable(text: str, what: str) -> None:
    ch = unprintable(text)
    if ch is not None:
        raise FieldError(f"{what} hanya dapat ditulis dengan huruf Latin (boleh beraksen, seperti é, ü, ł) agar "
                         f"tercetak dengan benar pada surat; huruf \u201c{ch}\u201d tidak dapat dicetak. "
                         "Tuliskan sesuai ejaan Latin pada KTP.")


def validate_name(raw: str, max_length: int = 100) -> str:
    text = " ".join(raw.translate(_APOSTROPHES).split())
    _check_printable(text, "Nama")
    if not _NAME.match(text) or sum(c.isalpha() for c in text) < 2:
        raise FieldError(
            "Nama hanya boleh berisi huruf, spasi, tanda petik ('), tanda hubung (-) dan titik. "
            "Contoh: Ni Luh Putu Ayu, Ma'ruf, Siti-Aisyah."
        )
    if len(text) > max_length:
        raise FieldError(f"Nama terlalu panjang (paling banyak {max_length} karakter).")
    if text.islower():
        text = re.sub(r"(^|[ \-])(\w)", lambda m: m[1] + m[2].upper(), text)
    return text


def validate_date(raw: str, today: date) -> str:
    try:
        return parse_date(raw, today).isoformat()
    except DateError as e:
        raise FieldError(str(e)) from None


def validate_rt_rw(raw: str) -> str:
    text = raw.lower()
    numbers = [_small_number(n, 3) for n in re.findall(r"[0-9]+", text)]
    if len(numbers) != 2 or _RT_RW_REST.sub("", text) or not all(n is not None and 1 <= n for n in numbers):
        raise FieldError("RT/RW tidak dikenali. Contoh: 003/005, 3/5 atau RT 3 RW 5.")
    return f"{numbers[0]:03d}/{numbers[1]:03d}"


def validate_phone(raw: str) -> str:
    text = _PHONE_JUNK.sub("", raw)
    for prefix in ("+62", "62", "0"):
        if text.startswith(prefix):
            rest = text[len(prefix):]
            if ascii_digits(rest) and rest[:1] != "0" and 8 <= len(rest) <= 12:
                return "+62" + rest
            break
    raise FieldError("Nomor HP tidak valid. Contoh: 0812 3456 7890 atau +62 812 3456 7890.")


def validate_text(raw: str, min_length: int = 1, max_length: int = 200) -> str:
    text = " ".join(raw.split())
    if len(text) < max(min_length, 1) or not any(c.isalnum() for c in text):
        raise FieldError(f"Jawaban terlalu pendek (paling sedikit {max(min_length, 1)} karakter).")
    if len(text) > max_length:
        raise FieldError(f"Jawaban terlalu panjang (paling banyak {max_length} karakter).")
    _check_printable(text, "Jawaban")
    return text


def validate_year(raw: str, today: date) -> str:
    text = raw.strip()
    if not (ascii_digits(text) and len(text) == 4):
        raise FieldError("Mohon ketik tahun dengan 4 digit, misalnya 2015.")
    if not 1900 <= int(text) <= today.year:
        raise FieldError(f"Tahun harus antara 1900 dan {today.year}.")
    return text


def validate_number(raw: str) -> str:
    number = _small_number(raw.strip(), 6)
    if number is None or number < 1:
        raise FieldError("Mohon ketik angka saja, misalnya 2.")
    return str(number)


def validate_choice(field: FieldDef, raw: str) -> str:
    """A choice by its number in the list, its label, or a close spelling of it."""
    options = options_for(field)
    text = raw.strip()
    number = _small_number(text, 3)
    if number is not None and 1 <= number <= len(options):
        return options[number - 1].value
    found = best_key_match(normalize(text), [o.keys for o in options])
    if found is None:
        listed = ", ".join(f"{i}. {o.label}" for i, o in enumerate(options, 1))
        raise FieldError(f"Pilihan tidak dikenali. Pilih salah satu: {listed}.")
    return options[found].value


def validate_upload(media_type: str, size: int, max_bytes: int) -> None:
    """A photo or document the engine accepts: JPG, PNG or PDF, not empty, at most `max_bytes`."""
    if size > max_bytes:  # first: a file not downloaded is known by its size (its declared type says little)
        mb = f"{size / 1024 / 1024:.1f}".replace(".", ",")
        raise FieldError(f"Ukuran berkas {mb} MB melebihi batas {megabytes(max_bytes)} MB.")
    if media_type.split(";")[0].strip().lower() not in UPLOAD_TYPES:  # the resident reads no media type
        raise FieldError("Jenis berkas tidak didukung. Kirim foto JPG/PNG atau PDF.")
    if size <= 0:
        raise FieldError("Berkas kosong. Mohon kirim ulang.")


_BY_TYPE: dict[str, Callable[[FieldDef, str, date], str]] = {
    "nik": lambda f, raw, today: validate_nik(raw),
    "kk": lambda f, raw, today: validate_kk(raw),
    "name": lambda f, raw, today: validate_name(raw, f.max_length),
    "date": lambda f, raw, today: validate_date(raw, today),
    "choice": lambda f, raw, today: validate_choice(f, raw),
    "rt_rw": lambda f, raw, today: validate_rt_rw(raw),
    "phone": lambda f, raw, today: validate_phone(raw),
    "text": lambda f, raw, today: validate_text(raw, f.min_length, f.max_length),
    "year": lambda f, raw, today: validate_year(raw, today),
    "number": lambda f, raw, today: validate_number(raw),
}


def validate(field: FieldDef, raw: str, today: date, known: Mapping[str, str] | None = None) -> str:
    """The canonical value of an answer to `field`; with `known`, also checked against NIK/sex/birth date."""
    value = _BY_TYPE[field.type](field, raw[:2000], today)
    problems = identity_problems(field.name, value, known or {})
    if problems:
        raise FieldError(" ".join(problems))
    return value
