"""Who causes a transition; written to the audit trail as `kind:id`."""

from __future__ import annotations

from dataclasses import dataclass

from lifecycle.transitions import ActorKind


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: int | None = None
    kelurahan_id: int | None = None  # staff only
    name: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind.value}:{self.id}" if self.id is not None else self.kind.value

    @classmethod
    def resident(cls, resident_id: int) -> Actor:
        return cls(ActorKind.RESIDENT, resident_id)

    @classmethod
    def staff(cls, staff_id: int, kelurahan_id: int, name: str = "") -> Actor:
        return cls(ActorKind.STAFF, staff_id, kelurahan_id, name)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM)
