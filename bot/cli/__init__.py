"""`esurat` command line: run the service, migrate, administer kelurahan, staff, seal keys and letters.

One module per group of commands (`bot.cli.service`, `kelurahan`, `staff`, `keys`, `letters`); the
entry point is `bot.cli:app`."""

from __future__ import annotations

import typer

from bot.cli import agency, export, kelurahan, keys, letters, service, staff, visits

app = typer.Typer(help="e-surat: surat keterangan kelurahan secara daring", no_args_is_help=True)
app.command("run")(service.run)
app.command("demo")(service.demo)
app.command("check")(service.check)
app.command("export")(export.export)
app.add_typer(service.db_app, name="db")
app.add_typer(kelurahan.app, name="kelurahan")
app.add_typer(staff.app, name="staff")
app.add_typer(keys.app, name="keys")
app.add_typer(letters.app, name="letter")
app.add_typer(visits.visit_app, name="visit")
app.add_typer(agency.app, name="agency")

__all__ = ["app"]
