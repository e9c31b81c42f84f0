"""Closing a business day: whatever is still open is expired, counters are signed out.

Runs from the scheduler at each hall's close time, and at start-up for a day that ended
while the server was down. Closing a day twice changes nothing.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from ..domain.actors import SYSTEM
from ..domain.counters import CounterState
from ..domain.day_close import DAY_CLOSED, close_at, last_ended_day
from ..domain.events import EventType as E
from .context import HallContext


@dataclass(frozen=True)
class DayClosed:
    hall: str
    day: date
    expired: list[str]
    signed_out: list[int]


def close_ended_day(ctx: HallContext, hall_id: str) -> DayClosed | None:
    """Close the hall's last ended business day, and every earlier one still open;
    None if it was closed already and nothing of it is open."""
    hall = ctx.hall(hall_id)
    after = timedelta(minutes=hall.close_after_min)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        day = last_ended_day(tx.at, hall.opening_hours, hall.timezone, after)
        closed = tx.closed_day(hall_id)
        first_close = closed is None or closed < day
        # a ticket taken after its day was closed is expired by the next close or start-up
        expired = tx.track(tx.open_tickets(hall_id, through=day))
        if not first_close and not expired:
            return None
        expired_ids = {ticket.id for ticket in expired}
        cutoff = close_at(day, hall.opening_hours, hall.timezone, after)
        # counters opened before the close, or holding a ticket of the closed day
        stale = [c.number for c in tx.counters(hall_id) if c.state is not CounterState.CLOSED
                 and (first_close and (c.since is None or c.since <= cutoff) or c.ticket in expired_ids)]
        for ticket in expired:
            at_counter = ticket.at_counter
            if at_counter is not None:
                tx.counter(at_counter)
            tx.record(E.TICKET_EXPIRED, ticket=ticket.id, counter=at_counter, actor=SYSTEM.name,
                      data={"number": ticket.display_number, "reason": DAY_CLOSED,
                            "business_day": ticket.business_day.isoformat()})
        signed_out = []
        for number in stale:
            if tx.counter(number).state is CounterState.SERVING:
                continue  # serving a ticket of a later day: that clerk is at work
            tx.record(E.COUNTER_SIGNED_OUT, counter=number, actor=SYSTEM.name,
                      data={"reason": DAY_CLOSED})
            signed_out.append(number)
        tx.mark_day_closed(day)
        return DayClosed(hall_id, day, [t.display_number for t in expired], signed_out)


def close_ended_days(ctx: HallContext) -> list[DayClosed]:
    """Close every hall's ended day that is still open (at start-up and from the scheduler)."""
    results = (close_ended_day(ctx, hall.id) for hall in ctx.config.halls)
    return [result for result in results if result is not None]
