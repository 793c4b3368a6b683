"""A per-chat hang for the fake Telegram Bot API: calls of one method to one chat get no answer until
released (a hung sendMessage), while every other chat is answered as usual.

    hung = hang(tg, "sendMessage", chat_id=5001)
    ...                      # the bot's sends to 5001 wait; await tg.wait_until(lambda: hung.waiting)
    hung.release()           # the waiting calls are answered (if their client still waits)
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_model import Upload


class Hang:
    def __init__(self) -> None:
        self.released = asyncio.Event()
        self.waiting = 0  # calls held right now
        self.held = 0  # calls held in all

    def release(self) -> None:
        self.released.set()


def hang(tg: FakeTelegram, method: str, chat_id: int) -> Hang:
    """Hold every call of `method` to `chat_id` until `release()`."""
    state = Hang()
    key = method.lower()
    original = tg._handlers[key]  # noqa: SLF001 - the fake's method table, wrapped in place

    @functools.wraps(original)  # keeps the handler's name, which the fake records calls under
    async def held(params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        if params.get("chat_id") == chat_id and not state.released.is_set():
            state.waiting += 1
            state.held += 1
            tg._changed()  # noqa: SLF001
            try:
                await state.released.wait()
            finally:
                state.waiting -= 1
        return await original(params, uploads)

    tg._handlers[key] = held  # noqa: SLF001
    return state
