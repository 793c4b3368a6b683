"""`esurat kelurahan`: the kelurahan, their letterhead, signatory and moderation chats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.common import SlugArgument, fail, load_settings, pairs, with_sessions
from bot.cli.visits import jadwal_set, libur_app
from db.models import Kelurahan

app = typer.Typer(help="Kelurahan (kop surat, penandatangan, grup moderasi)", no_args_is_help=True)
Text = str | None


@app.command("list")
def kelurahan_list() -> None:
    """Daftar kelurahan: kode, kode unit, kecamatan, nama, grup moderasi; [contoh] = kop surat belum diisi."""
    from db.directory import list_kelurahan, moderation_chats_by_kelurahan

    async def load(s: async_sessionmaker[AsyncSession]) -> tuple[list[Kelurahan], dict[int, list[tuple[str, str]]]]:
        return await list_kelurahan(s), await moderation_chats_by_kelurahan(s)

    rows, chats = with_sessions(load_settings(), load)
    typer.echo(f"{'KODE':20} {'UNIT':4} {'KECAMATAN':12} NAMA, GRUP MODERASI (KANAL=ID)")
    for k in rows:
        chat = "".join(f" {channel}={chat_id}" for channel, chat_id in chats.get(k.id, []))
        mark = " [contoh]" if k.placeholder else ""
        typer.echo(f"{k.slug:20} {k.unit_code:4} {k.kecamatan:12} {k.name}{chat}{mark}")


@app.command("set")
def kelurahan_set(
    slug: SlugArgument,
    name: Annotated[Text, typer.Option(help="Nama kelurahan (di percakapan dan kop surat)")] = None,
    telegram_chat_id: Annotated[int | None, typer.Option(
        help="ID grup Telegram moderasi (sama dengan --moderation-chat telegram=ID)")] = None,
    whatsapp_group: Annotated[Text, typer.Option(
        help="ID grup WhatsApp moderasi (sama dengan --moderation-chat whatsapp=ID)")] = None,
    address: Annotated[Text, typer.Option(help="Alamat kantor kelurahan (kop surat)")] = None,
    phone: Annotated[Text, typer.Option(help="Nomor telepon kantor (kop surat)")] = None,
    email: Annotated[Text, typer.Option(help="Alamat surel kantor (kop surat)")] = None,
    postal_code: Annotated[Text, typer.Option(help="Kode pos (kop surat)")] = None,
    signatory_name: Annotated[Text, typer.Option(help="Nama penandatangan surat (Lurah), dengan gelar")] = None,
    signatory_title: Annotated[Text, typer.Option(help="Jabatan penandatangan, mis. Sekretaris Kelurahan")] = None,
    signatory_rank: Annotated[Text, typer.Option(help="Pangkat dan golongan penandatangan")] = None,
    signatory_nip: Annotated[Text, typer.Option(help="NIP penandatangan (18 digit)")] = None,
    signatory_delegated: Annotated[bool | None, typer.Option(
        help="Ditandatangani atas nama Lurah (a.n. Lurah) oleh pejabat pada --signatory-title")] = None,
    numbering_pattern: Annotated[Text, typer.Option(
        help="Pola nomor surat, mis. {kode}/{seq:03d}/{unit}/{month_roman}/{year}")] = None,
    unit_code: Annotated[Text, typer.Option(help="Kode unit kelurahan di nomor surat, mis. BT")] = None,
    moderation_chat: Annotated[list[str] | None, typer.Option(
        help="Grup moderasi di kanal mana pun: KANAL=ID (boleh berulang; KANAL= saja menghapusnya)")] = None,
    logo: Annotated[Path | None, typer.Option(
        help="Lambang daerah di kop surat: berkas PNG (paling besar 512 KB, 32-2000 piksel per sisi)")] = None,
) -> None:
    """Ubah nama, grup moderasi, data kop surat dan lambang sebuah kelurahan."""
    changes = {k: v for k, v in locals().items() if k not in ("slug", "moderation_chat", "logo") and v is not None}
    chats: dict[str, str | int | None] = {k: v or None for k, v in pairs(moderation_chat).items()}
    from db.directory import DirectoryError, update_kelurahan
    from letters.coat_of_arms import LogoRefused, check_png, save_logo

    image = _read_logo(logo)
    if logo is not None:
        try:
            check_png(image)
        except LogoRefused as e:
            fail(str(e))
    settings = load_settings()

    async def apply(s: async_sessionmaker[AsyncSession]) -> Kelurahan:
        kel = await update_kelurahan(s, slug, moderation_chats=chats, **changes)
        return await save_logo(s, settings.storage.data_dir, slug, image) if logo is not None else kel

    try:
        kel = with_sessions(settings, apply)
    except DirectoryError as e:
        fail(str(e))
    done = sorted(changes) + [f"moderasi {channel}" for channel in chats] + (["lambang"] if logo else [])
    typer.echo(f"Kelurahan {kel.name} diperbarui: {', '.join(done) or '-'}")


def _read_logo(path: Path | None) -> bytes:
    if path is None:
        return b""
    try:
        with path.open("rb") as f:
            return f.read(4 * 1024 * 1024)
    except OSError as e:
        fail(f"Berkas lambang tidak dapat dibaca: {e.strerror}")


@app.command("persetujuan")
def kelurahan_persetujuan(
    slug: SlugArgument,
    tahap: Annotated[int, typer.Option(help="1: petugas mana pun menyetujui; 2: operator memeriksa dan meneruskan, "
                                            "Lurah (atau Sekretaris a.n. Lurah) menyetujui dan menandatangani")],
    jenis: Annotated[Text, typer.Option(help="Hanya untuk jenis surat ini, mis. sktm (tanpa ini: semua jenis)")] = None,
) -> None:
    """Atur alur persetujuan surat sebuah kelurahan: satu atau dua tahap."""
    from sqlalchemy import select

    from db.models import Kelurahan
    from flows import load_catalogue
    from lifecycle.approval import STEPS, set_steps

    if tahap not in STEPS:
        fail("--tahap harus 1 atau 2")
    if jenis is not None and jenis not in load_catalogue():
        fail(f"Jenis surat tidak dikenal: {jenis}")

    async def apply(sessions: async_sessionmaker[AsyncSession]) -> str | None:
        async with sessions.begin() as s:
            kel = await s.scalar(select(Kelurahan).where(Kelurahan.slug == slug))
            if kel is None:
                return None
            await set_steps(s, kel.id, jenis, tahap)
            return kel.name

    name = with_sessions(load_settings(), apply)
    if name is None:
        fail(f"Kelurahan tidak dikenal: {slug}")
    what = f"surat {jenis}" if jenis else "semua jenis surat"
    typer.echo(f"Kelurahan {name}: persetujuan {what} {tahap} tahap")


app.add_typer(libur_app, name="libur")
app.command("jadwal")(jadwal_set)
