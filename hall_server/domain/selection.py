"""Which waiting ticket a counter calls next.

The queue is ordered by effective time = issued_at − head start of the priority class; an
appointment counts from the earlier of its issue and its slot. A head start is never
absolute pre-emption: a normal ticket that has waited longer than the head start still
goes first, so nobody starves. A transferred ticket keeps its original issue time.
"""
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from .tickets import Ticket


def effective_at(issued_at: datetime, slot_start: datetime | None, priority: str,
                 head_starts: Mapping[str, timedelta]) -> datetime:
    """A ticket's place in the queue. It depends only on facts fixed at issue, so it is
    computed then and kept with the ticket (the store finds the head of the queue by it)."""
    start = issued_at if slot_start is None else min(issued_at, slot_start)
    return start - head_starts.get(priority, timedelta(0))


def effective_time(ticket: Ticket, head_starts: Mapping[str, timedelta]) -> datetime:
    return effective_at(ticket.issued_at, ticket.slot_start, ticket.priority, head_starts)


def queue_key(ticket: Ticket, head_starts: Mapping[str, timedelta]) -> tuple:
    return (effective_time(ticket, head_starts), ticket.issued_at, ticket.id)


def serves(ticket: Ticket, counter: int, services: Iterable[str]) -> bool:
    """A ticket transferred to a counter waits for that counter alone."""
    if ticket.counter is not None:
        return ticket.counter == counter
    return ticket.service in services


def choose_next(
    waiting: Iterable[Ticket],
    counter: int,
    services: Iterable[str],
    head_starts: Mapping[str, timedelta],
) -> Ticket | None:
    services = frozenset(services)
    eligible = (t for t in waiting if serves(t, counter, services))
    return min(eligible, key=lambda t: queue_key(t, head_starts), default=None)
