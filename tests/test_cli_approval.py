"""`esurat kelurahan persetujuan`: the approval steps of a kelurahan, and of one of its letter types."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from db.directory import get_kelurahan
from db.engine import make_engine, make_sessionmaker
from lifecycle.approval import steps_for


def steps(tmp_path: Path, letter_type: str) -> int:
    async def read() -> int:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'esurat.sqlite3'}")
        try:
            async with make_sessionmaker(engine)() as s:
                kel = await get_kelurahan(s, "bukit-tunggal")
                return await steps_for(s, kel.id, letter_type)
        finally:
            await engine.dispose()
    return asyncio.run(read())


def test_persetujuan_sets_the_steps(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    res = runner.invoke(app, ["kelurahan", "persetujuan", "bukit-tunggal", "--tahap", "2"])
    assert res.exit_code == 0, res.output
    assert "2 tahap" in res.output
    res = runner.invoke(app, ["kelurahan", "persetujuan", "bukit-tunggal", "--tahap", "1", "--jenis", "sku"])
    assert res.exit_code == 0, res.output
    assert steps(tmp_path, "sktm") == 2 and steps(tmp_path, "sku") == 1
    assert runner.invoke(app, ["kelurahan", "persetujuan", "bukit-tunggal", "--tahap", "3"]).exit_code == 2
    assert runner.invoke(app, ["kelurahan", "persetujuan", "bukit-tunggal", "--tahap", "2",
                               "--jenis", "tidak-ada"]).exit_code == 2
    assert runner.invoke(app, ["kelurahan", "persetujuan", "tidak-ada", "--tahap", "2"]).exit_code == 2
