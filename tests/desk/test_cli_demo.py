"""`esurat staff add --web-login` and `staff web-login` print a working set-up link; the demo entry exists only
in demo mode, and a demo session is worth nothing outside it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.webchat.seed import seed_demo_staff
from tests.desk.conftest import Desk, csrf_of


def test_staff_add_with_a_web_login_prints_a_one_time_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESURAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ESURAT_PUBLIC_URL", "https://esurat.example.id")
    monkeypatch.delenv("ESURAT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    res = runner.invoke(app, ["staff", "add", "bukit-tunggal", "--name", "Rina", "--web-login", "rina"])
    assert res.exit_code == 0, res.output
    assert "https://esurat.example.id/desk/atur-sandi?token=" in res.output and "72 jam" in res.output
    taken = runner.invoke(app, ["staff", "add", "bukit-tunggal", "--name", "Rini", "--web-login", "rina"])
    assert taken.exit_code == 2 and "sudah dipakai" in taken.output
    first = next(line for line in res.output.splitlines() if "token=" in line)
    reset = runner.invoke(app, ["staff", "web-login", "1"])
    assert reset.exit_code == 0, reset.output
    second = next(line for line in reset.output.splitlines() if "token=" in line)
    assert second != first
    assert runner.invoke(app, ["staff", "web-login", "99"]).exit_code == 2
    admin = runner.invoke(app, ["staff", "web-admin", "pengelola"])
    assert admin.exit_code == 0 and "token=" in admin.output


async def test_the_demo_entry_works_in_demo_mode_only(desk_factory: Callable[..., AsyncIterator[Desk]]) -> None:
    cookie = ""
    async for demo in desk_factory(demo=True):
        await seed_demo_staff(demo.services.sessions)
        token = await csrf_of(demo.client, "/desk/demo")
        r = await demo.client.post("/desk/demo", data={"csrf": token, "kelurahan": "bukit-tunggal"})
        assert r.status_code == 303 and r.headers["location"] == "/desk/"
        home = await demo.client.get("/desk/")
        assert home.status_code == 200 and "Petugas Demo" in home.text and "Bukit Tunggal" in home.text
        async with demo.other_client() as other:
            assert "/desk/demo" in (await other.get("/desk/masuk")).text
        cookie = demo.client.cookies["esurat_desk"]
        no_csrf = await demo.client.post("/desk/demo", data={"kelurahan": "bukit-tunggal"})
        assert no_csrf.status_code == 403
    async for run in desk_factory(demo=False):  # `esurat run` on the same database
        assert (await run.client.get("/desk/demo")).status_code == 404
        assert (await run.client.post("/desk/demo", data={"kelurahan": "bukit-tunggal"})).status_code == 404
        assert "/desk/demo" not in (await run.client.get("/desk/masuk")).text
        run.client.cookies.set("esurat_desk", cookie, path="/desk")
        assert (await run.client.get("/desk/")).status_code == 303  # the demo session does not count
        token = await csrf_of(run.client, "/desk/masuk")  # the demo account has no password
        for password in ("", "demo", "x" * 12):
            r = await run.client.post("/desk/masuk", data={"csrf": token, "login": "demo@bukit-tunggal",
                                                          "password": password})
            assert r.status_code == 401
