"""Issued letters for `bench_verify.py`: `total` letters (each with its request, as issuing leaves them: status
issued, valid, sealed) made by the database itself in one INSERT ... SELECT each over a numbers series
(a recursive CTE on SQLite, generate_series on PostgreSQL): seconds for 1,000,000, where row-by-row inserts
take minutes. Public ids are random (26 characters of the public id alphabet), so that the ids a bench asks
for lie all over the unique index, as real ones do. Their seals are not real signatures (the page checks a
seal only when one is presented, `?s=`); everything else the page shows is as a real letter's row holds it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import make_engine
from db.migrate import upgrade
from flows import load_catalogue
from tests.support.letter_samples import stored_fields
from tests.support.letters import HOLDER as RAW_NAME
from tests.support.letters import NIK as RAW_NIK

__all__ = ["RAW_NAME", "RAW_NIK", "fill_letters", "generator_version", "prepare", "sample_ids"]

TYPES = ("sktm", "sku", "kelahiran", "domisili")  # kelahiran: a letter about a child (another subject line)
# A realistic seal's length (ES1:<kid>:<number>|<type>|...:<signature>); never checked without ?s=.
SEAL = "ES1:K2026A:" + "X" * 180
_SQLITE_ID = ("replace(replace(replace(replace(hex(randomblob(13)), '0', 'W'), '1', 'X'), '8', 'Y'), '9', 'Z')")
_PG_ID = "translate(upper(substr(md5(random()::text || n.k::text), 1, 26)), '0189', 'WXYZ')"


def _numbers(dialect: str) -> tuple[str, str]:
    """(a WITH clause naming the series n(k) = 1..:total, how a row's k becomes text)."""
    if dialect == "sqlite":
        return ("WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < :total) ",
                "CAST(n.k AS TEXT)")
    return "WITH n(k) AS (SELECT generate_series(1, :total)) ", "n.k::text"


def _day(dialect: str, start: str) -> str:
    """A timestamp within the year after `start`, spread over the rows."""
    if dialect == "sqlite":
        return f"datetime('{start}', '+' || (n.k % 330) || ' days', '+' || (n.k % 480) || ' minutes')"
    return f"(TIMESTAMPTZ '{start}+00' + (n.k % 330) * INTERVAL '1 day' + (n.k % 480) * INTERVAL '1 minute')"


async def fill_letters(engine: AsyncEngine, total: int) -> int:
    """Fill a migrated, empty database with `total` issued letters; returns the count of letters."""
    dialect = engine.dialect.name
    catalogue = load_catalogue()
    numbers, k_text = _numbers(dialect)
    kind = " ".join(f"WHEN {i} THEN :type{i}" for i in range(len(TYPES)))
    cast = "" if dialect == "sqlite" else "::json"
    fields = " ".join(f"WHEN {i} THEN CAST(:fields{i} AS TEXT){cast}" for i in range(len(TYPES)))
    params: dict[str, object] = {"total": total}
    for i, code in enumerate(TYPES):
        params[f"type{i}"], params[f"fields{i}"] = code, json.dumps(stored_fields(catalogue[code]))
    which = f"(n.k % {len(TYPES)})"
    number = f"'400.12.2.2/' || {k_text} || '/BT/III/2026'"
    at = _day(dialect, "2026-01-05 01:00:00")
    async with engine.begin() as conn:
        kel = [r[0] for r in await conn.execute(text("SELECT id FROM kelurahan ORDER BY id"))]
        resident = (await conn.execute(text(
            "INSERT INTO resident (channel, external_id, display_name, profile, created_at) "
            "VALUES ('telegram', 'bench-verify', 'Bench', '{}', CURRENT_TIMESTAMP) RETURNING id"))).scalar_one()
        kel_of = f"({kel[0]} + (n.k % {len(kel)}))" if kel == list(range(kel[0], kel[0] + len(kel))) else str(kel[0])
        await conn.execute(text(
            numbers + "INSERT INTO letter_request (id, code, kelurahan_id, resident_id, channel, letter_type, fields, "
            "status, fields_to_fix, number, created_at, updated_at, submitted_at, decided_at) "
            f"SELECT n.k, 'BV-' || {k_text}, {kel_of}, {resident}, 'telegram', CASE {which} {kind} END, "
            f"CASE {which} {fields} END, 'issued', '[]'{cast}, {number}, {at}, {at}, {at}, {at} FROM n"), params)
        await conn.execute(text(
            numbers + "INSERT INTO letter (id, request_id, number, public_id, letter_type, kelurahan_id, issued_at, "
            "valid_until, pdf_path, pdf_sha256, seal, key_id, holder_name_masked, nik_masked, signatory_name, "
            "signatory_title, status, signature_kind) "
            f"SELECT n.k, n.k, {number}, {_SQLITE_ID if dialect == 'sqlite' else _PG_ID}, CASE {which} {kind} END, "
            f"{kel_of}, {at}, {'NULL' if dialect == 'sqlite' else 'CAST(NULL AS DATE)'}, "
            f"'2026/' || {k_text} || '.pdf', '{'ab' * 32}', '{SEAL}', 'K2026A', 'SITI A***', '6271********0001', "
            "'Drs. Bench Lurah', 'Lurah', 'valid', 'segel_esurat' FROM n"), params)
        if dialect == "postgresql":  # the ids were given: the sequences go on after them
            for table in ("letter_request", "letter"):
                await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :total)"),
                                   {"total": total})
    async with engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        if dialect == "postgresql":
            await conn.commit()
        return int((await conn.execute(text("SELECT count(*) FROM letter"))).scalar_one())


async def sample_ids(engine: AsyncEngine, n: int) -> list[str]:
    """Up to `n` public ids drawn at random from the whole table."""
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT public_id FROM letter ORDER BY random() LIMIT :n"), {"n": n})
        return [r[0] for r in rows]


async def prepare(url: str, total: int) -> int:
    """A database at `url` migrated to the head and filled with `total` letters; returns the count."""
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    try:
        return await fill_letters(engine, total)
    finally:
        await engine.dispose()


def generator_version() -> str:
    """Names what this module makes (a kept database is made again when it changes)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:10]
