"""CSRF on every form; the one-time set-up link; changing the password; the home shows the own kelurahan only."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request

from bot.desk.accounts import create_account, reset_link
from db.directory import add_staff
from db.models import LetterRequest
from tests.desk.conftest import PASSWORD, Desk, csrf_of, login
from tests.support.lifecycle import kelurahan, make_resident


async def test_a_missing_or_wrong_csrf_token_is_refused_with_a_403_page(desk: Desk) -> None:
    await desk.staff()
    for data in ({"login": "rina", "password": PASSWORD}, {"csrf": "x" * 43, "login": "rina", "password": PASSWORD}):
        await desk.client.get("/desk/masuk")
        r = await desk.client.post("/desk/masuk", data=data)
        assert r.status_code == 403 and "tidak sah" in r.text and 'lang="id"' in r.text
    assert (await login(desk.client, "rina")).status_code == 303
    for path, data in (("/desk/keluar", {}), ("/desk/sandi", {"old": PASSWORD, "new": "a" * 12, "again": "a" * 12})):
        for csrf in ({}, {"csrf": "salah"}):
            r = await desk.client.post(path, data={**data, **csrf})
            assert r.status_code == 403, path
    assert (await desk.client.get("/desk/")).status_code == 200  # still logged in, password unchanged


async def test_the_set_up_link_works_once(desk: Desk) -> None:
    staff = await add_staff(desk.services.sessions, "bukit-tunggal", name="Budi", role="operator")
    link = await create_account(desk.services.sessions, "budi", staff.id, desk.clock())
    assert link.url("https://esurat.example.id").startswith("https://esurat.example.id/desk/atur-sandi?token=")
    path = f"/desk/atur-sandi?token={link.token}"
    token = await csrf_of(desk.client, path)
    short = await desk.client.post("/desk/atur-sandi", data={"csrf": token, "token": link.token,
                                                            "new": "pendek", "again": "pendek"})
    assert short.status_code == 400 and "minimal 10" in short.text
    new = "kata sandi baru budi"
    r = await desk.client.post("/desk/atur-sandi", data={"csrf": token, "token": link.token, "new": new, "again": new})
    assert r.status_code == 200 and "tersimpan" in r.text
    again = await desk.client.post("/desk/atur-sandi", data={"csrf": token, "token": link.token,
                                                            "new": "lain sekali lagi", "again": "lain sekali lagi"})
    assert again.status_code == 400 and "tidak berlaku" in again.text
    assert (await desk.client.get(path)).status_code == 400
    assert (await login(desk.client, "budi", new)).status_code == 303


async def test_the_set_up_link_expires_after_72_hours_and_a_reset_replaces_it(desk: Desk) -> None:
    staff = await add_staff(desk.services.sessions, "bukit-tunggal", name="Budi", role="operator")
    old = await create_account(desk.services.sessions, "budi", staff.id, desk.clock())
    desk.tick(hours=72)
    assert (await desk.client.get(f"/desk/atur-sandi?token={old.token}")).status_code == 400
    fresh = await reset_link(desk.services.sessions, staff.id, desk.clock())
    assert fresh.expires - desk.clock() == timedelta(hours=72)
    assert (await desk.client.get(f"/desk/atur-sandi?token={fresh.token}")).status_code == 200
    assert (await login(desk.client, "budi", "")).status_code == 401  # no password before the link is used


async def test_changing_the_password(desk: Desk) -> None:
    await desk.staff()
    await login(desk.client, "rina")
    async with desk.other_client() as other:
        await login(other, "rina")
        token = await csrf_of(desk.client, "/desk/sandi")
        new = "sandi baru yang panjang"
        wrong_old = await desk.client.post("/desk/sandi", data={"csrf": token, "old": "bukan", "new": new,
                                                                "again": new})
        assert wrong_old.status_code == 400 and "lama salah" in wrong_old.text
        differ = await desk.client.post("/desk/sandi", data={"csrf": token, "old": PASSWORD, "new": new,
                                                             "again": new + "x"})
        assert differ.status_code == 400 and "tidak sama" in differ.text
        ok = await desk.client.post("/desk/sandi", data={"csrf": token, "old": PASSWORD, "new": new, "again": new})
        assert ok.status_code == 200 and "berhasil" in ok.text
        assert (await other.get("/desk/")).status_code == 303  # the other device's session ended
    assert (await desk.client.get("/desk/")).status_code == 200
    async with desk.other_client() as third:
        assert (await login(third, "rina")).status_code == 401
        assert (await login(third, "rina", new)).status_code == 303


async def test_the_home_shows_only_the_own_kelurahan(desk: Desk) -> None:
    sessions = desk.services.sessions
    resident = await make_resident(sessions)
    for slug, code in (("bukit-tunggal", "BT-2026-00001"), ("langkai", "LK-2026-00001")):
        kel = await kelurahan(sessions, slug)
        async with sessions.begin() as s:
            s.add(LetterRequest(code=code, kelurahan_id=kel.id, resident_id=resident.id, letter_type="sktm",
                                fields={}, status="submitted", created_at=desk.clock(), updated_at=desk.clock(),
                                submitted_at=desk.clock()))
    await desk.staff("bukit-tunggal", "Rina", "rina")
    await login(desk.client, "rina")
    home = await desk.client.get("/desk/")
    assert "BT-2026-00001" in home.text and "LK-2026-00001" not in home.text


async def test_the_city_admin_sees_a_note_and_no_requests(desk: Desk) -> None:
    link = await create_account(desk.services.sessions, "admin", None, desk.clock())
    channel = desk.services.channels["desk"]
    await channel.passwords.use_setup(link.token, PASSWORD)  # type: ignore[attr-defined]
    await login(desk.client, "admin")
    home = await desk.client.get("/desk/")
    assert home.status_code == 200 and "petugas kelurahan" in home.text


async def test_acting_on_a_request_uses_the_moderation_rule(desk: Desk) -> None:
    import pytest

    from bot.desk.auth import DeskUser
    from bot.desk.channel import DeskChannel
    from db.staff_admin import set_staff_active
    from lifecycle.errors import NotAuthorized

    sessions = desk.services.sessions
    resident = await make_resident(sessions)
    kel = await kelurahan(sessions, "langkai")
    async with sessions.begin() as s:
        req = LetterRequest(code="LK-2026-00002", kelurahan_id=kel.id, resident_id=resident.id, letter_type="sktm",
                            fields={}, status="submitted", created_at=desk.clock(), updated_at=desk.clock())
        s.add(req)
        await s.flush()
        request_id = req.id
    rina, _ = await desk.staff("bukit-tunggal", "Rina", "rina")
    lina, _ = await desk.staff("langkai", "Lina", "lina")
    channel = desk.services.channels["desk"]
    assert isinstance(channel, DeskChannel)
    await login(desk.client, "lina")
    user = await channel.auth.user(_request(desk.client.cookies["esurat_desk"]))
    assert isinstance(user, DeskUser)
    assert (await channel.auth.staff_for(request_id, user)).id == lina.id
    with pytest.raises(NotAuthorized):
        await channel.auth.staff_for(request_id, DeskUser(user.account, rina, None, "", ""))
    await set_staff_active(sessions, lina.id, False)  # deactivated: the session ends, the login is refused
    assert (await desk.client.get("/desk/")).status_code == 303
    async with desk.other_client() as other:
        assert (await login(other, "lina")).status_code == 401


def _request(sid: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/desk/", "headers": [
        (b"cookie", f"esurat_desk={sid}".encode())]})


async def test_removing_a_staff_member_removes_their_account_and_sessions(desk: Desk) -> None:
    from sqlalchemy import func, select

    from db.models import DeskAccount, DeskSession
    from db.staff_admin import remove_staff

    rina, _ = await desk.staff()
    await login(desk.client, "rina")
    await remove_staff(desk.services.sessions, rina.id)  # `esurat staff remove`: never acted on a request
    async with desk.services.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(DeskAccount)) == 0
        assert await s.scalar(select(func.count()).select_from(DeskSession)) == 0
    assert (await desk.client.get("/desk/")).status_code == 303
