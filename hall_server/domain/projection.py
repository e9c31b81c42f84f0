"""The live state of a hall as a projection of its events.

`evolve` is the one place where an event changes tickets and counters: the service layer
calls it on the objects it loaded before saving them, so the stored state is always what
the log says (the property tests rebuild it from the log with the same function).
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from .counters import Counter, CounterAction
from .events import Event, EventType
from .tickets import Ticket, TicketAction

E = EventType

TICKET_ACTIONS = {
    E.TICKET_CALLED: TicketAction.CALL,
    E.TICKET_RECALLED: TicketAction.RECALL,
    E.TICKET_STARTED: TicketAction.START,
    E.TICKET_FINISHED: TicketAction.FINISH,
    E.TICKET_NO_SHOW: TicketAction.NO_SHOW,
    E.TICKET_TRANSFERRED: TicketAction.TRANSFER,
    E.TICKET_CANCELLED: TicketAction.CANCEL,
    E.TICKET_REINSTATED: TicketAction.REINSTATE,
    E.TICKET_EXPIRED: TicketAction.EXPIRE,
}

#: what a ticket event does to the counter named in the event
COUNTER_EFFECTS = {
    E.TICKET_CALLED: CounterAction.TAKE,
    E.TICKET_FINISHED: CounterAction.RELEASE,
    E.TICKET_NO_SHOW: CounterAction.RELEASE,
    E.TICKET_TRANSFERRED: CounterAction.RELEASE,
    E.TICKET_CANCELLED: CounterAction.RELEASE,
    E.TICKET_EXPIRED: CounterAction.RELEASE,
    E.COUNTER_SIGNED_IN: CounterAction.SIGN_IN,
    E.COUNTER_SIGNED_OUT: CounterAction.SIGN_OUT,
    E.COUNTER_PAUSED: CounterAction.PAUSE,
    E.COUNTER_RESUMED: CounterAction.RESUME,
}


@dataclass
class HallState:
    """Tickets and counters of one hall (or the part of them a use case loaded)."""

    tickets: dict[int, Ticket] = field(default_factory=dict)
    counters: dict[int, Counter] = field(default_factory=dict)


def ticket_from_issue(event: Event) -> Ticket:
    data = event.data
    slot = data.get("slot_start")
    return Ticket(
        id=event.ticket,
        hall=event.hall,
        service=data["service"],
        prefix=data["prefix"],
        number=data["serial"],
        business_day=date.fromisoformat(data["business_day"]),
        priority=data["priority"],
        issued_at=event.at,
        effective_at=datetime.fromisoformat(data["effective_at"]),
        appointment=data.get("appointment"),
        slot_start=datetime.fromisoformat(slot) if slot else None,
        client_request_id=data.get("client_request_id"),
        issued_by=event.actor,
        estimated_wait_s=data.get("estimated_wait_s"),
    )


def evolve(state: HallState, event: Event) -> None:
    if event.type is E.TICKET_ISSUED:
        state.tickets[event.ticket] = ticket_from_issue(event)
        return
    if event.type in TICKET_ACTIONS:
        state.tickets[event.ticket].apply(TICKET_ACTIONS[event.type], event.at, event.counter, event.data)
    effect = COUNTER_EFFECTS.get(event.type)
    if effect is not None and event.counter is not None:
        data = {"ticket": event.ticket, **event.data}
        state.counters[event.counter].apply(effect, event.at, data)

