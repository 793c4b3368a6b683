"""The SPBE evidence file and archive: the requests submitted, the letters issued and the audit events of a
period (WIB dates), as three tables of plain values. Personal data is masked unless asked otherwise: NIK and
KK numbers keep their region and last four digits, names their first word and an initial, addresses and
phone numbers are left out, and any run of 16 digits in a free text is masked too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEvent, Kelurahan, Letter, LetterRequest
from flows.dates import WIB
from verification.masking import mask_name, mask_nik

_LONG_NUMBER = re.compile(r"\d{16}")
MASKED_NOTE = "(disamarkan)"


@dataclass(frozen=True)
class Table:
    name: str
    headers: list[str]
    rows: list[list[Any]]


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """00.00 WIB of `first` and of the day after `last` (brought within what a UTC datetime holds)."""
    first, last = max(first, date(1900, 1, 1)), min(last, date(9998, 12, 30))
    return datetime.combine(first, time(0), WIB), datetime.combine(last + timedelta(days=1), time(0), WIB)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(WIB).isoformat(timespec="seconds") if moment else ""


def _text(value: Any, unmasked: bool) -> str:
    text = "" if value is None else str(value)
    return text if unmasked else _LONG_NUMBER.sub(lambda m: mask_nik(m.group(0)), text)


def _person(fields: dict[str, Any], unmasked: bool) -> list[str]:
    name, nik, kk = (str(fields.get(k) or "") for k in ("nama", "nik", "no_kk"))
    address = " ".join(str(fields.get(k) or "") for k in ("alamat", "rt_rw")).strip()
    phone = str(fields.get("no_hp") or "")
    if unmasked:
        return [name, nik, kk, address, phone]
    return [mask_name(name) if name else "", mask_nik(nik) if nik else "", mask_nik(kk) if kk else "",
            MASKED_NOTE if address else "", MASKED_NOTE if phone else ""]


async def evidence(session: AsyncSession, first: date, last: date, kelurahan_id: int | None,
                   unmasked: bool = False) -> list[Table]:
    start, end = _bounds(first, last)
    names = {k.id: (k.slug, k.name) for k in await session.scalars(select(Kelurahan))}
    requests_q = select(LetterRequest).where(LetterRequest.submitted_at >= start, LetterRequest.submitted_at < end)
    letters_q = select(Letter).where(Letter.issued_at >= start, Letter.issued_at < end)
    audit_q = select(AuditEvent, LetterRequest.code, LetterRequest.kelurahan_id).outerjoin(
        LetterRequest, LetterRequest.id == AuditEvent.request_id).where(AuditEvent.at >= start, AuditEvent.at < end)
    if kelurahan_id is not None:
        requests_q = requests_q.where(LetterRequest.kelurahan_id == kelurahan_id)
        letters_q = letters_q.where(Letter.kelurahan_id == kelurahan_id)
        audit_q = audit_q.where(LetterRequest.kelurahan_id == kelurahan_id)
    requests = Table("permohonan", [
        "kode", "kelurahan", "nama_kelurahan", "jenis", "kanal", "status", "diajukan", "diputuskan",
        "detik_sampai_keputusan", "detik_sampai_terbit", "tepat_waktu", "nomor_surat", "alasan", "catatan",
        "nama", "nik", "no_kk", "alamat", "no_hp"], [])
    for r in await session.scalars(requests_q.order_by(LetterRequest.submitted_at, LetterRequest.id)):
        slug, kel_name = names.get(r.kelurahan_id, ("", ""))
        within = "" if r.within_service_time is None else ("ya" if r.within_service_time else "tidak")
        requests.rows.append([
            r.code, slug, kel_name, r.letter_type, r.channel or "", r.status, _when(r.submitted_at),
            _when(r.decided_at), r.decision_seconds if r.decision_seconds is not None else "",
            r.issue_seconds if r.issue_seconds is not None else "", within, r.number or "",
            _text(r.reason, unmasked), _text(r.note, unmasked), *_person(r.fields or {}, unmasked)])
    letters = Table("surat", [
        "nomor", "id_publik", "jenis", "kelurahan", "terbit", "berlaku_sampai", "status", "dicabut",
        "alasan_pencabutan", "pemegang", "nik", "penandatangan", "jabatan", "sha256_pdf"], [])
    for letter in await session.scalars(letters_q.order_by(Letter.issued_at, Letter.id)):
        letters.rows.append([
            letter.number, letter.public_id, letter.letter_type, names.get(letter.kelurahan_id, ("", ""))[0],
            _when(letter.issued_at), letter.valid_until.isoformat() if letter.valid_until else "", letter.status,
            _when(letter.revoked_at), _text(letter.revoked_reason, unmasked), letter.holder_name_masked,
            letter.nik_masked, letter.signatory_name, letter.signatory_title, letter.pdf_sha256])
    audit = Table("audit", ["waktu", "kode_permohonan", "kelurahan", "pelaku", "tindakan", "dari_status",
                            "ke_status", "keterangan"], [])
    for event, code, kel_id in await session.execute(audit_q.order_by(AuditEvent.at, AuditEvent.id)):
        audit.rows.append([_when(event.at), code or "", names.get(kel_id, ("", ""))[0] if kel_id else "",
                           event.actor, event.action, event.from_state or "", event.to_state or "",
                           _text(event.detail, unmasked)])
    return [requests, letters, audit]
