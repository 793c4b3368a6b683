"""The composition root: builds every service once from the Settings and wires them, and the
channels (`CHANNELS`: one line per channel; each is built only when configured);
`bot.web.create_app` only mounts and runs them.

Nothing else constructs engines or services; tests build their own Services with
`build_services(settings, clock=...)`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from cryptography import x509
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import flows
from bot.channels import Channel, ChannelFactory
from bot.delivery import UNCERTAIN, OutboxSender, PermanentFailure, shared_slots
from bot.metrics import Metrics
from config.settings import Settings
from conversation.chats import ChatStates
from conversation.directory import DirectorySource
from conversation.intake import UploadIntake
from conversation.personal_data import PersonalData
from conversation.service import ConversationService
from db.claims import Claims, new_instance_id, take_over
from db.direct_reads import DirectReads
from db.engine import make_engine, make_sessionmaker
from db.filestore import UploadStore
from db.follow_ups import fire_on_commit
from db.models import FollowUp, InboundUpdate, Kelurahan, OutboxMessage
from db.outbound import parse_outbound
from db.signals import OutboxSignal
from letters.maker import CatalogueLetterMaker
from letters.making import LetterMaker
from letters.passphrases import PassphraseBox
from letters.pki import LocalCA
from letters.signing import LocalCASigner, PdfSigner
from lifecycle.follow_up_runner import FollowUpRunner
from lifecycle.follow_ups import ISSUE_LETTER, VERIFY_DOCUMENT, backfill
from lifecycle.issuing import Issuing
from lifecycle.notifications import OutboxNotifier
from lifecycle.reminder_plan import DAILY_SUMMARY, SWEEP, ReminderPlan
from lifecycle.reminders import ServiceTimeReminders
from lifecycle.service import Clock, RequestLifecycle, utcnow
from moderation.letters import LetterDesk
from moderation.preview import LetterPreview
from moderation.service import ModerationService
from stats.service import Statistics
from verification.db_source import DbRecordSource
from verification.forwarded import ForwardedCheck
from verification.keys import KeyStore
from verification.pades import PadesValidator
from verification.record_cache import RecordCache
from verification.shared_limits import SharedLimits
from verification.subjects import subjects_of
from visits.booking import VisitBookings
from visits.desk import VisitDesk
from visits.reminders import VISIT_REMINDER, VisitReminders

if TYPE_CHECKING:
    from bot.telegram.runtime import TelegramRuntime

log = logging.getLogger("esurat.composition")


def _telegram(services: Services) -> Channel | None:
    if not services.settings.telegram.enabled:
        return None
    from bot.telegram.runtime import build_telegram  # aiogram is imported only when Telegram is on

    return build_telegram(services)


def _webchat(services: Services) -> Channel | None:
    if not services.settings.demo:
        return None
    from bot.webchat.channel import WebChatChannel

    return WebChatChannel(services)


def _whatsapp(services: Services) -> Channel | None:
    if not services.settings.whatsapp.enabled:
        return None
    from bot.whatsapp.runtime import build_whatsapp

    return build_whatsapp(services)


def _desk(services: Services) -> Channel | None:
    from bot.desk.channel import DeskChannel  # the staff console (/desk): always on, every page needs a login

    return DeskChannel(services)


# Every channel, one line each.
CHANNELS: list[ChannelFactory] = [_webchat, _telegram, _whatsapp, _desk]


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    catalogue: flows.Catalogue
    directories: DirectorySource
    lifecycle: RequestLifecycle
    issuing: Issuing
    conversation: ConversationService
    moderation: ModerationService
    uploads: UploadStore
    intake: UploadIntake  # every channel's uploads: size, content, storage
    keystore: KeyStore
    ca: LocalCA
    records: RecordCache  # the letters' public records (the database's, kept a while: `verification.record_cache`)
    pades: PadesValidator
    outbox_signal: OutboxSignal
    claims: Claims  # this process instance's claims on outbox rows and follow-ups
    follow_ups: FollowUpRunner  # runs what follows a state change (issue_letter -> Issuing)
    statistics: Statistics  # the city's figures (/api/v1/statistik, /statistik), cached
    passphrases: PassphraseBox  # officials' signing passphrases (BSrE), sealed until the letter is signed
    metrics: Metrics  # /metrics: counted by the hooks handed out here (inbox workers, senders, issuing, checks)
    limits: SharedLimits  # the request limits (/v/, the agencies' API, the desk's login), shared by the replicas
    channels: dict[str, Channel] = field(default_factory=dict)  # the configured channels, by name
    senders: dict[str, OutboxSender] = field(default_factory=dict)  # the outbox sender of each sending channel
    visit_desk: VisitDesk | None = None  # the kelurahan's visits of a day, marked done or missed
    letter_desk: LetterDesk | None = None  # staff: search, download, revoke and re-send their kelurahan's letters
    preview: LetterPreview | None = None  # the draft PDF (DRAF) of a request awaiting a decision
    reminders: ServiceTimeReminders | None = None  # service-time reminders and the daily summary (follow-ups)

    @property
    def telegram(self) -> TelegramRuntime | None:
        """The Telegram channel, when TELEGRAM_BOT_TOKEN is set."""
        return cast("TelegramRuntime | None", self.channels.get("telegram"))

    async def moderation_targets(self, session: AsyncSession, kel: Kelurahan) -> list[tuple[str, str]]:
        """Where a kelurahan's moderation messages go: every moderation chat of every configured channel."""
        return [(name, chat) for name, channel in self.channels.items()
                for chat in await channel.moderation_chats(session, kel)]

    async def take_over_claims(self) -> None:
        """At start-up: free the inbox, outbox and follow-up rows that a killed process of this host had
        claimed (db/claims.py), so that its work resumes now rather than when the leases end. An outbox
        row is marked uncertain: its send may have happened (each channel checks before resending)."""
        try:
            async with self.sessions.begin() as session:
                freed = await take_over(session, InboundUpdate, self.clock())
                freed += await take_over(session, OutboxMessage, self.clock(),
                                         last_error=f"{UNCERTAIN} claimed by a process that stopped")
                freed += await take_over(session, FollowUp, self.clock())
        except Exception as e:  # noqa: BLE001 - the database may be starting: the leases end anyway
            log.warning("could not take over the claims of a stopped process: %r", e)
            return
        if freed:
            log.info("took over %d rows claimed by a stopped process", freed)

    async def run_follow_ups(self) -> None:
        """The follow-up worker: schedules what a version before follow-ups left approved, then runs."""
        try:
            if scheduled := await backfill(self.sessions, self.clock()):
                log.info("scheduled the letters of %d approved requests", scheduled)
        except Exception as e:  # noqa: BLE001 - the database may be starting; nothing is lost
            log.warning("could not look for approved requests without a follow-up: %r", e)
        try:
            if self.reminders is not None and self.settings.reminders:
                await self.reminders.start()  # the next sweep and daily summary exist (once across replicas)
        except Exception as e:  # noqa: BLE001 - another replica's start-up (or the next) schedules them
            log.warning("could not schedule the service-time reminders: %r", e)
        await self.follow_ups.run_forever()

    async def aclose(self) -> None:
        for channel in self.channels.values():
            await channel.close()
        await self.records.aclose()
        await self.engine.dispose()

    def asks_passphrase(self, kelurahan_slug: str) -> bool:
        """Whether an approval in this kelurahan asks the official's BSrE passphrase (mode "sign")."""
        bsre = self.settings.bsre
        return bsre.enabled and bsre.mode == "sign" and kelurahan_slug in bsre.kelurahan

    def _add_channels(self, factories: list[ChannelFactory]) -> None:
        for factory in factories:
            channel = factory(self)
            if channel is None:
                continue
            self.channels[channel.name] = channel
            if channel.rate is not None:
                self.senders[channel.name] = sender = self._sender(channel)
                self.outbox_signal.subscribe(sender.wakeup)

    def _sender(self, channel: Channel) -> OutboxSender:
        async def deliver(row: OutboxMessage) -> dict[str, Any] | None:
            try:
                message = parse_outbound(row.payload)
            except ValueError as e:  # a row no version of the service writes
                raise PermanentFailure(f"unknown outbox payload: {e.__class__.__name__}") from e
            return await channel.deliver(row, message)

        rate = channel.rate
        assert rate is not None
        return OutboxSender(  # paced across the replicas: the platform's limits are the bot's, not a process's
            self.sessions, channel.name, deliver, clock=self.clock, poll_interval=self.settings.outbox_poll_interval,
            claims=self.claims, send_timeout=self.settings.outbox_send_timeout, slots=shared_slots(channel.name, rate),
            on_error=self.metrics.send_failed,
        )


