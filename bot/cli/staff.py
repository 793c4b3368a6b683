"""`esurat staff`: the staff of each kelurahan, who decide on requests from the moderation chats."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.common import SlugArgument, fail, load_settings, pairs, with_sessions
from bot.desk import cli as desk_cli
from db.directory import ROLES, DirectoryError
from db.models import Staff

app = typer.Typer(help="Petugas kelurahan", no_args_is_help=True)
StaffId = Annotated[int, typer.Argument(metavar="ID", help="Nomor petugas (#ID di: esurat staff list KELURAHAN)")]


@app.command("add")
def staff_add(
    slug: SlugArgument,
    name: Annotated[str, typer.Option(help="Nama petugas (seperti tampil di kartu permohonan)")],
    role: Annotated[str, typer.Option(help=f"Peran: {', '.join(ROLES)}")] = "operator",
    telegram_user_id: Annotated[int | None, typer.Option(help="ID pengguna Telegram petugas (angka)")] = None,
    whatsapp_phone: Annotated[str | None, typer.Option(help="Nomor WhatsApp petugas, mis. 6281234567890")] = None,
    identity: Annotated[list[str] | None, typer.Option(
        help="Akun di kanal mana pun: KANAL=ID (boleh berulang)")] = None,
    web_login: Annotated[str | None, typer.Option(
        help="Login meja petugas (web); dicetak tautan atur sandi sekali pakai")] = None,
    pangkat: Annotated[str, typer.Option(help="Pangkat/golongan, dicetak bila petugas menandatangani surat")] = "",
    nip: Annotated[str, typer.Option(help="NIP (18 digit), dicetak bila petugas menandatangani surat")] = "",
) -> None:
    """Daftarkan petugas kelurahan; akun yang sudah terdaftar tidak dapat didaftarkan lagi."""
    from db.directory import add_staff

    if web_login is not None:
        desk_cli.check_login_free(web_login)

    identities: dict[str, str | int] = {k: v for k, v in pairs(identity).items() if v}
    try:
        st = with_sessions(load_settings(), lambda s: add_staff(
            s, slug, name=name, role=role, identities=identities, telegram_user_id=telegram_user_id,
            whatsapp_phone=whatsapp_phone, rank=pangkat, nip=nip,
        ))
    except DirectoryError as e:
        fail(f"Petugas tidak ditambahkan: {e}")
    typer.echo(f"Petugas #{st.id} {st.name} ({st.role}) ditambahkan ke {slug}")
    if web_login is not None:
        desk_cli.account_for_new_staff(st.id, web_login)


@app.command("list")
def staff_list(slug: SlugArgument) -> None:
    """Daftar petugas sebuah kelurahan dengan akun mereka (tg = Telegram, wa = WhatsApp)."""
    from db.directory import list_staff, staff_identities_of

    async def load(s: async_sessionmaker[AsyncSession]) -> tuple[list[Staff], dict[int, dict[str, str]]]:
        return await list_staff(s, slug), await staff_identities_of(s, slug)

    try:
        rows, identities = with_sessions(load_settings(), load)
    except DirectoryError as e:
        fail(str(e))
    typer.echo(f"{'ID':5} {'PERAN':10} NAMA, AKUN")
    for st in rows:
        marks = (" [demo]" if st.demo else "") + ("" if st.active else " [nonaktif]")
        ids = dict(identities.get(st.id, {}))
        known = f"tg={ids.pop('telegram', '-')} wa={ids.pop('whatsapp', '-')}"
        others = "".join(f" {channel}={external_id}" for channel, external_id in sorted(ids.items()))
        rank = "".join(f" {label}={value}" for label, value in (("pangkat", st.rank), ("nip", st.nip)) if value)
        typer.echo(f"#{st.id:<4} {st.role:10} {st.name} {known}{others}{rank}{marks}")


def _set_active(staff_id: int, active: bool) -> Staff:
    from db.staff_admin import set_staff_active

    try:
        return with_sessions(load_settings(), lambda s: set_staff_active(s, staff_id, active))
    except DirectoryError as e:
        fail(str(e))


@app.command("deactivate")
def staff_deactivate(staff_id: StaffId) -> None:
    """Nonaktifkan petugas: tidak dapat lagi memutus permohonan; datanya tetap tercatat di jejak audit."""
    st = _set_active(staff_id, False)
    typer.echo(f"Petugas #{st.id} {st.name} dinonaktifkan")


@app.command("activate")
def staff_activate(staff_id: StaffId) -> None:
    """Aktifkan kembali petugas yang pernah dinonaktifkan."""
    st = _set_active(staff_id, True)
    typer.echo(f"Petugas #{st.id} {st.name} diaktifkan kembali")


@app.command("set")
def staff_set(
    staff_id: StaffId,
    pangkat: Annotated[str | None, typer.Option(help="Pangkat/golongan (kosong: hapus)")] = None,
    nip: Annotated[str | None, typer.Option(help="NIP, 18 digit (kosong: hapus)")] = None,
) -> None:
    """Ubah pangkat dan NIP petugas (dicetak di bawah namanya pada surat yang ia tandatangani)."""
    from db.staff_admin import set_staff_details

    try:
        st = with_sessions(load_settings(), lambda s: set_staff_details(s, staff_id, rank=pangkat, nip=nip))
    except DirectoryError as e:
        fail(str(e))
    typer.echo(f"Petugas #{st.id} {st.name}: pangkat {st.rank or '-'}, NIP {st.nip or '-'}")


@app.command("remove")
def staff_remove(staff_id: StaffId) -> None:
    """Hapus petugas yang belum pernah menangani permohonan (selain itu: staff deactivate)."""
    from db.staff_admin import remove_staff

    try:
        st = with_sessions(load_settings(), lambda s: remove_staff(s, staff_id))
    except DirectoryError as e:
        fail(str(e))
    typer.echo(f"Petugas #{st.id} {st.name} dihapus")


# The staff console's accounts (bot/desk).
app.command("web-login")(desk_cli.web_login)
app.command("web-admin")(desk_cli.web_admin)
