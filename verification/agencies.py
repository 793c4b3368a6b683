"""The API keys of other agencies (Dinas Sosial, hospitals, schools, banks) that check letters through
`POST /api/v1/verifikasi` (`verification.agency_api`).

A key (``esk_`` and 43 random URL-safe characters, 256 bits) is shown once, when it is made; only its
SHA-256 (hex) is stored, with its first characters (`PREFIX_CHARS`) to tell keys apart in listings. A
presented key is hashed and the hash looked up (unique, indexed): the comparison is on the hash, which an
attacker cannot steer, so the lookup tells nothing about a key's characters. A revoked key is no key.
Every answered call leaves one `AuditEvent` (actor ``agency:<id>``, action ``agency_verify``), whose
detail holds counts only, never a letter nor a person.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Agency, AuditEvent

KEY_PREFIX = "esk_"
PREFIX_CHARS = 12  # "esk_" and 8 random characters: enough to tell keys apart, useless to guess one
MAX_KEY_CHARS = 128  # a real key has 47; anything much longer is not one (and is not hashed)
MAX_NAME_CHARS = 100  # `db.models.Agency.name`
AUDIT_ACTION = "agency_verify"


class AgencyError(ValueError):
    """Why an agency command cannot be done (said in Indonesian)."""


@dataclass(frozen=True)
class NewAgency:
    agency: Agency
    key: str  # the whole key: shown once, never stored


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def actor(agency_id: int) -> str:
    return f"agency:{agency_id}"


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AgencyError("Nama instansi harus diisi")
    if len(cleaned) > MAX_NAME_CHARS:
        raise AgencyError(f"Nama instansi paling panjang {MAX_NAME_CHARS} karakter")
    return cleaned


async def create_agency(sessions: async_sessionmaker[AsyncSession], name: str, now: datetime) -> NewAgency:
    """A new agency with a new key; the key is in the answer only."""
    key = new_key()
    agency = Agency(name=clean_name(name), key_hash=key_hash(key), key_prefix=key[:PREFIX_CHARS], created_at=now)
    async with sessions.begin() as session:
        session.add(agency)
    return NewAgency(agency, key)


async def agency_for_key(sessions: async_sessionmaker[AsyncSession], presented: str | None) -> Agency | None:
    """The active agency whose key this is; None for no key, a malformed, unknown or revoked one."""
    if not presented or len(presented) > MAX_KEY_CHARS or not presented.startswith(KEY_PREFIX):
        return None
    query = select(Agency).where(Agency.key_hash == key_hash(presented), Agency.revoked_at.is_(None))
    async with sessions() as session:
        return await session.scalar(query)


async def list_agencies(sessions: async_sessionmaker[AsyncSession]) -> list[Agency]:
    async with sessions() as session:
        return list(await session.scalars(select(Agency).order_by(Agency.id)))


async def revoke_agency(sessions: async_sessionmaker[AsyncSession], agency_id: int, now: datetime) -> Agency:
    """Revoke the agency's key (at once: the next call with it is refused)."""
    async with sessions.begin() as session:
        agency = await session.get(Agency, agency_id)
        if agency is None:
            raise AgencyError(f"Instansi #{agency_id} tidak ditemukan")
        if agency.revoked_at is not None:
            raise AgencyError(f"Kunci instansi #{agency_id} ({agency.name}) sudah dicabut")
        agency.revoked_at = now
    return agency


async def audit_call(sessions: async_sessionmaker[AsyncSession], agency_id: int, counts: Mapping[str, int],
                     now: datetime) -> None:
    """One audit row for one call: how many letters had which verdict (or why the call was refused)."""
    detail = json.dumps(dict(counts), sort_keys=True, ensure_ascii=False)
    async with sessions.begin() as session:
        session.add(AuditEvent(actor=actor(agency_id), action=AUDIT_ACTION, detail=detail, at=now))
