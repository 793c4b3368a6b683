"""Prometheus metrics at `/metrics` (prometheus-client, one registry per app): what the database says at the
moment of the scrape (requests by status, outbox backlog and the age of its oldest message, inbox and
follow-up backlogs) and what this process counted (verification answers by verdict)."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import FollowUp, InboundUpdate, LetterRequest, OutboxMessage

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Gauge("esurat_requests", "Permohonan menurut status", ["status"], registry=self.registry)
        self.outbox = Gauge("esurat_outbox_pending", "Pesan keluar yang belum terkirim", ["channel"],
                            registry=self.registry)
        self.outbox_age = Gauge("esurat_outbox_oldest_pending_seconds", "Umur pesan keluar tertua yang belum "
                                "terkirim", registry=self.registry)
        self.inbox = Gauge("esurat_inbox_pending", "Pembaruan masuk yang belum ditangani", registry=self.registry)
        self.follow_ups = Gauge("esurat_follow_ups_pending", "Tindak lanjut yang belum selesai", ["kind"],
                                registry=self.registry)
        self.verifications = Counter("esurat_verifications", "Jawaban pemeriksaan keaslian surat", ["verdict"],
                                     registry=self.registry)

    def verified(self, verdict: str) -> None:
        self.verifications.labels(verdict=verdict).inc()

    async def scrape(self, sessions: async_sessionmaker[AsyncSession], now: datetime) -> bytes:
        async with sessions() as s:
            by_status = (await s.execute(select(LetterRequest.status, func.count())
                                         .group_by(LetterRequest.status))).all()
            outbox = (await s.execute(select(OutboxMessage.channel, func.count(), func.min(OutboxMessage.created_at))
                                      .where(OutboxMessage.status == "pending").group_by(OutboxMessage.channel))).all()
            inbox = await s.scalar(select(func.count()).select_from(InboundUpdate)
                                   .where(InboundUpdate.status == "pending"))
            follow = (await s.execute(select(FollowUp.kind, func.count()).where(FollowUp.status == "pending")
                                      .group_by(FollowUp.kind))).all()
        self.requests.clear()
        for status, n in by_status:
            self.requests.labels(status=status).set(n)
        self.outbox.clear()
        oldest = [created for _, _, created in outbox if created is not None]
        for channel, n, _ in outbox:
            self.outbox.labels(channel=channel).set(n)
        self.outbox_age.set(max(0.0, (now - min(oldest)).total_seconds()) if oldest else 0.0)
        self.inbox.set(inbox or 0)
        self.follow_ups.clear()
        for kind, n in follow:
            self.follow_ups.labels(kind=kind).set(n)
        return generate_latest(self.registry)
