"""Where a ticket stands in the queue.

The queue is ordered by effective time = issued_at − head start of the priority class; an
appointment counts from the earlier of its issue and its slot. A head start is never
absolute pre-emption: a normal ticket that has waited longer than the head start still
goes first, so nobody starves. A transferred ticket keeps its place. The store finds the
head of the queue by this order (Reader.head_of_queue); this module only computes places.
"""
from collections.abc import Mapping
from datetime import datetime, timedelta

#: how far behind the customer it follows a reinstated no-show is placed
BEHIND = timedelta(microseconds=1)


def effective_at(issued_at: datetime, slot_start: datetime | None, priority: str,
                 head_starts: Mapping[str, timedelta]) -> datetime:
    """A ticket's place in the queue. It depends only on facts fixed at issue, so it is
    computed then and kept with the ticket (the store finds the head of the queue by it)."""
    start = issued_at if slot_start is None else min(issued_at, slot_start)
    return start - head_starts.get(priority, timedelta(0))


def reinstated_at(own: datetime, ahead_of_it: list[datetime]) -> datetime:
    """The place of a reinstated no-show: behind the customers in `ahead_of_it` (the next
    waiting customers it must now let go first, in queue order), never ahead of its old place."""
    if not ahead_of_it:
        return own
    return max(own, ahead_of_it[-1] + BEHIND)
