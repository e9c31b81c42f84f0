"""Which roles may do what (CONTRACT.md, "Authentication"). Halls are checked by the
service layer; a clerk's counter too."""
from ..domain.actors import Actor, Role
from ..domain.errors import Forbidden

STAFF = frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN})
ISSUERS = STAFF | {Role.KIOSK}
RATERS = frozenset({Role.EVALUATOR, Role.MANAGER, Role.ADMIN})
MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
#: who books, reads and cancels appointments; a kiosk also reads one (without name and phone)
BOOKERS = MANAGERS | {Role.BOOKING}
APPOINTMENT_READERS = BOOKERS | {Role.KIOSK}


def require(actor: Actor, roles: frozenset[Role], doing: str) -> None:
    if actor.role not in roles:
        raise Forbidden(f"a {actor.role.value} may not {doing}", "forbidden")
