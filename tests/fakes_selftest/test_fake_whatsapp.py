"""The fake WhatsApp Cloud API server, driven over HTTP with httpx."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fakes.whatsapp_api import FakeWhatsApp, WaitTimeout
from tests.fakes.whatsapp_webhooks import Signing, encode, post_webhook, signature, signed_request, verify_subscription

USER = "6281234567890"
OTHER = "6285712345678"
DAY = 24 * 3600


@pytest.fixture
async def wa() -> AsyncIterator[FakeWhatsApp]:
    async with FakeWhatsApp() as fake:
        yield fake


@pytest.fixture
async def api(wa: FakeWhatsApp) -> AsyncIterator[httpx.AsyncClient]:
    async with wa.make_client() as client:
        yield client


def text(to: str, body: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text",
            "text": {"body": body}}


def buttons(*titles: str, body: str = "Pilih jenis surat") -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": USER, "type": "interactive",
            "interactive": {"type": "button", "body": {"text": body},
                            "action": {"buttons": [{"type": "reply", "reply": {"id": f"b{i}", "title": t}}
                                                   for i, t in enumerate(titles)]}}}


def list_message(*sections: list[str], label: str = "Pilih", section_title: str = "Surat",
                 description: str = "Keterangan") -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": USER, "type": "interactive",
            "interactive": {"type": "list", "header": {"type": "text", "text": "e-surat"},
                            "body": {"text": "Surat apa yang Anda perlukan?"}, "footer": {"text": "Kelurahan"},
                            "action": {"button": label, "sections": [
                                {"title": f"{section_title}{n}"[:100],
                                 "rows": [{"id": f"s{n}r{i}", "title": t, "description": description}
                                          for i, t in enumerate(rows)]}
                                for n, rows in enumerate(sections)]}}}


def template(name: str, language: str = "id", *params: str) -> dict[str, Any]:
    components = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}] if params else []
    return {"messaging_product": "whatsapp", "to": USER, "type": "template",
            "template": {"name": name, "language": {"code": language}, "components": components}}


async def send(api: httpx.AsyncClient, wa: FakeWhatsApp, body: dict[str, Any]) -> httpx.Response:
    return await api.post(f"{wa.phone_number_id}/messages", json=body)


def error_of(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    assert error["type"] == "OAuthException" and error["fbtrace_id"]
    return error


async def test_bearer_token_is_checked_on_every_call(wa: FakeWhatsApp) -> None:
    wa.user_sends_text(USER, "halo")
    async with httpx.AsyncClient(base_url=wa.base_url + "/") as anonymous, wa.make_client("EAAwrong") as wrong:
        for client in (anonymous, wrong):
            response = await send(client, wa, text(USER, "halo"))
            assert response.status_code == 401 and "invalid_token" in response.headers["WWW-Authenticate"]
            assert error_of(response)["code"] == 190
            assert error_of(response)["message"] == "Invalid OAuth access token - Cannot parse access token"
        media = wa.register_media(b"%PDF-1.7", "application/pdf", "kk.pdf")
        assert (await anonymous.get(media.id)).status_code == 401
    assert wa.sent == [] and [c.authorized for c in wa.calls] == [False, False, False]
    assert all("authorization" not in {k.lower() for k in c.headers} for c in wa.calls)
    assert wa.calls[0].body == text(USER, "halo") and wa.calls[0].path == f"/{wa.phone_number_id}/messages"


async def test_text_message_is_accepted_and_recorded(wa: FakeWhatsApp, api: httpx.AsyncClient) -> None:
    wa.user_sends_text(USER, "halo")
    first = await send(api, wa, text("+62 812-3456-7890", "Selamat datang di e-surat"))
    second = await send(api, wa, text(USER, "Ketik 1 untuk SKTM"))
    assert first.status_code == 200
    body = first.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": "+62 812-3456-7890", "wa_id": USER}]
    [accepted] = body["messages"]
    assert accepted["id"].startswith("wamid.") and accepted["id"] != second.json()["messages"][0]["id"]
    assert wa.messages_to(USER) == ["Selamat datang di e-surat", "Ketik 1 untuk SKTM"]
    assert wa.sent[0].wamid == accepted["id"] and wa.calls[0].response == body
    assert wa.calls[0].headers["Content-Type"] == "application/json"
    assert (await wa.wait_message(USER, "SKTM")).wamid == second.json()["messages"][0]["id"]


async def test_interactive_buttons_and_lists_and_the_replies_they_cause(
        wa: FakeWhatsApp, api: httpx.AsyncClient) -> None:
    wa.user_sends_text(USER, "halo")
    sent = await send(api, wa, buttons("SKTM", "SKU", "Domisili"))
    assert sent.status_code == 200
    assert [c.title for c in wa.last_choices(USER)] == ["SKTM", "SKU", "Domisili"]
    payload = wa.user_presses_button(USER, "SKU", name="Siti")
    value = payload["entry"][0]["changes"][0]["value"]
    [message] = value["messages"]
    assert value["contacts"] == [{"profile": {"name": "Siti"}, "wa_id": USER}]
    assert message["type"] == "interactive" and message["from"] == USER
    assert message["interactive"] == {"type": "button_reply", "button_reply": {"id": "b1", "title": "SKU"}}
    assert message["context"] == {"from": wa.business.display_phone_number, "id": sent.json()["messages"][0]["id"]}

    rows = [f"Surat {i}" for i in range(6)]
    assert (await send(api, wa, list_message(rows[:4], rows[4:]))).status_code == 200
    picked = wa.user_picks_row(USER, "Surat 5")["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]
    assert picked == {"type": "list_reply", "list_reply": {"id": "s1r1", "title": "Surat 5",
                                                           "description": "Keterangan"}}
    assert wa.messages_to(USER) == ["Pilih jenis surat", "Surat apa yang Anda perlukan?"]
    with pytest.raises(LookupError, match="Surat 5"):
        wa.user_presses_button(USER, "Tidak ada")


@pytest.mark.parametrize(("body", "code", "details"), [
    (buttons("A", "B", "C", "D"), 131009, "Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3"),
    (buttons("x" * 21), 131009, "Button title length invalid. Min length: 1, Max length: 20"),
    (buttons("Ya", "Ya"), 131009, "unique"),
    (buttons("Ya", body="x" * 1025), 131009, "Body text length invalid. Min length: 1, Max length: 1024"),
    (list_message([f"r{i}" for i in range(6)], [f"q{i}" for i in range(5)]), 131009,
     "Total row count exceed max allowed count: 10"),
    (list_message(["x" * 25]), 131009, "Row title length invalid. Min length: 1, Max length: 24"),
    (list_message(["ok"], description="d" * 73), 131009, "Row description length invalid"),
    (list_message(["ok"], label="l" * 21), 131009, "Button label length invalid. Min length: 1, Max length: 20"),
    (list_message(["a"], ["b"], section_title="s" * 24), 131009, "Section title length invalid"),
    (text(USER, ""), 100, "text['body'] must be at least 1 character"),
    (text(USER, "   "), 100, "text['body'] must be at least 1 character"),
    (text(USER, "x" * 4097), 100, "text['body'] must be at most 4096 characters"),
    ({**text(USER, "hi"), "type": "carousel", "carousel": {}}, 100, "Param type must be one of"),
    ({k: v for k, v in text(USER, "hi").items() if k != "messaging_product"}, 100, "messaging_product"),
    (text("not-a-number", "hi"), 100, "Param to"),
    ({"messaging_product": "whatsapp", "to": USER, "type": "document", "document": {"id": "123"}}, 100,
     "not a valid media id"),
    ({"messaging_product": "whatsapp", "to": USER, "type": "image", "image": {"link": "ftp://x/y.png"}}, 100,
     "not a valid URI"),
])
async def test_what_the_cloud_api_refuses_is_refused(wa: FakeWhatsApp, api: httpx.AsyncClient,
                                                     body: dict[str, Any], code: int, details: str) -> None:
    wa.user_sends_text(USER, "halo")
    response = await send(api, wa, body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == code and error["message"].startswith(f"(#{code}) ")
    assert error["error_data"]["messaging_product"] == "whatsapp" and details in error["error_data"]["details"]
    assert wa.sent == [] and wa.calls[0].error_code == code


async def test_limits_at_the_edge_are_accepted(wa: FakeWhatsApp, api: httpx.AsyncClient) -> None:
    wa.user_sends_text(USER, "halo")
    edge = [list_message([f"Surat {i}" for i in range(10)], label="x" * 20, description="d" * 72),
            list_message(["y" * 24], section_title="s" * 23), buttons("a" * 20, "b", "c", body="x" * 1024),
            text(USER, "x" * 4096)]
    assert [(await send(api, wa, body)).status_code for body in edge] == [200] * 4


async def test_unknown_phone_number_id_and_endpoint(wa: FakeWhatsApp, api: httpx.AsyncClient) -> None:
    response = await api.post("999999/messages", json=text(USER, "hi"))
    assert response.status_code == 400 and error_of(response)["error_subcode"] == 33
    info = (await api.get(wa.phone_number_id)).json()
    assert info["id"] == wa.phone_number_id and wa.calls[-1].endpoint == "phone_number"
    response = await api.post(f"{wa.phone_number_id}/message_templates", json={})
    assert response.status_code == 400 and error_of(response)["code"] == 2500
    assert wa.unhandled == [f"POST /{wa.version}/{wa.phone_number_id}/message_templates"]


async def test_24_hour_window_with_an_injected_clock() -> None:
    now = [1_700_000_000.0]
    async with FakeWhatsApp(clock=lambda: now[0]) as wa, wa.make_client() as api:
        wa.approve_template("surat_disetujui", "id", "Permohonan {{1}} disetujui.")
        refused = await send(api, wa, text(USER, "halo"))  # the user never wrote
        assert refused.status_code == 400
        assert error_of(refused)["code"] == 131047 and error_of(refused)["message"] == "(#131047) Re-engagement message"

        payload = wa.user_sends_text(USER, "halo")
        assert payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] == "1700000000"
        now[0] += DAY - 1
        assert wa.window_open(USER) and (await send(api, wa, text(USER, "masih bisa"))).status_code == 200
        now[0] += 1
        assert not wa.window_open(USER)
        assert error_of(await send(api, wa, text(USER, "terlambat")))["code"] == 131047
        assert error_of(await send(api, wa, buttons("Ya")))["code"] == 131047
        assert (await send(api, wa, template("surat_disetujui", "id", "SKU-7"))).status_code == 200

        wa.set_last_inbound(USER, now[0] - 60)
        assert (await send(api, wa, text(USER, "lagi"))).status_code == 200
        wa.set_last_inbound(USER, None)
        assert not wa.window_open(USER)
        assert wa.messages_to(USER) == ["masih bisa", "lagi"]
        assert [t.text for t in wa.templates_to(USER)] == ["Permohonan SKU-7 disetujui."]


async def test_window_errors_as_failed_statuses() -> None:
    async with FakeWhatsApp(window_errors="status") as wa, wa.make_client() as api:
        response = await send(api, wa, text(USER, "di luar jendela"))
        assert response.status_code == 200  # accepted, then reported failed through a status webhook
        assert wa.messages_to(USER) == [] and [m.text for m in wa.sent_to(USER, delivered=False)] == ["di luar jendela"]
        [payload] = wa.failed_status_payloads()
        [status] = payload["entry"][0]["changes"][0]["value"]["statuses"]
        assert status["id"] == response.json()["messages"][0]["id"] and status["status"] == "failed"
        assert status["recipient_id"] == USER and status["errors"][0]["code"] == 131047
    async with FakeWhatsApp(enforce_window=False) as wa, wa.make_client() as api:
        assert (await send(api, wa, text(USER, "tanpa aturan"))).status_code == 200


async def test_templates_are_checked_against_the_registry(wa: FakeWhatsApp, api: httpx.AsyncClient) -> None:
    wa.approve_template("koreksi_diminta", "id", "Permohonan {{1}} perlu diperbaiki: {{2}}")
    unknown = await send(api, wa, template("tidak_ada", "id"))
    assert unknown.status_code == 404 and error_of(unknown)["code"] == 132001
    assert error_of(await send(api, wa, template("koreksi_diminta", "en_US", "a", "b")))["code"] == 132001
    assert error_of(await send(api, wa, template("koreksi_diminta", "id", "a")))["code"] == 132000
    ok = await send(api, wa, template("koreksi_diminta", "id", "SKTM-3", "foto KK buram"))
    assert ok.status_code == 200 and ok.json()["messages"][0]["message_status"] == "accepted"
    sent = await wa.wait_template(USER, "koreksi_diminta")
    assert (sent.language, sent.params) == ("id", ["SKTM-3", "foto KK buram"])
    assert sent.text == "Permohonan SKTM-3 perlu diperbaiki: foto KK buram"


async def upload(api: httpx.AsyncClient, wa: FakeWhatsApp, data: bytes, mime: str, filename: str,
                 product: str = "whatsapp") -> httpx.Response:
    return await api.post(f"{wa.phone_number_id}/media", files={"file": (filename, data, mime)},
                          data={"messaging_product": product, "type": mime})


async def test_media_upload_lookup_download_and_send() -> None:
    now = [1_700_000_000.0]
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 20
    async with FakeWhatsApp(clock=lambda: now[0]) as wa, wa.make_client() as api:
        wa.user_sends_text(USER, "halo")
        uploaded = await upload(api, wa, pdf, "application/pdf", "SKU-7.pdf")
        assert uploaded.status_code == 200
        media_id = uploaded.json()["id"]
        assert set(uploaded.json()) == {"id"} and media_id.isdigit()
        assert wa.calls[0].files == {"file": pdf} and wa.calls[0].body["type"] == "application/pdf"

        info = (await api.get(media_id)).json()
        assert info == {"messaging_product": "whatsapp", "url": info["url"], "mime_type": "application/pdf",
                        "sha256": hashlib.sha256(pdf).hexdigest(), "file_size": len(pdf), "id": media_id}
        assert info["url"].startswith(f"{wa.root_url}/media-download/")
        downloaded = await api.get(info["url"])
        assert downloaded.content == pdf and downloaded.headers["Content-Type"] == "application/pdf"
        async with httpx.AsyncClient() as anonymous:
            assert (await anonymous.get(info["url"])).status_code == 401

        document = {"messaging_product": "whatsapp", "to": USER, "type": "document",
                    "document": {"id": media_id, "filename": "SKU-7.pdf", "caption": "Surat Anda"}}
        assert (await send(api, wa, document)).status_code == 200
        [sent] = await wa.wait_until(lambda: wa.documents_to(USER))
        assert (sent.filename, sent.caption, sent.data, sent.mime_type) == ("SKU-7.pdf", "Surat Anda", pdf,
                                                                            "application/pdf")
        linked = {"messaging_product": "whatsapp", "to": USER, "type": "image",
                  "image": {"link": "https://esurat.example/qr.png", "caption": "QR"}}
        assert (await send(api, wa, linked)).status_code == 200
        assert wa.images_to(USER)[0].link == "https://esurat.example/qr.png"
        as_image = {"messaging_product": "whatsapp", "to": USER, "type": "image", "image": {"id": media_id}}
        assert error_of(await send(api, wa, as_image))["code"] == 100

        now[0] += 301  # media URLs live 5 minutes
        assert (await api.get(info["url"])).status_code == 404
        assert (await api.get((await api.get(media_id)).json()["url"])).content == pdf
        assert (await api.delete(media_id)).json() == {"success": True}
        assert error_of(await api.get(media_id))["error_subcode"] == 33


async def test_media_upload_refusals() -> None:
    async with FakeWhatsApp(media_limits={"image": 1000}) as wa, wa.make_client() as api:
        too_big = await upload(api, wa, b"\xff\xd8\xff" + b"0" * 1000, "image/jpeg", "kk.jpg")
        assert too_big.status_code == 400 and error_of(too_big)["code"] == 131053
        assert (await upload(api, wa, b"\xff\xd8\xff" + b"0" * 997, "image/jpeg", "kk.jpg")).status_code == 200
        assert "application/zip" in error_of(await upload(api, wa, b"PK", "application/zip", "a.zip"))[
            "error_data"]["details"]
        assert error_of(await upload(api, wa, b"%PDF", "application/pdf", "a.pdf", product="x"))["code"] == 100
        assert wa.media_limits["document"] == 100 * 1024 * 1024


async def test_media_a_user_sends_can_be_downloaded(wa: FakeWhatsApp, api: httpx.AsyncClient) -> None:
    jpeg = b"\xff\xd8\xff\xe0 fake KK photo"
    payload = wa.user_sends_image(USER, jpeg, caption="KK saya")
    [message] = payload["entry"][0]["changes"][0]["value"]["messages"]
    assert message["type"] == "image" and message["image"]["caption"] == "KK saya"
    assert message["image"]["sha256"] == base64.b64encode(hashlib.sha256(jpeg).digest()).decode()
    info = (await api.get(message["image"]["id"])).json()
    assert info["mime_type"] == "image/jpeg" and (await api.get(info["url"])).content == jpeg

    doc = wa.user_sends_document(USER, b"%PDF-1.4 kk", "kk.pdf")
    document = doc["entry"][0]["changes"][0]["value"]["messages"][0]["document"]
    assert set(document) == {"filename", "mime_type", "sha256", "id"} and document["filename"] == "kk.pdf"
    assert (await api.get((await api.get(document["id"])).json()["url"])).content == b"%PDF-1.4 kk"


async def test_webhook_payloads_have_the_cloud_api_shape(wa: FakeWhatsApp, api: httpx.AsyncClient) -> None:
    payload = wa.user_sends_text(USER, "halo", name="Budi")
    assert payload["object"] == "whatsapp_business_account"
    [entry] = payload["entry"]
    assert entry["id"] == wa.business.waba_id
    [change] = entry["changes"]
    assert change["field"] == "messages"
    value = change["value"]
    assert value["messaging_product"] == "whatsapp"
    assert value["metadata"] == {"display_phone_number": wa.business.display_phone_number,
                                 "phone_number_id": wa.phone_number_id}
    [message] = value["messages"]
    assert set(message) == {"from", "id", "timestamp", "type", "text"} and message["text"] == {"body": "halo"}
    kinds = [wa.user_sends_sticker(USER), wa.user_sends_audio(USER), wa.user_sends_location(USER),
             wa.user_sends_unsupported(USER)]
    messages = [p["entry"][0]["changes"][0]["value"]["messages"][0] for p in kinds]
    assert [m["type"] for m in messages] == ["sticker", "audio", "location", "unsupported"]
    assert messages[0]["sticker"]["mime_type"] == "image/webp" and "latitude" in messages[2]["location"]
    assert messages[3]["errors"][0]["code"] == 131051
    ids = [m["id"] for m in [message, *messages]]
    assert len(set(ids)) == len(ids) and all(i.startswith("wamid.") for i in ids)

    response = await send(api, wa, text(USER, "Selamat datang"))
    for status in ("sent", "delivered", "read"):
        [entry_status] = wa.status_payload(response.json()["messages"][0]["id"], status)["entry"][0]["changes"][0][
            "value"]["statuses"]
        assert entry_status["status"] == status and entry_status["recipient_id"] == USER
        assert entry_status["id"] == response.json()["messages"][0]["id"] and entry_status["timestamp"].isdigit()
    failed = wa.status_payload(wa.sent[0], "failed", error_code=131026)["entry"][0]["changes"][0]["value"]
    assert failed["statuses"][0]["errors"][0]["code"] == 131026 and "contacts" not in failed


@pytest.mark.parametrize("signing", ["wrong", "tampered", "malformed", "none"])
def test_broken_signatures_do_not_verify(signing: Signing) -> None:
    payload = {"object": "whatsapp_business_account", "entry": []}
    body, headers = signed_request(payload, "s3cret", signing)
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert not hmac.compare_digest(headers.get("X-Hub-Signature-256", ""), expected)
    assert json.loads(body) == payload


def test_valid_signature_is_hmac_sha256_of_the_raw_body() -> None:
    payload = {"text": {"body": "Kelurahan Menteng / Palangka Raya — surat"}}
    body, headers = signed_request(payload, "s3cret")
    assert b"\\/" in body and b"\\u2014" in body and body == encode(payload)  # Meta's escaping
    assert json.loads(body) == payload
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Hub-Signature-256"], expected) and signature(body, "s3cret") == expected
    assert hmac.compare_digest(headers["X-Hub-Signature"],
                               "sha1=" + hmac.new(b"s3cret", body, hashlib.sha1).hexdigest())


async def test_post_webhook_posts_the_exact_signed_bytes() -> None:
    seen: list[httpx.Request] = []

    def app(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "GET":
            return httpx.Response(200, text=request.url.params["hub.challenge"])
        return httpx.Response(200)

    async with FakeWhatsApp(app_secret="rahasia", webhook_url="http://app.test/webhooks/whatsapp") as wa, \
            httpx.AsyncClient(transport=httpx.MockTransport(app)) as client:
        payload = wa.user_sends_text(USER, "héllo")
        assert (await wa.post_webhook(payload, client=client)).status_code == 200
        await wa.post_webhook(payload, signing="none", client=client)
        await post_webhook("http://app.test/other", encode(payload), "rahasia", signing="wrong", client=client)
        handshake = await verify_subscription("http://app.test/webhooks/whatsapp", "verify-me", "12345",
                                              client=client)
    assert handshake.text == "12345"
    good, unsigned, wrong, verify = seen
    assert good.content == encode(payload) and good.headers["Content-Type"] == "application/json"
    assert good.headers["X-Hub-Signature-256"] == signature(good.content, "rahasia")
    assert "X-Hub-Signature-256" not in unsigned.headers and unsigned.content == good.content
    assert wrong.url.path == "/other" and wrong.headers["X-Hub-Signature-256"] != signature(wrong.content, "rahasia")
    assert dict(verify.url.params) == {"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                       "hub.challenge": "12345"}


async def test_injected_faults(wa: FakeWhatsApp, api: httpx.AsyncClient) -> None:
    wa.user_sends_text(USER, "halo")
    wa.user_sends_text(OTHER, "halo")
    wa.fail_next("messages", code=130429)
    limited = await send(api, wa, text(USER, "satu"))
    assert limited.status_code == 400 and error_of(limited)["message"] == "(#130429) Rate limit hit"
    wa.fail_next("messages", code=131056, status=429, times=2, to=USER)
    assert (await send(api, wa, text(OTHER, "lain"))).status_code == 200  # only the pair is limited
    assert [(await send(api, wa, text(USER, "satu"))).status_code for _ in range(3)] == [429, 429, 200]
    wa.fail_next("messages", code=80007, when=lambda body: body.get("type") == "template")
    assert (await send(api, wa, text(USER, "dua"))).status_code == 200
    wa.fail_next(None, code=131000)
    assert (await api.get("123")).status_code == 500
    assert [c.error_code for c in wa.calls] == [130429, None, 131056, 131056, None, None, 131000]
    assert wa.messages_to(USER) == ["satu", "dua"] and wa.messages_to(OTHER) == ["lain"]

    wa.fail_next("messages", drop="before")
    with pytest.raises(httpx.RemoteProtocolError):
        await send(api, wa, text(USER, "hilang"))
    wa.fail_next("messages", drop="after")
    with pytest.raises(httpx.RemoteProtocolError):
        await send(api, wa, text(USER, "terkirim tanpa jawaban"))
    assert wa.messages_to(USER) == ["satu", "dua", "terkirim tanpa jawaban"]
    assert [c.status for c in wa.calls[-2:]] == [0, 0]

    wa.fail_next("media", code=131053)
    assert error_of(await upload(api, wa, b"%PDF", "application/pdf", "a.pdf"))["code"] == 131053


async def test_waiting_marks_and_read_receipts(wa: FakeWhatsApp, api: httpx.AsyncClient) -> None:
    wa.user_sends_text(USER, "halo")
    await send(api, wa, text(USER, "pertama"))
    mark = wa.mark()
    with pytest.raises(WaitTimeout, match="messages:200"):
        await wa.wait_message(USER, "pertama", timeout=0.05, since=mark)
    read = await send(api, wa, {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.abc"})
    assert read.json() == {"success": True} and wa.read_receipts == ["wamid.abc"]
    assert (await wa.wait_for("messages", since=mark)).body["status"] == "read"
    with pytest.raises(WaitTimeout):
        await wa.wait_document(USER, timeout=0.05)


async def test_rate_accounting_with_an_injected_clock() -> None:
    now = [1_700_000_000.0]
    async with FakeWhatsApp(clock=lambda: now[0]) as wa, wa.make_client() as api:
        wa.user_sends_text(USER, "halo")
        wa.user_sends_text(OTHER, "halo")
        for offset in (0.0, 2.0, 5.0, 12.0):
            now[0] = 1_700_000_000.0 + offset
            await send(api, wa, text(USER, f"t={offset}"))
        await send(api, wa, text(OTHER, "lain"))
        assert wa.send_times(USER) == [1_700_000_000.0 + t for t in (0.0, 2.0, 5.0, 12.0)]
        assert wa.max_rate(USER) == 3 and wa.max_rate(USER, 1.0) == 1 and wa.max_rate(None, 60) == 5
