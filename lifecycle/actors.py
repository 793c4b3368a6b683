"""Who causes a transition; written to the audit trail as `kind:id`."""

from __future__ import annotations

from dataclasses import dataclass

from lifecycle.transitions import ActorKind

OPERATOR = "operator"  # audit label of a named operator: "operator:<name>"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: int | None = None
    kelurahan_id: int | None = None  # staff only
    name: str = ""

    @property
    def label(self) -> str:
        if self.id is None and self.kind is ActorKind.SYSTEM and self.name:
            return f"{OPERATOR}:{self.name}"
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

    @classmethod
    def operator(cls, name: str) -> Actor:
        """A person at the command line (`esurat letter revoke --by`): acts as the system, audited by name."""
        return cls(ActorKind.SYSTEM, name=" ".join(name.split())[:80] or "operator")
