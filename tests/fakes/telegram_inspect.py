"""Waiting, inspection and fault injection for FakeTelegram (state lives in FakeTelegramState)."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from typing import Any, TypeVar

from tests.fakes.telegram_model import Call, Fault, SentFile, max_in_window
from tests.fakes.telegram_state import FakeTelegramState

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """A wait helper gave up; the message lists what the fake saw."""


class InspectMixin(FakeTelegramState):
    # -- waiting -----------------------------------------------------------------------------------------------

    def _changed(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_until(
        self, condition: Callable[[], T | None], timeout: float = 10.0, what: str = "condition"  # noqa: ASYNC109
    ) -> T:
        """Wait until condition() is truthy (re-checked whenever the fake records a call or queues/confirms an
        update); return its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._event
            value = condition()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(f"{c.method}:{c.status}" for c in self.calls[-15:])
                raise WaitTimeout(f"timed out after {timeout}s waiting for {what}; last calls: [{recent}]")
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                pass

    async def wait_for(
        self, predicate: str | Callable[[Call], bool], timeout: float = 10.0, since: int = 0  # noqa: ASYNC109
    ) -> Call:
        """Wait for a recorded call (from index `since`, see mark()) matching a method name or predicate."""
        match = (lambda c: c.method == predicate) if isinstance(predicate, str) else predicate
        return await self.wait_until(lambda: next((c for c in self.calls[since:] if match(c)), None), timeout,
                                     what=f"call {predicate!r}")

    async def wait_message(
        self, chat_id: int, contains: str = "", timeout: float = 10.0, since: int = 0  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Wait for a successful sendMessage/editMessageText to chat_id whose text contains `contains`; return the
        resulting Message."""
        def match(c: Call) -> bool:
            return (c.ok and c.method in ("sendMessage", "editMessageText") and isinstance(c.result, dict)
                    and c.result["chat"]["id"] == chat_id and contains in c.result.get("text", ""))
        call = await self.wait_until(lambda: next((c for c in self.calls[since:] if match(c)), None), timeout,
                                     what=f"message to {chat_id} containing {contains!r}")
        message: dict[str, Any] = call.result
        return message

    async def wait_confirmed(self, update: dict[str, Any] | int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed an update (a later getUpdates offset passed it)."""
        update_id = update if isinstance(update, int) else update["update_id"]
        await self.wait_until(lambda: update_id in self.confirmed_update_ids, timeout, what=f"update {update_id}")

    def mark(self) -> int:
        """Index of the next call, for wait_for(..., since=tg.mark())."""
        return len(self.calls)

    # -- fault injection ---------------------------------------------------------------------------------------

    def fail_next(self, method: str, status: int = 429, retry_after: int | None = 3, times: int = 1,
                  description: str | None = None, chat_id: int | None = None) -> None:
        """Answer the next `times` calls of `method` (optionally only to chat_id) with an error."""
        self._faults.append(Fault(method.lower(), status, retry_after, times, description, chat_id))

    # -- inspection --------------------------------------------------------------------------------------------

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def messages_to(self, chat_id: int) -> list[str]:
        """Texts (as the user sees them, HTML stripped) of successful sendMessage/editMessageText, in order."""
        return [c.result["text"] for c in self.calls if c.ok and c.method in ("sendMessage", "editMessageText")
                and isinstance(c.result, dict) and c.result["chat"]["id"] == chat_id]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The stored message as it is now (after edits): a Bot API Message dict with text/caption/reply_markup."""
        return copy.deepcopy(self._messages[(chat_id, message_id)])

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [self.message(chat_id, m) for m in self._bot_messages.get(chat_id, []) if (chat_id, m) in self._messages]

    def last_markup(self, chat_id: int) -> dict[str, Any] | None:
        """reply_markup (e.g. {"inline_keyboard": [[{"text", "callback_data"}]]}) of the bot's last message."""
        messages = self.bot_messages(chat_id)
        return messages[-1].get("reply_markup") if messages else None

    def sent_documents(self, chat_id: int) -> list[SentFile]:
        return [f for f in self._sent_files if f.kind == "document" and f.chat_id == chat_id]

    def sent_photos(self, chat_id: int) -> list[SentFile]:
        return [f for f in self._sent_files if f.kind == "photo" and f.chat_id == chat_id]

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """Params of answerCallbackQuery for this query, or None if it was not answered."""
        return self.callback_queries[query_id]["answer"]

    def my_commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        return list(self.commands.get((json.dumps(scope, sort_keys=True), language_code), []))

    def send_times(self, chat_id: int | None) -> list[float]:
        """Clock readings of successful message sends to chat_id (None: all chats)."""
        return list(self._send_times.get(chat_id, []))

    def max_rate(self, chat_id: int | None, window_s: float = 1.0) -> int:
        """Most sends to chat_id (None: all chats) inside any window of window_s seconds."""
        return max_in_window(self._send_times.get(chat_id, []), window_s)
