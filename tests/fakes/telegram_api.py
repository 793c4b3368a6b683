"""A fake Telegram Bot API server on a loopback port, for driving the real aiogram client end to end.

    async with FakeTelegram() as tg:
        bot = tg.make_bot()                      # aiogram Bot whose session targets tg.base_url
        tg.user_sends_text(42, "/start")         # queued; delivered by getUpdates (long polling)
        ...                                      # run the Dispatcher / the code under test
        call = await tg.wait_for("sendMessage")  # no fixed sleeps
        assert tg.messages_to(42) == ["Selamat datang"]
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from typing import Any, Self

from aiohttp import web

from tests.fakes.telegram_faults import FaultKind, FaultsMixin
from tests.fakes.telegram_inspect import WaitTimeout
from tests.fakes.telegram_methods import MethodsMixin
from tests.fakes.telegram_model import COUNTED_SENDS, ApiError, Call, SentFile, Upload, decode_params, decode_value

__all__ = ["Call", "FakeTelegram", "SentFile", "WaitTimeout"]

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklm"


class FakeTelegram(MethodsMixin, FaultsMixin):
    def __init__(self, token: str = DEFAULT_TOKEN, *, bot_name: str = "e-surat Test",
                 bot_username: str = "esurat_test_bot", clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(token, bot_name=bot_name, bot_username=bot_username, clock=clock)
        self._runner: web.AppRunner | None = None
        self._init_faults()
        self._handlers = {name[2:].lower(): getattr(self, name) for name in dir(self) if name.startswith("m_")}

    # -- server ------------------------------------------------------------------------------------------------

    async def start(self) -> Self:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._closing = True
        self._changed()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def api_server(self) -> Any:
        """aiogram's TelegramAPIServer for this fake."""
        from aiogram.client.telegram import TelegramAPIServer

        return TelegramAPIServer.from_base(self.base_url)

    def make_bot(self, token: str | None = None, **kwargs: Any) -> Any:
        """A real aiogram Bot talking to this fake (close it with `await bot.session.close()`)."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession

        class LoopbackSession(AiohttpSession):
            async def close(self) -> None:  # AiohttpSession.close sleeps 250 ms for TLS teardown; none here
                if self._session is not None and not self._session.closed:
                    await self._session.close()

        return Bot(token or self.token, session=LoopbackSession(api=self.api_server()), **kwargs)

    @staticmethod
    def _error(status: int, description: str) -> web.Response:
        return web.json_response({"ok": False, "error_code": status, "description": description}, status=status)

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
        raw: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.content_type == "application/json":
            body = await request.json()
            raw.update({key: decode_value(key, value) if isinstance(value, str) else value
                        for key, value in body.items()})
            return raw, uploads
        if request.body_exists:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = Upload(key, value.filename, value.file.read(), value.content_type)
                else:
                    raw[key] = value
        return decode_params(raw), uploads

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        at = self._clock()
        params, uploads = await self._read_params(request)
        name = request.match_info["method"]
        handler = self._handlers.get(name.lower())
        method = handler.__name__[2:] if handler else name
        await self._observe(method, params)
        planned = self._plan_fault(method, params, at)  # random platform faults (telegram_faults)
        if planned is not None and planned.kind is FaultKind.DROP_BEFORE:
            return self._drop(request)
        status = 200
        result: Any = True
        try:
            fault = next((f for f in self._faults if f.matches(method, params)), None)
            if fault is not None:
                fault.remaining -= 1
                raise fault.error()
            if (planned_error := self._planned_error(planned)) is not None:
                raise planned_error
            if handler is None:
                self.unhandled.append(method)
            else:
                result = await handler(params, uploads)
            payload: dict[str, Any] = {"ok": True, "result": result}
        except ApiError as error:
            status, result, payload = error.status, None, error.payload()
        call = Call(method, params, {k: u.data for k, u in uploads.items()}, at, status, copy.deepcopy(result),
                    {k: u.filename for k, u in uploads.items()})
        self.calls.append(call)
        if call.ok and (method in COUNTED_SENDS or (handler is None and method.startswith("send")
                                                     and method != "sendChatAction")):
            chat_id = params.get("chat_id")
            self._send_times.setdefault(chat_id, []).append(at)
            self._send_times.setdefault(None, []).append(at)
        self._changed()
        response = web.json_response(payload, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))
        return await self._answer_or_lose(request, planned, call, response)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return self._error(404, "Not Found")
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")
