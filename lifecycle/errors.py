"""Domain errors of the request lifecycle. Each carries a message fit to show a person."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: the operation was refused and nothing was changed."""


class NotFound(DomainError):
    pass


class IllegalTransition(DomainError):
    def __init__(self, event: str, status: str) -> None:
        super().__init__(f"'{event}' tidak dapat dilakukan pada permohonan berstatus '{status}'")
        self.event = event
        self.status = status


class ReasonRequired(DomainError):
    def __init__(self, event: str) -> None:
        super().__init__(f"'{event}' memerlukan alasan/catatan")
        self.event = event


class NotAuthorized(DomainError):
    pass
