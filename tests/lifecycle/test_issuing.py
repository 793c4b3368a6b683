"""Issuing through the real letter maker; revocation needs a reason; the follow-up of an approval
issues it (also after a crash); the CLI revokes by number and rotates keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.composition import Services, build_services
from bot.web import create_app
from config.settings import Settings, StorageSettings
from db.models import Letter, LetterRequest
from lifecycle.actors import Actor
from lifecycle.errors import IllegalTransition, ReasonRequired
from tests.support.flows import ANSWERS
from tests.support.lifecycle import FixedClock, make_resident, make_staff

FIELDS = {**ANSWERS, "tanggal_lahir": "1990-07-05", "jenis_kelamin": "P", "rt_rw": "003/005", "tanggungan": []}


@pytest.fixture
def services(tmp_path: Path, db_url: str) -> Services:
    settings = Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url))
    return build_services(settings, clock=FixedClock())


async def approved(services: Services) -> tuple[int, Actor]:
    resident = await make_resident(services.sessions)
    staff = await make_staff(services.sessions)
    req = await services.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                              fields=FIELDS)
    await services.lifecycle.approve(req.id, staff)
    return req.id, staff


async def test_issue_revoke_and_follow_up(services: Services) -> None:
    request_id, staff = await approved(services)
    # The approval left a follow-up; whichever process runs it (after a crash: the restarted one) issues.
    assert await services.follow_ups.run_once() == 1
    assert await services.follow_ups.run_once() == 0
    async with services.sessions() as s:
        letter = await s.scalar(select(Letter).where(Letter.request_id == request_id))
        req = await s.get(LetterRequest, request_id)
    assert letter is not None and req is not None and req.status == "issued"
    pdf = services.issuing.pdf_path(letter).read_bytes()
    assert pdf.startswith(b"%PDF") and letter.nik_masked == "6271********0001"
    with pytest.raises(IllegalTransition):
        await services.issuing.issue(request_id)
    with pytest.raises(ReasonRequired):
        await services.issuing.revoke(letter.number, staff, "  ")
    await services.issuing.revoke(letter.number, staff, "Data tanggungan keliru")
    async with AsyncClient(transport=ASGITransport(app=create_app(services)), base_url="http://127.0.0.1") as client:
        body = (await client.get(f"/v/{letter.public_id}", headers={"Accept": "application/json"})).json()
    assert body["status"] == "DICABUT" and body["revocation"]["reason"] == "Data tanggungan keliru"
    await services.aclose()


def test_cli_revoke_and_rotate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    data = tmp_path / "data"
    monkeypatch.setenv("ESURAT_DATA_DIR", str(data))
    monkeypatch.delenv("ESURAT_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    services = build_services(Settings(_env_file=None, storage=StorageSettings(data_dir=data)))

    async def issue() -> str:
        request_id, _ = await approved(services)
        letter = await services.issuing.issue(request_id)
        await services.aclose()
        return letter.number

    number = asyncio.run(issue())
    assert runner.invoke(cli, ["letter", "revoke", number]).exit_code != 0  # the reason is required
    res = runner.invoke(cli, ["letter", "revoke", number, "--reason", "Diterbitkan ganda"])
    assert res.exit_code == 0, res.output
    assert runner.invoke(cli, ["letter", "revoke", number, "--reason", "lagi"]).exit_code == 2
    before = runner.invoke(cli, ["keys", "list"]).output.split()
    res = runner.invoke(cli, ["keys", "rotate"])
    assert res.exit_code == 0 and "Kunci aktif baru" in res.output
    after = runner.invoke(cli, ["keys", "list"]).output
    assert all(kid in after for kid in before if kid != "(aktif)") and after.count("(aktif)") == 1
