"""SQLAlchemy 2 models of e-surat. Schema changes go through Alembic (db/migrations)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.json_fields import JsonText

# BigInteger ids on PostgreSQL, INTEGER (rowid alias, autoincrement) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")
# A letter number: classification code, sequence, kelurahan unit, Roman month, year
# (placeholders filled by `lifecycle.numbering.format_number`).
DEFAULT_NUMBERING_PATTERN = "{kode}/{seq:03d}/{unit}/{month_roman}/{year}"


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON}


class Kelurahan(Base):
    __tablename__ = "kelurahan"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kecamatan: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    signatory_name: Mapped[str] = mapped_column(String(100), default="")
    signatory_title: Mapped[str] = mapped_column(String(100), default="Lurah")
    signatory_rank: Mapped[str] = mapped_column(String(100), default="")
    signatory_nip: Mapped[str] = mapped_column(String(18), default="")
    signatory_delegated: Mapped[bool] = mapped_column(Boolean, default=False)
    numbering_pattern: Mapped[str] = mapped_column(String(100), default=DEFAULT_NUMBERING_PATTERN)
    placeholder: Mapped[bool] = mapped_column(Boolean, default=True)
    logo_file: Mapped[str] = mapped_column(String(100), default="")  # coat of arms, under the data dir


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))  # operator | sekretaris | lurah
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    rank: Mapped[str] = mapped_column(String(100), default="")  # pangkat/golongan, printed when they sign
    nip: Mapped[str] = mapped_column(String(18), default="")  # 18 digits, printed when they sign


class StaffIdentity(Base):
    """Who a staff member is on a channel: (channel, their id there), e.g. ("telegram", "12345")."""

    __tablename__ = "staff_identity"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_staff_identity_channel_external_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))


class ModerationChat(Base):
    """A kelurahan's moderation chat on a channel (a Telegram group, ...), where its request cards go."""

    __tablename__ = "moderation_chat"
    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_moderation_chat_channel_chat_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))


class Resident(Base):
    __tablename__ = "resident"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # telegram | whatsapp | web
    external_id: Mapped[str] = mapped_column(String(64))  # chat id / phone / web session
    display_name: Mapped[str] = mapped_column(String(100), default="")
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LetterRequest(Base):
    __tablename__ = "letter_request"
    # The statistics (`stats.queries`) select by submission date, city-wide or per kelurahan; the first index
    # holds every column they read, so that they scan it alone, never the wide rows (fields, notes).
    __table_args__ = (Index("ix_letter_request_statistics", "submitted_at", "kelurahan_id", "letter_type", "status",
                            "channel", "decision_seconds", "decision_work_seconds", "issue_seconds",
                            "issue_work_seconds", "within_service_time"),
                      Index("ix_letter_request_kelurahan_submitted", "kelurahan_id", "submitted_at"))
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # shown to the resident, e.g. BT-2026-00017
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)  # the resident's, when submitted
    letter_type: Mapped[str] = mapped_column(String(32))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # staff correction note
    fields_to_fix: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # rejection / cancellation reason
    number: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The version before the last correction, for staff to see what changed: {"fields": {...},
    # "attachments": {kind: attachment id}}; None until the request is corrected once.
    previous: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Durations since the (last) submission, stored when decided and when issued
    # (`lifecycle.service_time.timing_values`), for the statistics to aggregate in SQL.
    decision_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decision_work_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    issue_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    issue_work_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    within_service_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # When the kelurahan was told the request nears / passed its service time (once each).
    reminded_near_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    reminded_late_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


# The holder's NIK inside a request's fields, for the staff desk's search by NIK (`moderation.letters`).
_requests = Base.metadata.tables["letter_request"]
Index("ix_letter_request_nik", JsonText(_requests.c.fields, "nik"), _table=_requests)


class Attachment(Base):
    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("letter_request.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(String(300))  # relative to the uploads dir
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The file was deleted (the row stays, saying when and why): "retention" (its request ended
    # `upload_retention_days` ago) or "resident" (`hapus data saya`).
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    deleted_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)


class Letter(Base):
    __tablename__ = "letter"
    # A kelurahan's letters newest first (the staff desk's search, `moderation.letters`); the letters revoked or
    # replaced since a moment (the change feed of the verification cache, `verification.record_cache`).
    __table_args__ = (Index("ix_letter_kelurahan_issued", "kelurahan_id", "issued_at"),
                      Index("ix_letter_revoked_at", "revoked_at"), Index("ix_letter_superseded_at", "superseded_at"))
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("letter_request.id"), unique=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    letter_type: Mapped[str] = mapped_column(String(32))
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    pdf_path: Mapped[str] = mapped_column(String(300))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    seal: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64))
    holder_name_masked: Mapped[str] = mapped_column(String(100))
    nik_masked: Mapped[str] = mapped_column(String(16))
    signatory_name: Mapped[str] = mapped_column(String(100))
    signatory_title: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="valid")  # valid | revoked
    revoked_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # How the PDF is signed: "segel_esurat" (e-surat's own CA, uncertified) or "bsre" (certified, BSrE).
    signature_kind: Mapped[str] = mapped_column(String(16), default="segel_esurat")
    # Re-issued: the letter that replaces this one (the verification page then says DIGANTI).
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"), nullable=True)
    superseded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class NumberSequence(Base):
    """Per kelurahan, per year letter sequence; incremented inside the approval transaction."""

    __tablename__ = "number_sequence"
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("letter_request.id"), nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # "staff:12", "resident:5", "system"
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class Conversation(Base):
    """The engine state of one chat, stored after every step (survives restarts)."""

    __tablename__ = "conversation"
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ProcessedUpdate(Base):
    """Inbound update ids already handled (webhook retries, redelivery)."""

    __tablename__ = "processed_update"
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


