"""`esurat kelurahan libur`, `esurat kelurahan jadwal` and `esurat visit`: closed days, visit hours and
the visits of a day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from bot.cli.common import SlugArgument, fail, load_settings, with_sessions

libur_app = typer.Typer(help="Hari libur: kantor kelurahan tutup, tidak ada jadwal kunjungan", no_args_is_help=True)
visit_app = typer.Typer(help="Kunjungan warga ke kantor kelurahan", no_args_is_help=True)
DAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"Tanggal harus berformat YYYY-MM-DD, bukan: {text}")


def _minute(text: str) -> int:
    try:
        t = datetime.strptime(text.replace(".", ":"), "%H:%M")
    except ValueError:
        fail(f"Jam harus berformat JJ:MM, bukan: {text}")
    return t.hour * 60 + t.minute


@libur_app.command("add")
def libur_add(
    tanggal: Annotated[str, typer.Option(help="Tanggal libur, YYYY-MM-DD")],
    nama: Annotated[str, typer.Option(help="Nama hari libur, mis. Hari Raya Natal")],
    kelurahan: Annotated[str | None, typer.Option(help="Hanya kelurahan ini (tanpa ini: libur nasional)")] = None,
) -> None:
    """Tandai tanggal libur (nasional, atau satu kelurahan): tidak ada jadwal kunjungan pada hari itu."""
    from lifecycle.errors import NotFound
    from visits.admin import add_holiday

    day = _date(tanggal)
    try:
        added = with_sessions(load_settings(), lambda s: add_holiday(s, day, nama, kelurahan))
    except NotFound as e:
        fail(str(e))
    typer.echo(f"Libur {day.isoformat()} ({nama}) {'dicatat' if added else 'sudah tercatat'}.")


@libur_app.command("list")
def libur_list(
    kelurahan: Annotated[str | None, typer.Option(help="Libur nasional dan libur kelurahan ini")] = None,
) -> None:
    """Daftar hari libur mulai hari ini."""
    from lifecycle.errors import NotFound
    from visits.admin import list_holidays

    try:
        rows = with_sessions(load_settings(), lambda s: list_holidays(s, date.today(), kelurahan))
    except NotFound as e:
        fail(str(e))
    for day, name, kel in rows:
        typer.echo(f"{day.isoformat()} {name}{f' (Kelurahan {kel})' if kel else ''}")


def jadwal_set(
    slug: SlugArgument,
    hari: Annotated[str, typer.Option(help="Hari: senin, selasa, rabu, kamis, jumat, sabtu atau minggu")],
    buka: Annotated[str, typer.Option(help="Jam buka, JJ:MM (WIB)")] = "08:00",
    tutup: Annotated[str, typer.Option(help="Jam tutup, JJ:MM (WIB); sama dengan jam buka: tutup hari itu")] = "15:00",
    slot: Annotated[int, typer.Option(help="Lama satu jadwal kunjungan, menit")] = 30,
    kapasitas: Annotated[int, typer.Option(help="Jumlah warga per jadwal kunjungan")] = 4,
) -> None:
    """Atur jam layanan kunjungan sebuah kelurahan pada satu hari (tanpa ini: Senin-Kamis 08.00-15.00,
    Jumat 08.00-11.00, 30 menit, 4 warga)."""
    from lifecycle.errors import NotFound
    from visits.admin import set_hours

    if hari.lower() not in DAYS:
        fail(f"Hari tidak dikenal: {hari}")
    try:
        with_sessions(load_settings(), lambda s: set_hours(s, slug, DAYS.index(hari.lower()), _minute(buka),
                                                           _minute(tutup), slot, kapasitas))
    except (NotFound, ValueError) as e:
        fail(str(e))
    typer.echo(f"Jadwal kunjungan {slug} hari {hari.lower()}: {buka}-{tutup}, {slot} menit, {kapasitas} warga.")


@visit_app.command("list")
def visit_list(
    kelurahan: Annotated[str, typer.Option(help="Kode kelurahan, mis. bukit-tunggal")],
    tanggal: Annotated[str | None, typer.Option(help="Tanggal, YYYY-MM-DD (tanpa ini: hari ini)")] = None,
) -> None:
    """Kunjungan warga ke kantor kelurahan pada satu hari (jam WIB, kode, surat, status)."""
    from flows import load_catalogue
    from lifecycle.errors import NotFound
    from lifecycle.service import utcnow
    from visits.desk import VisitDesk

    day = _date(tanggal) if tanggal else date.today()
    try:
        rows = with_sessions(load_settings(), lambda s: VisitDesk(s, load_catalogue(), utcnow).day(
            kelurahan, day, cancelled=True))
    except NotFound as e:
        fail(str(e))
    for r in rows:
        typer.echo(f"{r.start.strftime('%H.%M')} {r.code} {r.letter_title:20} {r.status.value}")
    if not rows:
        typer.echo("Tidak ada kunjungan.")
