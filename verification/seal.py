"""The seal: a signature over a letter's canonical fields, carried in its QR code.

Seal text (format ``ES1``)::

    ES1:<kid>:<number>:<TYPE>:<KELURAHAN>:<holder name masked>:<NIK masked>:<DIGITS>

where ``DIGITS`` is one run of 249 digits: issue date ``YYYYMMDD``, validity end
``YYYYMMDD`` (``00000000`` when the letter has none), the content SHA-256 as 78 decimal
digits, then the Ed25519 signature as 155 decimal digits.

- ``TYPE`` is the letter type code, ``KELURAHAN`` the kelurahan slug, both upper-cased
  with ``_`` written as ``-`` (``pengantar_skck`` -> ``PENGANTAR-SKCK``).
- The content SHA-256 is ``sha256(salt || canonical JSON of the letter's content
  fields)`` (see :func:`content_digest`); the per-letter salt keeps the hidden NIK
  digits from being guessed through the digest.
- The signature (key ``kid``) covers the UTF-8 bytes of the whole text but its last 155
  digits: that signed text is :func:`canonical_fields`.

Everything but the signature is rebuilt from stored record fields by
:func:`canonical_fields`, so the server can compare a presented seal with its records;
and since the QR carries the sealed fields themselves, anyone holding the published
keys can check a letter offline from the QR alone. Upper case and one long run of
digits keep the QR in its compact alphanumeric and numeric modes: version 11 at level
M holds it for public URLs up to about 40 characters (see `letters.qr`).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from verification.keys import SealKey

SEAL_VERSION = "ES1"
_DATE_DIGITS = 8
_DIGEST_DIGITS = 78  # 2**256 < 10**78
_SIG_DIGITS = 155  # 2**512 < 10**155
_TAIL_DIGITS = 2 * _DATE_DIGITS + _DIGEST_DIGITS + _SIG_DIGITS
_NO_DATE = "0" * _DATE_DIGITS
_TEXT_FIELDS = 7
# Characters the QR alphanumeric mode holds (space and % aside), kept as they are in the URL.
_QR_SAFE = "$*+-./:"
_MAX_SEAL_CHARS = 1024  # a real seal has about 330; anything much longer is not one


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


def _code(text: str) -> str:
    return text.upper().replace("_", "-")


def canonical_fields(kid: str, fields: SealedFields) -> str:
    """The signed text: the seal without its signature digits."""
    texts = [
        SEAL_VERSION, kid, fields.number, _code(fields.letter_type), _code(fields.kelurahan),
        fields.holder_name_masked, fields.nik_masked,
    ]
    for text in texts:
        if ":" in text or not text:
            raise SealFormatError(f"field cannot be sealed: {text!r}")
    digits = (
        fields.issued_on.strftime("%Y%m%d")
        + (fields.valid_until.strftime("%Y%m%d") if fields.valid_until else _NO_DATE)
        + str(int.from_bytes(fields.content_sha256, "big")).zfill(_DIGEST_DIGITS)
    )
    return ":".join([*texts, digits])


def make_seal(key: SealKey, fields: SealedFields) -> str:
    message = canonical_fields(key.kid, fields)
    signature = key.sign(message.encode())
    return message + str(int.from_bytes(signature, "big")).zfill(_SIG_DIGITS)


def _date(text: str) -> date:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise SealFormatError("bad date") from exc


def _bytes(digits: str, size: int) -> bytes:
    value = int(digits)
    if value >= 1 << (8 * size):
        raise SealFormatError("number out of range")
    return value.to_bytes(size, "big")


def parse_seal(text: str | bytes) -> ParsedSeal:
    """The fields of a seal (as scanned: text, or the QR's bytes); SealFormatError for anything else."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SealFormatError("not UTF-8") from exc
    if len(text) > _MAX_SEAL_CHARS:
        raise SealFormatError("too long")
    text = text.strip()
    parts = text.split(":")
    tail = parts[-1]
    if len(parts) != _TEXT_FIELDS + 1 or parts[0] != SEAL_VERSION:
        raise SealFormatError("not an ES1 seal")
    if len(tail) != _TAIL_DIGITS or not tail.isascii() or not tail.isdigit():
        raise SealFormatError("bad digits")
    _, kid, number, typ, kel, name, nik = parts[:_TEXT_FIELDS]
    issued, valid = tail[:_DATE_DIGITS], tail[_DATE_DIGITS : 2 * _DATE_DIGITS]
    digest = tail[2 * _DATE_DIGITS : 2 * _DATE_DIGITS + _DIGEST_DIGITS]
    fields = SealedFields(
        number=number, letter_type=typ, kelurahan=kel, issued_on=_date(issued),
        valid_until=None if valid == _NO_DATE else _date(valid),
        holder_name_masked=name, nik_masked=nik, content_sha256=_bytes(digest, 32),
    )
    try:
        message = text[:-_SIG_DIGITS].encode()
    except UnicodeEncodeError as exc:  # a lone surrogate
        raise SealFormatError("not encodable") from exc
    return ParsedSeal(kid, fields, _bytes(tail[-_SIG_DIGITS:], 64), message)


def verify_seal(text: str | bytes, public_key_for: Callable[[str], Ed25519PublicKey | None]) -> ParsedSeal:
    """Parse and check the signature; raises SealFormatError or InvalidSignature.

    `public_key_for` is `KeyStore.public_key` on the server, or `public_keys(jwks).get`
    offline, with the keys published at ``/.well-known/esurat-keys.json``.
    """
    parsed = parse_seal(text)
    public_key = public_key_for(parsed.kid)
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
    return f"{public_url.rstrip('/')}/v/{public_id}#{quote(seal, safe=_QR_SAFE)}"


def seal_from_url(url: str) -> str:
    """The seal text from a scanned QR URL (fragment) or a page URL (``?s=``)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a URL of ours
        return ""
    if parts.fragment:
        return unquote(parts.fragment)
    return parse_qs(parts.query).get("s", [""])[0]


def public_keys(jwks: Any) -> dict[str, Ed25519PublicKey]:
    """The keys of a published JWK set (``/.well-known/esurat-keys.json``) by kid; malformed entries skipped."""
    out: dict[str, Ed25519PublicKey] = {}
    listed = jwks.get("keys") if isinstance(jwks, dict) else None
    for jwk in listed if isinstance(listed, list) else []:
        if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        x, kid = jwk.get("x"), jwk.get("kid")
        if not isinstance(x, str) or not isinstance(kid, str):
            continue
        try:
            raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
            out[kid] = Ed25519PublicKey.from_public_bytes(raw)
        except ValueError:  # not base64, or not 32 bytes
            continue
    return out
