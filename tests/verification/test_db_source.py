"""From an approved request to the public page, through the database: the lifecycle issues
with `CatalogueLetterMaker`, `DbRecordSource` serves the verification router."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows import load_catalogue
from flows.dates import local_date
from lifecycle.actors import Actor
from lifecycle.errors import DomainError
from lifecycle.issuing import Issuing
from lifecycle.service import RequestLifecycle
from tests.support.issuing import issuing_stack
from tests.support.letter_samples import stored_fields
from tests.support.letters import Kit, qr_texts
from tests.support.lifecycle import FixedClock, make_resident, make_staff
from verification.seal import seal_from_url

CATALOGUE = load_catalogue()


class World(NamedTuple):
    lifecycle: RequestLifecycle
    issuing: Issuing
    client: httpx.AsyncClient
    resident: Actor
    staff: Actor
    kit: Kit


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> AsyncIterator[World]:
    clock = FixedClock()
    stack = issuing_stack(sessions, tmp_path, clock)
    resident, staff = await make_resident(sessions), await make_staff(sessions)
    yield World(stack.lifecycle, stack.issuing, stack.client, resident, staff, stack.kit)
    await stack.aclose()


async def test_issued_request_verifies_then_revoked_shows_dicabut(world: World) -> None:
    lifecycle, issuing, client, resident, staff, kit = world
    defn = CATALOGUE["sktm"]
    req = await lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                     fields=stored_fields(defn))
    await lifecycle.approve(req.id, staff)
    letter = await issuing.issue(req.id)

    pdf = (kit.settings.storage.letters_dir / letter.pdf_path).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == letter.pdf_sha256
    (url,) = qr_texts(pdf)
    path = url.split("#")[0].removeprefix(kit.settings.http.public_url)
    data = (await client.get(path, params={"s": seal_from_url(url)}, headers={"Accept": "application/json"})).json()
    assert data["status"] == "ASLI" and data["seal"]["valid"] is True
    assert data["letter"]["number"] == letter.number and data["letter"]["kelurahan"] == "Bukit Tunggal"
    assert data["letter"]["holder_name"] == "SITI A***" and data["letter"]["nik"] == "6271********0001"
    assert data["letter"]["type_title"] == defn.title

    upload = await client.post(f"{path}/check", files={"pdf": ("s.pdf", pdf)}, headers={"Accept": "application/json"})
    assert upload.json()["upload"]["verdict"] == "SAMA"

    await issuing.revoke(letter.number, staff, "Data pemohon tidak benar")
    page = await client.get(path)
    assert "DICABUT" in page.text and "Data pemohon tidak benar" in page.text


async def test_no_letter_and_no_qr_for_a_rejected_request(world: World) -> None:
    lifecycle, issuing, _, resident, staff, kit = world
    req = await lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sku",
                                     fields=stored_fields(CATALOGUE["sku"]))
    await lifecycle.reject(req.id, staff, "Persyaratan tidak lengkap")
    with pytest.raises(DomainError):
        await issuing.issue(req.id)
    assert not list(kit.settings.storage.letters_dir.rglob("*.pdf"))


async def test_a_birth_letter_names_the_child_and_is_found_by_number_and_date(world: World) -> None:
    lifecycle, issuing, client, resident, staff, _ = world
    defn = CATALOGUE["kelahiran"]
    fields = stored_fields(defn) | {"nama_anak": "Budi Santoso"}
    req = await lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="kelahiran", fields=fields)
    await lifecycle.approve(req.id, staff)
    letter = await issuing.issue(req.id)
    data = (await client.get(f"/v/{letter.public_id}", headers={"Accept": "application/json"})).json()
    assert data["letter"]["subject_label"] == "Nama anak" and data["letter"]["subject_name"] == "BUDI S***"
    assert data["letter"]["holder_name"] == "SITI A***"  # the reporting parent: the applicant

    day = local_date(letter.issued_at).isoformat()
    found = await client.get("/v", params={"nomor": letter.number, "tanggal": day})
    assert found.status_code == 303 and found.headers["location"] == f"/v/{letter.public_id}"
    other_day = (local_date(letter.issued_at) + timedelta(days=1)).isoformat()
    missing = await client.get("/v", params={"nomor": letter.number, "tanggal": other_day})
    assert missing.status_code == 404 and "Kantor Kelurahan Bukit Tunggal" in missing.text  # its unit code, BT
