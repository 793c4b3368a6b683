"""The approval chain as data: per kelurahan (and letter type) one step (any staff decides) or two (the
operator checks and forwards, the Lurah, or the Sekretaris on the Lurah's behalf, approves and signs).

`PERMISSIONS` says, for a policy's number of steps and a staff decision, from which statuses and by which
roles it may be taken and whether the approver signs the letter. `moderation.service.ModerationService`
applies it (the one authorization rule); the card's buttons are read from it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ApprovalPolicy, Staff
from lifecycle.transitions import Event, Status

ONE_STEP, TWO_STEPS = 1, 2
STEPS = (ONE_STEP, TWO_STEPS)


class Role(StrEnum):
    OPERATOR = "operator"
    SEKRETARIS = "sekretaris"
    LURAH = "lurah"


ANY_STAFF = None  # every active staff member of the kelurahan, whatever their role
SIGNERS = frozenset({Role.LURAH, Role.SEKRETARIS})
SIGNERS_ONLY = "Hanya Lurah atau Sekretaris yang dapat menyetujui surat ini."
NOT_FORWARDED = "Surat ini harus diperiksa dan diteruskan ke Lurah terlebih dahulu."
ONE_STEP_ONLY = "Kelurahan ini menyetujui surat ini dalam satu tahap; tidak perlu diteruskan."


@dataclass(frozen=True)
class Permission:
    sources: frozenset[Status]  # where the decision may be taken under this policy
    roles: frozenset[Role] | None  # who may take it (None: any staff)
    refusal: str = ""  # why someone else may not
    signs: bool = False  # the approver's name and title go on the letter


def _p(sources: set[Status], roles: frozenset[Role] | None = ANY_STAFF, refusal: str = "",
       signs: bool = False) -> Permission:
    return Permission(frozenset(sources), roles, refusal, signs)


S, E = Status, Event
PERMISSIONS: dict[tuple[int, Event], Permission] = {
    # One step, as before the chain: any staff decides. A request left `checked` by an earlier two-step
    # policy can still be decided.
    (ONE_STEP, E.APPROVE): _p({S.SUBMITTED, S.CHECKED}),
    (ONE_STEP, E.REJECT): _p({S.SUBMITTED, S.NEEDS_REVISION, S.CHECKED}),
    (ONE_STEP, E.REQUEST_REVISION): _p({S.SUBMITTED, S.CHECKED}),
    # Two steps: any staff checks and forwards; only the Lurah or the Sekretaris (a.n. Lurah) approves.
    (TWO_STEPS, E.FORWARD): _p({S.SUBMITTED}),
    (TWO_STEPS, E.APPROVE): _p({S.CHECKED}, SIGNERS, SIGNERS_ONLY, signs=True),
    (TWO_STEPS, E.REJECT): _p({S.SUBMITTED, S.NEEDS_REVISION, S.CHECKED}),
    (TWO_STEPS, E.REQUEST_REVISION): _p({S.SUBMITTED, S.CHECKED}),
}
# The card's buttons, in this order, are the decisions PERMISSIONS allows from the request's status.
BUTTON_ORDER = (E.FORWARD, E.APPROVE, E.REJECT, E.REQUEST_REVISION)


def refusal(steps: int, event: Event, status: Status, role: str) -> str | None:
    """Why a staff member of `role` may not take `event` on a request in `status` under a `steps` policy
    (None: they may). A status the event cannot start from at all is left to the lifecycle (already decided)."""
    perm = PERMISSIONS.get((steps, event))
    if perm is None:
        return ONE_STEP_ONLY if event is E.FORWARD else f"Tindakan '{event.value}' tidak dikenal."
    if status not in perm.sources:
        return NOT_FORWARDED if event is E.APPROVE and status is S.SUBMITTED else None
    if perm.roles is not None and role not in perm.roles:
        return perm.refusal or "Anda tidak berwenang mengambil tindakan ini."
    return None


def buttons(steps: int, status: Status) -> list[Event]:
    """The decisions a card offers for a request in `status` under a `steps` policy."""
    return [e for e in BUTTON_ORDER if (p := PERMISSIONS.get((steps, e))) is not None and status in p.sources
            and status is not S.NEEDS_REVISION]


def signs(steps: int, event: Event) -> bool:
    perm = PERMISSIONS.get((steps, event))
    return perm is not None and perm.signs


@dataclass(frozen=True)
class Signer:
    """Who signs a letter: the approving Lurah, or the Sekretaris a.n. Lurah (`delegated`)."""

    staff_id: int
    name: str
    title: str  # the position printed above the name: "Lurah", "Sekretaris Kelurahan"
    delegated: bool
    rank: str = ""  # printed under the name, with the NIP, when on record
    nip: str = ""

    @classmethod
    def of(cls, staff: Staff) -> Signer:
        rank, nip = staff.rank or "", staff.nip or ""
        if staff.role == Role.SEKRETARIS:
            return cls(staff.id, staff.name, "Sekretaris Kelurahan", delegated=True, rank=rank, nip=nip)
        return cls(staff.id, staff.name, "Lurah", delegated=False, rank=rank, nip=nip)


async def steps_for(session: AsyncSession, kelurahan_id: int, letter_type: str) -> int:
    """The number of approval steps of a kelurahan's letters of `letter_type`: the type's own policy, else
    the kelurahan's, else one step."""
    rows = (await session.execute(select(ApprovalPolicy.letter_type, ApprovalPolicy.steps).where(
        ApprovalPolicy.kelurahan_id == kelurahan_id,
        (ApprovalPolicy.letter_type == letter_type) | ApprovalPolicy.letter_type.is_(None),
    ).order_by(ApprovalPolicy.id.desc()))).all()
    by_type = {t: steps for t, steps in reversed(rows)}
    return int(by_type.get(letter_type, by_type.get(None, ONE_STEP)))


async def set_steps(session: AsyncSession, kelurahan_id: int, letter_type: str | None, steps: int) -> None:
    """Set the approval steps of a kelurahan (`letter_type` None) or of one of its letter types."""
    if steps not in STEPS:
        raise ValueError(f"tahap persetujuan harus 1 atau 2, bukan {steps}")
    same_type = (ApprovalPolicy.letter_type == letter_type if letter_type is not None
                 else ApprovalPolicy.letter_type.is_(None))
    row = await session.scalar(select(ApprovalPolicy).where(ApprovalPolicy.kelurahan_id == kelurahan_id, same_type)
                               .order_by(ApprovalPolicy.id.desc()).limit(1))
    if row is None:
        session.add(ApprovalPolicy(kelurahan_id=kelurahan_id, letter_type=letter_type, steps=steps))
    else:
        row.steps = steps
