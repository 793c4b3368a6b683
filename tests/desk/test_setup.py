"""The desk's setup page (issue #13): the Lurah or Sekretaris edits the own kelurahan's letterhead with the
CLI's rules (bad input: 400, nothing saved), uploads the coat of arms (a real PNG only), and sees a specimen
letter; an operator, another kelurahan's Lurah and a missing CSRF token are refused; the admin picks any."""

from __future__ import annotations

import io
import random

import httpx
import pypdfium2 as pdfium
from PIL import Image

from db.models import Kelurahan
from tests.desk.conftest import CSRF_RE, Desk, login
from tests.support.letters import pdf_text
from tests.support.lifecycle import kelurahan

GOOD = {"name": "Bukit Tunggal", "address": "Jl. Tjilik Riwut Km 5 No. 12", "phone": "(0536) 322111",
        "email": "bukit-tunggal@palangkaraya.go.id", "postal_code": "73112", "signatory_name": "Drs. Budi Santoso",
        "signatory_title": "Lurah", "signatory_rank": "Penata Tk. I (III/d)", "signatory_nip": "198503152010011003",
        "numbering_pattern": "{kode}/{seq:03d}/{unit}/{month_roman}/{year}", "unit_code": "BT"}


async def csrf(client: httpx.AsyncClient, path: str = "/desk/pengaturan") -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF_RE.search(page.text)
    assert found
    return found.group(1)


