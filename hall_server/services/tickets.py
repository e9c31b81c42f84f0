"""Use cases of the queue: issue, call, recall, start, finish, no-show, transfer,
reinstate and cancel a ticket."""
from datetime import datetime

from ..config import Hall
from ..domain.actors import Actor
from ..domain.counters import CounterState
from ..domain.errors import Conflict, Forbidden, Invalid
from ..domain.events import EventType as E
from ..domain.numbering import business_day, format_number
from ..domain.selection import effective_at
from ..domain.tickets import Ticket, TicketStatus
from ..storage.store import WriteTx
from .context import HallContext
from .guards import counter_for, known_counter

MAX_ITEMS = 99


def issue_ticket(ctx: HallContext, hall_id: str, service: str, actor: Actor, *,
                 priority: str = "normal", appointment: str | None = None,
                 slot_start: datetime | None = None,
                 client_request_id: str | None = None) -> Ticket:
    """Take a number. The same `client_request_id` again returns the same ticket."""
    hall = ctx.hall(hall_id, actor)
    config = hall.services_by_code.get(service)
    if config is None:
        raise Invalid(f"hall {hall_id} has no service {service!r}", "unknown_service")
    if appointment and priority == "normal":
        priority = "appointment"
    if priority not in hall.head_starts:
        raise Invalid(f"unknown priority class {priority!r}", "unknown_priority")
    now = ctx.clock.now()
    with ctx.store.write(hall_id, now) as tx:
        if client_request_id:
            earlier = tx.ticket_by_request(hall_id, client_request_id)
            if earlier is not None:
                return earlier
        day = business_day(now, hall.timezone)
        place = effective_at(now, slot_start, priority, hall.head_starts)
        serial = tx.next_number(day, config.prefix)
        event = tx.record(E.TICKET_ISSUED, actor=actor.name, data={
            "service": service, "prefix": config.prefix, "serial": serial,
            "number": format_number(config.prefix, serial),
            "business_day": day.isoformat(), "priority": priority, "appointment": appointment,
            "slot_start": slot_start.isoformat() if slot_start else None,
            "effective_at": place.isoformat(),
            "client_request_id": client_request_id,
        })
        return tx.state.tickets[event.ticket]


def call_next(ctx: HallContext, hall_id: str, counter: int, actor: Actor) -> Ticket | None:
    """The atomic claim: the best waiting ticket for this counter, or None if nobody waits."""
    hall = ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock.now()) as tx:
        desk = counter_for(tx, hall, counter, actor)
        if desk.ticket is not None:
            raise Conflict(f"counter {counter} still has ticket {desk.ticket}", "ticket_in_progress")
        if desk.state is not CounterState.IDLE:
            raise Conflict(f"counter {counter} is {desk.state.value}", "counter_not_ready")
        ticket = tx.head_of_queue(counter, hall.counters_by_number[counter].services)
        if ticket is None:
            return None
        tx.record(E.TICKET_CALLED, ticket=ticket.id, counter=counter, actor=actor.name,
                  data={"clerk": desk.clerk, "number": ticket.display_number})
        if hall.start_on_call:
            tx.record(E.TICKET_STARTED, ticket=ticket.id, counter=counter, actor=actor.name,
                      data={"number": ticket.display_number})
        return ticket


def recall(ctx: HallContext, hall_id: str, counter: int, actor: Actor) -> Ticket:
    hall = ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock.now()) as tx:
        ticket = _current_ticket(tx, hall, counter, actor)
        if hall.recall_cap and ticket.recall_count >= hall.recall_cap:
            raise Conflict(f"ticket {ticket.display_number} was recalled {ticket.recall_count} "
                           "times already; mark it a no-show", "recall_cap_reached")
        tx.record(E.TICKET_RECALLED, ticket=ticket.id, counter=counter, actor=actor.name,
                  data={"number": ticket.display_number})
        return ticket


def start(ctx: HallContext, hall_id: str, counter: int, actor: Actor) -> Ticket:
    return _counter_action(ctx, hall_id, counter, actor, E.TICKET_STARTED)


def no_show(ctx: HallContext, hall_id: str, counter: int, actor: Actor) -> Ticket:
    return _counter_action(ctx, hall_id, counter, actor, E.TICKET_NO_SHOW)


def finish(ctx: HallContext, hall_id: str, counter: int, actor: Actor,
           items: list[dict] | None = None) -> Ticket:
    """Finish serving; `items` are the business items handled, by default one of its service."""
    hall = ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock.now()) as tx:
        ticket = _current_ticket(tx, hall, counter, actor)
        items = _checked_items(hall, items or [{"service": ticket.service, "count": 1}])
        tx.record(E.TICKET_FINISHED, ticket=ticket.id, counter=counter, actor=actor.name,
                  data={"number": ticket.display_number, "items": items})
        return ticket


