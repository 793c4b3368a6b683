"""What the request card shows staff (issue #11, "the staff's view"): every value the letter prints,
dependants included; files by what they are; what a correction changed; times in WIB; plain wording;
and a card that fits one chat message however long the request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.directory import add_staff
from db.models import Attachment, LetterRequest, Staff
from flows import load_catalogue
from lifecycle.actors import Actor
from lifecycle.service import RequestLifecycle
from moderation.card import MESSAGE_LIMIT
from moderation.service import ModerationService, mentioned
from tests.support.lifecycle import CLASSIFICATION, FixedClock, make_resident

Sessions = async_sessionmaker[AsyncSession]
DEPENDANTS = [
    {"nama": "Budi Santoso", "nik": "6271031001150002", "jenis_kelamin": "L", "tempat_lahir": "Palangka Raya",
     "tanggal_lahir": "2015-01-10", "hubungan": "anak"},
    {"nama": "Sri Wahyuni", "nik": "6271035203180004", "jenis_kelamin": "P", "tempat_lahir": "Sampit",
     "tanggal_lahir": "2018-03-12", "hubungan": "anak"},
]
FIELDS: dict[str, Any] = {"nama": "Siti Aminah", "nik": "6271034507900001", "alamat": "Jl. G. Obos XII No. 5",
                          "keperluan": "Pendaftaran beasiswa anak", "tanggungan": DEPENDANTS}


@pytest.fixture
def moderation(sessions: Sessions) -> ModerationService:
    lifecycle = RequestLifecycle(sessions, classification=CLASSIFICATION, clock=FixedClock())
    return ModerationService(sessions, lifecycle, load_catalogue())


@pytest.fixture
async def operator(sessions: Sessions) -> Staff:
    return await add_staff(sessions, "bukit-tunggal", name="Rina", role="operator", telegram_user_id=7001)


async def uploads(sessions: Sessions, n: int) -> list[int]:
    """`n` stored uploads, as the intake leaves them (kind "upload", no request yet)."""
    async with sessions.begin() as s:
        rows = [Attachment(kind="upload", path=f"x/{i}.jpg", size=10, sha256=f"{i:064d}", media_type="image/jpeg",
                           created_at=FixedClock()()) for i in range(n)]
        s.add_all(rows)
        await s.flush()
        return [r.id for r in rows]


async def submit(moderation: ModerationService, sessions: Sessions, fields: dict[str, Any] | None = None,
                 files: dict[str, int] | None = None, who: str = "2001") -> tuple[LetterRequest, Actor]:
    resident = await make_resident(sessions, external_id=who)
    req = await moderation.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                                fields=dict(fields or FIELDS), attachment_ids=files or {})
    return req, resident


async def test_the_card_shows_every_dependant_as_the_letter_prints_them(moderation: ModerationService,
                                                                        sessions: Sessions) -> None:
    req, _ = await submit(moderation, sessions)
    card = await moderation.card(req.id)
    text = card.text()
    for d in DEPENDANTS:
        assert d["nama"] in text and d["nik"] in text
    assert "Tanggungan (2 orang): Nama · NIK · L/P · Tempat/Tgl. Lahir · Hubungan" in text
    assert "1. Budi Santoso · 6271031001150002 · L · Palangka Raya, 10 Januari 2015 · Anak" in text
    assert [g.rows[1][:2] for g in card.groups] == [["Sri Wahyuni", "6271035203180004"]]
    assert "2 orang" not in dict(card.lines).get("Tanggungan", "")


async def test_times_on_the_card_are_wib(moderation: ModerationService, operator: Staff, sessions: Sessions) -> None:
    req, _ = await submit(moderation, sessions)  # the clock: 09:00 UTC = 16:00 WIB
    assert "Diajukan: 22-11-2026 16:00 WIB" in (await moderation.card(req.id)).text()
    await moderation.act(req.id, operator, "approve")
    card = await moderation.card(req.id)
    assert card.outcome is not None and "16:00 WIB" in card.outcome and "UTC" not in card.text()


async def test_outcome_wording_says_who_once_and_keeps_the_reason_apart(moderation: ModerationService,
                                                                        operator: Staff, sessions: Sessions) -> None:
    cancelled, resident = await submit(moderation, sessions)
    await moderation.lifecycle.cancel(cancelled.id, resident)
    outcome = (await moderation.card(cancelled.id)).outcome or ""
    assert outcome.startswith("DIBATALKAN (oleh warga, ") and "WARGA oleh warga" not in outcome
    rejected, _ = await submit(moderation, sessions, who="2002")
    await moderation.act(rejected.id, operator, "reject", "Bukan warga kelurahan ini, melainkan Sampit.")
    outcome = (await moderation.card(rejected.id)).outcome or ""
    assert ". oleh" not in outcome
    assert outcome == "DITOLAK (oleh Rina, 22-11-2026 16:00 WIB)\nAlasan: Bukan warga kelurahan ini, melainkan Sampit."
    revised, _ = await submit(moderation, sessions, who="2003")
    await moderation.act(revised.id, operator, "revise", "Alamat kurang lengkap.")
    outcome = (await moderation.card(revised.id)).outcome or ""
    assert outcome == ("MENUNGGU PERBAIKAN WARGA (diminta oleh Rina, 22-11-2026 16:00 WIB)\n"
                       "Catatan: Alamat kurang lengkap.")


async def test_files_are_labelled_by_their_requirement(moderation: ModerationService, sessions: Sessions) -> None:
    ids = await uploads(sessions, 3)
    req, _ = await submit(moderation, sessions, files=dict(zip(["pengantar_rt_rw", "ktp", "kk"], ids, strict=True)))
    async with sessions() as s:
        kinds = {a.id: a.kind for a in await s.scalars(select(Attachment))}
    assert kinds == dict(zip(ids, ["pengantar_rt_rw", "ktp", "kk"], strict=True))  # set at submission
    card = await moderation.card(req.id)
    assert [a.caption for a in card.attachments] == ["Surat Pengantar RT/RW", "KTP", "Kartu Keluarga"]
    assert "Lampiran: 3 berkas\n- Surat Pengantar RT/RW\n- KTP\n- Kartu Keluarga" in card.text()


async def test_a_resubmitted_card_says_what_changed(moderation: ModerationService, operator: Staff,
                                                    sessions: Sessions) -> None:
    ids = await uploads(sessions, 4)
    req, resident = await submit(moderation, sessions, files=dict(zip(["pengantar_rt_rw", "ktp", "kk"], ids[:3],
                                                                       strict=True)))
    await moderation.act(req.id, operator, "revise", "Alamat kurang lengkap dan foto KTP buram")
    async with sessions() as s:
        row = await s.get(LetterRequest, req.id)
        assert row is not None and row.fields_to_fix == ["alamat", "ktp"]
    corrected = {**FIELDS, "alamat": "Jl. G. Obos XII No. 5A", "tanggungan": DEPENDANTS[:1]}
    await moderation.lifecycle.resubmit(req.id, resident, fields=corrected,
                                        attachment_ids={"pengantar_rt_rw": ids[0], "ktp": ids[3], "kk": ids[2]})
    card = await moderation.card(req.id)
    assert card.changes == ["Alamat: Jl. G. Obos XII No. 5 → Jl. G. Obos XII No. 5A",
                            "Tanggungan: diubah (2 → 1 orang)", "KTP: berkas baru"]
    assert [(a.id, a.caption) for a in card.attachments] == [
        (ids[0], "Surat Pengantar RT/RW (tidak berubah)"), (ids[3], "KTP (baru)"),
        (ids[2], "Kartu Keluarga (tidak berubah)")]
    text = card.text()
    assert "Perubahan sejak versi sebelumnya:\n- Alamat: " in text
    assert "Diajukan ulang setelah perbaikan: 22-11-2026 16:00 WIB" in text


async def test_a_long_card_fits_one_message_and_keeps_every_nik(moderation: ModerationService, operator: Staff,
                                                                sessions: Sessions) -> None:
    long = "Abdurrahman Wahid Hasyim Asy'ari Muhammad Kholil Bangkalan Nurcholish Madjid Sukarno Hatta " * 3
    dependants = [{"nama": long[:100], "nik": f"62710310011500{i:02d}", "jenis_kelamin": "L",
                   "tempat_lahir": long[:60], "tanggal_lahir": "2015-01-10", "hubungan": "famili_lain"}
                  for i in range(10)]  # the most the letter type takes, each value as long as it may be
    texts = [f for f in load_catalogue()["sktm"].fields if f.type in ("text", "name")]
    fields = {**FIELDS, **{f.name: long[: f.max_length] for f in texts}, "tanggungan": dependants}
    req, resident = await submit(moderation, sessions, fields=fields)
    await moderation.act(req.id, operator, "revise", "Semua data mohon diperiksa")
    changed = {**fields, **{f.name: ("Baru " + long)[: f.max_length] for f in texts}}
    await moderation.lifecycle.resubmit(req.id, resident, fields=changed)  # every value changed: a long list
    card = await moderation.card(req.id)
    assert len(card.text(limit=None)) > MESSAGE_LIMIT  # too long for one message as it is
    text = card.text()
    assert len(text) <= MESSAGE_LIMIT
    assert all(d["nik"] in text for d in dependants) and text.startswith(f"Permohonan {req.code}")
    assert "Perubahan sejak versi sebelumnya:" in text and text.endswith("Lampiran: 0 berkas")
    assert len(card.text(limit=600)) <= 600  # whatever the limit, never longer


async def test_a_note_naming_a_file_or_a_group_asks_for_it(moderation: ModerationService, sessions: Sessions) -> None:
    req, _ = await submit(moderation, sessions)
    async with sessions() as s:
        assert await moderation.fields_mentioned(s, req.id, "Foto KTP buram, tanggungan kurang satu") == [
            "tanggungan", "ktp"]
        assert await moderation.fields_mentioned(s, req.id, "Mohon diperiksa lagi") == []
        # "nama gang" is a phrase of the address: it does not also name the field Nama
        assert await moderation.fields_mentioned(s, req.id, "Alamat belum lengkap: tulis juga nama gang.") == [
            "alamat"]
        assert await moderation.fields_mentioned(s, req.id, "nama gang salah, RT juga") == ["alamat", "rt_rw"]
        assert await moderation.fields_mentioned(s, req.id, "Nama salah ketik") == ["nama"]


def test_the_longest_phrase_is_used_up_first() -> None:
    named = [("nama", ["Nama"]), ("nama_ayah", ["Nama Ayah"]), ("alamat", ["Alamat", "nama jalan"])]
    assert mentioned("nama ayah kurang lengkap", named) == ["nama_ayah"]
    assert mentioned("Nama ayah dan nama jalan", named) == ["nama_ayah", "alamat"]
    assert mentioned("nama dan nama ayah", named) == ["nama", "nama_ayah"]
    assert mentioned("nama_ayah", named) == ["nama_ayah"]


def test_card_times_convert_from_utc() -> None:
    from moderation.card import wib
    assert wib(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == "01-01-2027 00:30 WIB"
