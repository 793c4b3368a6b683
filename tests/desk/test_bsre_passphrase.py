"""A kelurahan that signs through BSrE (mode "sign"): the desk asks the official's passphrase with the
approval; it is kept sealed only until the letter is signed (never in clear in the database), a refused one
leaves the request approved with its number and a "Tandatangani" form, and signing again issues the letter:
one letter, one number (the fake BSrE server on loopback, both databases)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.settings import BsreSettings
from db.models import AuditEvent, FollowUp, Letter, LetterRequest
from tests.desk.conftest import Desk, csrf_of, login
from tests.desk.letters_support import request_of
from tests.fakes.bsre_api import FakeBsre, served_bsre

RIGHT = "rahasia-lurah"


@pytest.fixture
def bsre(tmp_path: Path) -> Iterator[tuple[FakeBsre, str]]:
    with served_bsre(tmp_path / "bsre-pki") as running:
        yield running


@pytest.fixture
async def bsre_desk(desk_factory: Callable[..., AsyncIterator[Desk]], bsre: tuple[FakeBsre, str]
                    ) -> AsyncIterator[Desk]:
    fake, url = bsre
    settings = BsreSettings(_env_file=None, base_url=url, client_id=fake.client[0],
                            client_secret=fake.client[1], kelurahan=["bukit-tunggal"], nik=fake.nik)
    async for d in desk_factory(bsre=settings):
        yield d


async def secrets_in_database(desk: Desk) -> str:
    async with desk.services.sessions() as s:
        payloads = [str(p) for p in await s.scalars(select(FollowUp.payload))]
        details = [str(d) for d in await s.scalars(select(AuditEvent.detail))]
    return " ".join(payloads + details)


async def letters_of(desk: Desk, rid: int) -> tuple[str, str | None, int]:
    async with desk.services.sessions() as s:
        req = await s.get(LetterRequest, rid)
        n = await s.scalar(select(func.count()).select_from(Letter).where(Letter.request_id == rid))
    assert req is not None
    return req.status, req.number, int(n or 0)


async def test_approve_with_a_refused_passphrase_then_sign_again(bsre_desk: Desk, bsre: tuple[FakeBsre, str]) -> None:
    desk, (fake, _) = bsre_desk, bsre
    await desk.staff(role="lurah")
    await login(desk.client, "rina")
    req, _ = await request_of(desk, "bukit-tunggal", "701")
    page = f"/desk/permohonan/{req.id}"
    shown = await desk.client.get(page)
    assert 'name="passphrase" type="password"' in shown.text and 'autocomplete="off"' in shown.text
    token = await csrf_of(desk.client, page)

    missing = await desk.client.post(f"{page}/keputusan", data={"csrf": token, "action": "approve"})
    assert missing.status_code == 400 and "Masukkan passphrase" in missing.text
    assert (await letters_of(desk, req.id))[0] == "submitted"

    wrong = await desk.client.post(f"{page}/keputusan", data={"csrf": token, "action": "approve",
                                                             "passphrase": "salah-ketik"})
    assert wrong.status_code == 200 and "Keputusan tersimpan, tetapi surat belum dapat ditandatangani" in wrong.text
    assert "Passphrase tanda tangan elektronik (BSrE) salah" in wrong.text
    status, number, letters = await letters_of(desk, req.id)
    assert (status, letters) == ("approved", 0) and number
    assert "Tandatangani" in (await desk.client.get(page)).text
    assert "salah-ketik" not in await secrets_in_database(desk)
    await desk.services.follow_ups.run_once()  # a retry does not try the refused passphrase again
    assert sum(c["kind"] == "sign" for c in fake.calls) == 1

    again = await desk.client.post(f"{page}/tandatangan", data={"csrf": token, "passphrase": RIGHT})
    assert again.status_code == 200 and "ditandatangani dan diterbitkan" in again.text
    assert await letters_of(desk, req.id) == ("issued", number, 1) and fake.signed == 1
    assert RIGHT not in await secrets_in_database(desk)
    async with desk.services.sessions() as s:
        payload = await s.scalar(select(FollowUp.payload).where(FollowUp.request_id == req.id))
    assert payload == {}  # wiped once signed
    done = await desk.client.post(f"{page}/tandatangan", data={"csrf": token, "passphrase": RIGHT})
    assert done.status_code == 409


async def test_approve_with_the_right_passphrase_issues_at_once(bsre_desk: Desk, bsre: tuple[FakeBsre, str]
                                                                ) -> None:
    desk, (fake, _) = bsre_desk, bsre
    await desk.staff(role="lurah")
    await login(desk.client, "rina")
    req, _ = await request_of(desk, "bukit-tunggal", "702")
    page = f"/desk/permohonan/{req.id}"
    token = await csrf_of(desk.client, page)
    r = await desk.client.post(f"{page}/keputusan", data={"csrf": token, "action": "approve", "passphrase": RIGHT})
    assert r.status_code == 200
    assert (await letters_of(desk, req.id))[::2] == ("issued", 1) and fake.signed == 1
    no_csrf = await desk.client.post(f"{page}/tandatangan", data={"passphrase": RIGHT})
    assert no_csrf.status_code == 403


async def test_a_kelurahan_without_bsre_is_not_asked(bsre_desk: Desk) -> None:
    desk = bsre_desk
    await desk.staff(slug="menteng", name="Budi", login="budi")
    await login(desk.client, "budi")
    req, _ = await request_of(desk, "menteng", "703")
    page = await desk.client.get(f"/desk/permohonan/{req.id}")
    assert 'name="passphrase"' not in page.text
