"""Masking of personal data shown on the public verification page and sealed in the QR.

The public page and the QR never carry a full name or a full NIK:

- name: upper-cased, first word (at most 12 letters) plus the initial of the second
  word and ``***`` ("Siti Aminah" -> ``SITI A***``); a single word keeps its first two
  letters ("Budi" -> ``BU***``). Where the first word and one initial would spell the
  whole name ("Siti A"), only two letters of the first word are kept.
- NIK: first 4 digits (province + city) + 8 stars + last 4 digits
  (``6271********0001``).

Only letters, digits, space, dot, apostrophe and hyphen survive, so that the masked
name can be sealed in the QR text (whose field separator is ``:``).
"""

from __future__ import annotations

import re

_NAME_KEEP = re.compile(r"[^\w .'\-]|_", re.UNICODE)
_MAX_FIRST_WORD = 12


def _clean_name(name: str) -> list[str]:
    return _NAME_KEEP.sub("", name.upper()).split()


def mask_name(name: str) -> str:
    words = _clean_name(name)
    if not words:
        return "***"
    first = words[0]
    if len(first) > _MAX_FIRST_WORD:
        first = first[:_MAX_FIRST_WORD] + "*"
    if len(words) == 1 or (len(words) == 2 and len(words[1]) == 1):
        return first[:2] + "***"
    return f"{first} {words[1][0]}***"


def mask_nik(nik: str) -> str:
    digits = "".join(ch for ch in nik if ch.isdigit())
    if len(digits) < 12:
        return "*" * max(len(digits), 16)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
