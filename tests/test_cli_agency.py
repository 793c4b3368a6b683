"""`esurat agency`: a key is printed once and only its SHA-256 stored; the list never shows a key; a revoked
key is refused by `POST /api/v1/verifikasi` at once."""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from config.settings import Settings
from db.engine import make_engine, make_sessionmaker
from db.models import Agency
from verification.agency_api import PATH, create_agency_router
from verification.keys import KeyStore
from verification.records import MemoryRecordSource

KEY = re.compile(r"esk_[A-Za-z0-9_-]{43}")


def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'esurat.sqlite3'}"


def stored(tmp_path: Path) -> list[Agency]:
    async def read() -> list[Agency]:
        engine = make_engine(db_url(tmp_path))
        try:
            async with make_sessionmaker(engine)() as s:
                return list(await s.scalars(select(Agency).order_by(Agency.id)))
        finally:
            await engine.dispose()
    return asyncio.run(read())


def call_api(tmp_path: Path, key: str) -> int:
    """The status of one call with `key`, by the API over the CLI's database."""
    async def call() -> int:
        engine = make_engine(db_url(tmp_path))
        settings = Settings(_env_file=None)
        api = FastAPI()
        api.include_router(create_agency_router(make_sessionmaker(engine), MemoryRecordSource(),
                                                KeyStore(tmp_path / "keys"), settings))
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as client:
                res = await client.post(PATH, json={"surat": ["B" * 26]}, headers={"Authorization": f"Bearer {key}"})
                return res.status_code
        finally:
            await engine.dispose()
    return asyncio.run(call())


def test_add_shows_the_key_once_and_stores_only_its_hash(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    res = runner.invoke(app, ["agency", "add", "Dinas  Sosial Kota"])
    assert res.exit_code == 0, res.output
    (key,) = KEY.findall(res.output)
    assert res.output.count(key) == 1 and "TIDAK AKAN DITAMPILKAN LAGI" in res.output
    (agency,) = stored(tmp_path)
    assert agency.name == "Dinas Sosial Kota" and agency.revoked_at is None
    assert agency.key_hash == hashlib.sha256(key.encode()).hexdigest() and agency.key_prefix == key[:12]
    assert key not in (tmp_path / "data" / "esurat.sqlite3").read_bytes().decode("latin-1")
    second = KEY.findall(runner.invoke(app, ["agency", "add", "RSUD Doris Sylvanus"]).output)
    assert second and second[0] != key

    assert runner.invoke(app, ["agency", "add", "  "]).exit_code == 2


def test_list_never_shows_a_key(runner: CliRunner) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert "Belum ada instansi" in runner.invoke(app, ["agency", "list"]).output
    keys = [KEY.findall(runner.invoke(app, ["agency", "add", name]).output)[0] for name in ("Dinas Sosial", "Bank")]
    listing = runner.invoke(app, ["agency", "list"])
    assert listing.exit_code == 0, listing.output
    header, *rows = listing.output.strip().splitlines()
    assert header.split()[:3] == ["ID", "AWAL", "KUNCI"] and len(rows) == 2
    assert rows[0].startswith("#1") and rows[0].endswith("Dinas Sosial") and keys[0][:12] in rows[0]
    assert not any(key in listing.output or key[:13] in listing.output for key in keys)


def test_revoke_makes_the_key_refused(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    (key,) = KEY.findall(runner.invoke(app, ["agency", "add", "Dinas Sosial"]).output)
    assert call_api(tmp_path, key) == 200
    res = runner.invoke(app, ["agency", "revoke", "1"])
    assert res.exit_code == 0 and "dicabut" in res.output, res.output
    assert call_api(tmp_path, key) == 401
    (agency,) = stored(tmp_path)
    assert agency.revoked_at is not None
    listing = runner.invoke(app, ["agency", "list"]).output
    assert "WIB" in listing.splitlines()[1].split("Dinas")[0].split("WIB", 1)[1]  # the revocation time is listed
    again = runner.invoke(app, ["agency", "revoke", "1"])
    assert again.exit_code == 2 and "sudah dicabut" in again.output
    missing = runner.invoke(app, ["agency", "revoke", "9"])
    assert missing.exit_code == 2 and "tidak ditemukan" in missing.output
