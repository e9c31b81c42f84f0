"""Checks shared by the use cases: does the counter exist, may this actor work at it."""
from ..config import Hall
from ..domain.actors import Actor, Role
from ..domain.counters import Counter
from ..domain.errors import Forbidden, NotFound
from ..storage.store import WriteTx


def known_counter(hall: Hall, number: int) -> int:
    if number not in hall.counters_by_number:
        raise NotFound(f"hall {hall.id} has no counter {number}", "unknown_counter")
    return number


def counter_for(tx: WriteTx, hall: Hall, number: int, actor: Actor) -> Counter:
    """The counter, if it exists and the actor may work at it: a clerk only at their own."""
    counter = tx.counter(known_counter(hall, number))
    if actor.role is Role.CLERK and counter.clerk != actor.name:
        raise Forbidden(f"{actor.name} is not signed in at counter {number}", "not_your_counter")
    return counter
