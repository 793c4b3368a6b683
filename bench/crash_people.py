"""Simulated residents and a staff member for the crash and platform-fault runs. They see only what
reaches the fake Bot API; a resident reads its stored conversation state to pick the next answer (as
tests/support does), so a lost or doubled message never derails it. A reply that does not come within
`LOST_AFTER` seconds is counted, and the person does what a person would: asks again.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import flows
from bench.crash_support import CrashFake, CrashObserver, Triggers
from tests.support.flows import next_answer
from tests.support.telegram import GROUP, STAFF_ID

LATE_AFTER = 15.0  # seconds: a reply later than this is "late"
LOST_AFTER = 45.0  # seconds: no reply by then: the update is counted unanswered and the person asks again
REVISE_NOTE = "Alamat kurang lengkap, mohon tulis jalan dan nomor rumah"
REJECT_REASON = "Surat pengantar RT tidak terbaca"
PROMPT_MARK = "dengan membalas pesan ini"


@dataclass
class PeopleLog:
    updates: int = 0
    late: int = 0
    unanswered: list[str] = field(default_factory=list)  # "<chat>:<update_id>:<what>"
    reply_s: list[float] = field(default_factory=list)
    submitted: set[int] = field(default_factory=set)  # residents who pressed "kirim"
    decisions: dict[str, str] = field(default_factory=dict)  # request code -> staff action (last)
    actions: Counter[str] = field(default_factory=Counter)
    press_ids: list[str] = field(default_factory=list)  # callback query ids of staff presses


@dataclass
class People:
    tg: CrashFake
    observer: CrashObserver
    catalogue: flows.Catalogue
    triggers: Triggers
    photo: bytes
    lost_after: float = LOST_AFTER
    think: tuple[float, float] = (0.0, 0.0)  # seconds a resident takes before each answer (random in this range)
    log: PeopleLog = field(default_factory=PeopleLog)


class CrashResident:
    """One resident asking for an SKTM until it is issued or rejected (answering corrections)."""

    def __init__(self, people: People, user_id: int, dependants: int, *, start_after: float = 0.0,
                 rng: random.Random | None = None) -> None:
        self.p, self.chat, self.dependants = people, user_id, dependants
        self.start_after, self.rng = start_after, rng or random.Random(user_id)
        self.done = False

    async def _after(self, update: dict[str, Any], before: int, what: str) -> None:
        """Wait for the reply to an update, then until every message it caused has been sent."""
        tg, log, t0 = self.p.tg, self.p.log, time.monotonic()
        log.updates += 1
        if not await tg.sends_reach(self.chat, before + 1, LATE_AFTER):
            log.late += 1
            if not await tg.sends_reach(self.chat, before + 1, self.p.lost_after - LATE_AFTER):
                log.unanswered.append(f"{self.chat}:{update['update_id']}:{what}")
                return
        log.reply_s.append(time.monotonic() - t0)
        for _ in range(int(self.p.lost_after / 0.1)):
            if not await self.p.observer.chat_pending(self.chat):
                return
            await asyncio.sleep(0.1)

    async def text(self, text: str) -> None:
        before = self.p.tg.sends(self.chat)
        self.p.triggers.fire("mid-conversation")
        await self._after(self.p.tg.user_sends_text(self.chat, text), before, f"text {text[:12]!r}")

    async def photo(self) -> None:
        before = self.p.tg.sends(self.chat)
        self.p.triggers.fire("mid-conversation")
        await self._after(self.p.tg.user_sends_photo(self.chat, self.p.photo), before, "photo")

    async def press(self, value: str) -> None:
        data = f"c:{value}"
        message_id = self.p.tg.button_message(self.chat, data)
        if message_id is None:  # the question with this button never arrived: type the answer
            await self.text(value)
            return
        before = self.p.tg.sends(self.chat)
        self.p.triggers.fire("mid-conversation")
        update = self.p.tg.user_presses(self.chat, self.chat, message_id, data)
        await self._after(update, before, f"press {value}")

    async def act(self, state: flows.ConversationState) -> None:
        """One answer to whatever the conversation asks now."""
        step = state.step.value
        simple = {"idle": ("text", "/start"), "consent": ("press", "ya"), "kecamatan": ("text", "bukit tunggal"),
                  "kelurahan": ("press", "bukit-tunggal"), "letter": ("press", "sktm"),
                  "requirements": ("press", "lanjut"), "resume": ("press", "ya"), "confirm_cancel": ("press", "tidak"),
                  "fix_pick": ("text", "/start")}
        if step in simple:
            action, value = simple[step]
        else:
            added = sum(len(rows) for rows in state.draft.groups.values())
            action, value = next_answer(self.p.catalogue, state, added, self.dependants)
        if action == "summary":
            self.p.log.submitted.add(self.chat)
            await self.press("kirim")
        elif action == "file":
            await self.photo()
        elif action in ("press", "more"):
            await self.press(value)
        else:
            await self.text(value)

    async def run(self) -> None:
        await asyncio.sleep(self.start_after)
        while True:
            request = await self.p.observer.request_of(self.chat)
            status = request[1] if request else None
            if status in ("issued", "rejected"):
                self.done = True
                return
            _, state = await self.p.observer.chat(self.chat)
            waiting = status in ("submitted", "approved") or (status == "needs_revision" and state.step.value == "idle")
            if waiting:  # the staff's turn (a correction re-opens the conversation first)
                await asyncio.sleep(0.5)
                continue
            if self.p.think[1]:
                await asyncio.sleep(self.rng.uniform(*self.p.think))
            await self.act(state)


class CrashStaff:
    """A staff member deciding every open card in the group: approve, reject (with a reason) or ask for a
    correction (at most once per request); presses again when a card stays open for `repress` seconds."""

    def __init__(self, people: People, rng: random.Random, repress: float = 25.0) -> None:
        self.p, self.rng, self.repress = people, rng, repress
        self._pressed: dict[str, float] = {}
        self._revised: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def _choose(self, code: str) -> str:
        if code in self.p.log.decisions and self.p.log.decisions[code] != "revise":
            return self.p.log.decisions[code]  # pressing again: the same decision
        weights = {"approve": 0.6, "reject": 0.2, "revise": 0.0 if code in self._revised else 0.2}
        return self.rng.choices(list(weights), list(weights.values()))[0]

    async def _reply_to_prompt(self, code: str, action: str, after: int) -> None:
        tg = self.p.tg
        for _ in range(int(self.p.lost_after / 0.2)):
            prompts = [m for m in tg.bot_messages(GROUP) if m["message_id"] > after
                       and PROMPT_MARK in (m.get("text") or "") and code in m["text"]]
            if prompts:
                text = REVISE_NOTE if action == "revise" else REJECT_REASON
                tg.user_replies(STAFF_ID, GROUP, prompts[-1]["message_id"], text)
                return
            await asyncio.sleep(0.2)

    def press(self, card: dict[str, Any], action: str) -> None:
        code = card["text"].split("\n", 1)[0].removeprefix("Permohonan ").strip()
        buttons = [b for row in (card.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        data = next((b["callback_data"] for b in buttons if b["callback_data"].startswith(f"m:{action}:")), None)
        if data is None:
            return
        self._pressed[code] = time.monotonic()
        self.p.log.decisions[code] = action
        self.p.log.actions[action] += 1
        if action == "revise":
            self._revised.add(code)
        if action == "approve":
            self.p.triggers.fire("mid-approval")
        last = max((m["message_id"] for m in self.p.tg.bot_messages(GROUP)), default=0)
        update = self.p.tg.user_presses(STAFF_ID, GROUP, card["message_id"], data, first_name="Petugas")
        self.p.log.press_ids.append(update["callback_query"]["id"])
        if action in ("reject", "revise"):
            task = asyncio.create_task(self._reply_to_prompt(code, action, last))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            now = time.monotonic()
            for card in self.p.tg.group_cards(GROUP):
                code = card["text"].split("\n", 1)[0].removeprefix("Permohonan ").strip()
                if not (card.get("reply_markup") or {}).get("inline_keyboard"):
                    self._pressed.pop(code, None)  # decided (a resubmitted correction opens it again)
                    continue
                if now - self._pressed.get(code, -1e9) < self.repress:
                    continue
                self.press(card, self._choose(code))
            await asyncio.sleep(0.3)
        for task in list(self._tasks):
            task.cancel()
