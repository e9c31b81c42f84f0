"""Use cases of the queue: issue, call, recall, start, finish, no-show, transfer,
reinstate, cancel, rate and flag a ticket."""
from datetime import timedelta

from ..config import Hall
from ..domain.actors import Actor, Role
from ..domain.appointments import (
    APPOINTMENT_CLASS,
    REFUSALS,
    AppointmentStatus,
    StopReason,
    check_in_refusal,
    normalize_code,
)
from ..domain.counters import CounterState
from ..domain.errors import Conflict, Forbidden, Invalid
from ..domain.events import EventType as E
from ..domain.numbering import business_day, format_number
from ..domain.selection import effective_at, reinstated_at
from ..domain.tickets import FlagKind, Ticket, TicketStatus
from ..storage.store import MAX_ID, WriteTx
from .context import HallContext
from .guards import counter_for, known_counter
from .queries import wait_at_issue
from .switches import service_issuing

MAX_ITEMS = 99
#: who may act on any ticket of their halls; a clerk acts only at their own counter
SUPERVISORS = frozenset({Role.MANAGER, Role.ADMIN, Role.SYSTEM})


def issue_ticket(ctx: HallContext, hall_id: str, service: str, actor: Actor, *,
                 priority: str = "normal", appointment: str | None = None,
                 client_request_id: str | None = None) -> Ticket:
    """Take a number, or check an appointment in with its code. The same `client_request_id`
    from the same device on the same business day returns the same ticket.

    Refused, with nothing changed, outside opening hours, for a service the manager stopped
    or whose numbers of the day reached its cap (a booked appointment still checks in past
    the cap), and for an appointment code that is unknown, used, cancelled, of another
    service or outside its check-in window. A checked-in appointment's ticket gets the
    appointment class and its place counts from the slot; the appointment is used in the
    same transaction, so it is used once."""
    hall = ctx.hall(hall_id, actor)
    config = hall.services_by_code.get(service)
    if config is None:
        raise Invalid(f"hall {hall_id} has no service {service!r}", "unknown_service")
    client_request_id = client_request_id or None  # an empty id is no id
    code = normalize_code(appointment) if appointment else None
    if appointment and code is None:
        raise Invalid(f"no appointment {appointment!r} in hall {hall_id}", "unknown_appointment")
    if code:
        priority = APPOINTMENT_CLASS
    elif priority == APPOINTMENT_CLASS:
        raise Invalid("the appointment class is given by checking an appointment in with its code",
                      "appointment_code_needed")
    if priority not in hall.head_starts:
        raise Invalid(f"unknown priority class {priority!r}", "unknown_priority")
    with ctx.store.write(hall_id, ctx.clock) as tx:
        day = business_day(tx.at, hall.timezone)
        if client_request_id:
            earlier = tx.ticket_by_request(hall_id, day, actor.name, client_request_id)
            if earlier is not None:
                return earlier
        booked = tx.locked_appointment(code) if code else None
        if code and booked is None:
            raise Invalid(f"no appointment {code!r} in hall {hall_id}", "unknown_appointment")
        if booked is not None:
            check_in_refusal(booked, tx.at, timedelta(minutes=hall.appointment_early_min), hall.timezone, service)
        issued = tx.issued_on(hall_id, day).get(config.prefix, 0)
        refusal = service_issuing(hall, config, tx.service_switches(hall_id).get(service), issued, tx.at).stop_reason
        if refusal is not None and not (booked and refusal is StopReason.DAILY_CAP_REACHED):
            raise Conflict(REFUSALS[refusal], refusal.value)
        slot_start = booked.slot_start if booked else None
        place = effective_at(tx.at, slot_start, priority, hall.head_starts)
        serial = tx.next_number(day, config.prefix)
        told = wait_at_issue(tx, hall, Ticket(MAX_ID, hall_id, service, config.prefix, serial, day, priority,
                                              tx.at, effective_at=place))
        event = tx.record(E.TICKET_ISSUED, actor=actor.name, data={
            "service": service, "prefix": config.prefix, "serial": serial,
            "number": format_number(config.prefix, serial),
            "business_day": day.isoformat(), "priority": priority, "appointment": code,
            "slot_start": slot_start.isoformat() if slot_start else None,
            "effective_at": place.isoformat(),
            "client_request_id": client_request_id, "estimated_wait_s": told,
        })
        if booked is not None:
            tx.change_appointment(booked, AppointmentStatus.CHECKED_IN, event.ticket)
        return tx.state.tickets[event.ticket]


