"""A fake WhatsApp Cloud (Graph) API server on a loopback port, for driving a WhatsApp channel end to end.

    async with FakeWhatsApp() as wa:                   # WHATSAPP_API_BASE = wa.base_url (".../v21.0")
        wa.approve_template("surat_disetujui", "id", "Permohonan {{1}} disetujui.")
        payload = wa.user_sends_text("6281234567890", "halo")   # opens the user's 24 h window
        await post_webhook(app_webhook_url, payload, wa.app_secret)
        sent = await wa.wait_message("6281234567890", "Selamat datang")   # no fixed sleeps
        assert wa.messages_to("6281234567890") == ["Selamat datang ..."]

Every call is recorded in `wa.calls` (headers without the token); the fake checks the bearer token, refuses what
the Cloud API refuses with its error shape, and never posts webhooks by itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Self

import httpx
from aiohttp import web

from tests.fakes.whatsapp_endpoints import EndpointsMixin
from tests.fakes.whatsapp_errors import GraphError
from tests.fakes.whatsapp_inspect import WaitTimeout
from tests.fakes.whatsapp_model import Call, Media, Upload
from tests.fakes.whatsapp_state import DEFAULT_APP_SECRET, DEFAULT_TOKEN

__all__ = ["DEFAULT_APP_SECRET", "DEFAULT_TOKEN", "FakeWhatsApp", "GraphError", "WaitTimeout"]

VERSION = r"{version:v\d+\.\d+}"
UNAUTHORIZED = 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"'
Work = Callable[[dict[str, Any], dict[str, Upload], int], Any]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


class FakeWhatsApp(EndpointsMixin):
    _runner: web.AppRunner | None = None

    # -- server ------------------------------------------------------------------------------------------------

    async def start(self) -> Self:
        app = web.Application(client_max_size=max(self.media_limits.values()) + 1024 * 1024)
        app.router.add_post(f"/{VERSION}/{{phone_id}}/messages", self._on_messages)
        app.router.add_post(f"/{VERSION}/{{phone_id}}/media", self._on_media)
        app.router.add_get(f"/{VERSION}/{{node}}", self._on_media_url)
        app.router.add_delete(f"/{VERSION}/{{node}}", self._on_media_delete)
        app.router.add_get("/media-download/{token}", self._on_download)
        app.router.add_route("*", "/{tail:.*}", self._on_unknown)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.root_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        self.base_url = f"{self.root_url}/{self.version}"
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

    def make_client(self, token: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
        """An httpx client with base_url=self.base_url and the bearer token (close it with `await c.aclose()`)."""
        return httpx.AsyncClient(base_url=self.base_url + "/",
                                 headers={"Authorization": f"Bearer {token or self.token}"}, **kwargs)

    # -- routes ------------------------------------------------------------------------------------------------

    async def _on_messages(self, request: web.Request) -> web.StreamResponse:
        phone_id = request.match_info["phone_id"]
        return await self._serve(request, "messages", lambda body, _, index: self.send_message(phone_id, body, index))

    async def _on_media(self, request: web.Request) -> web.StreamResponse:
        phone_id = request.match_info["phone_id"]
        return await self._serve(request, "media", lambda body, uploads, _: self.upload_media(phone_id, body, uploads))

    async def _on_media_url(self, request: web.Request) -> web.StreamResponse:
        node = request.match_info["node"]
        if node == self.phone_number_id:
            return await self._serve(request, "phone_number", lambda *_: self.phone_number_info())
        return await self._serve(request, "media_url", lambda *_: self.media_url(node))

    async def _on_media_delete(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, "media_delete", lambda *_: self.delete_media(request.match_info["node"]))

    async def _on_download(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, "download", lambda *_: self.download(request.match_info["token"]))

    async def _on_unknown(self, request: web.Request) -> web.StreamResponse:
        self.unhandled.append(f"{request.method} {request.path}")
        return await self._serve(request, "unknown", lambda *_: self._unknown(request.path))

    @staticmethod
    def _unknown(path: str) -> None:
        raise GraphError(2500, f"No such endpoint in the fake: {path}")

    # -- the common part of every call ---------------------------------------------------------------------------

    async def _serve(self, request: web.Request, endpoint: str, work: Work) -> web.StreamResponse:
        at, index = self.now(), len(self.calls)
        authorized = request.headers.get("Authorization") == f"Bearer {self.token}"
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        path = request.path.removeprefix(f"/{request.match_info.get('version', '')}")
        body, uploads, parse_error = await self._read(request)
        call = Call(endpoint, request.method, path, body, headers, at, authorized,
                    files={name: u.data for name, u in uploads.items()})
        drop = None
        result: Any = None
        try:
            if not authorized:
                raise GraphError(190)
            fault = next((f for f in self._faults if f.matches(endpoint, body)), None)
            if fault is not None:
                fault.remaining -= 1
                if fault.error is not None:
                    raise fault.error
                drop = fault.drop
            if parse_error is not None:
                raise parse_error
            if drop != "before":
                result = work(body, uploads, index)
            status, payload = 200, result
        except GraphError as error:
            status, payload = error.status, error.payload()
        call.status, call.response = (0, None) if drop else (status, payload)
        if isinstance(result, Media):
            call.response = {"bytes": len(result.data), "mime_type": result.mime_type}
        self.calls.append(call)
        self._changed()
        if drop is not None and request.transport is not None:
            request.transport.abort()  # the client sees the connection closed without an answer
            return web.Response(status=500)
        if isinstance(result, Media) and status == 200:
            return web.Response(body=result.data, content_type=result.mime_type.split(";")[0])
        extra = {"WWW-Authenticate": UNAUTHORIZED} if status == 401 else None
        return web.json_response(payload, status=status, headers=extra, dumps=_dumps)

    @staticmethod
    async def _read(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload], GraphError | None]:
        """The JSON body, or multipart/urlencoded fields (file parts described, their bytes in the uploads)."""
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            fields: dict[str, Any] = dict(request.query)
            uploads: dict[str, Upload] = {}
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    upload = Upload(value.filename, value.file.read(), value.content_type)
                    uploads[key] = upload
                    fields[key] = {"filename": upload.filename, "content_type": upload.content_type,
                                   "size": len(upload.data)}
                else:
                    fields[key] = value
            return fields, uploads, None
        raw = await request.read()
        if not raw:
            return dict(request.query), {}, None
        try:
            body = json.loads(raw)
        except ValueError:
            return {"_raw": raw.decode(errors="replace")}, {}, GraphError(100, "The request body is not valid JSON.")
        if not isinstance(body, dict):
            return {"_raw": body}, {}, GraphError(100, "The request body must be a JSON object.")
        return body, {}, None
