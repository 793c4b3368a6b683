"""Bot API method handlers of the fake server. Each takes decoded params and uploads, returns `result`."""

from __future__ import annotations

import asyncio
import copy
import json
import mimetypes
import time
from typing import Any

from tests.fakes.telegram_model import (
    CALLBACK_ANSWER_MAX,
    CAPTION_MAX,
    DOWNLOAD_MAX,
    TEXT_MAX,
    UPLOAD_MAX,
    ApiError,
    SentFile,
    StoredFile,
    Upload,
    bad_request,
    check_markup,
    render_text,
)
from tests.fakes.telegram_users import UsersMixin


class MethodsMixin(UsersMixin):
    """Handlers are named after the Bot API method (`m_sendMessage`); lookup is case-insensitive."""

    # -- helpers -----------------------------------------------------------------------------------------------

    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            raise bad_request("chat not found")
        return chat_id

    def _stored_message(self, chat_id: int, message_id: object) -> dict[str, Any] | None:
        """The stored message `message_id` of the chat; None when there is none (or the id is not a number)."""
        return self._messages.get((chat_id, message_id)) if isinstance(message_id, int) else None

    def _bot_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._stored_message(self._chat_id(params), params.get("message_id"))
        if message is None or not message["from"].get("is_bot"):
            raise bad_request("message to edit not found")
        return message

    def _reply_to(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any] | None:
        reply_id = params.get("reply_to_message_id") or (params.get("reply_parameters") or {}).get("message_id")
        original = self._stored_message(chat_id, reply_id)
        if original is None:
            return None
        original = copy.deepcopy(original)
        original.pop("reply_to_message", None)
        return original

    def _caption(self, params: dict[str, Any]) -> str | None:
        caption = params.get("caption")
        if caption is None:
            return None
        caption = render_text(caption, params.get("parse_mode"))
        if len(caption) > CAPTION_MAX:
            raise bad_request("message caption is too long")
        return caption

    def _markup(self, params: dict[str, Any]) -> Any:
        markup = params.get("reply_markup")
        check_markup(markup)
        # Like Telegram, a message only carries an inline keyboard; ForceReply and reply
        # keyboards act on the client and are not echoed in the returned Message.
        if isinstance(markup, dict) and "inline_keyboard" not in markup:
            return None
        return markup

    def _input_file(self, value: Any, uploads: dict[str, Upload], field: str, kind: str) -> StoredFile:
        """Resolve an InputFile field: "attach://<part>", a part named like the field, or a known file_id."""
        upload = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
        elif value is None or field in uploads:
            upload = uploads.get(field)
        if upload is not None:
            if len(upload.data) > UPLOAD_MAX:
                raise ApiError(413, "Request Entity Too Large")
            mime = upload.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
            return self._register_file(upload.data, kind, upload.filename, mime)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send_file(self, chat_id: int, stored: StoredFile, kind: str, caption: str | None, markup: Any,
                   params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        file_id = stored.file_id
        if kind == "photo":
            content: dict[str, Any] = {"photo": self._photo_sizes(stored.data)}
            file_id = content["photo"][-1]["file_id"]
        else:
            content = {"document": {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                                    "file_name": stored.filename, "mime_type": stored.mime_type,
                                    "file_size": len(stored.data)}}
        message = self._new_message(chat_id, dict(self.bot_user), caption=caption, reply_markup=markup,
                                    reply_to_message=self._reply_to(chat_id, params), **content, **extra)
        self._sent_files.append(SentFile(filename=stored.filename, data=stored.data, caption=caption,
                                         message=message, mime_type=stored.mime_type, kind=kind,
                                         file_id=file_id))
        return message

    # -- methods -----------------------------------------------------------------------------------------------

    async def m_getMe(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def m_getUpdates(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        if params.get("offset") is not None:
            self._confirm(int(params["offset"]))
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"] or []) or None
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        self.waiting_polls += 1
        self._changed()
        try:
            while True:
                changed = self._event
                ready = self._deliverable()
                remaining = deadline - loop.time()
                if ready or self._closing or remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(changed.wait(), remaining)
                except TimeoutError:
                    pass
        finally:
            self.waiting_polls -= 1
        batch = ready[:limit]
        for entry in batch:
            entry.returned = True
        return [copy.deepcopy(entry.update) for entry in batch]

    async def m_sendMessage(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        chat_id = self._chat_id(params)
        text = render_text(str(params.get("text") or ""), params.get("parse_mode"))
        if not text.strip():
            raise bad_request("message text is empty")
        if len(text) > TEXT_MAX:
            raise bad_request("message is too long")
        return self._new_message(chat_id, dict(self.bot_user), text=text, reply_markup=self._markup(params),
                                 reply_to_message=self._reply_to(chat_id, params))

    async def m_editMessageText(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        if params.get("inline_message_id"):
            return True
        message = self._bot_message(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text = render_text(str(params.get("text") or ""), params.get("parse_mode"))
        if not text.strip():
            raise bad_request("message text is empty")
        if len(text) > TEXT_MAX:
            raise bad_request("message is too long")
        markup = self._markup(params)
        return self._edit(message, text=text, reply_markup=markup)

    async def m_editMessageCaption(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        if params.get("inline_message_id"):
            return True
        message = self._bot_message(params)
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        return self._edit(message, caption=self._caption(params), reply_markup=self._markup(params))

    async def m_editMessageReplyMarkup(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        if params.get("inline_message_id"):
            return True
        return self._edit(self._bot_message(params), reply_markup=self._markup(params))

    def _edit(self, message: dict[str, Any], **changes: Any) -> dict[str, Any]:
        if all(message.get(key) == value for key, value in changes.items()):
            raise bad_request("message is not modified: specified new message content and reply markup are "
                              "exactly the same as a current content and reply markup of the message")
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(time.time())
        return message

    async def m_deleteMessage(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        chat_id, message_id = self._chat_id(params), params.get("message_id")
        if not isinstance(message_id, int) or self._messages.pop((chat_id, message_id), None) is None:
            raise bad_request("message to delete not found")
        self.deleted_messages.append((chat_id, message_id))
        return True

    async def m_answerCallbackQuery(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        record = self.callback_queries.get(str(params.get("callback_query_id")))
        if record is None or record["answer"] is not None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(params.get("text") or "") > CALLBACK_ANSWER_MAX:
            raise bad_request("MESSAGE_TOO_LONG")
        record["answer"] = dict(params)
        record["answered_at"] = self._clock()
        return True

    async def m_sendDocument(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        chat_id = self._chat_id(params)
        stored = self._input_file(params.get("document"), uploads, "document", "document")
        return self._send_file(chat_id, stored, "document", self._caption(params), self._markup(params), params)

    async def m_sendPhoto(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        chat_id = self._chat_id(params)
        stored = self._input_file(params.get("photo"), uploads, "photo", "photo")
        return self._send_file(chat_id, stored, "photo", self._caption(params), self._markup(params), params)

    async def m_sendMediaGroup(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        chat_id = self._chat_id(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("media must contain 2-10 items")
        kinds = {item.get("type") for item in media}
        if not kinds <= {"photo", "document", "video", "audio"} or ("document" in kinds and len(kinds) > 1):
            raise bad_request("MEDIA_INVALID")
        self._media_group_counter += 1
        group_id = str(10_000 + self._media_group_counter)
        resolved = [(item, self._input_file(item.get("media"), uploads, "media", item["type"])) for item in media]
        messages = []
        for item, stored in resolved:
            kind = "photo" if item["type"] == "photo" else "document"
            caption = self._caption(item)
            messages.append(self._send_file(chat_id, stored, kind, caption, None, params, media_group_id=group_id))
        return messages

    async def m_getFile(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > DOWNLOAD_MAX:
            raise bad_request("file is too big")
        return stored.as_file()

    async def m_setMyCommands(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        key = (json.dumps(params.get("scope"), sort_keys=True), params.get("language_code") or "")
        self.commands[key] = list(params.get("commands") or [])
        return True

    async def m_getMyCommands(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        return self.my_commands(params.get("scope"), params.get("language_code") or "")

    async def m_deleteMyCommands(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        self.commands.pop((json.dumps(params.get("scope"), sort_keys=True), params.get("language_code") or ""), None)
        return True

    async def m_setWebhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        if not str(params.get("url") or "").startswith("https://") and params.get("url"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(params) if params.get("url") else None
        if params.get("drop_pending_updates"):
            self._confirm(self._last_update_id + 1)
        return True

    async def m_deleteWebhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._confirm(self._last_update_id + 1)
        return True

    async def m_getWebhookInfo(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        info: dict[str, Any] = {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        if self.webhook:
            info["url"] = self.webhook["url"]
            info["max_connections"] = self.webhook.get("max_connections", 40)
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info
