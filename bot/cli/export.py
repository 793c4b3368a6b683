"""`esurat export`: the SPBE evidence file and archive (requests, letters, audit events of a period) as CSV or
XLSX; personal data masked unless --unmasked, which is written to the audit log before the file."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.common import fail, load_settings, with_sessions
from config.private_files import make_private
from db.migrate import upgrade
from db.models import AuditEvent, Kelurahan
from stats.evidence import Table, evidence

Format = Literal["csv", "xlsx"]
_FORMULA_START = ("=", "+", "-", "@")


def _safe(value: Any) -> Any:
    """A text cell a spreadsheet would take for a formula, kept as text (a leading apostrophe)."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(f"Tanggal {option} tidak terbaca: {value!r}. Gunakan format TTTT-BB-HH, mis. 2026-01-31.")


def write_csv(tables: list[Table], output: Path) -> list[Path]:
    """One file per table, `<output>-<table>.csv`, UTF-8 with a BOM (Excel opens it with the right letters)."""
    paths = []
    for table in tables:
        path = output.with_name(f"{output.name}-{table.name}.csv")
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(table.headers)
            writer.writerows([[_safe(cell) for cell in row] for row in table.rows])
        make_private(path)  # personal data, even masked: for its owner only
        paths.append(path)
    return paths


def write_xlsx(tables: list[Table], output: Path) -> list[Path]:
    """One workbook `<output>.xlsx`, a sheet per table, bold frozen header."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.name)
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in table.rows:
            sheet.append([_safe(cell) for cell in row])
    path = output.with_name(output.name + ".xlsx")
    book.save(path)
    make_private(path)
    return [path]


def export(
    dari: Annotated[str, typer.Option("--dari", help="Tanggal awal (WIB), TTTT-BB-HH")],
    sampai: Annotated[str, typer.Option("--sampai", help="Tanggal akhir (WIB), TTTT-BB-HH")],
    kelurahan: Annotated[str | None, typer.Option(help="Hanya kelurahan ini (kodenya, mis. bukit-tunggal)")] = None,
    format: Annotated[Format, typer.Option("--format", help="csv (satu berkas per tabel) atau xlsx")] = "xlsx",
    output: Annotated[Path | None, typer.Option(help="Nama berkas tanpa akhiran (bawaan: esurat-bukti-DARI-SAMPAI)")
                      ] = None,
    unmasked: Annotated[bool, typer.Option("--unmasked", help="Data pribadi lengkap (dicatat di log audit)")] = False,
) -> None:
    """Berkas bukti SPBE dan arsip: permohonan, surat, dan log audit suatu periode. Data pribadi disamarkan
    kecuali dengan --unmasked."""
    first, last = _day(dari, "--dari"), _day(sampai, "--sampai")
    if last < first:
        fail("Tanggal --sampai lebih awal dari --dari.")
    base = output or Path(f"esurat-bukti-{first.isoformat()}-{last.isoformat()}")
    if not base.parent.is_dir():
        fail(f"Folder {base.parent} tidak ada.")
    settings = load_settings()
    upgrade(settings.storage.effective_database_url)

    async def collect(sessions: async_sessionmaker[AsyncSession]) -> list[Table]:
        async with sessions.begin() as session:
            kel_id = None
            if kelurahan is not None:
                kel_id = await session.scalar(select(Kelurahan.id).where(Kelurahan.slug == kelurahan))
                if kel_id is None:
                    fail(f"Kelurahan tidak dikenal: {kelurahan} (lihat: esurat kelurahan list)")
            if unmasked:  # recorded before any personal data leaves the database
                session.add(AuditEvent(actor="cli", action="export_unmasked", at=datetime.now(UTC), detail=(
                    f"periode {first.isoformat()}..{last.isoformat()}, kelurahan {kelurahan or 'semua'}, "
                    f"format {format}, berkas {base.name}")))
            return await evidence(session, first, last, kel_id, unmasked=unmasked)

    tables = with_sessions(settings, collect)
    paths = (write_csv if format == "csv" else write_xlsx)(tables, base)
    for table in tables:
        typer.echo(f"{table.name}: {len(table.rows)} baris")
    for path in paths:
        typer.echo(f"Ditulis: {path}")
    if unmasked:
        typer.echo("PERHATIAN: berkas ini memuat data pribadi lengkap (UU 27/2022). Simpan dan kirim hanya "
                   "melalui saluran yang aman; tindakan ini tercatat di log audit.", err=True)
