"""`esurat kelurahan set --logo PATH` (the desk's checks: a real PNG, not too big) and the staff's rank and
NIP (`esurat staff add --pangkat --nip`, `esurat staff set`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TypeVar

import pytest
from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from db.engine import make_engine, make_sessionmaker
from db.models import Kelurahan, Staff


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ESURAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ESURAT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return runner


M = TypeVar("M", Kelurahan, Staff)


def row(tmp_path: Path, model: type[M], **where: object) -> M:
    async def load() -> M:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'esurat.sqlite3'}")
        try:
            async with make_sessionmaker(engine)() as s:
                found = await s.scalar(select(model).filter_by(**where))
        finally:
            await engine.dispose()
        assert found is not None
        return found
    return asyncio.run(load())


def test_kelurahan_set_logo_takes_a_real_png_only(runner: CliRunner, tmp_path: Path) -> None:
    fake = tmp_path / "lambang-palsu.png"
    Image.new("RGB", (200, 240), (200, 30, 30)).save(fake, "JPEG")
    bad = runner.invoke(app, ["kelurahan", "set", "bukit-tunggal", "--logo", str(fake), "--phone", "0536 1"])
    assert bad.exit_code == 2 and "PNG" in bad.output
    missing = runner.invoke(app, ["kelurahan", "set", "bukit-tunggal", "--logo", str(tmp_path / "tidak-ada.png")])
    assert missing.exit_code == 2 and "tidak dapat dibaca" in missing.output
    kel = row(tmp_path, Kelurahan, slug="bukit-tunggal")
    assert kel.logo_file == "" and kel.phone != "0536 1"

    good = tmp_path / "lambang.png"
    Image.new("RGB", (200, 240), (200, 30, 30)).save(good, "PNG")
    ok = runner.invoke(app, ["kelurahan", "set", "bukit-tunggal", "--logo", str(good)])
    assert ok.exit_code == 0 and "lambang" in ok.output, ok.output
    kel = row(tmp_path, Kelurahan, slug="bukit-tunggal")
    assert kel.logo_file == "bukit-tunggal.png"
    assert (tmp_path / "data" / "logos" / "bukit-tunggal.png").read_bytes() == good.read_bytes()

    bad_email = runner.invoke(app, ["kelurahan", "set", "bukit-tunggal", "--email", "bukan surel"])
    assert bad_email.exit_code == 2 and "Surel" in bad_email.output


def test_staff_rank_and_nip(runner: CliRunner, tmp_path: Path) -> None:
    bad = runner.invoke(app, ["staff", "add", "bukit-tunggal", "--name", "Budi", "--role", "lurah", "--nip", "12"])
    assert bad.exit_code == 2 and "NIP harus 18 digit" in bad.output
    res = runner.invoke(app, ["staff", "add", "bukit-tunggal", "--name", "Budi", "--role", "lurah",
                              "--pangkat", "Pembina (IV/a)", "--nip", "197501012000031002"])
    assert res.exit_code == 0, res.output
    budi = row(tmp_path, Staff, name="Budi")
    assert (budi.rank, budi.nip) == ("Pembina (IV/a)", "197501012000031002")
    changed = runner.invoke(app, ["staff", "set", str(budi.id), "--pangkat", "Pembina Tk. I (IV/b)"])
    assert changed.exit_code == 0 and "Pembina Tk. I (IV/b)" in changed.output
    assert runner.invoke(app, ["staff", "set", str(budi.id), "--nip", "1975"]).exit_code == 2
    listing = runner.invoke(app, ["staff", "list", "bukit-tunggal"]).output
    assert "pangkat=Pembina Tk. I (IV/b) nip=197501012000031002" in listing
    budi = row(tmp_path, Staff, name="Budi")
    assert (budi.rank, budi.nip) == ("Pembina Tk. I (IV/b)", "197501012000031002")
