"""The whole app: the home page's lookup form leads to the letter's page, or to TIDAK DITEMUKAN with
the kelurahan's contact from its table; a birth letter's page names the child (issue #11)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.composition import Services, build_services
from bot.web import create_app
from config.settings import Settings, StorageSettings
from db.models import Kelurahan, Letter
from flows.dates import local_date
from tests.support.letter_samples import stored_fields
from tests.support.lifecycle import make_resident, make_staff


@pytest.fixture
async def app(tmp_path: Path, db_url: str) -> AsyncIterator[tuple[Services, httpx.AsyncClient]]:
    services = build_services(Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "d",
                                                                               database_url=db_url)))
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield services, client
    await services.aclose()


async def issue_birth_letter(services: Services) -> Letter:
    resident, staff = await make_resident(services.sessions), await make_staff(services.sessions)
    fields = stored_fields(services.catalogue["kelahiran"]) | {"nama_anak": "Budi Santoso"}
    req = await services.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="kelahiran",
                                              fields=fields)
    await services.lifecycle.approve(req.id, staff)
    return await services.issuing.issue(req.id)


async def test_the_home_page_form_finds_the_letter_by_number_and_date(
    app: tuple[Services, httpx.AsyncClient],
) -> None:
    services, client = app
    home = (await client.get("/")).text
    form = re.search(r'<form class="lookup" method="get" action="/v">(.*?)</form>', home, re.S)
    assert form is not None and 'name="nomor"' in form.group(1) and 'type="date"' in form.group(1)

    letter = await issue_birth_letter(services)
    day = local_date(letter.issued_at)
    found = await client.get("/v", params={"nomor": letter.number, "tanggal": day.isoformat()})
    assert found.status_code == 303
    page = (await client.get(found.headers["location"])).text
    assert "<dt>Nama anak</dt><dd>BUDI S***</dd>" in page and "<dt>Nama pemohon</dt><dd>SITI A***</dd>" in page

    missing = await client.get("/v", params={"nomor": letter.number, "tanggal": (day + timedelta(days=1)).isoformat()})
    async with services.sessions() as session:
        kel = (await session.scalars(select(Kelurahan).where(Kelurahan.slug == "bukit-tunggal"))).one()
    assert missing.status_code == 404 and "TIDAK DITEMUKAN" in missing.text
    assert "Kantor Kelurahan Bukit Tunggal" in missing.text
    assert kel.address and kel.address in missing.text and kel.phone in missing.text
