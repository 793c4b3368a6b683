"""A generated data set for the statistics: requests of every status across all 30 kelurahan, the three
resident channels, the catalogue's letter types, submitted over a year (some exactly at WIB midnight),
decided and issued after random delays, with rejection reasons and satisfaction answers.

The durations stored on each row come from the product's own `timing_values` (as the lifecycle stores
them); the tests recompute every figure from the timestamps returned here, in plain Python."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Kelurahan, LetterRequest, Resident, SkmResponse
from flows import Catalogue
from flows.dates import WIB
from lifecycle.service_time import timing_values

CHANNELS = ("whatsapp", "telegram", "web")
STATUSES = (("issued", 45), ("rejected", 8), ("submitted", 10), ("checked", 4), ("needs_revision", 5),
            ("approved", 3), ("cancelled", 4), ("revoked", 2), ("draft", 4))
DECIDED = {"issued", "rejected", "approved", "revoked"}
ISSUED = {"issued", "revoked"}
REASONS = ("Surat pengantar RT/RW tidak terbaca", "Foto KTP buram", "Alamat di luar wilayah kelurahan",
           "Data tidak sesuai KK", "Pemohon sudah memiliki surat yang masih berlaku",
           "NIK 6271031234567890 tidak terdaftar")
SKM_ELEMENTS = ("u1", "u2", "u3", "u4", "u5", "u7")
START = datetime(2026, 1, 1, tzinfo=WIB)


@dataclass(frozen=True)
class Generated:
    id: int
    kelurahan_id: int
    slug: str
    letter_type: str
    channel: str
    status: str
    submitted_at: datetime | None
    decided_at: datetime | None
    issued_at: datetime | None
    reason: str | None
    sla_days: int


@dataclass(frozen=True)
class Answer:
    kelurahan_id: int
    letter_type: str
    scores: dict[str, int | None]
    answered_at: datetime


def _submitted(rng: random.Random, i: int) -> datetime:
    day = START + timedelta(days=rng.randrange(0, 330))
    if i % 97 == 0:
        return day  # exactly 00:00 WIB
    if i % 89 == 0:
        return day + timedelta(hours=23, minutes=59, seconds=59)
    return day + timedelta(seconds=rng.randrange(0, 86400))


def _fields(rng: random.Random, i: int) -> dict[str, Any]:
    """About what a real request holds (the statistics must not read it)."""
    return {"nama": f"WARGA CONTOH {i}", "nik": f"6271{rng.randrange(10**11, 10**12)}", "tempat_lahir": "Palangka Raya",
            "tanggal_lahir": "1990-01-01", "alamat": f"Jl. Contoh No. {i % 200}", "rt": "003", "rw": "007",
            "pekerjaan": "Wiraswasta", "keperluan": "Persyaratan pendaftaran sekolah anak", "agama": "Islam",
            "no_kk": f"6271{rng.randrange(10**11, 10**12)}", "status_perkawinan": "Kawin"}


def _rows(n: int, seed: int, kelurahan: list[tuple[int, str]], residents: dict[str, list[int]],
          catalogue: Catalogue) -> Iterator[tuple[dict[str, Any], Generated]]:
    rng = random.Random(seed)
    types = [(t.code, t.sla_days) for t in catalogue]
    statuses, weights = zip(*STATUSES, strict=True)
    for i in range(n):
        kel_id, slug = kelurahan[i % len(kelurahan)] if i < len(kelurahan) else rng.choice(kelurahan)
        code, sla = rng.choice(types)
        channel = rng.choices(CHANNELS, (6, 3, 1))[0]
        status = rng.choices(statuses, weights)[0]
        submitted = None if status == "draft" else _submitted(rng, i)
        decided = issued = None
        if submitted is not None and status in DECIDED:
            delay = rng.choice((rng.randrange(60, 8 * 3600), rng.randrange(3600, 6 * 86400),
                                rng.randrange(1, 20 * 86400)))
            decided = submitted + timedelta(seconds=delay)
            if status in ISSUED:
                issued = decided + timedelta(seconds=rng.randrange(5, 2 * 86400))
        reason = rng.choices(REASONS, (9, 6, 4, 3, 2, 1))[0] if status == "rejected" else None
        created = (submitted or START).astimezone(UTC)
        values: dict[str, Any] = {
            "code": f"GEN-{seed}-{i:07d}", "kelurahan_id": kel_id, "resident_id": rng.choice(residents[channel]),
            "channel": channel, "letter_type": code, "fields": _fields(rng, i), "status": status,
            "fields_to_fix": [], "reason": reason,
            "created_at": created, "updated_at": created, "submitted_at": submitted, "decided_at": decided,
        }
        if decided is not None:
            values.update(timing_values("reject" if status == "rejected" else "approve", submitted, decided, sla))
        if issued is not None:
            values.update(timing_values("issue", submitted, issued, sla))
        yield values, Generated(0, kel_id, slug, code, channel, status, submitted, decided, issued, reason, sla)


async def generate(sessions: async_sessionmaker[AsyncSession], catalogue: Catalogue, n: int = 10_000,
                   seed: int = 14, batch: int = 5_000) -> tuple[list[Generated], list[Answer]]:
    """Insert `n` requests (and their residents and survey answers); returns what was inserted."""
    rng = random.Random(seed + 1)
    async with sessions.begin() as session:
        kelurahan = [(k.id, k.slug) for k in await session.scalars(select(Kelurahan).order_by(Kelurahan.id))]
        now = START.astimezone(UTC)
        residents: dict[str, list[int]] = {}
        for channel in CHANNELS:
            ids = await session.scalars(insert(Resident).returning(Resident.id), [
                {"channel": channel, "external_id": f"gen-{seed}-{j}", "display_name": "", "profile": {},
                 "created_at": now} for j in range(40)])
            residents[channel] = list(ids)
    made: list[Generated] = []
    pending: list[tuple[dict[str, Any], Generated]] = []
    for item in _rows(n, seed, kelurahan, residents, catalogue):
        pending.append(item)
        if len(pending) >= batch:
            made += await _insert(sessions, pending)
            pending = []
    if pending:
        made += await _insert(sessions, pending)
    answers = await _answers(sessions, made, rng)
    return made, answers


async def _insert(sessions: async_sessionmaker[AsyncSession],
                  items: list[tuple[dict[str, Any], Generated]]) -> list[Generated]:
    async with sessions.begin() as session:
        returning = insert(LetterRequest).returning(LetterRequest.id, sort_by_parameter_order=True)
        ids = list(await session.scalars(returning, [values for values, _ in items]))
    return [replace(g, id=i) for i, (_, g) in zip(ids, items, strict=True)]


async def _answers(sessions: async_sessionmaker[AsyncSession], made: list[Generated],
                   rng: random.Random) -> list[Answer]:
    answers: list[Answer] = []
    rows: list[dict[str, Any]] = []
    for g in made:
        if g.issued_at is None or rng.random() > 0.4:
            continue
        scores: dict[str, int | None] = {e: rng.choices((1, 2, 3, 4), (1, 3, 8, 6))[0] for e in SKM_ELEMENTS}
        if rng.random() < 0.1:
            scores[rng.choice(SKM_ELEMENTS)] = None  # skipped one question
        answered = datetime.combine(g.issued_at.astimezone(WIB).date(), time(0), WIB) + timedelta(
            seconds=rng.randrange(0, 3 * 86400))
        answers.append(Answer(g.kelurahan_id, g.letter_type, scores, answered))
        rows.append({"request_id": g.id, "kelurahan_id": g.kelurahan_id, "letter_type": g.letter_type,
                     **scores, "comment": None, "answered_at": answered})
    if rows:
        async with sessions.begin() as session:
            await session.execute(insert(SkmResponse), rows)
    return answers
