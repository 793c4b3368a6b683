"""The state of the fake WhatsApp Cloud API server, declared once for every layer that reads or changes it.

The layers build on each other: FakeWhatsAppState <- InspectMixin (waiting, inspection, window, templates,
faults) <- UsersMixin (simulated users and the webhook payloads they cause) <- EndpointsMixin (the Graph API
endpoints) <- FakeWhatsApp (the HTTP server).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Literal

from tests.fakes.whatsapp_model import MEDIA_LIMITS, Call, Fault, Media, SentMessage, Template
from tests.fakes.whatsapp_webhooks import Business

DEFAULT_TOKEN = "EAAFakeWhatsAppTokenForTestsOnly0123456789"
DEFAULT_PHONE_NUMBER_ID = "106540352242922"
DEFAULT_DISPLAY_NUMBER = "15550783881"
DEFAULT_WABA_ID = "102290129340398"
DEFAULT_APP_SECRET = "fake-whatsapp-app-secret"
WindowErrors = Literal["sync", "status"]


class FakeWhatsAppState:
    def __init__(self, token: str = DEFAULT_TOKEN, *, phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
                 display_phone_number: str = DEFAULT_DISPLAY_NUMBER, waba_id: str = DEFAULT_WABA_ID,
                 version: str = "v21.0", app_secret: str = DEFAULT_APP_SECRET, webhook_url: str | None = None,
                 clock: Callable[[], float] = time.time, enforce_window: bool = True,
                 window_errors: WindowErrors = "sync", media_limits: dict[str, int] | None = None) -> None:
        self.token = token
        self.business = Business(phone_number_id, display_phone_number, waba_id)
        self.version = version
        self.app_secret = app_secret
        self.webhook_url = webhook_url  # where post_webhook() posts; the fake never posts on its own
        self.enforce_window = enforce_window
        self.window_errors: WindowErrors = window_errors  # "status": accept, then report 131047 as a failed status
        self.media_limits = {**MEDIA_LIMITS, **(media_limits or {})}
        self.root_url = ""  # http://127.0.0.1:PORT
        self.base_url = ""  # http://127.0.0.1:PORT/v21.0, what WHATSAPP_API_BASE is set to
        self._clock = clock
        self.calls: list[Call] = []
        self.unhandled: list[str] = []  # "METHOD /path" of calls to endpoints the fake does not implement
        self.sent: list[SentMessage] = []  # every accepted message, in order
        self.media: dict[str, Media] = {}
        self.templates: dict[tuple[str, str], Template] = {}
        self.last_inbound: dict[str, float] = {}  # wa_id -> clock reading of the user's last message
        self.profile_names: dict[str, str] = {}
        self.read_receipts: list[str] = []  # wamids the business marked as read
        self._faults: list[Fault] = []
        self._download_tokens: dict[str, tuple[str, float]] = {}  # token -> (media id, expiry)
        self._send_times: dict[str | None, list[float]] = {}
        self._event = asyncio.Event()
        self._closing = False

    @property
    def phone_number_id(self) -> str:
        return self.business.phone_number_id

    def now(self) -> float:
        return self._clock()
