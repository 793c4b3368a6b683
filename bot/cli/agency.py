"""`esurat agency`: the API keys of other agencies (Dinas Sosial, hospitals, schools, banks) that check
letters through `POST /api/v1/verifikasi` (add one, list them, revoke one). A key is printed once, when
it is made; only its SHA-256 is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli.common import fail, load_settings, with_sessions
from flows.dates import WIB
from verification.agencies import AgencyError, create_agency, list_agencies, revoke_agency

app = typer.Typer(help="Kunci API instansi lain yang memeriksa surat (POST /api/v1/verifikasi)",
                  no_args_is_help=True)
NameArgument = Annotated[str, typer.Argument(metavar="NAMA", help="Nama instansi, mis. \"Dinas Sosial Kota\"")]
AgencyId = Annotated[int, typer.Argument(metavar="ID", help="Nomor instansi (#ID di: esurat agency list)")]


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(WIB):%d-%m-%Y %H.%M} WIB"


@app.command("add")
def agency_add(name: NameArgument) -> None:
    """Daftarkan instansi dan buat kunci API-nya; kunci dicetak sekali ini saja."""
    try:
        made = with_sessions(load_settings(), lambda s: create_agency(s, name, datetime.now(UTC)))
    except AgencyError as e:
        fail(f"Instansi tidak ditambahkan: {e}")
    typer.echo(f"Instansi #{made.agency.id} {made.agency.name} ditambahkan.")
    typer.echo(f"Kunci API: {made.key}")
    typer.echo("PENTING: simpan kunci ini sekarang dan serahkan dengan aman kepada instansi tersebut. Kunci ini "
               "TIDAK AKAN DITAMPILKAN LAGI (yang disimpan hanya sidiknya). Bila hilang, cabut kunci ini "
               "(esurat agency revoke) dan buat yang baru.")


@app.command("list")
def agency_list() -> None:
    """Daftar instansi: nomor, nama, awal kunci, kapan dibuat dan dicabut (kuncinya sendiri tidak pernah)."""
    rows = with_sessions(load_settings(), list_agencies)
    if not rows:
        typer.echo("Belum ada instansi yang terdaftar.")
        return
    typer.echo(f"{'ID':5} {'AWAL KUNCI':14} {'DIBUAT':20} {'DICABUT':20} NAMA")
    for agency in rows:
        revoked = _when(agency.revoked_at) if agency.revoked_at else "-"
        typer.echo(f"#{agency.id:<4} {agency.key_prefix + '…':14} {_when(agency.created_at):20} {revoked:20} "
                   f"{agency.name}")


@app.command("revoke")
def agency_revoke(agency_id: AgencyId) -> None:
    """Cabut kunci API sebuah instansi; permintaan berikutnya dengan kunci itu ditolak."""
    try:
        agency = with_sessions(load_settings(), lambda s: revoke_agency(s, agency_id, datetime.now(UTC)))
    except AgencyError as e:
        fail(f"Kunci tidak dicabut: {e}")
    typer.echo(f"Kunci API instansi #{agency.id} {agency.name} dicabut.")
