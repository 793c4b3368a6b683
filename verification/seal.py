"""The seal: a signature over a letter's canonical fields, carried in its QR code.

Seal text (format ``ES1``), fields separated by ``:``::

    ES1:<kid>:<number>:<TYPE>:<KELURAHAN>:<issued YYYYMMDD>:<valid until YYYYMMDD or ->:
        <holder name masked>:<NIK masked>:<content SHA-256, 78 decimal digits>:<signature>

- ``TYPE`` is the letter type code, ``KELURAHAN`` the kelurahan slug, both upper-cased.
- ``content SHA-256`` is ``sha256(salt || canonical JSON of the letter's content fields)``
  (see :func:`content_digest`); the per-letter salt keeps the hidden NIK digits from
  being guessed through the digest.
- The signature is Ed25519 by key ``kid`` over the UTF-8 bytes of everything before the
  last ``:``; it is written as 155 decimal digits.

Everything but the signature is rebuilt from stored record fields by
:func:`canonical_fields`, so the server can compare a presented seal with its records;
and since the QR carries the sealed fields themselves, anyone holding the published
keys can check a letter offline from the QR alone. Digits and upper case keep the QR in
its compact numeric/alphanumeric modes (version 11 or lower at level M).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from cryptography.exceptions import InvalidSignature

from verification.keys import KeyStore, SealKey

SEAL_VERSION = "ES1"
_DIGEST_DIGITS = 78  # 2**256 < 10**78
_SIG_DIGITS = 155  # 2**512 < 10**155
_FIELD_COUNT = 11
# Characters the QR alphanumeric mode holds, less the separator and space/percent.
_QR_SAFE = "$*+-./"


class SealFormatError(ValueError):
    pass


@dataclass(frozen=True)
class SealedFields:
    number: str
    letter_type: str
    kelurahan: str
    issued_on: date
    valid_until: date | None
    holder_name_masked: str
    nik_masked: str
    content_sha256: bytes


@dataclass(frozen=True)
class ParsedSeal:
    kid: str
    fields: SealedFields
    signature: bytes
    message: bytes


def content_digest(letter_type: str, values: dict[str, str], rows: list[dict[str, str]], salt: bytes) -> bytes:
    doc = {"type": letter_type, "fields": values, "rows": rows}
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(salt + canonical.encode()).digest()


def canonical_fields(kid: str, fields: SealedFields) -> str:
    """The signed text: every field of the seal but the signature."""
    parts = [
        SEAL_VERSION,
        kid,
        fields.number,
        fields.letter_type.upper(),
        fields.kelurahan.upper(),
        fields.issued_on.strftime("%Y%m%d"),
        fields.valid_until.strftime("%Y%m%d") if fields.valid_until else "-",
        fields.holder_name_masked,
        fields.nik_masked,
        str(int.from_bytes(fields.content_sha256, "big")).zfill(_DIGEST_DIGITS),
    ]
    for part in parts:
        if ":" in part or not part:
            raise SealFormatError(f"field cannot be sealed: {part!r}")
    return ":".join(parts)


def make_seal(key: SealKey, fields: SealedFields) -> str:
    message = canonical_fields(key.kid, fields)
    signature = key.sign(message.encode())
    return f"{message}:{int.from_bytes(signature, 'big'):0{_SIG_DIGITS}d}"


def _date(text: str) -> date:
    if not re.fullmatch(r"\d{8}", text):
        raise SealFormatError("bad date")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise SealFormatError("bad date") from exc


def _number(text: str, digits: int, size: int) -> bytes:
    if not re.fullmatch(rf"\d{{{digits}}}", text):
        raise SealFormatError("bad number")
    value = int(text)
    if value >= 1 << (8 * size):
        raise SealFormatError("number out of range")
    return value.to_bytes(size, "big")


def parse_seal(text: str) -> ParsedSeal:
    parts = text.strip().split(":")
    if len(parts) != _FIELD_COUNT or parts[0] != SEAL_VERSION:
        raise SealFormatError("not an ES1 seal")
    _, kid, number, typ, kel, issued, valid, name, nik, digest, sig = parts
    fields = SealedFields(
        number=number,
        letter_type=typ,
        kelurahan=kel,
        issued_on=_date(issued),
        valid_until=None if valid == "-" else _date(valid),
        holder_name_masked=name,
        nik_masked=nik,
        content_sha256=_number(digest, _DIGEST_DIGITS, 32),
    )
    message = text.strip().rsplit(":", 1)[0].encode()
    return ParsedSeal(kid, fields, _number(sig, _SIG_DIGITS, 64), message)


def verify_seal(text: str, keystore: KeyStore) -> ParsedSeal:
    """Parse and check the signature; raises SealFormatError or InvalidSignature."""
    parsed = parse_seal(text)
    public_key = keystore.public_key(parsed.kid)
    if public_key is None:
        raise InvalidSignature(f"unknown key {parsed.kid}")
    if canonical_fields(parsed.kid, parsed.fields).encode() != parsed.message:
        raise SealFormatError("fields not in canonical form")
    public_key.verify(parsed.signature, parsed.message)
    return parsed


def same_fields(a: SealedFields, b: SealedFields) -> bool:
    return canonical_fields("K", a) == canonical_fields("K", b)


def qr_url(public_url: str, public_id: str, seal: str) -> str:
    """The URL in the QR: the seal rides in the fragment, percent-encoded."""
    return f"{public_url.rstrip('/')}/v/{public_id}#{quote(seal, safe=_QR_SAFE + ':')}"