def call_next(ctx: HallContext, hall_id: str, counter: int, actor: Actor) -> Ticket | None:
    """The atomic claim: the best waiting ticket of today for this counter, or None."""
    hall = ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        desk = counter_for(tx, hall, counter, actor)
        if desk.ticket is not None:
            raise Conflict(f"counter {counter} still has ticket {desk.ticket}", "ticket_in_progress")
        if desk.state is not CounterState.IDLE:
            raise Conflict(f"counter {counter} is {desk.state.value}", "counter_not_ready")
        today = business_day(tx.at, hall.timezone)
        ticket = tx.head_of_queue(today, counter, hall.counters_by_number[counter].services)
        if ticket is None:
            return None
        tx.record(E.TICKET_CALLED, ticket=ticket.id, counter=counter, actor=actor.name,
                  data={"clerk": desk.clerk, "number": ticket.display_number,
                        "starts_clock": hall.start_on_call})
        return ticket


def recall(ctx: HallContext, hall_id: str, counter: int, actor: Actor) -> Ticket:
    hall = ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        ticket = _current_ticket(tx, hall, counter, actor)
        if hall.recall_cap and ticket.recall_count >= hall.recall_cap:
            raise Conflict(f"ticket {ticket.display_number} was recalled {ticket.recall_count} "
                           "times already; mark it a no-show", "recall_cap_reached")
        _record(tx, E.TICKET_RECALLED, ticket, counter, actor)
        return ticket


def start(ctx: HallContext, hall_id: str, counter: int, actor: Actor) -> Ticket:
    """The customer is at the window (in a hall that starts on call, the clock runs already)."""
    hall = ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        ticket = _current_ticket(tx, hall, counter, actor)
        _record(tx, E.TICKET_STARTED, ticket, counter, actor)
        return ticket


def no_show(ctx: HallContext, hall_id: str, counter: int, actor: Actor) -> Ticket:
    hall = ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        ticket = _current_ticket(tx, hall, counter, actor)
        _record(tx, E.TICKET_NO_SHOW, ticket, counter, actor)
        return ticket


def finish(ctx: HallContext, hall_id: str, counter: int, actor: Actor,
           items: list[dict] | None = None) -> Ticket:
    """Finish serving; `items` are the business items handled, by default one of its service."""
    hall = ctx.hall(hall_id, actor)
    items = _checked_items(hall, items) if items else None
    with ctx.store.write(hall_id, ctx.clock) as tx:
        ticket = _current_ticket(tx, hall, counter, actor)
        _arrived(tx, hall, ticket, counter, actor)
        _record(tx, E.TICKET_FINISHED, ticket, counter, actor,
                items=items or [{"service": ticket.service, "count": 1}])
        return ticket


def transfer(ctx: HallContext, hall_id: str, counter: int, actor: Actor, *,
             service: str | None = None, to_counter: int | None = None, note: str | None = None) -> Ticket:
    """Send the customer on to another service or counter; they keep their place in the queue.
    The visit here ends and keeps its handling time; the next counter starts a new one.
    `note`: what the next clerk should know, kept in the event."""
    hall = ctx.hall(hall_id, actor)
    if (service is None) == (to_counter is None):
        raise Invalid("transfer to either a service or a counter", "invalid_transfer")
    if service is not None and service not in hall.services_by_code:
        raise Invalid(f"hall {hall_id} has no service {service!r}", "unknown_service")
    if to_counter is not None:
        known_counter(hall, to_counter)
    if to_counter == counter:
        raise Invalid("a ticket cannot be transferred to its own counter", "invalid_transfer")
    with ctx.store.write(hall_id, ctx.clock) as tx:
        ticket = _current_ticket(tx, hall, counter, actor)
        if service == ticket.service:
            raise Invalid(f"ticket {ticket.display_number} is for {service} already; "
                          "name another service or a counter", "invalid_transfer")
        _arrived(tx, hall, ticket, counter, actor)
        _record(tx, E.TICKET_TRANSFERRED, ticket, counter, actor, service=service or ticket.service,
                from_service=ticket.service, to_counter=to_counter, **({"note": note} if note else {}))
        return ticket


def reinstate(ctx: HallContext, hall_id: str, ticket_id: int, actor: Actor) -> Ticket:
    """A customer marked no-show came back within the grace period: back in the queue,
    behind the next `reinstate_behind` waiting customers of the service. A clerk may do it
    at the counter that marked the no-show; a manager anywhere in their halls."""
    hall = ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        ticket = tx.ticket(ticket_id)
        _check_own_counter(tx, ticket.counter, actor, "reinstate")
        if ticket.status is TicketStatus.NO_SHOW:
            if ticket.business_day != business_day(tx.at, hall.timezone):
                raise Conflict(f"ticket {ticket.display_number} is of a closed day", "day_closed")
            if (tx.at - ticket.no_show_at).total_seconds() > hall.reinstate_grace_min * 60:
                raise Conflict(f"ticket {ticket.display_number} missed its turn more than "
                               f"{hall.reinstate_grace_min:g} minutes ago", "grace_expired")
        behind = tx.next_in_queue(hall_id, ticket.business_day, ticket.service, hall.reinstate_behind)
        place = reinstated_at(ticket.effective_at, behind)
        _record(tx, E.TICKET_REINSTATED, ticket, None, actor, effective_at=place.isoformat())
        return ticket


