"""`esurat keys`: the seal keys that sign the letters' QR codes."""

from __future__ import annotations

import typer

from bot.cli.common import load_settings

app = typer.Typer(help="Kunci segel (tanda tangan kode QR)", no_args_is_help=True)


@app.command("rotate")
def keys_rotate() -> None:
    """Buat kunci aktif baru; kunci lama tetap diterbitkan sehingga surat lama tetap dapat diperiksa."""
    from verification.keys import KeyStore

    key = KeyStore(load_settings().storage.keys_dir).rotate()
    typer.echo(f"Kunci aktif baru: {key.kid}")


@app.command("list")
def keys_list() -> None:
    """Daftar kunci segel; yang sedang dipakai ditandai (aktif)."""
    from verification.keys import KeyStore

    store = KeyStore(load_settings().storage.keys_dir)
    active = store.active().kid
    for key in store.keys():
        typer.echo(f"{key.kid}{'  (aktif)' if key.kid == active else ''}")
