"""The fake Telegram Bot API server, driven by the real aiogram 3 client over HTTP."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    Message,
    Update,
)

from tests.fakes import FakeTelegram, WaitTimeout

USER = 4242
GROUP = -1001234567890


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs])


@pytest.fixture
def tg(fake_telegram: FakeTelegram) -> FakeTelegram:
    return fake_telegram


@pytest.fixture
def bot(telegram_bot: Bot) -> Bot:
    return telegram_bot


async def test_get_me(tg: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == bot.id == tg.bot_user["id"]
    assert me.is_bot and me.username == "esurat_test_bot"
    assert [c.method for c in tg.calls] == ["getMe"]


async def test_send_message_with_keyboard_is_recorded_and_editable(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Pilih <b>jenis surat</b>", parse_mode="HTML",
                                  reply_markup=keyboard(("SKTM", "type:sktm"), ("SKU", "type:sku")))
    assert sent.text == "Pilih jenis surat" and sent.chat.id == USER and sent.message_id == 1
    call = tg.calls_of("sendMessage")[0]
    assert call.params["chat_id"] == USER and call.params["text"] == "Pilih <b>jenis surat</b>"
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "SKTM", "callback_data": "type:sktm"}],
                                                               [{"text": "SKU", "callback_data": "type:sku"}]]}
    assert tg.last_markup(USER) == call.params["reply_markup"]

    edited = await bot.edit_message_text("Dipilih: SKTM", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "Dipilih: SKTM"
    assert tg.message(USER, sent.message_id)["text"] == "Dipilih: SKTM"
    assert "reply_markup" not in tg.message(USER, sent.message_id)  # editing text without a markup drops it
    assert tg.messages_to(USER) == ["Pilih jenis surat", "Dipilih: SKTM"]
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Dipilih: SKTM", chat_id=USER, message_id=sent.message_id)
    await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id,
                                        reply_markup=keyboard(("Batal", "cancel")))
    markup = tg.last_markup(USER)
    assert markup is not None
    assert markup["inline_keyboard"][0][0]["callback_data"] == "cancel"
    second = await bot.send_message(USER, "123")  # a numeric text stays a string
    assert second.message_id == 2 and tg.message(USER, 2)["text"] == "123"


async def test_telegram_limits_are_enforced(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="Unsupported start tag"):
        await bot.send_message(USER, "Usaha <CV Maju> & Sons", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "ok", reply_markup=keyboard(("x", "d" * 65)))
    assert tg.messages_to(USER) == [] and [c.status for c in tg.calls] == [400, 400, 400]


async def test_user_text_reaches_dispatcher_handler_via_long_polling(tg: FakeTelegram, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        assert message.from_user is not None
        await message.answer(f"Halo {message.from_user.first_name}", reply_markup=keyboard(("SKTM", "type:sktm")))

    @dp.callback_query(F.data.startswith("type:"))
    async def chosen(query: CallbackQuery) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"Dipilih: {query.data}")

    polling = asyncio.create_task(dp.start_polling(bot, polling_timeout=1, handle_signals=False,
                                                   close_bot_session=False))
    try:
        update = tg.user_sends_text(USER, "/start", first_name="Siti")
        reply = await tg.wait_message(USER, "Halo Siti", timeout=5)
        assert reply["reply_markup"]["inline_keyboard"][0][0]["text"] == "SKTM"
        await tg.wait_confirmed(update, timeout=5)

        press = tg.user_presses_button(USER, USER, "SKTM")
        await tg.wait_message(USER, "Dipilih: type:sktm", timeout=5)
        assert tg.callback_answer(press["callback_query"]["id"]) is not None
        assert tg.messages_to(USER) == ["Halo Siti", "Dipilih: type:sktm"]
        assert set(tg.allowed_updates or []) >= {"message", "callback_query"}
    finally:
        await dp.stop_polling()
        await polling


async def test_user_photo_can_be_downloaded(tg: FakeTelegram, bot: Bot) -> None:
    data = b"\xff\xd8\xff\xe0 fake jpeg bytes"
    update = Update.model_validate(tg.user_sends_photo(USER, data, caption="KTP saya"))
    assert update.message is not None and update.message.photo is not None
    assert update.message.caption == "KTP saya" and len(update.message.photo) == 2
    largest = update.message.photo[-1]
    downloaded = await bot.download(largest.file_id)
    assert downloaded is not None
    assert downloaded.read() == data
    file = await bot.get_file(largest.file_id)
    assert file.file_path is not None
    assert file.file_size == len(data) and file.file_path.endswith(".jpg")

    doc = Update.model_validate(tg.user_sends_document(USER, b"%PDF-1.7", "kk.pdf", "application/pdf"))
    assert doc.message is not None and doc.message.document is not None
    assert doc.message.document.file_name == "kk.pdf"
    downloaded = await bot.download(doc.message.document)
    assert downloaded is not None
    assert downloaded.read() == b"%PDF-1.7"
    with pytest.raises(TelegramBadRequest):
        await bot.get_file("no-such-file")


async def test_send_document_stores_bytes(tg: FakeTelegram, bot: Bot) -> None:
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40
    message = await bot.send_document(USER, BufferedInputFile(pdf, filename="SKTM-001.pdf"), caption="Surat Anda")
    assert message.document is not None
    assert message.document.file_name == "SKTM-001.pdf" and message.document.mime_type == "application/pdf"
    [sent] = tg.sent_documents(USER)
    assert (sent.filename, sent.data, sent.caption) == ("SKTM-001.pdf", pdf, "Surat Anda")
    assert sent.message["message_id"] == message.message_id
    assert list(tg.calls_of("sendDocument")[0].files.values()) == [pdf]

    await bot.send_document(GROUP, message.document.file_id)  # re-sent by file_id
    assert tg.sent_documents(GROUP)[0].data == pdf
    group = await bot.send_media_group(USER, [InputMediaDocument(media=BufferedInputFile(b"a", "a.txt")),
                                              InputMediaDocument(media=BufferedInputFile(b"b", "b.txt"))])
    assert len({m.media_group_id for m in group}) == 1
    assert [f.data for f in tg.sent_documents(USER)] == [pdf, b"a", b"b"]
    photo = await bot.send_photo(USER, BufferedInputFile(b"png", "qr.png"))
    assert photo.photo is not None
    assert tg.sent_photos(USER)[0].data == b"png" and photo.photo[-1].file_id == tg.sent_photos(USER)[0].file_id


async def test_answer_callback_query(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Setujui?", reply_markup=keyboard(("Ya", "yes")))
    update = Update.model_validate(tg.user_presses(USER, USER, sent.message_id, "yes"))
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    assert query.data == "yes" and query.message.text == "Setujui?" and query.from_user.id == USER
    assert tg.callback_answer(query.id) is None
    assert await bot.answer_callback_query(query.id, text="Tercatat")
    answer = tg.callback_answer(query.id)
    assert answer is not None
    assert answer["text"] == "Tercatat"
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)


async def test_group_reply_refers_to_bot_message(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(GROUP, "Permohonan #7 menunggu")
    update = Update.model_validate(tg.user_replies(77, GROUP, sent.message_id, "alasan: KK buram"))
    assert update.message is not None and update.message.reply_to_message is not None
    assert update.message.chat.type == "supergroup"
    assert update.message.reply_to_message.message_id == sent.message_id
    assert update.message.message_id == sent.message_id + 1


async def test_injected_faults(tg: FakeTelegram, bot: Bot) -> None:
    tg.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "halo")
    assert caught.value.retry_after == 3
    assert (await bot.send_message(USER, "halo")).text == "halo"

    tg.fail_next("sendDocument", status=502, times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_document(USER, BufferedInputFile(b"x", "x.pdf"))
    await bot.send_document(USER, BufferedInputFile(b"x", "x.pdf"))

    tg.fail_next("sendMessage", status=403, times=5, chat_id=999)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(999, "diblokir")
    await bot.send_message(USER, "tetap terkirim")
    assert [c.status for c in tg.calls_of("sendMessage")] == [429, 200, 403, 200]
    assert tg.messages_to(USER) == ["halo", "tetap terkirim"] and len(tg.sent_documents(USER)) == 1


async def test_wrong_token_is_refused(tg: FakeTelegram) -> None:
    other = Bot("987654:WrongTokenWrongTokenWrongToken", session=AiohttpSession(api=tg.api_server()))  # plain client
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await other.get_me()
    finally:
        await other.session.close()
    async with aiohttp.ClientSession() as http, http.post(f"{tg.base_url}/bot987654:x/getMe") as resp:
        assert resp.status == 401
        assert await resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert tg.calls == []


async def test_update_offsets_confirm_updates(tg: FakeTelegram, bot: Bot) -> None:
    first = tg.user_sends_text(USER, "satu")
    second = tg.user_sends_text(USER, "dua")
    press = tg.user_presses(USER, USER, 99, "x")  # an inaccessible (unknown) message
    assert second["update_id"] == first["update_id"] + 1
    got = await bot.get_updates(timeout=0)
    assert [u.update_id for u in got] == [first["update_id"], second["update_id"], press["update_id"]]
    assert got[2].callback_query is not None
    assert isinstance(got[2].callback_query.message, InaccessibleMessage)
    got = await bot.get_updates(offset=second["update_id"], timeout=0)
    assert [u.update_id for u in got] == [second["update_id"], press["update_id"]]
    assert first["update_id"] in tg.confirmed_update_ids

    got = await bot.get_updates(offset=press["update_id"] + 1, timeout=0, allowed_updates=["message"])
    assert got == [] and tg.pending_updates == []

    tg.queue_update(second)  # Telegram re-delivers an update with the same id
    got = await bot.get_updates(offset=press["update_id"] + 1, timeout=0)
    assert [u.update_id for u in got] == [second["update_id"]]
    await bot.get_updates(offset=second["update_id"] + 1, timeout=0)
    assert tg.pending_updates == []

    tg.user_presses(USER, USER, 1, "filtered")  # not in allowed_updates=["message"]
    poll = asyncio.create_task(bot.get_updates(offset=press["update_id"] + 1, timeout=5))
    await tg.wait_until(lambda: tg.waiting_polls, timeout=5)
    fresh = tg.user_sends_text(USER, "tiga")
    got = await asyncio.wait_for(poll, 2)  # the long poll returns as soon as an update is queued
    assert got[0].message is not None
    assert [u.update_id for u in got] == [fresh["update_id"]] and got[0].message.text == "tiga"


async def test_commands_webhook_and_fallback(tg: FakeTelegram, bot: Bot) -> None:
    assert await bot.set_my_commands([BotCommand(command="start", description="Mulai")])
    assert tg.my_commands() == [{"command": "start", "description": "Mulai"}]
    assert [c.command for c in await bot.get_my_commands()] == ["start"]

    assert await bot.set_webhook("https://esurat.example/tg", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert tg.webhook is not None
    assert info.url == "https://esurat.example/tg" and tg.webhook["secret_token"] == "s3cret"
    with pytest.raises(TelegramConflictError):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""

    assert await bot.send_chat_action(USER, "typing")
    assert tg.unhandled == ["sendChatAction"]


async def test_rate_accounting_with_injected_clock() -> None:
    now = [0.0]
    async with FakeTelegram(clock=lambda: now[0]) as tg:
        bot = tg.make_bot(default=DefaultBotProperties(parse_mode="HTML"))
        try:
            for t in (0.0, 0.4, 0.9, 1.5, 5.0):
                now[0] = t
                await bot.send_message(USER, f"<i>t={t}</i>")
            await bot.send_message(GROUP, "grup")
        finally:
            await bot.session.close()
        assert tg.messages_to(USER)[0] == "t=0.0"  # default parse_mode reached the fake
        assert tg.send_times(USER) == [0.0, 0.4, 0.9, 1.5, 5.0]
        assert tg.max_rate(USER, 1.0) == 3 and tg.max_rate(USER, 0.5) == 2 and tg.max_rate(GROUP, 1.0) == 1
        assert tg.max_rate(None, 60) == 6


async def test_wait_for_times_out_with_context(tg: FakeTelegram, bot: Bot) -> None:
    await bot.get_me()
    mark = tg.mark()
    assert (await tg.wait_for("getMe")).method == "getMe"
    with pytest.raises(WaitTimeout, match="getMe:200"):
        await tg.wait_for("getMe", timeout=0.05, since=mark)


async def test_stop_ends_an_open_long_poll_at_once() -> None:
    tg = await FakeTelegram().start()
    bot = tg.make_bot()
    try:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await tg.wait_until(lambda: tg.waiting_polls, timeout=5)
        await asyncio.wait_for(tg.stop(), 2)
        assert await asyncio.wait_for(poll, 2) == []
    finally:
        await bot.session.close()


async def test_json_urlencoded_and_query_requests(tg: FakeTelegram) -> None:
    markup = {"inline_keyboard": [[{"text": "Ya", "callback_data": "yes"}]]}
    url = f"{tg.base_url}/bot{tg.token}/sendMessage"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"chat_id": USER, "text": "json", "reply_markup": markup}) as resp:
            assert (await resp.json())["result"]["reply_markup"] == markup
        form = {"chat_id": str(USER), "text": "42", "reply_markup": '{"inline_keyboard": []}'}
        async with http.post(url, data=form) as resp:
            assert (await resp.json())["result"]["text"] == "42"
        async with http.get(f"{tg.base_url}/bot{tg.token}/getMe?x=1") as resp:
            assert (await resp.json())["ok"] is True
    assert [c.params.get("reply_markup") for c in tg.calls_of("sendMessage")] == [markup, {"inline_keyboard": []}]
    assert tg.messages_to(USER) == ["json", "42"]
