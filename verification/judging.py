"""The verdict on a letter as a verifier presents it: its public id, and the seal its QR code carries.

Shared by the public page (`/v/{public_id}?s=...`, `verification.router`) and the agencies' API
(`verification.agency_api`), so both say the same of the same letter. What is presented (`presented`)
is a letter's public id, the URL its QR code carries (``.../v/<id>#<seal>``), or its page's URL with the
seal in ``?s=``. Unknown and malformed ids are looked up alike (a dummy id for a malformed one), so the
time of an answer tells nothing about which ids exist.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from verification.checks import SealCheck, Verdict, check_seal, verdict
from verification.keys import KeyStore
from verification.records import PUBLIC_ID_RE, LetterRecord, LetterRecordSource
from verification.seal import seal_from_url

DUMMY_ID = "A" * 26


@dataclass(frozen=True)
class Judgement:
    record: LetterRecord
    seal: SealCheck
    verdict: Verdict


async def find_letter(source: LetterRecordSource, public_id: str) -> LetterRecord | None:
    well_formed = PUBLIC_ID_RE.fullmatch(public_id) is not None
    record = await source.get_by_public_id(public_id if well_formed else DUMMY_ID)
    return record if well_formed and record is not None and hmac.compare_digest(
        record.public_id, public_id) else None


async def judge(source: LetterRecordSource, keystore: KeyStore, public_id: str,
                seal_text: str | None, today: date | None = None) -> Judgement | None:
    """The letter and its verdict (the seal, when one is presented, checked against the record); None: no such
    letter (TIDAK DITEMUKAN)."""
    record = await find_letter(source, public_id)
    if record is None:
        return None
    seal = check_seal(record, seal_text, keystore)
    return Judgement(record, seal, verdict(record, seal, today))


def presented(text: str) -> tuple[str, str | None]:
    """(public id, seal text or None) of a public id, a QR code's URL or a page's URL; ("", None) for
    anything else (which then is not found)."""
    text = text.strip()
    if PUBLIC_ID_RE.fullmatch(text):
        return text, None
    try:
        path = urlsplit(text).path
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a URL of ours
        return "", None
    segments = path.rstrip("/").split("/")
    if len(segments) < 2 or segments[-2] != "v":
        return "", None
    return segments[-1], seal_from_url(text) or None
