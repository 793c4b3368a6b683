"""Waiting, inspection, the 24-hour window, approved templates and fault injection for FakeWhatsApp."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from tests.fakes.whatsapp_checks import check_template
from tests.fakes.whatsapp_errors import GraphError
from tests.fakes.whatsapp_model import (
    WINDOW_S,
    Call,
    Choice,
    Drop,
    Fault,
    SentDocument,
    SentMessage,
    SentTemplate,
    Template,
    normalize_number,
)
from tests.fakes.whatsapp_state import FakeWhatsAppState

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """A wait helper gave up; the message lists what the fake saw."""


class InspectMixin(FakeWhatsAppState):
    # -- waiting -----------------------------------------------------------------------------------------------

    def _changed(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_until(
        self, condition: Callable[[], T | None], timeout: float = 10.0, what: str = "condition"  # noqa: ASYNC109
    ) -> T:
        """Wait until condition() is truthy (re-checked whenever the fake records a call); return its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._event
            value = condition()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(f"{c.endpoint}:{c.status}" + (f"/{c.error_code}" if c.error_code else "")
                                   for c in self.calls[-15:])
                raise WaitTimeout(f"timed out after {timeout}s waiting for {what}; last calls: [{recent}]")
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                pass

    async def wait_for(
        self, predicate: str | Callable[[Call], bool], timeout: float = 10.0, since: int = 0  # noqa: ASYNC109
    ) -> Call:
        """Wait for a recorded call (from index `since`, see mark()) to an endpoint ("messages", "media",
        "media_url", "media_delete", "download", "phone_number", "unknown") or matching a predicate."""
        match = (lambda c: c.endpoint == predicate) if isinstance(predicate, str) else predicate
        return await self.wait_until(lambda: next((c for c in self.calls[since:] if match(c)), None), timeout,
                                     what=f"call {predicate!r}")

    async def wait_message(
        self, wa_id: str, contains: str = "", timeout: float = 10.0, since: int = 0  # noqa: ASYNC109
    ) -> SentMessage:
        """Wait for a delivered message of any type to wa_id whose text contains `contains`."""
        return await self.wait_until(
            lambda: next((m for m in self.sent_to(wa_id) if m.call_index >= since and contains in m.text), None),
            timeout, what=f"message to {wa_id} containing {contains!r}")

    async def wait_document(self, wa_id: str, timeout: float = 10.0, since: int = 0) -> SentDocument:  # noqa: ASYNC109
        return await self.wait_until(
            lambda: next((d for d in self.documents_to(wa_id) if d.message.call_index >= since), None),
            timeout, what=f"document to {wa_id}")

    async def wait_template(self, wa_id: str, name: str | None = None, timeout: float = 10.0,  # noqa: ASYNC109
                            since: int = 0) -> SentTemplate:
        return await self.wait_until(
            lambda: next((t for t in self.templates_to(wa_id) if t.message.call_index >= since
                          and name in (None, t.name)), None), timeout, what=f"template {name or ''} to {wa_id}")

    def mark(self) -> int:
        """Index of the next call, for wait_*(..., since=wa.mark())."""
        return len(self.calls)

    # -- fault injection ---------------------------------------------------------------------------------------

    def fail_next(self, endpoint: str | None = "messages", code: int = 130429, *, times: int = 1,
                  status: int | None = None, details: str | None = None, to: str | None = None,
                  when: Callable[[dict[str, Any]], bool] | None = None, drop: Drop | None = None) -> Fault:
        """Answer the next `times` calls to `endpoint` (None: any; optionally only messages `to` a number or whose
        JSON body satisfies `when`) with the Graph error `code` (its HTTP status from the error table unless
        `status` is given), or, with `drop`, close the connection without an answer: "before" the call is
        processed, or "after" it was (the message is sent; the client never learns it)."""
        fault = Fault(endpoint, times, None if drop else GraphError(code, details, status=status), drop, to, when)
        self._faults.append(fault)
        return fault

    # -- templates and the customer-service window -------------------------------------------------------------

    def approve_template(self, name: str, language: str = "id", body: str = "") -> Template:
        """Register an approved template; its body may hold positional parameters {{1}}, {{2}} ..."""
        template = Template(name, language, body)
        self.templates[(name, language)] = template
        return template

    def set_last_inbound(self, wa_id: str, when: float | None) -> None:
        """Set (None: forget) when the user last wrote, in clock readings (epoch seconds by default)."""
        wa_id = normalize_number(wa_id)
        if when is None:
            self.last_inbound.pop(wa_id, None)
        else:
            self.last_inbound[wa_id] = when

    def window_open(self, wa_id: str) -> bool:
        """Whether free-form messages to wa_id are allowed now (the user wrote less than 24 hours ago)."""
        last = self.last_inbound.get(normalize_number(wa_id))
        return last is not None and self.now() - last < WINDOW_S

    # -- inspection --------------------------------------------------------------------------------------------

    def calls_of(self, endpoint: str) -> list[Call]:
        return [c for c in self.calls if c.endpoint == endpoint]

    def sent_to(self, wa_id: str, *, delivered: bool = True) -> list[SentMessage]:
        """Messages of every type the fake accepted for wa_id and delivered (or, delivered=False, reported as
        failed through a status)."""
        wa_id = normalize_number(wa_id)
        return [m for m in self.sent if m.to == wa_id and m.delivered == delivered]

    def messages_to(self, wa_id: str) -> list[str]:
        """Texts of delivered text and interactive messages (the interactive body), in order."""
        return [m.text for m in self.sent_to(wa_id) if m.type in ("text", "interactive")]

    def last_message(self, wa_id: str) -> SentMessage | None:
        sent = self.sent_to(wa_id)
        return sent[-1] if sent else None

    def last_choices(self, wa_id: str) -> list[Choice]:
        """Reply buttons or list rows of the last interactive message delivered to wa_id."""
        interactive = [m for m in self.sent_to(wa_id) if m.type == "interactive"]
        return interactive[-1].choices if interactive else []

    def _files_to(self, wa_id: str, kind: str) -> list[SentDocument]:
        files = []
        for m in self.sent_to(wa_id):
            if m.type == kind:
                media = m.media
                files.append(SentDocument(filename=m.content.get("filename") or (media.filename if media else None),
                                          caption=m.content.get("caption"), data=media.data if media else None,
                                          mime_type=media.mime_type if media else None,
                                          media_id=m.content.get("id"), link=m.content.get("link"), message=m))
        return files

    def documents_to(self, wa_id: str) -> list[SentDocument]:
        return self._files_to(wa_id, "document")

    def images_to(self, wa_id: str) -> list[SentDocument]:
        return self._files_to(wa_id, "image")

    def templates_to(self, wa_id: str) -> list[SentTemplate]:
        templates = []
        for m in self.sent_to(wa_id):
            if m.type == "template":
                name, language, params, components = check_template(m.content)
                templates.append(SentTemplate(name, language, params, components, m.text, m))
        return templates

    def send_times(self, wa_id: str | None) -> list[float]:
        """Clock readings of accepted messages to wa_id (None: to anyone)."""
        return list(self._send_times.get(normalize_number(wa_id) if wa_id else None, []))

    def max_rate(self, wa_id: str | None, window_s: float = 6.0) -> int:
        """Most messages to wa_id (None: anyone) inside any window of window_s seconds (the pair rate limit is
        about one message per 6 seconds)."""
        times, best, start = sorted(self.send_times(wa_id)), 0, 0
        for end, t in enumerate(times):
            while times[start] <= t - window_s:
                start += 1
            best = max(best, end - start + 1)
        return best
