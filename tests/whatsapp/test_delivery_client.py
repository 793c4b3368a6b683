"""The WhatsApp Cloud API client against the fake Graph API over loopback."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.whatsapp.client import GraphError, WhatsAppClient
from config.settings import WhatsAppSettings
from tests.fakes.whatsapp_api import FakeWhatsApp

WA_ID = "6281234567890"


async def test_send_returns_the_wamid(fake_whatsapp: FakeWhatsApp, whatsapp_settings: WhatsAppSettings) -> None:
    fake_whatsapp.set_last_inbound(WA_ID, fake_whatsapp.now())
    client = WhatsAppClient(whatsapp_settings)
    try:
        wamid = await client.send(WA_ID, {"type": "text", "text": {"body": "Halo"}})
    finally:
        await client.aclose()
    assert wamid.startswith("wamid.")
    assert fake_whatsapp.messages_to(WA_ID) == ["Halo"]
    assert fake_whatsapp.calls[-1].authorized


async def test_graph_error_carries_code_and_no_number(fake_whatsapp: FakeWhatsApp,
                                                     whatsapp_settings: WhatsAppSettings) -> None:
    fake_whatsapp.fail_next("messages", 131026)
    client = WhatsAppClient(whatsapp_settings)
    try:
        with pytest.raises(GraphError) as caught:
            await client.send(WA_ID, {"type": "text", "text": {"body": "Halo"}})
        with pytest.raises(GraphError) as refused:  # the fake echoes the bad number in its details
            await client.send("62abc", {"type": "text", "text": {"body": "Halo"}})
    finally:
        await client.aclose()
    assert (caught.value.status, caught.value.code) == (400, 131026)
    assert WA_ID not in str(caught.value)
    assert refused.value.code == 100 and "62abc" not in str(refused.value)


async def test_bad_token_is_code_190(fake_whatsapp: FakeWhatsApp, whatsapp_settings: WhatsAppSettings) -> None:
    client = WhatsAppClient(whatsapp_settings.model_copy(update={"token": SecretStr("wrong")}))
    try:
        with pytest.raises(GraphError) as caught:
            await client.send(WA_ID, {"type": "text", "text": {"body": "Halo"}})
    finally:
        await client.aclose()
    assert (caught.value.status, caught.value.code) == (401, 190)


async def test_upload_lookup_and_download(fake_whatsapp: FakeWhatsApp, whatsapp_settings: WhatsAppSettings) -> None:
    pdf = b"%PDF-1.4 test" + b"x" * 5000
    client = WhatsAppClient(whatsapp_settings)
    try:
        media_id = await client.upload_media(pdf, "application/pdf", "surat.pdf")
        info = await client.media_info(media_id)
        assert (info.mime_type, info.file_size) == ("application/pdf", len(pdf))
        assert await client.download(info.url, max_bytes=len(pdf)) == pdf
        assert await client.download(info.url, max_bytes=len(pdf) - 1) is None
        with pytest.raises(GraphError) as missing:
            await client.media_info("999")
    finally:
        await client.aclose()
    assert fake_whatsapp.media[media_id].filename == "surat.pdf"
    assert missing.value.code == 100 and missing.value.subcode == 33
