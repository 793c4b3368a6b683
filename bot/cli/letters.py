"""`esurat letter`: the issued letters (list, show one, revoke one, mark one replaced by a re-issued one)."""

from __future__ import annotations

import asyncio
import getpass
from datetime import datetime
from typing import Annotated

import typer

from bot.cli.common import fail, load_settings, with_sessions
from db.letter_listing import LetterDetail, letter_detail, recent_letters
from db.migrate import upgrade
from flows.dates import WIB, format_date

app = typer.Typer(help="Surat yang telah terbit", no_args_is_help=True)
NumberArgument = Annotated[str, typer.Argument(metavar="NOMOR", help="Nomor surat, mis. 400.12.2.2/001/BT/XI/2026")]
STATUS = {"valid": "berlaku", "revoked": "DICABUT"}
ACTIONS = {"create": "dibuat", "submit": "diajukan", "request_revision": "diminta perbaikan", "approve": "disetujui",
           "forward": "diteruskan ke Lurah", "reject": "ditolak", "cancel": "dibatalkan", "issue": "diterbitkan",
           "revoke": "dicabut", "resend": "dikirim ulang"}


def _when(moment: datetime) -> str:
    local = moment.astimezone(WIB)
    return f"{format_date(local.date())} {local:%H.%M} WIB"


def _who(label: str, staff_names: dict[int, str] | None = None) -> str:
    """An audit actor ("staff:3", "resident:5", "operator:budi", "system") for a person to read."""
    kind, _, ident = label.partition(":")
    if kind == "staff" and ident.isdigit() and int(ident) in (staff_names or {}):
        return f"petugas #{ident} {(staff_names or {})[int(ident)]}"
    return {"staff": f"petugas #{ident}", "resident": "warga", "operator": ident, "system": "sistem"}.get(kind, label)