PENDING_ONLY = "status = 'pending'"  # the predicate of the partial indexes of work tables


def pending_index(name: str, *columns: str) -> Index:
    """An index of a work table's pending rows only (those the claims look for: a handful, while done rows
    are kept for days). A claim names the status as the literal `'pending'` (`db.claims.PENDING`), so that
    this index serves every plan, including PostgreSQL's generic plan of a prepared statement."""
    return Index(name, *columns, postgresql_where=text(PENDING_ONLY), sqlite_where=text(PENDING_ONLY))


class OutboxMessage(Base):
    """Every outbound message, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (pending_index("ix_outbox_pending", "channel", "chat_id", "id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(40), nullable=True)  # the claiming process instance
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # e.g. the sent message id


class ModerationPost(Base):
    """Where a request's moderation card was posted, so it can be edited in place."""

    __tablename__ = "moderation_post"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("letter_request.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ModerationPrompt(Base):
    """A pending question to a staff member (reason for a rejection, note for a correction)."""

    __tablename__ = "moderation_prompt"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    request_id: Mapped[int] = mapped_column(ForeignKey("letter_request.id"))
    action: Mapped[str] = mapped_column(String(20))  # reject | revise
    message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Claimable:
    """The columns of a row that workers claim (leased to a process, `db.claims`) and retry with backoff."""

    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending|done|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class InboundUpdate(Claimable, Base):
    """The inbox: every inbound update (Telegram, WhatsApp, ...) is stored, keyed by its platform id,
    before the platform is told it arrived; it is then handled from here, with retries."""

    __tablename__ = "inbound_update"
    __table_args__ = (UniqueConstraint("channel", "update_id", name="uq_inbound_update_channel_update_id"),
                      pending_index("ix_inbound_update_pending", "channel", "chat_key", "id"))
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(64))
    chat_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # per-chat order
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class FollowUp(Claimable, Base):
    """What must follow a state change (issue the letter, ...), written in the same transaction as the
    change and run from here with retries, whichever process or channel made the change."""

    __tablename__ = "follow_up"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(100), unique=True)  # e.g. "issue:17": one follow-up per purpose
    request_id: Mapped[int | None] = mapped_column(ForeignKey("letter_request.id"), nullable=True, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class VisitSchedule(Base):
    """A kelurahan's opening hours for visits on one weekday (0 = Monday); a weekday without a row
    uses the defaults (`visits.schedule.DEFAULT_HOURS`), one with `open_minute == close_minute` is closed."""

    __tablename__ = "visit_schedule"
    __table_args__ = (UniqueConstraint("kelurahan_id", "weekday", name="uq_visit_schedule_kelurahan_weekday"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    open_minute: Mapped[int] = mapped_column(Integer)  # minutes after midnight, WIB
    close_minute: Mapped[int] = mapped_column(Integer)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    capacity: Mapped[int] = mapped_column(Integer, default=4)


class Holiday(Base):
    """A day the offices are closed: national (`kelurahan_id` None) or of one kelurahan."""

    __tablename__ = "holiday"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("kelurahan.id"), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(100), default="")


class VisitSlotCount(Base):
    """How many bookings hold a slot: raised only while below the capacity (one conditional upsert),
    so that of two residents for the last place exactly one gets it."""

    __tablename__ = "visit_slot_count"
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), primary_key=True)
    slot_start: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class VisitBooking(Base):
    """A resident's visit to the kelurahan office: booked | cancelled | done | missed."""

    __tablename__ = "visit_booking"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # e.g. KNJ-7QX2MA, the resident's name for it
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    letter_type: Mapped[str] = mapped_column(String(32))
    slot_start: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(12), default="booked")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ApprovalPolicy(Base):
    """How many steps a kelurahan's approval takes (`lifecycle.approval`): 1 (any staff approves) or 2 (the
    operator checks and forwards, the Lurah or the Sekretaris a.n. Lurah approves and signs); a row with a
    `letter_type` overrides the kelurahan's row (`letter_type` None) for that type. No row: 1."""

    __tablename__ = "approval_policy"
    __table_args__ = (UniqueConstraint("kelurahan_id", "letter_type", name="uq_approval_policy_kelurahan_type"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    letter_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    steps: Mapped[int] = mapped_column(Integer, default=1)


class ApprovalSignature(Base):
    """Who signed a request's letter, stored in its approval's transaction when the approver signs
    (two-step approval); the letter prints them instead of the kelurahan's configured signatory."""

    __tablename__ = "approval_signature"
    request_id: Mapped[int] = mapped_column(ForeignKey("letter_request.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100))  # "Lurah", "Sekretaris Kelurahan"
    delegated: Mapped[bool] = mapped_column(Boolean, default=False)  # True: "a.n. Lurah ..."
    rank: Mapped[str] = mapped_column(String(100), default="")  # the signer's rank and NIP when they signed
    nip: Mapped[str] = mapped_column(String(18), default="")
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DeskAccount(Base):
    """A login to the staff console (`bot/desk`): a staff member's, or the city's admin (`staff_id` None).
    No password until the one-time set-up link (`setup_token_hash`, `setup_expires`) is used."""

    __tablename__ = "desk_account"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), nullable=True,
                                                 unique=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)  # argon2id
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    setup_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)  # sha256 hex
    setup_expires: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DeskSession(Base):
    """A logged-in browser of the staff console: the cookie holds a random id, the table its sha256."""

    __tablename__ = "desk_session"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("desk_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())  # absolute end (idle end: last_seen + idle)
    csrf_token: Mapped[str] = mapped_column(String(64))


class SkmResponse(Base):
    """A resident's answer to the satisfaction survey (SKM, PermenPANRB 14/2017) after their letter was
    issued: one per request; each element 1-4 (None: not asked or skipped), see `skm.elements`."""

    __tablename__ = "skm_response"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("letter_request.id"), unique=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    letter_type: Mapped[str] = mapped_column(String(32))
    u1: Mapped[int | None] = mapped_column(Integer, nullable=True)  # persyaratan
    u2: Mapped[int | None] = mapped_column(Integer, nullable=True)  # sistem, mekanisme dan prosedur
    u3: Mapped[int | None] = mapped_column(Integer, nullable=True)  # waktu penyelesaian
    u4: Mapped[int | None] = mapped_column(Integer, nullable=True)  # biaya/tarif
    u5: Mapped[int | None] = mapped_column(Integer, nullable=True)  # produk spesifikasi jenis pelayanan
    u6: Mapped[int | None] = mapped_column(Integer, nullable=True)  # kompetensi pelaksana
    u7: Mapped[int | None] = mapped_column(Integer, nullable=True)  # perilaku pelaksana
    u8: Mapped[int | None] = mapped_column(Integer, nullable=True)  # penanganan pengaduan, saran dan masukan
    u9: Mapped[int | None] = mapped_column(Integer, nullable=True)  # sarana dan prasarana
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class Agency(Base):
    """Another agency's system (Dinas Sosial, a hospital, a bank) allowed to call the integration API:
    its key is shown once (`esurat agency add`) and stored only as its SHA-256."""

    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the whole key
    key_prefix: Mapped[str] = mapped_column(String(16))  # the key's first characters, to tell keys apart
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class SendSlot(Base):
    """When a channel may next send to a chat (`chat_id` "*": the channel's own, bot-wide pace), in epoch
    seconds; booked by every replica's outbox sender (`db.send_slots`)."""

    __tablename__ = "send_slot"
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_at: Mapped[float] = mapped_column(Double())
    __table_args__ = (Index("ix_send_slot_channel_next_at", "channel", "next_at"),)


class RateCount(Base):
    """What one replica's rate limiter (`scope`) let a client spend in one minute: published about once a
    second, read back by the other replicas (`verification.shared_limits`)."""

    __tablename__ = "rate_count"
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    minute: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch seconds // 60
    replica: Mapped[str] = mapped_column(String(40), primary_key=True)  # the process instance (`db.claims`)
    spent: Mapped[float] = mapped_column(Double())
    at: Mapped[float] = mapped_column(Double(), index=True)  # when it was published (epoch seconds)
