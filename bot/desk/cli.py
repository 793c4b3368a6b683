"""`esurat staff ... --web-login`, `esurat staff web-login`, `esurat staff web-admin`: desk accounts are made
without a password; the command prints a one-time set-up link (valid 72 hours) to hand to the person."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import fail, load_settings, with_sessions
from bot.desk.accounts import AccountError, SetupLink, create_account, login_taken, reset_link
from lifecycle.service import utcnow

LoginOption = Annotated[str | None, typer.Option(
    "--login", help="Login baru, bila petugas belum punya akun meja petugas")]


def say_link(link: SetupLink, public_url: str) -> None:
    typer.echo(f"Akun meja petugas '{link.login}': tautan atur sandi sekali pakai (berlaku 72 jam):")
    typer.echo(link.url(public_url))
    typer.echo("Berikan tautan ini hanya kepada pemilik akun; tautan lama (bila ada) tidak berlaku lagi.")


def check_login_free(login: str) -> None:
    """Before a staff member is added with --web-login: stop if the login is taken."""
    if with_sessions(load_settings(), lambda s: login_taken(s, login)):
        fail(f"Login {login} sudah dipakai; petugas tidak ditambahkan.")


def account_for_new_staff(staff_id: int, login: str) -> None:
    settings = load_settings()
    try:
        link = with_sessions(settings, lambda s: create_account(s, login, staff_id, utcnow()))
    except AccountError as e:
        fail(f"Akun meja petugas tidak dibuat: {e} (coba: esurat staff web-login {staff_id} --login LOGIN)")
    say_link(link, settings.http.public_url)


def web_login(
    staff_id: Annotated[int, typer.Argument(metavar="ID", help="Nomor petugas (esurat staff list KELURAHAN)")],
    login: LoginOption = None,
) -> None:
    """Tautan atur sandi baru untuk akun meja petugas (lupa sandi), atau akun baru dengan --login."""
    settings = load_settings()
    try:
        link = with_sessions(settings, lambda s: create_account(s, login, staff_id, utcnow()) if login
                             else reset_link(s, staff_id, utcnow()))
    except AccountError as e:
        fail(str(e))
    say_link(link, settings.http.public_url)


def web_admin(login: Annotated[str, typer.Argument(metavar="LOGIN", help="Login pengelola kota")]) -> None:
    """Akun pengelola kota di meja petugas (tanpa kelurahan); mencetak tautan atur sandi sekali pakai."""
    settings = load_settings()
    try:
        link = with_sessions(settings, lambda s: create_account(s, login, None, utcnow()))
    except AccountError as e:
        fail(str(e))
    say_link(link, settings.http.public_url)
