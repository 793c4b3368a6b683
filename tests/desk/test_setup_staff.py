"""The desk's staff page (issue #13): the Lurah adds a staff member with rank, NIP and a desk account (the
one-time set-up link is shown and works), changes rank and NIP, adds and removes a chat identity (shown
masked; one already taken is refused), deactivates a member; another kelurahan's staff is not found, an
operator is refused, CSRF is required."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.desk.channel import DeskChannel
from db.models import DeskAccount, Staff, StaffIdentity
from tests.desk.conftest import CSRF_RE, PASSWORD, Desk, login

PAGE = "/desk/pengaturan/petugas"


async def staff_named(desk: Desk, name: str) -> Staff:
    async with desk.services.sessions() as s:
        st = await s.scalar(select(Staff).where(Staff.name == name))
    assert st is not None
    return st


async def test_the_lurah_manages_the_staff(desk: Desk) -> None:
    await desk.staff(name="Budi", login="budi", role="lurah")
    other, _ = await desk.staff("menteng", name="Mira", login="mira")
    await login(desk.client, "budi")
    page = await desk.client.get(PAGE)
    assert page.status_code == 200 and "Budi" in page.text and "Mira" not in page.text
    found = CSRF_RE.search(page.text)
    assert found
    csrf = found.group(1)
    added = await desk.client.post(PAGE, data={"csrf": csrf, "nama": "Sari", "peran": "sekretaris",
                                               "pangkat": "Penata (III/c)", "nip": "198503152010012003",
                                               "login": "sari"})
    assert added.status_code == 200 and "Petugas Sari ditambahkan." in added.text
    link = re.search(r"/desk/atur-sandi\?token=([A-Za-z0-9_-]+)", added.text)
    assert link, added.text
    channel = desk.services.channels["desk"]
    assert isinstance(channel, DeskChannel)
    assert await channel.passwords.use_setup(link.group(1), PASSWORD) is not None
    sari = await staff_named(desk, "Sari")
    assert (sari.role, sari.rank, sari.nip) == ("sekretaris", "Penata (III/c)", "198503152010012003")

    bad = await desk.client.post(PAGE, data={"csrf": csrf, "nama": "Tono", "peran": "operator", "nip": "12"})
    assert bad.status_code == 400 and "NIP harus 18 digit angka" in bad.text
    assert "Tono" not in (await desk.client.get(PAGE)).text

    one = f"{PAGE}/{sari.id}"
    data = await desk.client.post(one, data={"csrf": csrf, "aksi": "data", "pangkat": "Penata Tk. I (III/d)",
                                             "nip": "198503152010012003"})
    assert data.status_code == 200 and "Penata Tk. I (III/d)" in data.text
    given = await desk.client.post(one, data={"csrf": csrf, "aksi": "identitas", "kanal": "telegram",
                                              "id": "987654321"})
    assert given.status_code == 200 and "telegram: ••••••321" in given.text and "987654321" not in given.text
    async with desk.services.sessions() as s:
        assert await s.scalar(select(StaffIdentity.external_id).where(StaffIdentity.staff_id == sari.id)) \
            == "987654321"
    budi = await staff_named(desk, "Budi")
    taken = await desk.client.post(f"{PAGE}/{budi.id}", data={"csrf": csrf, "aksi": "identitas",
                                                              "kanal": "telegram", "id": "987654321"})
    assert taken.status_code == 400 and "sudah terdaftar" in taken.text
    gone = await desk.client.post(one, data={"csrf": csrf, "aksi": "hapus-identitas", "kanal": "telegram"})
    assert gone.status_code == 200 and "••••••321" not in gone.text
    reset = await desk.client.post(one, data={"csrf": csrf, "aksi": "akun"})
    assert reset.status_code == 200 and "/desk/atur-sandi?token=" in reset.text

    off = await desk.client.post(one, data={"csrf": csrf, "aksi": "nonaktif"})
    assert off.status_code == 200 and "Nonaktif" in off.text
    assert not (await staff_named(desk, "Sari")).active
    myself = await desk.client.post(f"{PAGE}/{budi.id}", data={"csrf": csrf, "aksi": "nonaktif"})
    assert myself.status_code == 400 and (await staff_named(desk, "Budi")).active
    theirs = await desk.client.post(f"{PAGE}/{other.id}", data={"csrf": csrf, "aksi": "nonaktif"})
    assert theirs.status_code == 404 and (await staff_named(desk, "Mira")).active
    forged = await desk.client.post(f"{PAGE}/{budi.id}", data={"csrf": "salah", "aksi": "nonaktif"})
    assert forged.status_code == 403


async def test_an_operator_is_refused_and_the_admin_picks_the_kelurahan(desk: Desk) -> None:
    await desk.staff()
    await login(desk.client, "rina")
    assert (await desk.client.get(PAGE)).status_code == 403
    await desk.admin()
    async with desk.other_client() as admin:
        await login(admin, "kota")
        choose = await admin.get(PAGE)
        assert choose.status_code == 200 and f"{PAGE}?kelurahan=bukit-tunggal" in choose.text
        page = await admin.get(f"{PAGE}?kelurahan=bukit-tunggal")
        assert page.status_code == 200 and "Rina" in page.text and "rina" in page.text
        found = CSRF_RE.search(page.text)
        assert found
        added = await admin.post(f"{PAGE}?kelurahan=menteng", data={"csrf": found.group(1), "nama": "Lurah M",
                                                                     "peran": "lurah"})
        assert added.status_code == 200
    async with desk.services.sessions() as s:
        assert await s.scalar(select(DeskAccount.id).where(DeskAccount.login == "kota")) is not None
    assert (await staff_named(desk, "Lurah M")).role == "lurah"
