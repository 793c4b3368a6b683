"""Wake the outbox senders of this process as soon as a transaction that wrote outbox rows
commits, instead of waiting for their next poll. (Other replicas still find the rows by
polling; PostgreSQL LISTEN/NOTIFY is the scale-out option.)"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from db.models import OutboxMessage

OUTBOX_WRITTEN = "outbox"  # a session.info key: this transaction wrote outbox rows (db.outbox.enqueue)


class OutboxSignal:
    def __init__(self) -> None:
        self._events: list[asyncio.Event] = []

    def subscribe(self, wakeup: asyncio.Event) -> None:
        self._events.append(wakeup)

    def fire(self) -> None:
        for e in self._events:
            e.set()

    def session_class(self) -> type[Session]:
        """A Session class whose commits fire this signal when they wrote outbox rows."""

        class SignallingSession(Session):
            pass

        @event.listens_for(SignallingSession, "before_flush")
        def _mark(session: Session, _ctx: Any, _instances: Any) -> None:
            if any(isinstance(obj, OutboxMessage) for obj in session.new):
                session.info[OUTBOX_WRITTEN] = True

        @event.listens_for(SignallingSession, "after_commit")
        def _fire(session: Session) -> None:
            if session.info.pop(OUTBOX_WRITTEN, False):
                self.fire()

        @event.listens_for(SignallingSession, "after_rollback")
        def _forget(session: Session) -> None:
            session.info.pop(OUTBOX_WRITTEN, None)

        return SignallingSession