def trusted_roots(settings: Settings) -> list[x509.Certificate]:
    """BSrE's root certificates (ESURAT_BSRE_TRUST_ROOTS), so that the PDF check trusts its signatures."""
    return [x509.load_pem_x509_certificate(path.read_bytes()) for path in settings.bsre.trust_roots]


def pdf_signer(settings: Settings, ca: LocalCA) -> PdfSigner:
    """e-surat's own CA; with ESURAT_BSRE_* set, BSrE's certified signature for the kelurahan listed there."""
    local = LocalCASigner(ca, location=settings.city_name)
    if not settings.bsre.enabled:
        return local
    from letters.bsre import BsreSigner  # httpx client, only when configured

    return BsreSigner(settings.bsre, local, location=settings.city_name)


def build_services(settings: Settings, *, clock: Clock = utcnow,
                   channels: list[ChannelFactory] | None = None) -> Services:
    storage = settings.storage
    storage.ensure_dirs()
    engine = make_engine(storage.effective_database_url)
    metrics = Metrics()
    outbox_signal = OutboxSignal()
    session_class = outbox_signal.session_class()
    sessions = make_sessionmaker(engine, session_class)
    claims = Claims(new_instance_id(), timedelta(seconds=settings.claim_lease_seconds),
                    settings.claim_heartbeat_seconds)
    catalogue = flows.load_catalogue()
    directories = DirectorySource(settings.directory_refresh_seconds)
    titles = {t.code: t.title for t in catalogue}
    chats = ChatStates(catalogue, directories, clock, upload_max_bytes=storage.upload_max_bytes,
                       visits=VisitBookings(catalogue, clock))
    lifecycle = RequestLifecycle(
        sessions, classification={t.code: t.classification_code for t in catalogue}, clock=clock,
        service_days={t.code: t.sla_days for t in catalogue},
        notify=(notifier := OutboxNotifier(
            titles, clock, on_revision=chats.revision_requested, on_issue=chats.survey_offered,
            moderation_targets=lambda s, kel: services.moderation_targets(s, kel))),
    )
    keystore = KeyStore(storage.keys_dir, clock=clock)
    ca = LocalCA(storage.pki_dir, clock=clock)
    maker = LetterMaker(settings, keystore, pdf_signer(settings, ca))
    request_letters = CatalogueLetterMaker(maker, catalogue, settings.city_name)
    passphrases = PassphraseBox(storage.keys_dir / "passphrase.key", clock)
    records = RecordCache(DbRecordSource(sessions, titles, subjects_of(catalogue), DirectReads.for_engine(engine)),
                          max_age=settings.verify_cache_seconds, poll=settings.verify_change_poll_seconds, clock=clock)
    issuing = Issuing(lifecycle, request_letters, storage.letters_dir, on_signing_failure=notifier.signing_failed,
                      open_passphrase=passphrases.open, on_issued=metrics.issued,
                      on_letter_changed=records.forget)
    personal_data = PersonalData(catalogue, storage.uploads_dir, storage.upload_retention_days, clock)
    conversation = ConversationService(sessions, chats, lifecycle, clock, personal_data)
    moderation = ModerationService(sessions, lifecycle, catalogue)
    uploads = UploadStore(storage.uploads_dir, storage.upload_max_bytes)
    # What follows a state change, whichever channel made it: kind -> handler.
    reminders = ServiceTimeReminders(
        sessions, titles, {t.code: t.sla_days for t in catalogue}, clock,
        ReminderPlan(settings.reminder_share, settings.reminder_sweep_minutes, settings.daily_summary_hour),
        moderation_targets=lambda s, kel: services.moderation_targets(s, kel))
    forwarded = ForwardedCheck(sessions, storage.uploads_dir, records, keystore, settings.http.public_url, clock)
    follow_ups = FollowUpRunner(sessions, {ISSUE_LETTER: issuing.issue_letter, VERIFY_DOCUMENT: forwarded.handle,
                                           VISIT_REMINDER: VisitReminders(sessions, catalogue, clock).remind,
                                           SWEEP: reminders.sweep, DAILY_SUMMARY: reminders.daily_summary},
                                clock=clock, claims=claims)
    fire_on_commit(session_class, follow_ups.wakeup.set)
    services = Services(
        settings=settings, engine=engine, sessions=sessions, clock=clock, catalogue=catalogue, directories=directories,
        lifecycle=lifecycle, issuing=issuing, conversation=conversation, moderation=moderation, uploads=uploads,
        intake=UploadIntake(sessions, uploads, clock),
        keystore=keystore, ca=ca, records=records,
        pades=PadesValidator([ca.ca().cert, *trusted_roots(settings)]),
        outbox_signal=outbox_signal, claims=claims, follow_ups=follow_ups, reminders=reminders,
        visit_desk=VisitDesk(sessions, catalogue, clock), letter_desk=LetterDesk(moderation, issuing, clock),
        preview=LetterPreview(moderation, request_letters),
        statistics=Statistics(sessions, catalogue, settings.statistics_cache_seconds), passphrases=passphrases,
        metrics=metrics, limits=SharedLimits(engine, claims.owner),
    )
    services._add_channels(CHANNELS if channels is None else channels)
    moderation.channel_labels = {name: channel.label for name, channel in services.channels.items()}
    return services
