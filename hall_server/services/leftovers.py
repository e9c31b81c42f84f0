"""What the database still holds for halls, counters and services the configuration no longer has.

An administrator who removes from the file a counter that is signed in, or a service whose
customers still wait, leaves rows nobody can act on: the counter cannot be signed out (the
use cases refuse a counter the file does not name), the tickets are never called. Start-up
refuses to serve until the file and the database agree again, and says what is left and
what to do, instead of failing later on an ordinary request.

It runs after the day close has caught up with the days that ended while the server was
down, so the tickets of earlier business days are expired by then and only today's count.
A hall the file no longer has gets no day close, so every unfinished ticket of it counts.
"""
from collections import defaultdict
from datetime import date

from ..config import ConfigError, Hall
from ..domain.counters import CounterState
from ..domain.numbering import business_day
from ..domain.tickets import Ticket, TicketStatus
from ..storage.store import Reader
from .context import HallContext

#: at most this many ticket numbers are named in one line
NAMED_TICKETS = 10


def check_leftovers(ctx: HallContext) -> None:
    """Raise ConfigError describing every leftover, if there is any."""
    problems = find_leftovers(ctx)
    if problems:
        raise ConfigError("\n".join([
            "the database still holds what the hall configuration no longer has; "
            "start-up stops until they agree again:", *(f"  {line}" for line in problems)]))


def find_leftovers(ctx: HallContext) -> list[str]:
    """One line per leftover, saying what is left and what to do."""
    now = ctx.clock.now()
    problems: list[str] = []
    with ctx.store.read() as reader:
        for hall_id in reader.hall_ids():
            hall = ctx.config.by_id.get(hall_id)
            if hall is None:
                problems += _removed_hall(reader, hall_id)
            else:
                problems += [f"hall {hall_id}: {line}"
                             for line in _hall(reader, hall, business_day(now, hall.timezone))]
    return problems


def _hall(reader: Reader, hall: Hall, day: date) -> list[str]:
    lines = []
    for counter in reader.counters(hall.id):
        if counter.number in hall.counters_by_number or counter.state is CounterState.CLOSED:
            continue
        doing = f"signed in by {counter.clerk}"
        steps = f"put counter {counter.number} back into the file, sign it out, then remove it"
        if counter.state is CounterState.PAUSED:
            doing += " (paused)"
        if counter.ticket is not None:
            number = reader.ticket(counter.ticket).display_number
            doing += f", serving {number}"
            steps = (f"put counter {counter.number} back into the file, finish or transfer {number}, "
                     "sign the counter out, then remove it")
        lines.append(f"counter {counter.number} is still {doing}: {steps}")
    by_service: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in reader.open_tickets(hall.id, since=day, through=day):
        if ticket.service not in hall.services_by_code:
            by_service[ticket.service].append(ticket)
        elif (ticket.status is TicketStatus.WAITING and ticket.counter is not None
              and ticket.counter not in hall.counters_by_number):
            lines.append(f"ticket {ticket.display_number} waits for counter {ticket.counter}, which the file "
                         f"no longer has: put counter {ticket.counter} back until it is called, "
                         "or until the day is closed")
    for service, tickets in by_service.items():
        lines.append(f"{_tickets(tickets, f' of service {service!r}')} {_are_still(tickets)}: "
                     "put the service back until they are served or the day is closed")
    return lines


def _removed_hall(reader: Reader, hall_id: str) -> list[str]:
    held = [f"counter {c.number} signed in by {c.clerk}" for c in reader.counters(hall_id)
            if c.state is not CounterState.CLOSED]
    tickets = reader.open_tickets(hall_id)
    if tickets:
        held.append(f"{_tickets(tickets)} not finished")
    if not held:
        return []
    return [f"hall {hall_id} is no longer in the file but has {', '.join(held)}: put the hall back "
            "into the file until its tickets are served or its day is closed and its counters are "
            "signed out, then remove it"]


def _tickets(tickets: list[Ticket], of: str = "") -> str:
    """'3 tickets{of} (C001, C002, C003)', naming at most NAMED_TICKETS of them."""
    numbers = [t.display_number for t in tickets[:NAMED_TICKETS]]
    if len(tickets) > NAMED_TICKETS:
        numbers.append(f"and {len(tickets) - NAMED_TICKETS} more")
    noun = "ticket" if len(tickets) == 1 else "tickets"
    return f"{len(tickets)} {noun}{of} ({', '.join(numbers)})"


def _are_still(tickets: list[Ticket]) -> str:
    verb = "is" if len(tickets) == 1 else "are"
    if all(t.status is TicketStatus.WAITING for t in tickets):
        return f"{verb} still waiting"
    counts = defaultdict(int)
    for ticket in tickets:
        counts[ticket.status.value] += 1
    return f"{verb} still open ({', '.join(f'{n} {status}' for status, n in counts.items())})"
