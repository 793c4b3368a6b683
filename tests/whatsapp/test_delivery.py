"""WhatsApp delivery of outbox messages, with the real client, against the fake Graph API over loopback:
buttons, lists, numbered text, documents, templates outside the 24-hour window, and the error codes."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import PermanentFailure, RetryLater
from bot.whatsapp.client import WhatsAppClient
from bot.whatsapp.delivery import WhatsAppDelivery
from bot.whatsapp.templates import TEMPLATES
from config.settings import WhatsAppSettings
from db.models import InboundUpdate, OutboxMessage
from db.outbound import DocumentOut, ModerationCardOut, Notice, Outbound, TextOut, dump_outbound
from flows.effects import Choice
from tests.fakes.whatsapp_api import FakeWhatsApp
from tests.support.lifecycle import FixedClock

Sessions = async_sessionmaker[AsyncSession]
WA_ID = "6281234567890"
PDF = b"%PDF-1.4\n% surat keterangan usaha\n" + b"0" * 2048 + b"\n%%EOF\n"
_ids = itertools.count(1)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
async def delivery(fake_whatsapp: FakeWhatsApp, whatsapp_settings: WhatsAppSettings, sessions: Sessions,
                   clock: FixedClock, tmp_path: Path) -> AsyncIterator[WhatsAppDelivery]:
    for spec in TEMPLATES.values():
        fake_whatsapp.approve_template(spec.name(whatsapp_settings), whatsapp_settings.template_language, spec.body)
    (tmp_path / "2026").mkdir()
    (tmp_path / "2026" / "sku-1.pdf").write_bytes(PDF)
    client = WhatsAppClient(whatsapp_settings)
    yield WhatsAppDelivery(client, sessions, whatsapp_settings, tmp_path, clock)
    await client.aclose()


async def wrote(sessions: Sessions, clock: FixedClock, fake: FakeWhatsApp, wa_id: str = WA_ID,
                ago: timedelta = timedelta(minutes=5)) -> None:
    """The resident wrote `ago` (an inbox row, and the fake's window when it is still open)."""
    async with sessions.begin() as session:
        session.add(InboundUpdate(channel="whatsapp", update_id=f"wamid.in{next(_ids)}", chat_key=wa_id,
                                  payload={}, received_at=clock() - ago, next_attempt_at=clock()))
    fake.set_last_inbound(wa_id, fake.now() - ago.total_seconds() if ago < timedelta(hours=24) else None)


def row_for(message: Outbound, clock: FixedClock, wa_id: str = WA_ID) -> OutboxMessage:
    return OutboxMessage(id=next(_ids), channel="whatsapp", chat_id=wa_id, payload=dump_outbound(message),
                         status="pending", attempts=0, next_attempt_at=clock(), created_at=clock())


async def send(delivery: WhatsAppDelivery, message: Outbound, clock: FixedClock) -> dict[str, Any] | None:
    return await delivery(row_for(message, clock), message)


def choices(n: int) -> list[Choice]:
    return [Choice(value=f"v{i}", title=f"Pilihan {i}") for i in range(1, n + 1)]


def numbered(text: str, options: list[Choice]) -> str:
    return text + "\n" + "\n".join(f"{i}. {c.title}" for i, c in enumerate(options, 1))


async def test_text(delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp, sessions: Sessions,
                    clock: FixedClock) -> None:
    await wrote(sessions, clock, fake_whatsapp)
    result = await send(delivery, TextOut(text="Selamat datang di e-surat."), clock)
    assert fake_whatsapp.messages_to(WA_ID) == ["Selamat datang di e-surat."]
    assert result == {"message_id": fake_whatsapp.sent[-1].wamid}


async def test_long_text_goes_in_pieces(delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp,
                                        sessions: Sessions, clock: FixedClock) -> None:
    await wrote(sessions, clock, fake_whatsapp)
    text = "\n".join(f"Baris {i}: " + "x" * 90 for i in range(60))  # about 6000 characters
    await send(delivery, TextOut(text=text), clock)
    pieces = fake_whatsapp.messages_to(WA_ID)
    assert len(pieces) == 2 and all(len(p) <= 4096 for p in pieces)
    assert "\n".join(pieces) == text


@pytest.mark.parametrize(("count", "style", "kind"), [
    (1, "buttons", "button"), (3, "buttons", "button"), (2, "list", "list"), (4, "buttons", "list"),
    (10, "buttons", "list"),
])
async def test_choices_as_buttons_or_list(delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp,
                                          sessions: Sessions, clock: FixedClock, count: int, style: str,
                                          kind: str) -> None:
    await wrote(sessions, clock, fake_whatsapp)
    options = choices(count)
    text = numbered("Pilih jenis surat:", options)
    await send(delivery, TextOut(text=text, choices=options, style="list" if style == "list" else "buttons"), clock)
    sent = fake_whatsapp.last_message(WA_ID)
    assert sent is not None and sent.interactive_type == kind and sent.text == text
    assert [(c.id, c.title) for c in sent.choices] == [(c.value, c.title) for c in options]
    if kind == "list":
        assert sent.content["action"]["button"] == "Pilih"


async def test_eleven_choices_go_as_numbered_text(delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp,
                                                  sessions: Sessions, clock: FixedClock) -> None:
    await wrote(sessions, clock, fake_whatsapp)
    options = choices(11)
    text = numbered("Pilih jenis surat:", options)
    await send(delivery, TextOut(text=text, choices=options), clock)
    sent = fake_whatsapp.last_message(WA_ID)
    assert sent is not None and sent.type == "text" and sent.text == text
    assert "11. Pilihan 11" in sent.text


async def test_what_the_cloud_api_would_refuse_falls_back(delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp,
                                                          sessions: Sessions, clock: FixedClock) -> None:
    await wrote(sessions, clock, fake_whatsapp)
    twins = [Choice(value="a", title="Sama"), Choice(value="b", title="Sama")]  # buttons need unique titles
    await send(delivery, TextOut(text="Pilih:\n1. Sama\n2. Sama", choices=twins), clock)
    long_body = numbered("Keterangan " + "panjang " * 200, choices(4))  # over 1024: no interactive message
    await send(delivery, TextOut(text=long_body, choices=choices(4)), clock)
    kinds = [(m.type, m.interactive_type) for m in fake_whatsapp.sent_to(WA_ID)]
    assert kinds == [("interactive", "list"), ("text", None)]
    assert all(c.ok for c in fake_whatsapp.calls_of("messages"))


async def test_document_is_uploaded_then_sent(delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp,
                                              sessions: Sessions, clock: FixedClock) -> None:
    await wrote(sessions, clock, fake_whatsapp)
    message = DocumentOut(letter_id=1, path="2026/sku-1.pdf", filename="SKU-BT-2026-00017.pdf",
                          caption="Surat Keterangan Usaha Anda telah terbit.")
    result = await send(delivery, message, clock)
    [upload] = fake_whatsapp.calls_of("media")
    assert upload.body["type"] == "application/pdf" and upload.files["file"] == PDF
    [document] = fake_whatsapp.documents_to(WA_ID)
    assert (document.filename, document.caption, document.data) == (message.filename, message.caption, PDF)
    assert document.media_id == upload.response["id"]
    assert result == {"message_id": document.message.wamid}


NOTICE = Notice(event="approve", code="BT-2026-00017", title="Surat Keterangan Usaha", number="470/17/BT/2026")


@pytest.mark.parametrize("last", [None, timedelta(hours=25)])
async def test_outside_the_window_the_notice_goes_as_its_template(
        delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp, whatsapp_settings: WhatsAppSettings,
        sessions: Sessions, clock: FixedClock, last: timedelta | None) -> None:
    if last is not None:
        await wrote(sessions, clock, fake_whatsapp, ago=last)
    text = "Permohonan Surat Keterangan Usaha nomor permohonan BT-2026-00017 DISETUJUI."
    result = await send(delivery, TextOut(text=text, notice=NOTICE), clock)
    [template] = fake_whatsapp.templates_to(WA_ID)
    assert template.name == whatsapp_settings.template_approved == "esurat_disetujui"
    assert template.language == "id"
    assert template.params == ["BT-2026-00017", "Surat Keterangan Usaha", "470/17/BT/2026"]
    assert "DISETUJUI" in template.text and "470/17/BT/2026" in template.text
    assert result == {"message_id": template.message.wamid, "template": "esurat_disetujui"}
    assert [c.ok for c in fake_whatsapp.calls_of("messages")] == [True]  # no free-form attempt was refused


@pytest.mark.parametrize("last", [None, timedelta(hours=25)])
async def test_an_optional_message_outside_the_window_is_dropped_not_sent_as_a_template(
        delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp, sessions: Sessions, clock: FixedClock,
        last: timedelta | None) -> None:
    if last is not None:
        await wrote(sessions, clock, fake_whatsapp, ago=last)
    survey = TextOut(text="Bantu kami meningkatkan layanan: ...", choices=choices(3), optional=True)
    assert await send(delivery, survey, clock) == {"skipped": "outside the 24-hour window"}
    assert fake_whatsapp.calls_of("messages") == [] and fake_whatsapp.templates_to(WA_ID) == []
    await wrote(sessions, clock, fake_whatsapp)  # inside the window it goes as usual, free
    result = await send(delivery, survey, clock)
    assert result is not None and "message_id" in result and fake_whatsapp.templates_to(WA_ID) == []


async def test_template_parameters_are_one_short_line(delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp,
                                                      sessions: Sessions, clock: FixedClock) -> None:
    reason = "Foto KK tidak terbaca.\n\tMohon     kirim ulang " + "dengan jelas " * 100
    notice = Notice(event="reject", code="BT-2026-00018", title="Surat Keterangan Usaha", detail=reason)
    await send(delivery, TextOut(text="Mohon maaf, permohonan ... DITOLAK.", notice=notice), clock)
    await send(delivery, TextOut(text="Pertanyaan\nberikutnya:\n1. Ya\n2. Tidak", choices=choices(2)), clock)
    rejected, update = fake_whatsapp.templates_to(WA_ID)
    assert rejected.name == "esurat_ditolak" and update.name == "esurat_pembaruan"
    detail = rejected.params[2]
    assert detail.startswith("Foto KK tidak terbaca. Mohon kirim ulang") and len(detail) <= 600
    assert update.params == ["Pertanyaan berikutnya: 1. Ya 2. Tidak"]
    for param in rejected.params + update.params:
        assert "\n" not in param and "\t" not in param and "     " not in param
    assert all(len(t.text) <= 1024 for t in (rejected, update))


async def test_issued_letter_outside_the_window_is_a_template_with_the_pdf(
        delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp, sessions: Sessions, clock: FixedClock) -> None:
    notice = NOTICE.model_copy(update={"event": "issue"})
    message = DocumentOut(letter_id=1, path="2026/sku-1.pdf", filename="SKU-BT-2026-00017.pdf",
                          caption="Surat Anda telah terbit.", notice=notice)
    result = await send(delivery, message, clock)
    [upload] = fake_whatsapp.calls_of("media")
    [template] = fake_whatsapp.templates_to(WA_ID)
    assert template.name == "esurat_terbit" and result is not None and result["template"] == "esurat_terbit"
    header = next(c for c in template.components if c["type"] == "header")
    assert header["parameters"] == [{"type": "document", "document": {"id": upload.response["id"],
                                                                      "filename": "SKU-BT-2026-00017.pdf"}}]
    assert fake_whatsapp.media[upload.response["id"]].data == PDF


async def test_re_engagement_refusal_sends_the_template(delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp,
                                                        sessions: Sessions, clock: FixedClock) -> None:
    await wrote(sessions, clock, fake_whatsapp)  # the inbox says open ...
    fake_whatsapp.set_last_inbound(WA_ID, None)  # ... but WhatsApp says closed: 131047
    result = await send(delivery, TextOut(text="Permohonan ... DISETUJUI.", notice=NOTICE), clock)
    assert [c.error_code for c in fake_whatsapp.calls_of("messages")] == [131047, None]
    [template] = fake_whatsapp.templates_to(WA_ID)
    assert result == {"message_id": template.message.wamid, "template": "esurat_disetujui"}


@pytest.mark.parametrize("code", [130429, 131056, 80007, 4])
async def test_rate_limit_retries_later_without_spending_an_attempt(
        delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp, sessions: Sessions, clock: FixedClock,
        code: int) -> None:
    await wrote(sessions, clock, fake_whatsapp)
    fake_whatsapp.fail_next("messages", code)
    message = TextOut(text="Halo")
    with pytest.raises(RetryLater) as first:
        await send(delivery, message, clock)
    assert first.value.count_attempt is False and first.value.seconds > 0
    fake_whatsapp.fail_next("messages", code)
    with pytest.raises(RetryLater) as second:
        await send(delivery, message, clock)
    assert second.value.seconds > first.value.seconds  # backoff
    await send(delivery, message, clock)
    assert fake_whatsapp.messages_to(WA_ID) == ["Halo"]  # sent exactly once


@pytest.mark.parametrize(("code", "status"), [(131026, None), (131051, None), (100, None), (190, None),
                                              (10, None), (200, 403), (131030, 400)])
async def test_refusals_fail_permanently_without_the_number(
        delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp, sessions: Sessions, clock: FixedClock,
        code: int, status: int | None) -> None:
    await wrote(sessions, clock, fake_whatsapp)
    fake_whatsapp.fail_next("messages", code, status=status)
    with pytest.raises(PermanentFailure) as failure:
        await send(delivery, TextOut(text="Halo"), clock)
    assert WA_ID not in str(failure.value) and "62812****7890" in str(failure.value)


async def test_server_errors_propagate_for_a_retry(delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp,
                                                   sessions: Sessions, clock: FixedClock) -> None:
    await wrote(sessions, clock, fake_whatsapp)
    fake_whatsapp.fail_next("messages", 131000)
    with pytest.raises(Exception) as error:
        await send(delivery, TextOut(text="Halo"), clock)
    assert not isinstance(error.value, PermanentFailure | RetryLater)
    await send(delivery, TextOut(text="Halo"), clock)
    assert fake_whatsapp.messages_to(WA_ID) == ["Halo"]


async def test_moderation_is_not_served(delivery: WhatsAppDelivery, fake_whatsapp: FakeWhatsApp,
                                        clock: FixedClock) -> None:
    with pytest.raises(PermanentFailure, match="moderasi"):
        await send(delivery, ModerationCardOut(request_id=1, post_id=1), clock)
    assert fake_whatsapp.calls == []
