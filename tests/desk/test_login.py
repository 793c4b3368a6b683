"""Logging in and out of the desk, the lock-out after 5 wrong passwords, the cookie, and pages behind the login."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from db.models import DeskSession
from tests.desk.conftest import Desk, csrf_of, login


async def test_login_with_the_right_password_opens_the_desk(desk: Desk) -> None:
    await desk.staff()
    r = await login(desk.client, "rina")
    assert r.status_code == 303 and r.headers["location"] == "/desk/"
    home = await desk.client.get("/desk/")
    assert home.status_code == 200 and "Rina" in home.text and "Bukit Tunggal" in home.text


async def test_a_wrong_password_and_an_unknown_login_get_the_same_answer(desk: Desk) -> None:
    await desk.staff()
    wrong = await login(desk.client, "rina", "salah-sekali-123")
    unknown = await login(desk.client, "tidak-ada", "salah-sekali-123")
    assert wrong.status_code == unknown.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in wrong.text
    assert wrong.text.replace("rina", "X") == unknown.text.replace("tidak-ada", "X").replace(
        *_token_swap(unknown.text, wrong.text))
    assert (await desk.client.get("/desk/", follow_redirects=False)).status_code == 303


def _token_swap(a: str, b: str) -> tuple[str, str]:
    from tests.desk.conftest import CSRF_RE
    ta, tb = CSRF_RE.search(a), CSRF_RE.search(b)
    assert ta and tb
    return ta.group(1), tb.group(1)


async def test_five_wrong_passwords_lock_the_account_for_15_minutes(desk: Desk) -> None:
    await desk.staff()
    for _ in range(5):
        assert (await login(desk.client, "rina", "salah-sekali-123")).status_code == 401
    locked = await login(desk.client, "rina")
    assert locked.status_code == 401  # the right password, refused while locked; the same answer
    desk.tick(minutes=14, seconds=59)
    assert (await login(desk.client, "rina")).status_code == 401
    desk.tick(seconds=2)
    assert (await login(desk.client, "rina")).status_code == 303


async def test_the_lock_is_kept_in_the_database(desk: Desk, db_url: str, tmp_path: object) -> None:
    await desk.staff()
    for _ in range(5):
        await login(desk.client, "rina", "salah-sekali-123")
    async with desk.other_client() as other:  # another browser, same database: still locked
        assert (await login(other, "rina")).status_code == 401


async def test_four_wrong_then_a_right_one_resets_the_count(desk: Desk) -> None:
    await desk.staff()
    for _ in range(4):
        await login(desk.client, "rina", "salah-sekali-123")
    assert (await login(desk.client, "rina")).status_code == 303
    async with desk.other_client() as other:
        for _ in range(4):
            await login(other, "rina", "salah-sekali-123")
        assert (await login(other, "rina")).status_code == 303


async def test_logged_out_pages_redirect_to_login(desk: Desk) -> None:
    for path in ("/desk/", "/desk/sandi"):
        r = await desk.client.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/desk/masuk"


async def test_the_session_cookie_is_httponly_strict_and_scoped(desk: Desk) -> None:
    await desk.staff()
    r = await login(desk.client, "rina")
    cookie = r.headers["set-cookie"].lower()
    assert "esurat_desk=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert "path=/desk" in cookie and "secure" not in cookie  # http public URL


async def test_the_cookie_is_secure_under_an_https_public_url(desk_factory: object) -> None:
    async for d in desk_factory(public_url="https://esurat.example.id"):  # type: ignore[operator]
        await d.staff()
        async with httpx.AsyncClient(transport=d.transport, base_url="https://127.0.0.1") as browser:
            r = await login(browser, "rina")
        assert r.status_code == 303 and "; secure" in r.headers["set-cookie"].lower()


async def test_logout_deletes_the_session(desk: Desk) -> None:
    await desk.staff()
    await login(desk.client, "rina")
    token = await csrf_of(desk.client, "/desk/")
    r = await desk.client.post("/desk/keluar", data={"csrf": token})
    assert r.status_code == 303 and r.headers["location"] == "/desk/masuk"
    async with desk.services.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(DeskSession)) == 0
    assert (await desk.client.get("/desk/")).status_code == 303


async def test_a_session_ends_after_30_idle_minutes_and_after_12_hours(desk: Desk) -> None:
    await desk.staff()
    await login(desk.client, "rina")
    desk.tick(minutes=29)
    assert (await desk.client.get("/desk/")).status_code == 200
    desk.tick(minutes=30)
    assert (await desk.client.get("/desk/")).status_code == 303
    await login(desk.client, "rina")
    for _ in range(25):  # busy all day, a page every 28 minutes: 11 h 40 min
        desk.tick(minutes=28)
        assert (await desk.client.get("/desk/")).status_code == 200
    desk.tick(minutes=20)  # 12 hours after login
    assert (await desk.client.get("/desk/")).status_code == 303


async def test_hostile_form_values_get_the_ordinary_answers(desk: Desk) -> None:
    await desk.staff()
    for user in ("rina\x00", "\x00", "x" * 500, ""):
        assert (await login(desk.client, user, "a\x00b")).status_code == 401
    assert (await desk.client.get("/desk/atur-sandi", params={"token": "a\x00b"})).status_code == 400
    desk.client.cookies.set("esurat_desk", "\x00" * 10, path="/desk")
    assert (await desk.client.get("/desk/")).status_code == 303


async def test_ended_sessions_are_deleted_at_the_next_login(desk: Desk) -> None:
    await desk.staff()
    await login(desk.client, "rina")
    desk.tick(minutes=31)
    async with desk.other_client() as other:
        await login(other, "rina")
    async with desk.services.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(DeskSession)) == 1
