"""A small httpx client of the WhatsApp Cloud API (Graph API).

The base URL is `settings.api_base`, which includes the version path (`https://graph.facebook.com/v21.0`, or a
fake server's `http://127.0.0.1:PORT/v21.0` in tests). Errors are raised as `GraphError` with the Graph API's
code and subcode; their text never carries the recipient's phone number (only the error's title).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bot.untrusted import read_bounded
from config.settings import WhatsAppSettings


class GraphError(Exception):
    """An error answer of the Graph API: {"error": {"message", "type", "code", "error_subcode", ...}}."""

    def __init__(self, status: int, code: int | None, subcode: int | None, title: str) -> None:
        self.status = status
        self.code = code
        self.subcode = subcode
        self.title = title
        super().__init__(f"HTTP {status}, code {code}" + (f"/{subcode}" if subcode is not None else "")
                         + f": {title}")

    @classmethod
    def from_response(cls, response: httpx.Response) -> GraphError:
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            error = None
        if not isinstance(error, dict):
            return cls(response.status_code, None, None, response.reason_phrase or "error")
        code, subcode = error.get("code"), error.get("error_subcode")
        # The message is a fixed title such as "(#131026) Message undeliverable"; the details (error_data) may
        # echo request parameters, so they are left out.
        title = str(error.get("message") or error.get("type") or "error")[:200]
        return cls(response.status_code, code if isinstance(code, int) else None,
                   subcode if isinstance(subcode, int) else None, title)


@dataclass(frozen=True)
class MediaInfo:
    url: str
    mime_type: str
    file_size: int | None


class WhatsAppClient:
    def __init__(self, settings: WhatsAppSettings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.base = settings.api_base.rstrip("/")
        token = settings.token.get_secret_value() if settings.token is not None else ""
        self._auth = {"Authorization": f"Bearer {token}"}
        self._own = http is None
        self.http = http if http is not None else httpx.AsyncClient(timeout=settings.request_timeout)

    def _url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    async def _json(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            raise GraphError.from_response(response)
        try:
            data = response.json()
        except ValueError as e:
            raise GraphError(response.status_code, None, None, "answer is not JSON") from e
        if not isinstance(data, dict):
            raise GraphError(response.status_code, None, None, "answer is not a JSON object")
        return data

    async def send(self, to: str, message: dict[str, Any]) -> str:
        """Send one message; returns its id (wamid)."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        response = await self.http.post(self._url(f"{self.settings.phone_number_id}/messages"),
                                        json=body, headers=self._auth)
        data = await self._json(response)
        try:
            return str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as e:
            raise GraphError(response.status_code, None, None, "answer without a message id") from e

    async def upload_media(self, data: bytes, mime_type: str, filename: str) -> str:
        """Upload a file for sending; returns its media id."""
        response = await self.http.post(
            self._url(f"{self.settings.phone_number_id}/media"), headers=self._auth,
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, data, mime_type)})
        answer = await self._json(response)
        if "id" not in answer:
            raise GraphError(response.status_code, None, None, "answer without a media id")
        return str(answer["id"])

    async def media_info(self, media_id: str) -> MediaInfo:
        """The (short-lived) download URL, type and size of a received media id."""
        response = await self.http.get(self._url(media_id), headers=self._auth)
        data = await self._json(response)
        size = data.get("file_size")
        try:
            file_size = int(size) if size is not None else None
        except (TypeError, ValueError):
            file_size = None
        if not isinstance(data.get("url"), str):
            raise GraphError(response.status_code, None, None, "answer without a media url")
        return MediaInfo(url=data["url"], mime_type=str(data.get("mime_type") or ""), file_size=file_size)

    async def download(self, url: str, max_bytes: int) -> bytes | None:
        """The media at `url` (with the bearer token), or None when it is longer than `max_bytes`."""
        async with self.http.stream("GET", url, headers=self._auth) as response:
            if response.status_code >= 400:
                await response.aread()
                raise GraphError.from_response(response)
            return await read_bounded(response.headers.get("Content-Length"), response.aiter_bytes(), max_bytes)

    async def aclose(self) -> None:
        if self._own:
            await self.http.aclose()
