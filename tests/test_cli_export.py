"""`esurat export`: the SPBE evidence (requests, letters, audit events of a period) read back with the csv
module and openpyxl, on SQLite and PostgreSQL: the right rows for the period and the kelurahan, no full NIK
or KK number anywhere when masked, full values with --unmasked, which the audit log records first."""

from __future__ import annotations

import asyncio
import csv
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from db.engine import make_engine, make_sessionmaker
from db.models import AuditEvent, Letter
from flows import load_catalogue
from flows.dates import WIB
from tests.support.stats_data import Generated, generate

SIXTEEN = re.compile(r"(?<![0-9a-f])\d{16}(?![0-9a-f])")  # a NIK or KK (not inside a SHA-256)


async def _fill(url: str) -> list[Generated]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rows, _ = await generate(sessions, load_catalogue(), n=400, seed=3)
    async with sessions.begin() as session:
        for g in rows:
            if g.issued_at is not None and g.id % 3 == 0:
                session.add(Letter(request_id=g.id, number=f"474/{g.id:04d}/BT/2026", public_id=f"pub{g.id}",
                                   letter_type=g.letter_type, kelurahan_id=g.kelurahan_id, issued_at=g.issued_at,
                                   pdf_path="x.pdf", pdf_sha256="ab12" * 16, seal="s", key_id="k",
                                   holder_name_masked="WARGA C***", nik_masked="6271********0001",
                                   signatory_name="Lurah", signatory_title="Lurah"))
            if g.submitted_at is not None:
                session.add(AuditEvent(request_id=g.id, actor="staff:1", action="submit", at=g.submitted_at,
                                       detail=f"catatan NIK 6271{g.id:012d}"))
    await engine.dispose()
    return rows


@pytest.fixture
def data(db_url: str, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> list[Generated]:
    monkeypatch.setenv("ESURAT_DATABASE_URL", db_url)
    return asyncio.run(_fill(db_url))


def in_period(g: Generated, slug: str | None = None) -> bool:
    return (g.submitted_at is not None and date(2026, 3, 1) <= g.submitted_at.astimezone(WIB).date()
            <= date(2026, 5, 31) and slug in (None, g.slug))


def cells_of(path: Path) -> list[list[str]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            return list(csv.reader(f))
    raise AssertionError(path)


def test_csv_masked_has_the_right_rows_and_no_full_numbers(runner: CliRunner, data: list[Generated],
                                                           tmp_path: Path) -> None:
    res = runner.invoke(app, ["export", "--dari", "2026-03-01", "--sampai", "2026-05-31", "--format", "csv",
                              "--kelurahan", "bukit-tunggal", "--output", str(tmp_path / "bukti")])
    assert res.exit_code == 0, res.output
    requests = cells_of(tmp_path / "bukti-permohonan.csv")
    want = sorted(f"GEN-3-{i:07d}" for i, g in enumerate(data) if in_period(g, "bukit-tunggal"))
    assert requests[0][:3] == ["kode", "kelurahan", "nama_kelurahan"] and sorted(r[0] for r in requests[1:]) == want
    assert {r[1] for r in requests[1:]} == {"bukit-tunggal"}
    audit = cells_of(tmp_path / "bukti-audit.csv")
    assert len(audit) - 1 == len(want)
    letters = cells_of(tmp_path / "bukti-surat.csv")
    assert all(r[3] == "bukit-tunggal" for r in letters[1:])
    for name in ("permohonan", "surat", "audit"):
        text = (tmp_path / f"bukti-{name}.csv").read_text(encoding="utf-8-sig")
        assert not SIXTEEN.search(text), f"a full 16-digit number in {name}"
    assert any("6271********" in r[15] for r in requests[1:])  # the NIK column, masked
    assert all((tmp_path / f"bukti-{name}.csv").stat().st_mode & 0o077 == 0 for name in ("permohonan", "audit"))
    assert all(r[17] in ("", "(disamarkan)") for r in requests[1:])  # addresses left out


def test_xlsx_unmasked_is_audited_first(runner: CliRunner, data: list[Generated], tmp_path: Path,
                                        db_url: str) -> None:
    res = runner.invoke(app, ["export", "--dari", "2026-03-01", "--sampai", "2026-05-31", "--format", "xlsx",
                              "--output", str(tmp_path / "lengkap"), "--unmasked"])
    assert res.exit_code == 0, res.output
    assert "data pribadi lengkap" in res.output
    book = load_workbook(tmp_path / "lengkap.xlsx", read_only=True)
    assert book.sheetnames == ["permohonan", "surat", "audit"]
    rows = list(book["permohonan"].iter_rows(values_only=True))
    assert rows[0][0] == "kode" and len(rows) - 1 == sum(1 for g in data if in_period(g))
    assert any(SIXTEEN.fullmatch(str(r[15])) for r in rows[1:])  # full NIK when asked for

    async def recorded() -> list[AuditEvent]:
        engine = make_engine(db_url)
        async with make_sessionmaker(engine)() as s:
            found = list(await s.scalars(select(AuditEvent).where(AuditEvent.action == "export_unmasked")))
        await engine.dispose()
        return found

    events = asyncio.run(recorded())
    assert len(events) == 1 and events[0].actor == "cli" and "lengkap" in (events[0].detail or "")
    assert events[0].at > datetime(2026, 1, 1, tzinfo=UTC)


def test_xlsx_masked_has_no_full_numbers(runner: CliRunner, data: list[Generated], tmp_path: Path) -> None:
    res = runner.invoke(app, ["export", "--dari", "2026-01-01", "--sampai", "2026-12-31",
                              "--output", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    book = load_workbook(tmp_path / "b.xlsx", read_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for cell in row:
                assert not SIXTEEN.search(str(cell)), (sheet.title, cell)
    assert book["permohonan"].max_row == 1 + sum(1 for g in data if g.submitted_at is not None)


@pytest.mark.parametrize(("args", "words"), [
    (["--dari", "2026-05-01", "--sampai", "2026-04-01"], "lebih awal"),
    (["--dari", "1-5-2026", "--sampai", "2026-04-01"], "tidak terbaca"),
    (["--dari", "2026-01-01", "--sampai", "2026-04-01", "--kelurahan", "atlantis"], "tidak dikenal"),
])
def test_bad_input_is_refused_clearly(runner: CliRunner, args: list[str], words: str, tmp_path: Path) -> None:
    res = runner.invoke(app, ["export", *args, "--output", str(tmp_path / "x")])
    assert res.exit_code != 0 and words in res.output
    assert isinstance(res.exception, SystemExit)  # a message, not a crash


@pytest.mark.parametrize(("first", "last"), [("2020-01-01", "2020-01-31"), ("0001-01-01", "9999-12-31")])
def test_an_empty_period_gives_headers_only(runner: CliRunner, tmp_path: Path, first: str, last: str) -> None:
    res = runner.invoke(app, ["export", "--dari", first, "--sampai", last, "--format", "csv",
                              "--output", str(tmp_path / "kosong")])
    assert res.exit_code == 0, res.output
    assert [len(cells_of(tmp_path / f"kosong-{t}.csv")) for t in ("permohonan", "surat", "audit")] == [1, 1, 1]


def test_a_cell_a_spreadsheet_would_run_stays_text() -> None:
    from bot.cli.export import _safe

    assert _safe('=HYPERLINK("http://x","klik")') == '\'=HYPERLINK("http://x","klik")'
    assert [_safe(v) for v in ("+62 812", "@SUM(A1)", "-1", "-", 5, "Surat")] == [
        "'+62 812", "'@SUM(A1)", "'-1", "-", 5, "Surat"]
