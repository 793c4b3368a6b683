"""What the public sees of a letter: the same data for the HTML page and the JSON answer.

Only masked personal data (`LetterRecord` holds nothing else); no id is echoed for
unknown letters, so unknown and malformed ids get identical answers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flows.dates import format_date, local_date
from verification.checks import SealCheck, Verdict, expired
from verification.records import KelurahanContact, LetterRecord, LetterStatus
from verification.upload_check import UploadResult, UploadVerdict

MESSAGES = {
    Verdict.VALID: "Surat ini asli dan tercatat diterbitkan oleh kelurahan.",
    Verdict.REVOKED: "Surat ini telah DICABUT dan tidak berlaku lagi.",
    Verdict.INVALID: "Segel QR tidak sah atau tidak cocok dengan arsip. Jangan terima surat ini.",
    Verdict.SUPERSEDED: "Surat ini telah DIGANTI dengan surat yang diterbitkan ulang; gunakan surat penggantinya.",
    Verdict.EXPIRED: "Surat ini asli, tetapi masa berlakunya telah berakhir (KEDALUWARSA).",
    Verdict.NOT_FOUND: "Surat dengan kode ini tidak ada dalam arsip e-surat.",
}
SIGNATURES = {
    "segel_esurat": "Segel elektronik e-Surat (tanda tangan elektronik tidak tersertifikasi, PP 71/2019)",
    "bsre": "Tanda tangan elektronik tersertifikasi BSrE (PP 71/2019)",
}
NOT_FOUND_BY_NUMBER = "Tidak ada surat dengan nomor dan tanggal terbit itu dalam arsip e-surat."


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def letter_view(record: LetterRecord, verdict: Verdict, seal: SealCheck, today: date) -> dict[str, Any]:
    out: dict[str, Any] = {
        "status": verdict.label,
        "status_code": verdict.code,
        "message": MESSAGES[verdict],
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
            "issuer": f"Kelurahan {record.kelurahan}, Kecamatan {record.kecamatan}",
            "signature_kind": record.signature_kind,
            "signature": SIGNATURES.get(record.signature_kind, record.signature_kind),
            "holder_name": record.holder_name_masked,
            "nik": record.nik_masked,
            "subject_label": record.subject_label,
            "subject_name": record.subject_name_masked,
        },
        "revocation": None,
        "replacement": None if not record.replaced_by_number else {
            "number": record.replaced_by_number,
            "replaced_at": record.replaced_at.isoformat() if record.replaced_at else None},
        "seal": {"presented": seal.presented, "valid": seal.valid, "key_id": seal.key_id, "message": seal.message},
    }
    if record.status == LetterStatus.REVOKED:
        out["revocation"] = {
            "reason": record.revoked_reason or "",
            "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
        }
    return out


def general_contact(city: str) -> str:
    return (f"Hubungi kantor kelurahan yang menerbitkan surat (alamat dan teleponnya tertera pada kop surat), "
            f"atau kantor kecamatan setempat di Kota {city}.")


def contact_view(contact: KelurahanContact | None, city: str) -> dict[str, Any]:
    if contact is None:
        return {"kelurahan": None, "text": general_contact(city)}
    return {"kelurahan": contact.kelurahan, "kecamatan": contact.kecamatan, "address": contact.address,
            "phone": contact.phone, "text": f"Kantor Kelurahan {contact.kelurahan}, Kecamatan {contact.kecamatan}"}


def not_found_view(city: str, contact: KelurahanContact | None = None, *, by_number: bool = False) -> dict[str, Any]:
    """The same answer for every unknown id; for a number and date, the same whether or not the number exists."""
    return {"status": Verdict.NOT_FOUND.label, "status_code": Verdict.NOT_FOUND.code, "letter": None,
            "message": NOT_FOUND_BY_NUMBER if by_number else MESSAGES[Verdict.NOT_FOUND],
            "contact": contact_view(contact, city)}


def _upload_message(result: UploadResult, number: str) -> str:
    match result.verdict:
        case UploadVerdict.SAME:
            return f"Berkas yang Anda unggah sama persis dengan surat nomor {number} yang terdaftar."
        case UploadVerdict.OTHER_LETTER if result.other is not None:
            return (f"Berkas yang Anda unggah adalah surat lain, nomor {result.other_number}, "
                    f"BUKAN surat nomor {number}.")
        case UploadVerdict.OTHER_LETTER:
            return (f"Berkas yang Anda unggah bertanda tangan e-surat tetapi adalah surat lain (nomor "
                    f"{result.other_number}, tidak ada dalam arsip), BUKAN surat nomor {number}.")
        case UploadVerdict.ALTERED:
            return (f"Berkas yang Anda unggah BERBEDA dari surat nomor {number} yang terdaftar: isinya diubah "
                    "atau tanda tangannya tidak sah. Jangan terima berkas ini.")
        case UploadVerdict.UNREADABLE:
            return ("Berkas PDF yang Anda unggah tidak dapat dibaca (rusak atau terpotong); "
                    "keasliannya tidak dapat diperiksa.")
        case UploadVerdict.NOT_PDF:
            return "Berkas yang Anda unggah bukan berkas PDF. Unggah berkas PDF surat yang Anda terima."


def upload_view(result: UploadResult, number: str) -> dict[str, Any]:
    report = result.report
    return {
        "identical": result.identical,
        "pades": None if report is None else {
            "signed": report.signed, "intact": report.intact, "trusted": report.trusted,
            "whole_file": report.whole_file, "ok": report.ok, "signer": report.signer,
            "changed_since_signing": not (report.intact and report.whole_file),
        },
        "verdict": result.verdict.label,
        "verdict_code": result.verdict.code,
        "message": _upload_message(result, number),
        "other_letter": None if result.verdict is not UploadVerdict.OTHER_LETTER else {
            "number": result.other_number, "public_id": result.other.public_id if result.other else None},
    }


def with_upload(view: dict[str, Any], result: UploadResult, number: str) -> dict[str, Any]:
    """The page after an upload: unless the file is the letter itself, the banner carries the file's verdict."""
    upload = upload_view(result, number)
    out = view | {"upload": upload}
    if result.verdict is not UploadVerdict.SAME:
        out |= {"status": upload["verdict"], "status_code": upload["verdict_code"], "message": upload["message"],
                "letter_status": view["status"]}
    return out


def display_dates(record: LetterRecord) -> dict[str, str]:
    """Indonesian dates for the HTML page (revocation on Palangka Raya's calendar)."""
    out = {"issued_on": format_date(record.issued_on)}
    if record.valid_until:
        out["valid_until"] = format_date(record.valid_until)
    if record.revoked_at:
        out["revoked_at"] = format_date(local_date(record.revoked_at))
    return out
