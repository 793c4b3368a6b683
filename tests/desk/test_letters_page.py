"""The desk's issued letters (issue #13, /desk/surat): the own kelurahan's letters found by number, name or
NIK; a letter's page, its PDF (an uncached download), its revocation (with a reason, once; the public
verification page then says DICABUT) and sending it again to the resident's own chat."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bot.desk.accounts import create_account
from bot.desk.channel import DeskChannel
from db.models import Letter, OutboxMessage
from tests.desk.conftest import CSRF_RE, PASSWORD, Desk, login
from tests.desk.letters_support import issued

NIK = "6271034507900001"


async def documents_to(desk: Desk, chat: str) -> int:
    async with desk.services.sessions() as s:
        rows = await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat))
        return sum(1 for m in rows if m.payload.get("type") == "document")


async def test_search_finds_the_letter_by_number_name_and_nik(desk: Desk) -> None:
    staff, user = await desk.staff()
    letter = await issued(desk, staff, "2001")
    await login(desk.client, user)
    page = await desk.client.get("/desk/surat")
    assert page.status_code == 200 and "no-store" in page.headers["cache-control"]
    assert '<input name="q" id="q"' in page.text and ">Cari<" in page.text
    assert '<label for="q">Cari surat (nomor, nama atau NIK)</label>' in page.text
    link = f'href="/desk/surat/{letter.id}"'
    for query in [letter.number, letter.number[:6], "siti", "Siti Aminah", NIK]:
        found = await desk.client.get("/desk/surat", params={"q": query})
        assert found.status_code == 200 and link in found.text and letter.number in found.text, query
        table = found.text.partition("<tbody>")[2]
        assert NIK not in table and "6271********0001" in table  # the typed NIK is echoed only in the form
    none = await desk.client.get("/desk/surat", params={"q": "Budi"})
    assert none.status_code == 200 and link not in none.text and "Tidak ada surat" in none.text
    home = await desk.client.get("/desk/")
    assert 'href="/desk/surat"' in home.text and "Surat terbit" in home.text


async def test_letter_page_download_resend_and_revoke(desk: Desk) -> None:
    staff, user = await desk.staff()
    letter = await issued(desk, staff, "2001")
    await login(desk.client, user)
    page = await desk.client.get(f"/desk/surat/{letter.id}")
    assert page.status_code == 200 and letter.number in page.text and "BERLAKU" in page.text
    for part in [f'href="/desk/surat/{letter.id}/pdf"', "Unduh PDF", 'name="alasan" id="alasan"',
                 "Alasan pencabutan", "Cabut surat", "Kirim ulang ke warga", 'href="/desk/"']:
        assert part in page.text, part
    found = CSRF_RE.search(page.text)
    assert found
    csrf = found.group(1)
    pdf = await desk.client.get(f"/desk/surat/{letter.id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "no-store" in pdf.headers["cache-control"] and pdf.headers["content-disposition"].startswith("attachment")

    before = await documents_to(desk, "2001")
    sent = await desk.client.post(f"/desk/surat/{letter.id}/kirim-ulang", data={"csrf": csrf})
    assert sent.status_code == 200 and "Surat dikirim ulang ke warga." in sent.text
    assert await documents_to(desk, "2001") == before + 1

    empty = await desk.client.post(f"/desk/surat/{letter.id}/cabut", data={"csrf": csrf, "alasan": "  "})
    assert empty.status_code == 400 and "wajib diisi" in empty.text
    done = await desk.client.post(f"/desk/surat/{letter.id}/cabut", data={"csrf": csrf, "alasan": "Data keliru"})
    assert done.status_code == 200 and "Surat telah dicabut." in done.text
    assert "DICABUT" in done.text and "Data keliru" in done.text
    again = await desk.client.post(f"/desk/surat/{letter.id}/cabut", data={"csrf": csrf, "alasan": "Lagi"})
    assert again.status_code == 409 and "sudah dicabut" in again.text
    late = await desk.client.post(f"/desk/surat/{letter.id}/kirim-ulang", data={"csrf": csrf})
    assert late.status_code == 409 and await documents_to(desk, "2001") == before + 1
    async with desk.services.sessions() as s:
        row = await s.get(Letter, letter.id)
    assert row is not None and row.status == "revoked" and row.revoked_reason == "Data keliru"
    public = await desk.client.get(f"/v/{letter.public_id}", headers={"Accept": "application/json"})
    assert public.status_code == 200 and public.json()["status"] == "DICABUT"
    assert public.json()["revocation"]["reason"] == "Data keliru"
    listed = await desk.client.get("/desk/surat", params={"q": letter.number})
    assert "DICABUT" in listed.text


async def test_tampered_ids_get_404_and_the_admin_a_polite_page(desk: Desk) -> None:
    staff, user = await desk.staff()
    letter = await issued(desk, staff, "2001")
    await login(desk.client, user)
    for bad in ["abc", "-1", "0", str(letter.id + 999), "99999999999999999999999", "1.5"]:
        for path in [f"/desk/surat/{bad}", f"/desk/surat/{bad}/pdf"]:
            answer = await desk.client.get(path)
            assert answer.status_code == 404 and not answer.content.startswith(b"%PDF"), path
    link = await create_account(desk.services.sessions, "admin-kota", None, desk.clock())
    channel = desk.services.channels["desk"]
    assert isinstance(channel, DeskChannel) and await channel.passwords.use_setup(link.token, PASSWORD)
    async with desk.other_client() as admin:
        await login(admin, "admin-kota")
        listing = await admin.get("/desk/surat", params={"q": letter.number})
        assert listing.status_code == 200 and "pengelola kota" in listing.text and letter.number not in listing.text
        one = await admin.get(f"/desk/surat/{letter.id}")
        assert one.status_code == 403 and letter.number not in one.text
        pdf = await admin.get(f"/desk/surat/{letter.id}/pdf")
        assert pdf.status_code == 403 and not pdf.content.startswith(b"%PDF")
    assert re.search(r"sisa|lewat", (await desk.client.get("/desk/")).text) is None  # nothing open here
    async with desk.services.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Letter)) == 1
