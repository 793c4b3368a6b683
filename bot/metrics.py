"""Prometheus metrics at `/metrics` (prometheus-client, one registry per `Services`): what the database says
at the moment of the scrape (requests by status, outbox backlog and the age of its oldest message, inbox and
follow-up backlogs: the same on every replica) and what this process counted since it started (verification
answers by verdict, inbound updates handled by channel, failed sends by channel and code, the time to issue
a letter). Counters are per process: Prometheus adds the replicas' up (`sum(rate(...))`) and a restart's
reset is what `rate` expects.

The counted figures arrive through hooks the composition root hands to channel-agnostic code: the inbox
worker and the web chat (`handled`), the outbox senders (`send_failed`), issuing (`issued`), the verification
router (`verified`)."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import FollowUp, InboundUpdate, LetterRequest, OutboxMessage

__all__ = ["CONTENT_TYPE_LATEST", "ISSUE_BUCKETS", "Metrics"]

# Seconds to issue a letter: tens of milliseconds with e-surat's own seal, seconds with a remote signature (BSrE).
ISSUE_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


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
        self.updates = Counter("esurat_updates_handled", "Pembaruan masuk yang selesai ditangani", ["channel"],
                               registry=self.registry)
        self.send_errors = Counter("esurat_send_errors", "Pengiriman pesan keluar yang gagal (kode: jawaban "
                                   "platform, timeout, network)", ["channel", "code"], registry=self.registry)
        self.issue_seconds = Histogram("esurat_issue_seconds", "Lama menerbitkan surat (membuat, menandatangani, "
                                       "menyimpan)", ["signature"], buckets=ISSUE_BUCKETS, registry=self.registry)

    def verified(self, verdict: str) -> None:
        self.verifications.labels(verdict=verdict).inc()

    def handled(self, channel: str, count: int = 1) -> None:
        """`count` inbound updates of `channel` were handled."""
        self.updates.labels(channel=channel).inc(count)

    def send_failed(self, channel: str, code: str) -> None:
        """A send attempt of `channel`'s outbox failed (`bot.delivery.error_code`)."""
        self.send_errors.labels(channel=channel, code=code).inc()

    def issued(self, seconds: float, signature: str) -> None:
        """A letter was issued in `seconds` (made, signed, stored and recorded); `signature`: its kind."""
        self.issue_seconds.labels(signature=signature).observe(seconds)

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