def png(width: int = 220, height: int = 260, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


async def test_the_lurah_saves_the_letterhead_and_the_specimen_shows_it(desk: Desk) -> None:
    await desk.staff(name="Budi", login="budi", role="lurah")
    await login(desk.client, "budi")
    home = await desk.client.get("/desk/")
    assert 'href="/desk/pengaturan"' in home.text
    token = await csrf(desk.client)
    saved = await desk.client.post("/desk/pengaturan", data={**GOOD, "csrf": token})
    assert saved.status_code == 200 and "Pengaturan disimpan." in saved.text
    kel = await kelurahan(desk.services.sessions, "bukit-tunggal")
    assert (kel.address, kel.signatory_nip, kel.postal_code) == (GOOD["address"], GOOD["signatory_nip"], "73112")
    assert not kel.placeholder
    pdf = await desk.client.get("/desk/pengaturan/contoh.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Jl. Tjilik Riwut Km 5 No. 12" in text and "Drs. Budi Santoso" in text
    assert "NIP. 198503152010011003" in text and "Kode Pos 73112" in text and "CONTOH" in text


async def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(desk: Desk) -> None:
    await desk.staff(name="Sari", login="sari", role="sekretaris")
    await login(desk.client, "sari")
    token = await csrf(desk.client)
    before = await kelurahan(desk.services.sessions, "bukit-tunggal")
    bad = {**GOOD, "csrf": token, "signatory_nip": "12345", "email": "bukan-surel", "postal_code": "7311"}
    page = await desk.client.post("/desk/pengaturan", data=bad)
    assert page.status_code == 400
    assert "NIP harus 18 digit angka." in page.text and "Alamat surel tidak valid" in page.text
    assert "Kode pos harus 5 digit angka." in page.text and 'value="bukan-surel"' in page.text
    after = await kelurahan(desk.services.sessions, "bukit-tunggal")
    assert (after.address, after.email, after.signatory_nip) == (before.address, before.email, before.signatory_nip)
    assert (await desk.client.post("/desk/pengaturan", data={**GOOD, "csrf": "salah"})).status_code == 403
    assert (await desk.client.post("/desk/pengaturan", data=GOOD)).status_code == 403
    assert (await kelurahan(desk.services.sessions, "bukit-tunggal")).address == before.address


async def test_who_may_set_up_which_kelurahan(desk: Desk) -> None:
    await desk.staff()  # an operator
    await login(desk.client, "rina")
    refused = await desk.client.get("/desk/pengaturan")
    assert refused.status_code == 403 and "hanya dapat dibuka oleh Lurah" in refused.text
    assert 'href="/desk/pengaturan"' not in (await desk.client.get("/desk/")).text
    assert (await desk.client.get("/desk/pengaturan/contoh.pdf")).status_code == 403
    await desk.staff("menteng", name="Lurah M", login="lurahm", role="lurah")
    async with desk.other_client() as other:
        await login(other, "lurahm")
        token = await csrf(other)
        theirs = await other.post("/desk/pengaturan?kelurahan=bukit-tunggal", data={**GOOD, "csrf": token})
        assert theirs.status_code == 403
        assert (await other.get("/desk/pengaturan?kelurahan=bukit-tunggal")).status_code == 403
    assert (await kelurahan(desk.services.sessions, "bukit-tunggal")).signatory_nip != GOOD["signatory_nip"]
    await desk.admin()
    async with desk.other_client() as admin:
        await login(admin, "kota")
        choose = await admin.get("/desk/pengaturan")
        assert choose.status_code == 200 and "/desk/pengaturan?kelurahan=bukit-tunggal" in choose.text
        token = await csrf(admin, "/desk/pengaturan?kelurahan=bukit-tunggal")
        done = await admin.post("/desk/pengaturan?kelurahan=bukit-tunggal", data={**GOOD, "csrf": token})
        assert done.status_code == 200 and "Pengaturan disimpan." in done.text
        assert (await admin.get("/desk/pengaturan?kelurahan=atlantis")).status_code == 404
    assert (await kelurahan(desk.services.sessions, "bukit-tunggal")).signatory_nip == GOOD["signatory_nip"]
    assert (await kelurahan(desk.services.sessions, "menteng")).signatory_nip != GOOD["signatory_nip"]


def noise(side: int) -> bytes:
    """A PNG that does not compress: more than `side`² · 3 bytes."""
    buf = io.BytesIO()
    Image.frombytes("RGB", (side, side), random.Random(side).randbytes(side * side * 3)).save(buf, "PNG")
    return buf.getvalue()


async def test_the_coat_of_arms_is_a_real_png_drawn_in_the_specimen(desk: Desk) -> None:
    await desk.staff(name="Budi", login="budi", role="lurah")
    await login(desk.client, "budi")
    token = await csrf(desk.client)
    jpeg = await desk.client.post("/desk/pengaturan/lambang", data={"csrf": token},
                                  files={"logo": ("lambang.png", png(fmt="JPEG"), "image/png")})
    assert jpeg.status_code == 400 and "harus berformat PNG" in jpeg.text
    for side, status in ((450, 400), (700, 413)):  # above 512 KB: refused by the page; above 1 MB: by any route
        big = await desk.client.post("/desk/pengaturan/lambang", data={"csrf": token},
                                     files={"logo": ("lambang.png", noise(side), "image/png")})
        assert big.status_code == status and "terlalu besar" in big.text
    assert (await kelurahan(desk.services.sessions, "bukit-tunggal")).logo_file == ""
    forged = await desk.client.post("/desk/pengaturan/lambang", data={"csrf": "salah"},
                                    files={"logo": ("lambang.png", png(), "image/png")})
    assert forged.status_code == 403
    ok = await desk.client.post("/desk/pengaturan/lambang", data={"csrf": token},
                                files={"logo": ("lambang.png", png(), "image/png")})
    assert ok.status_code == 200 and "Lambang disimpan." in ok.text
    kel: Kelurahan = await kelurahan(desk.services.sessions, "bukit-tunggal")
    stored = desk.services.settings.storage.data_dir / "logos" / kel.logo_file
    assert stored.read_bytes() == png()
    pdf = (await desk.client.get("/desk/pengaturan/contoh.pdf")).content
    page = pdfium.PdfDocument(pdf)[0]
    images = [o for o in page.get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    assert len(images) == 1
    _, _, right, top = images[0].get_bounds()
    assert right < page.get_size()[0] / 3 and top > page.get_size()[1] * 0.85


async def test_a_specimen_of_unsaved_values_saves_nothing(desk: Desk) -> None:
    await desk.staff(name="Budi", login="budi", role="lurah")
    await login(desk.client, "budi")
    token = await csrf(desk.client)
    before = await kelurahan(desk.services.sessions, "bukit-tunggal")
    preview = await desk.client.post("/desk/pengaturan/contoh.pdf", data={**GOOD, "csrf": token})
    assert preview.status_code == 200 and "Jl. Tjilik Riwut Km 5 No. 12" in pdf_text(preview.content)
    assert (await kelurahan(desk.services.sessions, "bukit-tunggal")).address == before.address
    bad = await desk.client.post("/desk/pengaturan/contoh.pdf", data={**GOOD, "csrf": token, "postal_code": "x"})
    assert bad.status_code == 400 and "Kode pos harus 5 digit angka." in bad.text
    assert (await desk.client.post("/desk/pengaturan/contoh.pdf", data=GOOD)).status_code == 403
