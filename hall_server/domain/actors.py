"""Who acts: a user (clerk, manager, admin), a device, or the system itself."""
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    MANAGER = "manager"
    ADMIN = "admin"
    KIOSK = "kiosk"
    DISPLAY = "display"
    EVALUATOR = "evaluator"
    BOOKING = "booking"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    #: the halls the actor may act in; None means every hall (admin, system)
    halls: frozenset[str] | None = None
    #: the counter an evaluator device belongs to
    counter: int | None = None

    def may_act_in(self, hall: str) -> bool:
        return self.halls is None or hall in self.halls


SYSTEM = Actor("system", Role.SYSTEM)
