"""The web chat's JSON API and the public pages, in-process (httpx over ASGI), on every database backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.composition import build_services
from bot.web import create_app
from bot.webchat.seed import DEMO_NAMES, DEMO_STAFF_NAME, demo_web_login, seed_demo_staff
from config.settings import Settings, StorageSettings
from db.models import Attachment, Kelurahan, OutboxMessage, Staff, StaffIdentity
from tests.support.webchat import SAMPLE_KTP, Demo, Resident, sktm_script
from verification.seal import seal_from_url

SLUG = "bukit-tunggal"


async def submitted_sktm(demo: Demo, client: httpx.AsyncClient | None = None) -> Resident:
    resident = Resident(client or demo.client)
    await resident.open()
    await resident.run(sktm_script())
    assert "telah diterima" in resident.last["text"], resident.transcript()
    return resident


async def cards(client: httpx.AsyncClient, slug: str = SLUG, after: int = 0) -> dict[str, Any]:
    r = await client.get(f"/demo/api/staff/{slug}/cards", params={"after": after})
    assert r.status_code == 200, r.text
    feed: dict[str, Any] = r.json()
    return feed


async def act(client: httpx.AsyncClient, request_id: int | str, action: str, text: str = "", slug: str = SLUG,
              ) -> httpx.Response:
    return await client.post(f"/demo/api/staff/{slug}/act",
                             json={"request_id": request_id, "action": action, "text": text})


async def test_sktm_through_the_api_approved_issued_and_verified(demo: Demo) -> None:
    resident = await submitted_sktm(demo)
    texts = [m["text"] for m in resident.messages if m["type"] == "text"]
    assert any("Ringkasan permohonan" in t for t in texts)
    summary_prompt = next(m for m in resident.messages if any(c["value"] == "kirim" for c in m["choices"]))
    assert [c["title"] for c in summary_prompt["choices"]] == ["Kirim", "Ubah data", "Batalkan"]

    # The staff pane: the card posted to moderation:bukit-tunggal, with its buttons and the three files.
    board = await cards(demo.client)
    assert board["staff"]["name"] == DEMO_STAFF_NAME and board["staff"]["demo"] is True
    [card] = board["cards"]
    assert card["status"] == "submitted" and card["title"].startswith("Surat Keterangan Tidak Mampu")
    assert [a["label"] for a in card["actions"]] == ["Setujui", "Tolak", "Minta perbaikan"]
    assert ["Nama", "Siti Aminah"] in card["lines"]
    assert len(card["attachments"]) == 3
    image = await demo.client.get(card["attachments"][1]["url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == SAMPLE_KTP
    # Nothing new since: the cursor says so, and no card is sent again.
    again = await cards(demo.client, after=board["cursor"])
    assert again["cards"] is None and again["cursor"] == board["cursor"]

    r = await act(demo.client, card["request_id"], "approve")
    assert r.status_code == 200, r.text
    decided = r.json()["card"]
    assert decided["actions"] == [] and decided["outcome"].startswith("DISETUJUI, surat terbit")
    assert "Nomor surat: 400.12.2.2/001/" in decided["outcome"]
    assert (await cards(demo.client, after=board["cursor"]))["cards"][0]["status"] == "issued"
    refused = await act(demo.client, card["request_id"], "reject", "terlambat")
    assert refused.status_code == 409 and "tidak dapat dilakukan" in refused.json()["error"]

    new = await resident.poll()
    assert any("DISETUJUI" in m.get("text", "") for m in new)
    [doc] = [m for m in new if m["type"] == "document"]
    assert doc["url"] == f"/demo/api/letters/{doc['url'].split('/')[-1]}" and doc["url"].endswith(".pdf")
    assert doc["verify_url"].startswith("http://testserver/v/") and "#" in doc["verify_url"]
    pdf = await demo.client.get(doc["url"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    # Another browser session never gets the letter (nor the resident's messages).
    async with demo.other_client() as other:
        await other.get("/demo")
        assert (await other.get(doc["url"])).status_code == 404
        assert (await other.get("/demo/api/chat/messages")).json()["messages"] == []
    async with demo.other_client() as no_cookie:
        assert (await no_cookie.get(doc["url"])).status_code == 404

    # The QR link: the verification page on the same host says ASLI.
    public_id = doc["verify_url"].split("/v/")[1].split("#")[0]
    check = await demo.client.get(f"/v/{public_id}", params={"s": seal_from_url(doc["verify_url"])},
                                  headers={"Accept": "application/json"})
    assert check.status_code == 200 and check.json()["status"] == "ASLI"

    # The outbox is the delivery log: every row shown is marked sent.
    async with demo.services.sessions() as s:
        pending = await s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.channel == "web", OutboxMessage.status == "pending"))
    assert pending == 0
    assert await resident.poll() == []


async def test_reject_and_revision_reach_the_resident(demo: Demo) -> None:
    resident = await submitted_sktm(demo)
    [card] = (await cards(demo.client))["cards"]
    missing = await act(demo.client, card["request_id"], "revise", "  ")
    assert missing.status_code == 422 and missing.json()["error"].startswith("Tulis catatan perbaikan")

    r = await act(demo.client, card["request_id"], "revise", "Alamat kurang lengkap, mohon perbaiki Alamat")
    assert r.status_code == 200, r.text
    assert r.json()["card"]["outcome"].startswith("MENUNGGU PERBAIKAN WARGA")
    new = await resident.poll()
    assert any("Alamat kurang lengkap" in m.get("text", "") for m in new), resident.transcript()

    # A second request, rejected with a reason.
    other = Resident(demo.other_client())
    await other.open()
    await other.run(sktm_script())
    board = (await cards(demo.client))["cards"]
    newest = board[0]
    assert newest["request_id"] != card["request_id"] and newest["status"] == "submitted"
    r = await act(demo.client, newest["request_id"], "reject", "Bukan warga Bukit Tunggal")
    assert r.status_code == 200, r.text
    assert any("DITOLAK" in m.get("text", "") and "Bukan warga" in m["text"] for m in await other.poll())
    await other.client.aclose()


async def test_bad_input_is_answered_never_a_crash(demo: Demo) -> None:
    resident = Resident(demo.client)
    await resident.open()
    client = demo.client
    for body in ({"text": ""}, {"text": None}, {}, {"text": 12}):
        r = await client.post("/demo/api/chat/message", json=body)
        assert r.status_code == 200, (body, r.text)
    r = await client.post("/demo/api/chat/message", json={"text": "x" * 50_000})
    assert r.status_code == 422 and r.json()["error"].startswith("Pesan terlalu panjang")  # said, not cut
    for raw in (b"not json", b"[1, 2]", b""):
        r = await client.post("/demo/api/chat/message", content=raw, headers={"Content-Type": "application/json"})
        assert r.status_code == 200
    assert (await client.post("/demo/api/chat/choice", json={"value": "ya"})).status_code == 200  # consent
    new = await resident.choice("no-such-choice")
    assert new[-1]["text"].startswith("Maaf")
    assert (await client.post("/demo/api/chat/choice", json={"value": "v" * 10_000})).status_code == 200
    assert (await client.post("/demo/api/chat/choice", json={"value": ["x"]})).status_code == 200

    # Files: not expected at this step, unsupported, oversized, missing.
    answer, new = await resident.upload(SAMPLE_KTP)
    assert answer["ok"] is True and new[-1]["text"].startswith("Maaf")  # asked again
    # Refused files are told by the engine alone (here: no file is asked for yet), never twice.
    answer, new = await resident.upload(b"hello", "notes.txt", "text/plain")
    assert answer == {"ok": False} and [m["text"][:4] for m in new] == ["Maaf"]
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (demo.settings.storage.upload_max_bytes + 10)
    answer, new = await resident.upload(big, "besar.png", expect=200)
    assert answer == {"ok": False} and [m["text"][:4] for m in new] == ["Maaf"]
    huge = big + b"\0" * (1024 * 1024)
    answer, new = await resident.upload(huge, "raksasa.png", expect=413)
    assert answer == {"ok": False} and [m["text"][:4] for m in new] == ["Maaf"]
    r = await client.post("/demo/api/chat/upload", data={"x": "1"})
    assert r.status_code == 400 and r.json()["error"]
    r = await client.post("/demo/api/chat/upload", content=b"garbage", headers={"Content-Type": "multipart/form-data"})
    assert r.status_code == 400
    async with demo.services.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Attachment)) == 1  # only the real image

    # Staff side: another site's page cannot act (no CORS, Origin checked).
    r = await client.post(f"/demo/api/staff/{SLUG}/act", json={"request_id": 1, "action": "approve"},
                          headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = await client.post(f"/demo/api/staff/{SLUG}/act", content=b'{"request_id": 1, "action": "approve"}',
                          headers={"Content-Type": "text/plain"})
    assert r.status_code == 400
    assert (await act(client, 1, "explode")).status_code == 400
    assert (await act(client, "abc", "approve")).status_code == 400
    r = await act(client, 999, "approve")
    assert r.status_code == 409 and "tidak ditemukan" in r.json()["error"]
    assert (await client.get("/demo/api/staff/atlantis/cards")).status_code == 404
    assert (await client.get(f"/demo/api/staff/{SLUG}/attachments/1")).status_code == 404  # not on a request
    assert (await client.get("/demo/api/letters/1.pdf")).status_code == 404
    assert (await client.get("/demo/api/letters/../../esurat.sqlite3")).status_code == 404
    assert (await client.get("/demo/api/chat/messages", params={"after": "x"})).status_code == 422


async def test_staff_of_one_kelurahan_cannot_act_on_another(demo: Demo) -> None:
    await submitted_sktm(demo)
    [card] = (await cards(demo.client))["cards"]
    assert (await cards(demo.client, "menteng"))["cards"] == []
    r = await act(demo.client, card["request_id"], "approve", slug="menteng")
    assert r.status_code == 409 and "tidak terdaftar" in r.json()["error"]
    att = card["attachments"][0]["id"]
    assert (await demo.client.get(f"/demo/api/staff/menteng/attachments/{att}")).status_code == 404


async def test_demo_staff_seed_is_idempotent(demo: Demo) -> None:
    assert await seed_demo_staff(demo.services.sessions) == 0  # the fixture seeded already
    async with demo.services.sessions() as s:
        rows = list(await s.scalars(select(Staff).where(Staff.demo.is_(True))))
        logins = {staff_id: (login, slug) for staff_id, login, slug in (await s.execute(
            select(StaffIdentity.staff_id, StaffIdentity.external_id, Kelurahan.slug)
            .join(Staff, Staff.id == StaffIdentity.staff_id).join(Kelurahan, Kelurahan.id == Staff.kelurahan_id)
            .where(StaffIdentity.channel == "web")
        ))}  # staff id -> (web login, kelurahan slug)
    assert len(rows) == 60 and len({(r.kelurahan_id, r.role) for r in rows}) == 60  # an operator and a Lurah each
    assert all(r.name == DEMO_NAMES[r.role] and logins[r.id][0] == demo_web_login(logins[r.id][1], r.role)
               and r.active for r in rows)


async def test_public_pages(demo: Demo) -> None:
    home = await demo.client.get("/")
    assert home.status_code == 200 and 'lang="id"' in home.text
    assert "Cara menghubungi layanan" in home.text and 'href="/demo"' in home.text and "data contoh" in home.text
    csp = home.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "http" not in csp

    layanan = await demo.client.get("/layanan")
    assert layanan.status_code == 200
    for t in demo.services.catalogue:
        assert f'id="{t.code}"' in layanan.text and t.title.replace("(", "").split()[0] in layanan.text
        for item in [*t.requirements, *t.procedure]:
            assert item.replace("'", "&#39;").replace('"', "&#34;") in layanan.text, item
        assert f"{t.sla_days} hari kerja" in layanan.text
    assert "Gratis" in layanan.text and "Perlu datang ke kantor kelurahan" in layanan.text

    page = await demo.client.get("/demo")
    assert page.status_code == 200 and "Petugas Demo (data contoh)" in page.text
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    for html in (home.text, layanan.text, page.text):
        assert "https://" not in html and "//cdn" not in html  # nothing from the internet
    css = await demo.client.get("/static/esurat.css")
    js = await demo.client.get("/demo/static/demo.js")
    png = await demo.client.get("/demo/static/ktp-contoh.png")
    assert css.status_code == js.status_code == png.status_code == 200 and png.content == SAMPLE_KTP


async def test_demo_chat_is_only_served_in_demo_mode(demo: Demo) -> None:
    demo.services.settings.demo = False
    for path in ("/demo", "/demo/api/chat/messages", f"/demo/api/staff/{SLUG}/cards", "/demo/static/demo.js"):
        assert (await demo.client.get(path)).status_code == 404
    assert (await demo.client.post("/demo/api/chat/message", json={"text": "halo"})).status_code == 404
    home = await demo.client.get("/")
    assert home.status_code == 200 and 'href="/demo"' not in home.text


async def test_without_demo_mode_no_demo_path_exists(tmp_path: Path, db_url: str) -> None:
    """Outside `esurat demo` the web chat channel is not built: nothing under /demo, its static files included."""
    services = build_services(Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data",
                                                                               database_url=db_url)))
    try:
        assert "web" not in services.channels
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for path in ("/demo", "/demo/static/demo.js", "/demo/static/ktp-contoh.png", "/demo/api/chat/messages",
                         f"/demo/api/staff/{SLUG}/cards", "/demo/api/letters/1.pdf"):
                assert (await client.get(path)).status_code == 404, path
            assert (await client.post("/demo/api/chat/message", json={"text": "halo"})).status_code == 404
    finally:
        await services.aclose()


async def test_the_staff_pane_shows_dependants_labelled_files_and_what_a_correction_changed(demo: Demo) -> None:
    resident = await submitted_sktm(demo)
    [card] = (await cards(demo.client))["cards"]
    [group] = card["groups"]
    assert group["label"] == "Tanggungan" and group["columns"][:2] == ["Nama", "NIK"]
    assert group["rows"][0][:2] == ["Budi Santoso", "6271031203120002"]
    assert "Budi Santoso" in card["text"] and "6271031203120002" in card["text"]
    assert [(a["label"], a["change"]) for a in card["attachments"]] == [
        ("Surat Pengantar RT/RW", ""), ("KTP", ""), ("Kartu Keluarga", "")]
    assert card["submitted"].startswith("Diajukan: ") and card["submitted"].endswith(" WIB")

    r = await act(demo.client, card["request_id"], "revise", "Alamat kurang lengkap")
    assert r.status_code == 200, r.text
    await resident.poll()
    await resident.text("Jl. G. Obos XII No. 5A")
    assert any(c["value"] == "kirim" for c in resident.last["choices"]), resident.transcript()  # no file asked
    await resident.choice("kirim")
    [card] = (await cards(demo.client))["cards"]
    assert card["changes"] == ["Alamat: Jl. G. Obos XII No. 5 → Jl. G. Obos XII No. 5A"]
    assert [(a["label"], a["change"]) for a in card["attachments"]] == [
        ("Surat Pengantar RT/RW", "tidak berubah"), ("KTP", "tidak berubah"), ("Kartu Keluarga", "tidak berubah")]
