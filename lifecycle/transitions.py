"""The request lifecycle as data (no I/O): which event moves which status where, who may
cause it, and whether it needs a reason.

    draft -> submitted -> (needs_revision -> submitted)* -> approved -> issued -> revoked
    submitted | needs_revision | checked -> rejected        draft | submitted | needs_revision | checked -> cancelled
    two steps (`lifecycle.approval`): submitted -> checked (forwarded by the operator) -> approved
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lifecycle.errors import IllegalTransition, ReasonRequired


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHECKED = "checked"  # diperiksa: forwarded by the operator to the Lurah (two-step approval)
    NEEDS_REVISION = "needs_revision"
    APPROVED = "approved"
    ISSUED = "issued"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    REVOKED = "revoked"


class Event(StrEnum):
    SUBMIT = "submit"
    REQUEST_REVISION = "request_revision"
    FORWARD = "forward"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    ISSUE = "issue"
    REVOKE = "revoke"


class ActorKind(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status
    actors: frozenset[ActorKind]
    needs_reason: bool = False


def _t(sources: set[Status], target: Status, actors: set[ActorKind], needs_reason: bool = False) -> Transition:  # noqa: E501
    return Transition(frozenset(sources), target, frozenset(actors), needs_reason)


S, A = Status, ActorKind
TRANSITIONS: dict[Event, Transition] = {
    Event.SUBMIT: _t({S.DRAFT, S.NEEDS_REVISION}, S.SUBMITTED, {A.RESIDENT}),
    Event.REQUEST_REVISION: _t({S.SUBMITTED, S.CHECKED}, S.NEEDS_REVISION, {A.STAFF}, needs_reason=True),
    Event.FORWARD: _t({S.SUBMITTED}, S.CHECKED, {A.STAFF}),
    Event.APPROVE: _t({S.SUBMITTED, S.CHECKED}, S.APPROVED, {A.STAFF}),
    Event.REJECT: _t({S.SUBMITTED, S.NEEDS_REVISION, S.CHECKED}, S.REJECTED, {A.STAFF}, needs_reason=True),
    Event.CANCEL: _t({S.DRAFT, S.SUBMITTED, S.NEEDS_REVISION, S.CHECKED}, S.CANCELLED, {A.RESIDENT}),
    Event.ISSUE: _t({S.APPROVED}, S.ISSUED, {A.SYSTEM, A.STAFF}),
    Event.REVOKE: _t({S.ISSUED}, S.REVOKED, {A.STAFF, A.SYSTEM}, needs_reason=True),
}

def check(event: Event, status: Status | str, actor: ActorKind, reason: str | None = None) -> Status:
    """Return the target status of `event` from `status`, or raise a DomainError."""
    t = TRANSITIONS[event]
    if Status(status) not in t.sources or actor not in t.actors:
        raise IllegalTransition(event.value, str(status))
    if t.needs_reason and not (reason and reason.strip()):
        raise ReasonRequired(event.value)
    return t.target
