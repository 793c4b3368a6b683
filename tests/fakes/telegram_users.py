"""Simulated users: helpers that queue updates the bot receives through getUpdates."""

from __future__ import annotations

import copy
import time
from typing import Any

from tests.fakes.telegram_inspect import InspectMixin
from tests.fakes.telegram_model import QueuedUpdate, StoredFile, update_type


class UsersMixin(InspectMixin):
    """Update queue, chats and simulated users. State lives in FakeTelegramState."""

    # -- chats and messages ------------------------------------------------------------------------------------

    def _user(self, user_id: int, first_name: str) -> dict[str, Any]:
        user = self._users.setdefault(user_id, {"id": user_id, "is_bot": False, "first_name": first_name,
                                                "language_code": "id"})
        user["first_name"] = first_name
        return dict(user)

    def _chat(self, chat_id: int, *, first_name: str | None = None, title: str | None = None) -> dict[str, Any]:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": first_name or "Warga"}
            else:
                chat = {"id": chat_id, "type": "supergroup", "title": title or "Grup"}
            self._chats[chat_id] = chat
        if first_name and chat["type"] == "private":
            chat["first_name"] = first_name
        if title and chat["type"] != "private":
            chat["title"] = title
        return dict(chat)

    def _new_message(self, chat_id: int, sender: dict[str, Any], **content: Any) -> dict[str, Any]:
        """Create and store a message in a chat; message ids are per chat and shared by users and the bot."""
        message_id = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = message_id
        message = {"message_id": message_id, "from": sender, "chat": self._chat(chat_id), "date": int(time.time())}
        message.update({key: value for key, value in content.items() if value is not None})
        self._messages[(chat_id, message_id)] = message
        if sender.get("is_bot"):
            self._bot_messages.setdefault(chat_id, []).append(message_id)
        return message

    def _register_file(self, data: bytes, kind: str, filename: str | None = None,
                       mime_type: str | None = None) -> StoredFile:
        self._file_counter += 1
        n = self._file_counter
        prefix = {"photo": "AgAC", "document": "BQAC"}.get(kind, "CQAC")
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1]
        elif kind == "photo":
            suffix = ".jpg"
        stored = StoredFile(file_id=f"{prefix}{n:06d}-fake", file_unique_id=f"AQAD{n:06d}",
                            file_path=f"{kind}s/file_{n}{suffix}", data=data, filename=filename, mime_type=mime_type)
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _photo_sizes(self, data: bytes, width: int = 1280, height: int = 960) -> list[dict[str, Any]]:
        sizes = []
        for w, h in ((320, max(1, height * 320 // max(width, 1))), (width, height)):
            stored = self._register_file(data, "photo")
            sizes.append({"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "width": w,
                          "height": h, "file_size": len(data)})
        return sizes

    def _sender_chat(self, user_id: int, chat_id: int | None, first_name: str, title: str | None = None) -> int:
        if chat_id is None or chat_id == user_id:
            self._chat(user_id, first_name=first_name)
            return user_id
        self._chat(chat_id, title=title)
        return chat_id

    # -- update queue ------------------------------------------------------------------------------------------

    def queue_update(self, raw: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
        """Queue a raw update (only make it with `queue_updates` off). Keeps raw["update_id"] (or uses `update_id`)
        so the same update can be re-delivered."""
        update = copy.deepcopy(raw)
        if update_id is not None:
            update["update_id"] = update_id
        elif "update_id" not in update:
            update["update_id"] = self._last_update_id + 1
        uid: int = update["update_id"]
        if not self.queue_updates:
            self._last_update_id = max(self._last_update_id, uid)
            return update
        redelivery = uid in self._queued_ids
        self._queued_ids.add(uid)
        self._last_update_id = max(self._last_update_id, uid)
        self._updates.append(QueuedUpdate(update, redelivery=redelivery))
        self._changed()
        return copy.deepcopy(update)

    def _queue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.queue_update({kind: copy.deepcopy(payload)})

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            keep = self._updates[offset:]
            dropped, self._updates = self._updates[: len(self._updates) - len(keep)], keep
        else:
            dropped = [e for e in self._updates if e.update_id < offset and (e.returned or not e.redelivery)]
            self._updates = [e for e in self._updates if e not in dropped]
        for entry in dropped:
            self.confirmed_update_ids.add(entry.update_id)
        if dropped:
            self._changed()

    def _deliverable(self) -> list[QueuedUpdate]:
        if self.allowed_updates:
            self._updates = [e for e in self._updates if update_type(e.update) in self.allowed_updates]
        return list(self._updates)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Queued updates that the bot has not confirmed yet."""
        return [copy.deepcopy(e.update) for e in self._updates]

    # -- simulated users ---------------------------------------------------------------------------------------

    def user_sends_text(self, user_id: int, text: str, chat_id: int | None = None, first_name: str = "Warga",
                        chat_title: str | None = None) -> dict[str, Any]:
        chat = self._sender_chat(user_id, chat_id, first_name, chat_title)
        entities = None
        if text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message = self._new_message(chat, self._user(user_id, first_name), text=text, entities=entities)
        return self._queue("message", message)

    def user_sends_photo(self, user_id: int, data: bytes, caption: str | None = None, chat_id: int | None = None,
                         first_name: str = "Warga", width: int = 1280, height: int = 960) -> dict[str, Any]:
        chat = self._sender_chat(user_id, chat_id, first_name)
        message = self._new_message(chat, self._user(user_id, first_name),
                                    photo=self._photo_sizes(data, width, height), caption=caption)
        return self._queue("message", message)

    def user_sends_document(self, user_id: int, data: bytes, filename: str,
                            mime_type: str = "application/octet-stream", caption: str | None = None,
                            chat_id: int | None = None, first_name: str = "Warga") -> dict[str, Any]:
        chat = self._sender_chat(user_id, chat_id, first_name)
        stored = self._register_file(data, "document", filename, mime_type)
        document = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_name": filename,
                    "mime_type": mime_type, "file_size": len(data)}
        message = self._new_message(chat, self._user(user_id, first_name), document=document, caption=caption)
        return self._queue("message", message)

    def user_presses(self, user_id: int, chat_id: int, message_id: int, data: str,
                     first_name: str = "Warga") -> dict[str, Any]:
        """A callback_query for an inline button; `message` is the stored message as it is now."""
        self._callback_counter += 1
        query_id = f"{user_id}{self._callback_counter:08d}"
        stored = self._messages.get((chat_id, message_id))
        message = copy.deepcopy(stored) if stored else {"chat": self._chat(chat_id), "message_id": message_id,
                                                         "date": 0}
        query = {"id": query_id, "from": self._user(user_id, first_name), "chat_instance": f"ci{chat_id}",
                 "message": message, "data": data}
        self.callback_queries[query_id] = {"query": query, "queued_at": self._clock(), "answer": None,
                                           "answered_at": None}
        return self._queue("callback_query", query)

    def user_presses_button(self, user_id: int, chat_id: int, text: str, first_name: str = "Warga") -> dict[str, Any]:
        """Press the button labelled `text` on the latest bot message in the chat that shows it."""
        for message_id in reversed(self._bot_messages.get(chat_id, [])):
            markup = (self._messages.get((chat_id, message_id)) or {}).get("reply_markup") or {}
            for button in (b for row in markup.get("inline_keyboard", []) for b in row):
                if button.get("text") == text and "callback_data" in button:
                    return self.user_presses(user_id, chat_id, message_id, button["callback_data"], first_name)
        raise LookupError(f"no inline button {text!r} in chat {chat_id}; last markup: {self.last_markup(chat_id)}")

    def user_replies(self, user_id: int, chat_id: int, reply_to_message_id: int, text: str,
                     first_name: str = "Petugas", chat_title: str | None = None) -> dict[str, Any]:
        """A reply in a group chat (type "supergroup") to a stored message."""
        original = self._messages.get((chat_id, reply_to_message_id))
        if original is None:
            raise LookupError(f"no message {reply_to_message_id} in chat {chat_id} to reply to")
        self._chat(chat_id, title=chat_title)
        reply_to = copy.deepcopy(original)
        reply_to.pop("reply_to_message", None)
        message = self._new_message(chat_id, self._user(user_id, first_name), text=text, reply_to_message=reply_to)
        return self._queue("message", message)