@app.command("list")
def letter_list(
    kelurahan: Annotated[str | None, typer.Option(
        help="Hanya surat kelurahan ini (kodenya, mis. bukit-tunggal)")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Paling banyak sekian surat, yang terbaru lebih dulu")] = 20,
    revoked: Annotated[bool | None, typer.Option(
        "--revoked/--valid", help="Hanya surat yang dicabut (--revoked) atau yang berlaku (--valid)")] = None,
) -> None:
    """Daftar surat terbaru: nomor, jenis, kelurahan, status, tanggal terbit, nama pemegang (disamarkan)."""
    rows = with_sessions(load_settings(), lambda s: recent_letters(s, limit=limit, slug=kelurahan, revoked=revoked))
    if not rows:
        typer.echo("Belum ada surat yang terbit.")
        return
    typer.echo(f"{'NOMOR':32} {'JENIS':14} {'KELURAHAN':18} {'STATUS':8} {'TERBIT':10} PEMEGANG")
    for row in rows:
        letter = row.letter
        typer.echo(f"{letter.number:32} {letter.letter_type:14} {row.kelurahan:18} "
                   f"{STATUS.get(letter.status, letter.status):8} {letter.issued_at.astimezone(WIB):%d-%m-%Y} "
                   f"{letter.holder_name_masked}")


def _detail_lines(detail: LetterDetail, title: str, verify_url: str) -> list[str]:
    letter = detail.row.letter
    status = STATUS.get(letter.status, letter.status)
    revoke = next((e for e in reversed(detail.events) if e.action == "revoke"), None)
    if letter.revoked_at is not None:
        status += f" pada {_when(letter.revoked_at)}" + (f" oleh {_who(revoke.actor)}" if revoke else "")
        status += f": {letter.revoked_reason}"
    lines = [
        ("Nomor", letter.number), ("Jenis", title),
        ("Kelurahan", f"{detail.row.kelurahan} ({detail.row.kelurahan_slug})"),
        ("Permohonan", detail.request_code), ("Status", status), ("Terbit", _when(letter.issued_at)),
        ("Berlaku sampai", format_date(letter.valid_until) if letter.valid_until else "-"),
        ("Pemegang", f"{letter.holder_name_masked} (NIK {letter.nik_masked})"),
        ("Penandatangan", f"{letter.signatory_name}, {letter.signatory_title}"),
        ("Halaman periksa", verify_url), ("Berkas PDF", letter.pdf_path),
    ]
    out = [f"{label + ':':16} {value}" for label, value in lines] + ["Riwayat:"]
    out += [f"  {_when(e.at)}  {ACTIONS.get(e.action, e.action)} oleh {_who(e.actor, detail.staff_names)}"
            + (f": {e.detail}" if e.detail else "") for e in detail.events]
    return out


@app.command("show")
def letter_show(number: NumberArgument) -> None:
    """Rincian satu surat: status, pemegang (disamarkan), penandatangan, halaman periksa dan riwayatnya."""
    import flows

    settings = load_settings()
    detail = with_sessions(settings, lambda s: letter_detail(s, number))
    if detail is None:
        fail(f"Surat nomor {number} tidak ditemukan")
    catalogue = {t.code: t.title for t in flows.load_catalogue()}
    code = detail.row.letter.letter_type
    title = catalogue.get(code, code)
    verify_url = f"{settings.http.public_url}/v/{detail.row.letter.public_id}"
    for line in _detail_lines(detail, title, verify_url):
        typer.echo(line)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password database
        return "operator"


@app.command("revoke")
def letter_revoke(
    number: NumberArgument,
    reason: Annotated[str, typer.Option(help="Alasan pencabutan (wajib; tampil di halaman periksa)")],
    by: Annotated[str | None, typer.Option(
        help="Nama operator yang mencabut, dicatat di jejak audit (bawaan: nama pengguna sistem operasi)")] = None,
) -> None:
    """Cabut surat yang telah terbit; halaman periksanya lalu menampilkan DICABUT."""
    from bot.composition import build_services
    from db.models import Letter
    from lifecycle.actors import Actor
    from lifecycle.errors import DomainError

    operator = " ".join((by or _os_user()).split())
    if not reason.strip():
        fail("Alasan pencabutan harus diisi (--reason)")
    if not operator:
        fail("Nama operator harus diisi (--by)")
    settings = load_settings()
    upgrade(settings.storage.effective_database_url)
    detail = with_sessions(settings, lambda s: letter_detail(s, number))
    if detail is None:
        fail(f"Surat nomor {number} tidak ditemukan")
    revoked_at = detail.row.letter.revoked_at
    if revoked_at is not None:
        fail(f"Surat {number} sudah dicabut pada {_when(revoked_at)}: {detail.row.letter.revoked_reason}")

    async def run() -> Letter:
        services = build_services(settings)
        try:
            return await services.issuing.revoke(detail.row.letter.number, Actor.operator(operator), reason)
        finally:
            await services.aclose()

    try:
        letter = asyncio.run(run())
    except DomainError as e:
        fail(f"Surat {number} tidak dicabut: {e}")
    typer.echo(f"Surat {letter.number} dicabut oleh {operator}: {letter.revoked_reason}")


@app.command("supersede")
def letter_supersede(
    number: NumberArgument,
    replacement: Annotated[str, typer.Argument(metavar="NOMOR_PENGGANTI", help="Nomor surat pengganti")],
    by: Annotated[str | None, typer.Option(
        help="Nama operator, dicatat di jejak audit (bawaan: nama pengguna sistem operasi)")] = None,
) -> None:
    """Tandai surat sebagai DIGANTI oleh surat yang diterbitkan ulang (kelurahan dan jenis yang sama)."""
    from bot.composition import build_services
    from db.models import Letter
    from lifecycle.actors import Actor
    from lifecycle.errors import DomainError

    operator = " ".join((by or _os_user()).split())
    if not operator:
        fail("Nama operator harus diisi (--by)")
    settings = load_settings()
    upgrade(settings.storage.effective_database_url)

    async def run() -> Letter:
        services = build_services(settings)
        try:
            return await services.issuing.supersede(number, replacement, Actor.operator(operator))
        finally:
            await services.aclose()

    try:
        asyncio.run(run())
    except DomainError as e:
        fail(f"Surat {number} tidak ditandai diganti: {e}")
    typer.echo(f"Surat {number} ditandai DIGANTI oleh surat {replacement} (oleh {operator}).")
