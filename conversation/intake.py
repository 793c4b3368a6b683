"""Upload intake: one service every channel hands a resident's file to (the web chat, Telegram, WhatsApp).

It decides whether the file is taken (its size, then its content, sniffed by `UploadStore.check`),
stores it in a transaction of its own, and returns the engine's `flows.FileReceived`: with the
stored file's reference, or with the reason it was refused (`refused`, one Indonesian sentence the
resident reads once). A file the channel did not download (`data` None) is either over the size
limit (the engine itself says so, from `size`) or one the platform would not hand over.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import flows
from db.filestore import UploadRefused, UploadStore
from flows.messages import megabytes
from lifecycle.service import Clock

UNKNOWN_TYPE = "application/octet-stream"


NOT_HANDED_OVER = ("Berkas tidak dapat diambil dari aplikasi pesan. Mohon kirim ulang sebagai foto, atau sebagai "
                   "berkas JPG/PNG/PDF paling besar {} MB.")


class UploadIntake:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], uploads: UploadStore, clock: Clock) -> None:
        self.sessions = sessions
        self.uploads = uploads
        self.clock = clock

    @property
    def max_bytes(self) -> int:
        """The largest file taken (a channel need not download a larger one)."""
        return self.uploads.max_bytes

    async def receive(self, data: bytes | None, *, size: int, filename: str | None, declared_type: str,
                      is_photo: bool) -> flows.FileReceived:
        """The engine's inbound for a file of `size` bytes (what the platform or the request says; `data`
        may be cut at `max_bytes` + 1). `data` None: not downloaded, because it is over the limit or
        because the platform would not hand it over (then the resident is asked to send it again)."""
        if data is None and size > self.max_bytes:  # the engine explains the limit from the size
            return flows.FileReceived(file_ref="", media_type=declared_type, size=size, filename=filename,
                                      is_photo=is_photo)
        if data is None:
            return flows.FileReceived(file_ref="", media_type=UNKNOWN_TYPE, size=0, filename=filename,
                                      is_photo=is_photo, refused=NOT_HANDED_OVER.format(megabytes(self.max_bytes)))
        size = max(size, len(data))
        try:  # the store checks the content (`UploadStore.check`) before it writes anything
            if size > self.max_bytes:
                raise UploadRefused(f"Berkas terlalu besar (maksimal {megabytes(self.max_bytes)} MB).")
            async with self.sessions.begin() as session:
                att = await self.uploads.store(session, data, "upload", self.clock(), name=filename,
                                               declared_type=declared_type)
        except UploadRefused as e:
            return flows.FileReceived(file_ref="", media_type=declared_type if size > self.max_bytes else UNKNOWN_TYPE,
                                      size=size, filename=filename, is_photo=is_photo, refused=str(e))
        return flows.FileReceived(file_ref=str(att.id), media_type=att.media_type, size=size,
                                  filename=filename, is_photo=is_photo)
