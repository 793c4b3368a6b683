"""What the public sees of a letter: the same data for the HTML page and the JSON answer.

Only masked personal data (`LetterRecord` holds nothing else); no id is echoed for
unknown letters, so unknown and malformed ids get identical answers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flows.dates import format_date, local_date
from verification.checks import SealCheck, Verdict, expired
from verification.pades import PadesReport
from verification.records import LetterRecord, LetterStatus


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def letter_view(record: LetterRecord, verdict: Verdict, seal: SealCheck, today: date) -> dict[str, Any]:
    out: dict[str, Any] = {
        "status": verdict.label,
        "status_code": verdict.code,
        "letter": {
            "public_id": record.public_id,
            "number": record.number,
            "type": record.letter_type,
            "type_title": record.letter_type_title,
            "kelurahan": record.kelurahan,
            "kecamatan": record.kecamatan,
            "issued_on": _day(record.issued_on),
            "valid_until": _day(record.valid_until),
            "expired": expired(record, today),
            "signatory_name": record.signatory_name,
            "signatory_title": record.signatory_title,
            "holder_name": record.holder_name_masked,
            "nik": record.nik_masked,
        },
        "revocation": None,
        "seal": {"presented": seal.presented, "valid": seal.valid, "key_id": seal.key_id, "message": seal.message},
    }
    if record.status == LetterStatus.REVOKED:
        out["revocation"] = {
            "reason": record.revoked_reason or "",
            "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
        }
    return out


def not_found_view() -> dict[str, Any]:
    return {"status": Verdict.NOT_FOUND.label, "status_code": Verdict.NOT_FOUND.code, "letter": None}


def upload_view(identical: bool, report: PadesReport) -> dict[str, Any]:
    return {
        "identical": identical,
        "pades": {
            "signed": report.signed, "intact": report.intact, "trusted": report.trusted,
            "whole_file": report.whole_file, "ok": report.ok, "signer": report.signer,
        },
        "verdict": "SAMA" if identical and report.ok else "BERBEDA",
    }


def display_dates(record: LetterRecord) -> dict[str, str]:
    """Indonesian dates for the HTML page (revocation on Palangka Raya's calendar)."""
    out = {"issued_on": format_date(record.issued_on)}
    if record.valid_until:
        out["valid_until"] = format_date(record.valid_until)
    if record.revoked_at:
        out["revoked_at"] = format_date(local_date(record.revoked_at))
    return out