def transfer(ctx: HallContext, hall_id: str, counter: int, actor: Actor, *,
             service: str | None = None, to_counter: int | None = None) -> Ticket:
    """Send the customer on to another service or counter; they keep their issue time."""
    hall = ctx.hall(hall_id, actor)
    if (service is None) == (to_counter is None):
        raise Invalid("transfer to either a service or a counter", "invalid_transfer")
    if service is not None and service not in hall.services_by_code:
        raise Invalid(f"hall {hall_id} has no service {service!r}", "unknown_service")
    if to_counter is not None:
        known_counter(hall, to_counter)
    if to_counter == counter:
        raise Invalid("a ticket cannot be transferred to its own counter", "invalid_transfer")
    with ctx.store.write(hall_id, ctx.clock.now()) as tx:
        ticket = _current_ticket(tx, hall, counter, actor)
        tx.record(E.TICKET_TRANSFERRED, ticket=ticket.id, counter=counter, actor=actor.name,
                  data={"number": ticket.display_number, "service": service or ticket.service,
                        "from_service": ticket.service, "to_counter": to_counter})
        return ticket


def reinstate(ctx: HallContext, hall_id: str, ticket_id: int, actor: Actor) -> Ticket:
    """A customer marked no-show came back within the grace period: back in the queue."""
    hall = ctx.hall(hall_id, actor)
    now = ctx.clock.now()
    with ctx.store.write(hall_id, now) as tx:
        ticket = tx.ticket(ticket_id)
        if ticket.no_show_at is not None and \
                (now - ticket.no_show_at).total_seconds() > hall.reinstate_grace_min * 60:
            raise Conflict(f"ticket {ticket.display_number} missed its turn more than "
                           f"{hall.reinstate_grace_min:g} minutes ago", "grace_expired")
        tx.record(E.TICKET_REINSTATED, ticket=ticket.id, actor=actor.name,
                  data={"number": ticket.display_number})
        return ticket


def cancel(ctx: HallContext, hall_id: str, ticket_id: int, actor: Actor) -> Ticket:
    ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock.now()) as tx:
        ticket = tx.ticket(ticket_id)
        at_counter = ticket.counter if ticket.called_at is not None else None
        if at_counter is not None:
            tx.counter(at_counter)
        tx.record(E.TICKET_CANCELLED, ticket=ticket.id, counter=at_counter, actor=actor.name,
                  data={"number": ticket.display_number})
        return ticket


def _counter_action(ctx: HallContext, hall_id: str, counter: int, actor: Actor, kind: E) -> Ticket:
    hall = ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock.now()) as tx:
        ticket = _current_ticket(tx, hall, counter, actor)
        tx.record(kind, ticket=ticket.id, counter=counter, actor=actor.name,
                  data={"number": ticket.display_number})
        return ticket


def _current_ticket(tx: WriteTx, hall: Hall, number: int, actor: Actor) -> Ticket:
    counter = counter_for(tx, hall, number, actor)
    if counter.ticket is None:
        raise Conflict(f"counter {number} has no ticket called", "no_ticket")
    return tx.ticket(counter.ticket)


def _checked_items(hall: Hall, items: list[dict]) -> list[dict]:
    checked = []
    for item in items:
        service, count = item.get("service"), item.get("count", 1)
        if service not in hall.services_by_code:
            raise Invalid(f"hall {hall.id} has no service {service!r}", "unknown_service")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_ITEMS:
            raise Invalid(f"item count must be a whole number from 1 to {MAX_ITEMS}", "invalid_items")
        checked.append({"service": service, "count": count})
    return checked


RATING_SCORES = range(1, 6)


def rate(ctx: HallContext, hall_id: str, ticket_id: int, actor: Actor, score: int) -> Ticket:
    """The customer rates a finished visit (1 to 5) on the evaluator of the counter that served it."""
    ctx.hall(hall_id, actor)
    if score not in RATING_SCORES:
        raise Invalid("a rating is a whole number from 1 to 5", "invalid_score")
    with ctx.store.write(hall_id, ctx.clock.now()) as tx:
        ticket = tx.ticket(ticket_id)
        if ticket.status is not TicketStatus.DONE:
            raise Conflict(f"ticket {ticket.display_number} is not finished", "not_finished")
        if actor.counter is not None and actor.counter != ticket.counter:
            raise Forbidden(f"ticket {ticket.display_number} was served at counter {ticket.counter}",
                            "other_counter")
        if not tx.add_rating(ticket, score):
            raise Conflict(f"ticket {ticket.display_number} was rated already", "already_rated")
        tx.record(E.RATING_GIVEN, ticket=ticket.id, actor=actor.name,
                  data={"number": ticket.display_number, "score": score, "served_at": ticket.counter,
                        "clerk": ticket.clerk})
        return ticket
