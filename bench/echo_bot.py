"""A minimal aiogram 3 bot in webhook mode that answers every text with the same text (sendMessage): the scale
against which bench/bench_telegram_load.py puts e-surat's updates per second. Run as its own process:

    python bench/echo_bot.py --port P --api-base http://127.0.0.1:Q --token T --secret S

It registers its webhook (https://echo.example/webhook) with the Bot API at --api-base, serves POST /webhook
(the secret token checked, the update handled after the answer, as aiogram's SimpleRequestHandler does by
default) and GET /healthz; on uvloop, as uvicorn runs e-surat.
"""

from __future__ import annotations

import argparse
import asyncio

import uvloop
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

PUBLIC_URL = "https://echo.example/webhook"


def make_app(bot: Bot, secret: str) -> web.Application:
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    async def on_startup(bot: Bot) -> None:
        await bot.set_webhook(PUBLIC_URL, secret_token=secret)

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    dp.startup.register(on_startup)
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path="/webhook")
    app.router.add_get("/healthz", healthz)
    setup_application(app, dp, bot=bot)
    return app


async def serve(port: int, api_base: str, token: str, secret: str) -> None:
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    runner = web.AppRunner(make_app(bot, secret), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    uvloop.run(serve(args.port, args.api_base, args.token, args.secret))


if __name__ == "__main__":
    main()
