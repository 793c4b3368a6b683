"""The setup pages' rules and forms (/desk/pengaturan): who may change a kelurahan's settings (its Lurah or
Sekretaris; the city's admin for any kelurahan, picked with ?kelurahan=slug), the letterhead form's fields
read from a post and checked by `db.letterhead_rules` (the CLI's rules), and masked chat identities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.auth import DeskUser
from db.directory import LETTERHEAD_FIELDS
from db.letterhead_rules import LABELS, cleaned
from db.models import Kelurahan
from lifecycle.errors import NotAuthorized, NotFound

SETUP_ROLES = frozenset({"lurah", "sekretaris"})
TEXT_FIELDS = tuple(f for f in LETTERHEAD_FIELDS if f != "signatory_delegated")
HINTS = {"signatory_nip": "18 digit angka.", "postal_code": "5 digit angka.", "unit_code": "Mis. BT.",
         "numbering_pattern": "Mis. {kode}/{seq:03d}/{unit}/{month_roman}/{year}",
         "signatory_title": "Jabatan pejabat yang menandatangani, mis. Lurah atau Sekretaris Kelurahan."}
NOT_ALLOWED = ("Maaf, halaman pengaturan hanya dapat dibuka oleh Lurah, Sekretaris Kelurahan, atau pengelola "
               "kota. Silakan hubungi Lurah Anda bila ada data yang perlu diubah.")


def may_setup(user: DeskUser) -> bool:
    """Whether the user may open the setup pages (the navigation shows them the link)."""
    return user.is_admin or (user.staff is not None and user.staff.role in SETUP_ROLES)


@dataclass(frozen=True)
class Target:
    """The kelurahan being set up, and the query that keeps the admin on it (empty for staff)."""

    kel: Kelurahan
    query: str


async def setup_target(sessions: async_sessionmaker[AsyncSession], user: DeskUser, slug: str | None
                       ) -> Target | None:
    """The kelurahan `user` sets up: a Lurah's or Sekretaris' own (another one asked for: NotAuthorized), or the
    one the admin picked (None: not picked yet; unknown: NotFound). An operator: NotAuthorized."""
    if not may_setup(user):
        raise NotAuthorized(NOT_ALLOWED)
    if user.staff is not None and user.kelurahan is not None:
        if slug and slug != user.kelurahan.slug:
            raise NotAuthorized("Anda hanya dapat mengatur kelurahan Anda sendiri.")
        async with sessions() as s:
            kel = await s.get(Kelurahan, user.kelurahan.id)
        if kel is None:
            raise NotFound("Kelurahan tidak ditemukan.")
        return Target(kel, "")
    if not slug:
        return None
    async with sessions() as s:
        kel = await s.scalar(select(Kelurahan).where(Kelurahan.slug == slug[:64]))
    if kel is None:
        raise NotFound("Kelurahan tidak ditemukan.")
    return Target(kel, f"?kelurahan={kel.slug}")


def current_values(kel: Kelurahan) -> dict[str, Any]:
    return {f: getattr(kel, f) for f in LETTERHEAD_FIELDS}


def read_letterhead(form: dict[str, str], kel: Kelurahan) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """From a posted form: the values as typed (to show again), the changes against `kel`, the problems."""
    typed: dict[str, Any] = {f: form.get(f, "") for f in TEXT_FIELDS}
    typed["signatory_delegated"] = form.get("signatory_delegated") == "1"
    clean, problems = cleaned(typed)
    changes = {f: v for f, v in clean.items() if v != getattr(kel, f)}
    return typed, changes, problems


def mask_id(external_id: str) -> str:
    """A chat identity shown without giving it away: its last three characters."""
    return "•" * max(len(external_id) - 3, 3) + external_id[-3:] if len(external_id) > 3 else "•••"


def field_rows() -> list[tuple[str, str, str]]:
    """(field, label, hint) of the letterhead form, in order."""
    return [(f, LABELS[f], HINTS.get(f, "")) for f in TEXT_FIELDS]
