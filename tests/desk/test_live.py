"""The desk's live view (issue #13): `/desk/api/versi` changes with the own kelurahan's requests (a submission,
a decision, a revision, a resubmission), not with another kelurahan's; one request's version is authorized as
its page is; logged-in pages load live.js, the login page does not."""

from __future__ import annotations

import httpx

from bot.desk.accounts import create_account
from bot.desk.channel import DeskChannel
from db.models import LetterRequest
from lifecycle.actors import Actor
from tests.desk.conftest import PASSWORD, Desk, login
from tests.desk.letters_support import FIELDS
from tests.desk.test_files import submitted
from tests.support.lifecycle import make_resident

VERSI = "/desk/api/versi"


async def versi(client: httpx.AsyncClient, path: str = VERSI) -> str:
    answer = await client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    value = answer.json()["versi"]
    assert isinstance(value, str) and value
    return value


async def elsewhere(desk: Desk, slug: str = "menteng", external_id: str = "3001") -> LetterRequest:
    resident = await make_resident(desk.services.sessions, external_id=external_id)
    return await desk.services.moderation.lifecycle.submit_new(
        resident, kelurahan_slug=slug, letter_type="sktm", fields=dict(FIELDS), attachment_ids={})


async def test_versi_follows_the_own_kelurahan_only(desk: Desk) -> None:
    staff, user = await desk.staff()
    await login(desk.client, user)
    empty = await versi(desk.client)
    assert await versi(desk.client) == empty  # stable while nothing changes
    req, _ = await submitted(desk)
    after_submit = await versi(desk.client)
    assert after_submit != empty
    await elsewhere(desk)
    assert await versi(desk.client) == after_submit  # another kelurahan's request is not ours
    one = await versi(desk.client, f"{VERSI}?permohonan={req.id}")
    desk.tick(minutes=1)
    await desk.services.moderation.act(req.id, staff, "revise", "Alamat kurang lengkap")
    after_revise = await versi(desk.client)
    assert after_revise != after_submit
    assert await versi(desk.client, f"{VERSI}?permohonan={req.id}") != one
    desk.tick(minutes=1)
    fields = {**FIELDS, "alamat": "Jl. G. Obos XII No. 5A"}
    resident = await desk.services.moderation.lifecycle.resubmit(
        req.id, await resident_of(desk, req.id), fields=fields)
    assert resident.status == "submitted"
    after_resubmit = await versi(desk.client)
    assert after_resubmit != after_revise
    await desk.services.moderation.act(req.id, staff, "reject", "Data tidak cocok")
    assert await versi(desk.client) != after_resubmit


async def resident_of(desk: Desk, request_id: int) -> Actor:
    async with desk.services.sessions() as s:
        row = await s.get(LetterRequest, request_id)
    assert row is not None
    return Actor.resident(row.resident_id)


async def test_versi_needs_a_login_and_the_own_kelurahan(desk: Desk) -> None:
    req, _ = await submitted(desk)
    other = await elsewhere(desk)
    async with desk.other_client() as stranger:
        out = await stranger.get(VERSI)
        one = await stranger.get(f"{VERSI}?permohonan={req.id}")
    assert out.status_code == 303 and out.headers["location"] == "/desk/masuk"
    assert one.status_code == 303 and one.headers["location"] == "/desk/masuk"
    _, user = await desk.staff()
    await login(desk.client, user)
    assert (await desk.client.get(f"{VERSI}?permohonan={other.id}")).status_code == 404
    assert (await desk.client.get(f"{VERSI}?permohonan=99999")).status_code == 404
    assert (await desk.client.get(f"{VERSI}?permohonan=abc")).status_code == 404
    assert await versi(desk.client, f"{VERSI}?permohonan={req.id}")


async def test_logged_in_pages_load_the_live_script(desk: Desk) -> None:
    req, _ = await submitted(desk)
    masuk = await desk.client.get("/desk/masuk")
    assert "live.js" not in masuk.text
    _, user = await desk.staff()
    await login(desk.client, user)
    home = await desk.client.get("/desk/")
    assert "/desk/static/live.js?v=" in home.text and f'data-versi="{VERSI}"' in home.text
    assert f'data-awal="{await versi(desk.client)}"' in home.text  # the home starts from the version it shows
    page = await desk.client.get(f"/desk/permohonan/{req.id}")
    shown = await versi(desk.client, f"{VERSI}?permohonan={req.id}")
    assert f'data-versi="{VERSI}?permohonan={req.id}"' in page.text and f'data-awal="{shown}"' in page.text
    assert f'data-muat="/desk/permohonan/{req.id}"' in page.text
    assert "live.js" not in (await desk.client.get("/desk/permohonan/99999")).text  # an error page never polls
    script = await desk.client.get("/desk/static/live.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "Ada perubahan, muat ulang halaman." in script.text and "//" not in script.text.split("*/", 1)[1]


async def test_the_city_admin_has_no_live_view(desk: Desk) -> None:
    channel = desk.services.channels["desk"]
    assert isinstance(channel, DeskChannel)
    link = await create_account(desk.services.sessions, "kota", None, desk.clock())
    assert await channel.passwords.use_setup(link.token, PASSWORD) is not None
    await login(desk.client, "kota")
    home = await desk.client.get("/desk/")
    assert home.status_code == 200 and "live.js" not in home.text
    assert (await desk.client.get(VERSI)).status_code == 403