def cancel(ctx: HallContext, hall_id: str, ticket_id: int, actor: Actor,
           only: TicketStatus | None = None) -> Ticket:
    """Give up a ticket: a manager any open ticket of their halls, a clerk only the one
    called at their own counter; `only`: just a ticket in that state (409 otherwise)."""
    ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        ticket = tx.ticket(ticket_id)
        if only is not None and ticket.status is not only:
            raise Conflict(f"ticket {ticket.display_number} is {ticket.status.value}", f"not_{only.value}")
        at_counter = ticket.at_counter
        _check_own_counter(tx, at_counter, actor, "cancel")
        if at_counter is not None:
            tx.counter(at_counter)
        _record(tx, E.TICKET_CANCELLED, ticket, at_counter, actor)
        return ticket


def rate(ctx: HallContext, hall_id: str, ticket_id: int, actor: Actor, score: int,
         reason: str | None = None) -> Ticket:
    """The customer rates a finished visit on the evaluator of the counter that served it:
    `score` one of the hall's rating levels, `reason` (one of its rating reasons) only with a
    low one. The `rating.given` event says whether it is low: that is how a low rating
    reaches the manager at once."""
    hall = ctx.hall(hall_id, actor)
    level = hall.rating_levels_by_score.get(score)
    if level is None:
        scores = ", ".join(str(known.score) for known in hall.rating_levels)
        raise Invalid(f"a rating is one of the hall's levels: {scores}", "invalid_score")
    if reason is not None and (not level.low or reason not in hall.rating_reasons_by_code):
        raise Invalid(f"{reason!r} is not a reason of the hall's for a low rating", "invalid_reason")
    with ctx.store.write(hall_id, ctx.clock) as tx:
        ticket = tx.ticket(ticket_id)
        if ticket.status is not TicketStatus.DONE:
            raise Conflict(f"ticket {ticket.display_number} is not finished", "not_finished")
        if actor.counter is not None and actor.counter != ticket.counter:
            raise Forbidden(f"ticket {ticket.display_number} was served at counter {ticket.counter}",
                            "other_counter")
        if not tx.add_rating(ticket, score):
            raise Conflict(f"ticket {ticket.display_number} was rated already", "already_rated")
        _record(tx, E.RATING_GIVEN, ticket, None, actor, score=score, level=level.code, low=level.low,
                reason=reason, served_at=ticket.counter, clerk=ticket.clerk)
        return ticket


def _record(tx: WriteTx, kind: E, ticket: Ticket, counter: int | None, actor: Actor, **data) -> None:
    tx.record(kind, ticket=ticket.id, counter=counter, actor=actor.name,
              data={"number": ticket.display_number, **data})


def _arrived(tx: WriteTx, hall: Hall, ticket: Ticket, counter: int, actor: Actor) -> None:
    """In a hall that starts on call the clerk need not press start: finishing or
    transferring a called ticket records that the customer came."""
    if hall.start_on_call and ticket.status is TicketStatus.CALLED:
        _record(tx, E.TICKET_STARTED, ticket, counter, actor)


def _check_own_counter(tx: WriteTx, counter: int | None, actor: Actor, doing: str) -> None:
    """A clerk may act on a ticket only if it is at (`counter`) the counter they sit at."""
    if actor.role in SUPERVISORS:
        return
    if counter is None or tx.counter(counter).clerk != actor.name:
        raise Forbidden(f"{actor.name} may {doing} only the ticket at their own counter",
                        "not_your_counter")


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


def flag(ctx: HallContext, hall_id: str, counter: int, actor: Actor, kind: FlagKind, *,
         phone: str | None = None, reason: str | None = None) -> Ticket:
    """Flag the ticket at the counter; the event reaches the manager's board at once. A
    callback needs the phone number to call back on; every flag may carry a reason."""
    hall = ctx.hall(hall_id, actor)
    if kind is FlagKind.CALLBACK and not phone:
        raise Invalid("a callback needs the customer's phone number", "phone_needed")
    with ctx.store.write(hall_id, ctx.clock) as tx:
        ticket = _current_ticket(tx, hall, counter, actor)
        details = {"phone": phone, "reason": reason}
        tx.record(E.TICKET_FLAGGED, ticket=ticket.id, counter=counter, actor=actor.name,
                  data={"number": ticket.display_number, "kind": kind.value,
                        **{key: value for key, value in details.items() if value}})
        return ticket
