"""The simulated residents of bench/bench_telegram_load.py, on the fake Bot API of the bench process, posting
their updates to the service's webhook(s) as Telegram does. Each step: post the update, wait for the first bot
message to the resident's chat (every step of the flow gets one; its latency is the step's), then (e-surat)
read how many messages the service wrote for the chat and its conversation state, in one read, and wait until
all of them reached the fake. In paced mode a resident answers `pace` seconds after the bot's last reply."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

import flows
from bench.telegram_load_support import LoadFake, Observer
from tests.support.flows import answer_until_summary
from tests.support.replicas import post_update

TELEGRAM_MAX_CONNECTIONS = 40  # setWebhook's default: Telegram posts at most this many updates at once


@dataclass
class Timings:
    """Latency (update posted -> first bot message to that chat reached the fake) of each step, by kind."""

    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: {"text": [], "press": [], "photo": []})
    update_ids: list[int] = field(default_factory=list)

    @property
    def updates(self) -> int:
        return len(self.update_ids)

    def all(self) -> list[float]:
        return [x for v in self.latencies_ms.values() for x in v]


class Webhooks:
    """Telegram's side of webhook mode: a resident's updates always go to the same replica (residents
    alternate between them), at most TELEGRAM_MAX_CONNECTIONS requests at once to each."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Webhooks:
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=TELEGRAM_MAX_CONNECTIONS)
        self.http = aiohttp.ClientSession(connector=connector)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.http is not None:
            await self.http.close()

    async def post(self, update: dict[str, Any], resident: int) -> None:
        assert self.http is not None
        if (status := await post_update(self.http, self.urls[resident % len(self.urls)], update)) != 200:
            raise RuntimeError(f"the webhook answered {status} to update {update['update_id']}")


class Finished(Exception):  # noqa: N818 - not an error: the resident's time is up
    """The run's time is up: the resident stops before its next step."""


class LoadResident:
    """One resident: steps timed into `timings`, `pace` seconds of thought before each but the first; no step
    begins after time.monotonic() passes `until` (then `Finished` is raised)."""

    def __init__(self, tg: LoadFake, hooks: Webhooks, index: int, user_id: int, timings: Timings,
                 pace: float = 0.0, until: float | None = None) -> None:
        self.tg, self.hooks, self.index, self.user_id = tg, hooks, index, user_id
        self.timings, self.pace, self.until = timings, pace, until
        self.steps = 0

    async def _step(self, kind: str, make: Callable[[], dict[str, Any]]) -> None:
        if self.steps and self.pace:
            await asyncio.sleep(self.pace)
        if self.until is not None and time.monotonic() >= self.until:
            raise Finished
        self.steps += 1
        tg, chat = self.tg, self.user_id
        before = tg.sends(chat)  # every earlier reply arrived: sends after this one are caused by this update
        update = make()
        t0 = time.monotonic()
        self.timings.update_ids.append(update["update_id"])
        await self.hooks.post(update, self.index)
        await tg.sent_at_least(chat, before + 1)
        self.timings.latencies_ms[kind].append((tg.send_time(chat, before) - t0) * 1000)
        await self.settle()

    async def settle(self) -> None:
        """Wait for the rest of the step's replies (none here: an echo bot answers once)."""

    async def text(self, text: str) -> None:
        await self._step("text", lambda: self.tg.user_sends_text(self.user_id, text))


class EchoResident(LoadResident):
    async def chat(self, messages: int) -> None:
        for n in range(messages):
            await self.text(f"pesan {n + 1}")


class SktmResident(LoadResident):
    """Completes an SKTM request, answering each question from the stored state (as tests/telegram's
    Resident does): /start, consent, kelurahan, letter, fields, dependants, a photo per attachment, kirim."""

    def __init__(self, *args: Any, observer: Observer, catalogue: flows.Catalogue, photo: bytes,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.observer, self.catalogue, self.photo_bytes = observer, catalogue, photo
        self.state = flows.ConversationState()

    async def settle(self) -> None:
        rows, self.state = await self.observer.chat(self.user_id)
        await self.tg.sent_at_least(self.user_id, rows)

    async def photo(self) -> None:
        await self._step("photo", lambda: self.tg.user_sends_photo(self.user_id, self.photo_bytes))

    async def press(self, value: str) -> None:
        data = f"c:{value}"
        message_id = self.tg.button_message(self.user_id, data)
        if message_id is None:
            raise AssertionError(f"resident {self.user_id}: no button {value!r}; "
                                 f"last messages: {self.tg.messages_to(self.user_id)[-2:]}")
        await self._step("press", lambda: self.tg.user_presses(self.user_id, self.user_id, message_id, data))

    async def request_sktm(self, dependants: int) -> None:
        await self.text("/start")
        await self.press("ya")  # consent
        await self.text("bukit tunggal")
        await self.press("sktm")
        await self.press("lanjut")

        async def state() -> flows.ConversationState:
            return self.state

        await answer_until_summary(self, self.catalogue, state, dependants)
        await self.press("kirim")


async def spread(runs: list[Callable[[], Awaitable[None]]], over: float) -> list[BaseException | None]:
    """Start the runs evenly over `over` seconds; each one's exception, or None."""

    async def later(i: int, run: Callable[[], Awaitable[None]]) -> None:
        await asyncio.sleep(over * i / max(len(runs), 1))
        await run()

    outcomes = await asyncio.gather(*(later(i, r) for i, r in enumerate(runs)), return_exceptions=True)
    return [o if isinstance(o, BaseException) else None for o in outcomes]
