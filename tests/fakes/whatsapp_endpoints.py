"""The Graph API endpoints of the fake: messages, media upload, media URL lookup, media delete and download.

Each takes the decoded request and returns the JSON result (or the Media to download), raising GraphError for
what the Cloud API refuses.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from tests.fakes.whatsapp_checks import MEDIA_TYPES, check_content, check_template, message_type, recipient
from tests.fakes.whatsapp_errors import GraphError, invalid, no_such_object
from tests.fakes.whatsapp_model import MEDIA_URL_TTL_S, MIME_KINDS, Media, SentMessage, Upload, new_wamid
from tests.fakes.whatsapp_users import UsersMixin


class EndpointsMixin(UsersMixin):
    def _check_phone(self, phone_id: str) -> None:
        if phone_id != self.phone_number_id:
            raise no_such_object(phone_id)

    def _live_media(self, media_id: str) -> Media | None:
        media = self.media.get(media_id)
        return media if media is not None and not media.deleted else None

    def send_message(self, phone_id: str, body: dict[str, Any], call_index: int) -> dict[str, Any]:
        """POST /{phone-number-id}/messages: a message, or a read receipt ({"status": "read", "message_id"})."""
        self._check_phone(phone_id)
        if body.get("status") == "read":
            if body.get("messaging_product") != "whatsapp" or not isinstance(body.get("message_id"), str):
                raise invalid("The parameters messaging_product and message_id are required.")
            self.read_receipts.append(body["message_id"])
            return {"success": True}
        kind = message_type(body)
        wa_id = recipient(body)
        content: dict[str, Any] = body[kind]
        check_content(kind, content)
        media = None
        if kind in MEDIA_TYPES and "id" in content:
            media = self._live_media(str(content["id"]))
            if media is None:
                raise invalid(f"Param {kind}['id'] is not a valid media id: {content['id']!r}.")
            if kind == "image" and media.kind != "image":
                raise invalid(f"Param image['id'] refers to a {media.mime_type} file, not an image.")
        delivered, error_code, template_text = True, None, None
        if kind == "template":
            template_text = self._render_template(content)
        elif self.enforce_window and not self.window_open(wa_id):
            if self.window_errors == "sync":
                raise GraphError(131047)
            delivered, error_code = False, 131047
        message = SentMessage(new_wamid(), wa_id, kind, copy.deepcopy(body), self.now(), delivered, media,
                              template_text, call_index, error_code)
        self.sent.append(message)
        if delivered:
            self._send_times.setdefault(wa_id, []).append(message.at)
            self._send_times.setdefault(None, []).append(message.at)
        accepted: dict[str, Any] = {"id": message.wamid}
        if kind == "template":
            accepted["message_status"] = "accepted"
        return {"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": wa_id}],
                "messages": [accepted]}

    def _render_template(self, content: dict[str, Any]) -> str:
        name, language, params, _ = check_template(content)
        template = self.templates.get((name, language))
        if template is None:
            raise GraphError(132001, f"template name ({name}) does not exist in {language}")
        if len(params) != template.param_count:
            raise GraphError(132000, f"body: number of localizable_params ({len(params)}) does not match the "
                                     f"expected number of params ({template.param_count})")
        return template.render(params)

    def upload_media(self, phone_id: str, fields: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
        """POST /{phone-number-id}/media, multipart: file, type (the MIME type), messaging_product."""
        self._check_phone(phone_id)
        if fields.get("messaging_product") != "whatsapp":
            raise invalid("The parameter messaging_product is required.")
        upload = uploads.get("file")
        if upload is None:
            raise invalid("The parameter file is required.")
        mime = str(fields.get("type") or "").split(";")[0].strip()
        if not mime:
            raise invalid("The parameter type is required.")
        kind = MIME_KINDS.get(mime)
        if kind is None:
            raise invalid(f"Param file must be a file with one of the following types: {', '.join(MIME_KINDS)}. "
                          f"Received file of type '{mime}'.")
        limit = self.media_limits[kind]
        if not upload.data or len(upload.data) > limit:
            raise GraphError(131053, f"{kind} size {len(upload.data)} bytes is outside the allowed range "
                                     f"(1 to {limit} bytes).")
        media = self.register_media(upload.data, mime, upload.filename or None, origin="business")
        return {"id": media.id}

    def phone_number_info(self) -> dict[str, Any]:
        """GET /{phone-number-id}: the business number (a cheap check that the token and the id are right)."""
        return {"verified_name": "e-surat", "display_phone_number": f"+{self.business.display_phone_number}",
                "quality_rating": "GREEN", "id": self.phone_number_id}

    def media_url(self, media_id: str) -> dict[str, Any]:
        """GET /{media-id}: a download URL valid for 5 minutes, to be fetched with the bearer token."""
        media = self._live_media(media_id)
        if media is None:
            raise no_such_object(media_id)
        token = secrets.token_urlsafe(24)
        self._download_tokens[token] = (media.id, self.now() + MEDIA_URL_TTL_S)
        return {"messaging_product": "whatsapp", "url": f"{self.root_url}/media-download/{token}",
                "mime_type": media.mime_type, "sha256": media.sha256_hex, "file_size": len(media.data),
                "id": media.id}

    def delete_media(self, media_id: str) -> dict[str, Any]:
        media = self._live_media(media_id)
        if media is None:
            raise no_such_object(media_id)
        media.deleted = True
        return {"success": True}

    def download(self, token: str) -> Media:
        """GET of a URL from media_url(); 404 once expired or when the media was deleted."""
        entry = self._download_tokens.get(token)
        media = self._live_media(entry[0]) if entry is not None and self.now() < entry[1] else None
        if media is None:
            raise GraphError(100, "The media URL is unknown or has expired; look it up again with GET /{media-id}.",
                             status=404)
        return media
