"""Requests and issued letters of any kelurahan for the desk's tests: a submitted SKTM with a KTP photo, and
one approved through `moderation.act` and issued by the follow-up runner, as the desk's approval does."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Attachment, Kelurahan, Letter, LetterRequest, Staff
from tests.desk.conftest import Desk
from tests.support.lifecycle import FixedClock, make_resident

FIELDS = {"nama": "Siti Aminah", "nik": "6271034507900001", "alamat": "Jl. G. Obos XII No. 5",
          "keperluan": "Pendaftaran beasiswa anak", "tanggungan": []}
IMAGE = b"\xff\xd8\xff\xe0 bukan foto sungguhan"


async def request_of(desk: Desk, slug: str, chat: str, *, name: str = "Siti Aminah",
                     nik: str = "6271034507900001") -> tuple[LetterRequest, int]:
    """A submitted SKTM of kelurahan `slug` by the resident of Telegram chat `chat`, and its attachment's id."""
    uploads = desk.services.settings.storage.uploads_dir
    (uploads / "x").mkdir(parents=True, exist_ok=True)
    (uploads / "x" / "ktp.jpg").write_bytes(IMAGE)
    async with desk.services.sessions.begin() as s:
        att = Attachment(kind="upload", path="x/ktp.jpg", size=len(IMAGE), sha256="0" * 64, media_type="image/jpeg",
                         created_at=FixedClock()())
        s.add(att)
        await s.flush()
        att_id = att.id
    resident = await make_resident(desk.services.sessions, external_id=chat)
    req = await desk.services.moderation.lifecycle.submit_new(
        resident, kelurahan_slug=slug, letter_type="sktm", fields={**FIELDS, "nama": name, "nik": nik},
        attachment_ids={"ktp": att_id})
    return req, att_id


async def issued(desk: Desk, staff: Staff, chat: str, **holder: str) -> Letter:
    """A letter of `staff`'s kelurahan, issued to the resident of chat `chat`."""
    async with desk.services.sessions() as s:
        kel = await s.get(Kelurahan, staff.kelurahan_id)
    assert kel is not None
    req, _ = await request_of(desk, kel.slug, chat, **holder)
    await desk.services.moderation.act(req.id, staff, "approve")
    await desk.services.follow_ups.run_once()
    async with desk.services.sessions() as s:
        letter = await s.scalar(select(Letter).where(Letter.request_id == req.id))
    assert letter is not None, "the approval issued no letter"
    return letter
