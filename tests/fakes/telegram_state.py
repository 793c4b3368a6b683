"""The state of the fake Telegram Bot API server, declared once for every layer that reads or changes it.

The layers build on each other: FakeTelegramState <- InspectMixin (waiting, inspection, faults) <- UsersMixin
(simulated users, update queue) <- MethodsMixin (Bot API method handlers) <- FakeTelegram (the HTTP server).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from tests.fakes.telegram_model import Call, CallbackRecord, Fault, QueuedUpdate, SentFile, StoredFile


class FakeTelegramState:
    def __init__(self, token: str, *, bot_name: str, bot_username: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {"id": int(token.split(":", 1)[0]), "is_bot": True,
                                         "first_name": bot_name, "username": bot_username}
        self.base_url = ""
        self._clock = clock
        self.calls: list[Call] = []
        self.unhandled: list[str] = []
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.callback_queries: dict[str, CallbackRecord] = {}
        self.confirmed_update_ids: set[int] = set()
        self.deleted_messages: list[tuple[int, int]] = []
        self.allowed_updates: list[str] | None = None
        self.webhook: dict[str, Any] | None = None
        # False: the simulated users' updates are only made and returned, for the test to post to a webhook
        # itself (tests/support/replicas.post_update), not queued for getUpdates.
        self.queue_updates = True
        self.waiting_polls = 0  # getUpdates requests currently long-polling
        self._files_by_path: dict[str, StoredFile] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._bot_messages: dict[int, list[int]] = {}
        self._next_message_id: dict[int, int] = {}
        self._sent_files: list[SentFile] = []
        self._send_times: dict[int | None, list[float]] = {}
        self._faults: list[Fault] = []
        self._updates: list[QueuedUpdate] = []
        self._queued_ids: set[int] = set()
        self._last_update_id = 100_000
        self._file_counter = self._callback_counter = self._media_group_counter = 0
        self._event = asyncio.Event()
        self._closing = False
