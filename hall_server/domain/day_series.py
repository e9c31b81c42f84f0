"""Today's figures for the manager's board: what each service and counter did so far, and the
day in 15-minute slots (arrivals, customers served, customers waiting, and the people each
camera counted in its area).

They are computed from the day's ticket events, replayed through the tickets' own transition
table: the ticket rows do not keep when a waiting customer gave up or when a no-show was
reinstated, and the waiting curve needs both.
"""
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from .events import Event, EventType
from .projection import TICKET_ACTIONS, ticket_from_issue
from .tickets import Ticket, TicketStatus, Visit, VisitOutcome

SLOT = timedelta(minutes=15)
#: the events that make a ticket or move it (the ones day_figures reads)
TICKET_EVENTS = (EventType.TICKET_ISSUED, *TICKET_ACTIONS)
#: the events that say what a camera counts (crowd_per_slot reads them)
CROWD_EVENTS = (EventType.CROWD_ESTIMATE, EventType.DEVICE_STATUS)


@dataclass(frozen=True)
class ServiceDay:
    code: str
    #: visits of the service finished today
    served: int
    #: share of today's handled visits of the service within their budget; None with none
    compliance: float | None
    #: per slot: tickets issued, visits finished, customers waiting at the slot's end
    arrivals: list[int]
    served_per_slot: list[int]
    waiting: list[int]


@dataclass(frozen=True)
class CounterDay:
    number: int
    #: visits finished at the counter today
    served: int
    #: mean handling time of the visits handled there today; None with none
    mean_handling_s: float | None


@dataclass(frozen=True)
class DayFigures:
    day: date
    at: datetime
    #: the start of each 15-minute slot, from opening (or the first ticket, if earlier) to now
    slots: list[datetime]
    services: list[ServiceDay]
    counters: list[CounterDay]
    #: per camera of the hall, the people in its area at the end of each slot
    crowd: list["CrowdDay"] = field(default_factory=list)


@dataclass(frozen=True)
class CrowdDay:
    camera: str
    #: per slot, the camera's estimate at the slot's end (now, for the last one); None before
    #: its first estimate or while it was offline
    people: list[int | None]


def crowd_per_slot(events: Iterable[Event], camera: str, slots: Sequence[datetime], now: datetime) -> CrowdDay:
    """The camera's estimates (crowd.estimate) and its going offline and back (device.status
    of kind camera) of the day, in seq order, as its count at the end of each slot. Back
    online, its last estimate holds again, as it does for the alert rules."""
    ends = [*slots[1:], now] if slots else []
    people: list[int | None] = []
    last: int | None = None
    online = True
    index = 0
    for event in events:
        if event.type is EventType.CROWD_ESTIMATE and event.data.get("camera") == camera:
            change: tuple[int | None, bool] = (event.data["people"], online)
        elif event.type is EventType.DEVICE_STATUS and event.data.get("device") == camera \
                and event.data.get("kind") == "camera":
            change = (last, bool(event.data.get("online")))
        else:
            continue
        while index < len(ends) and event.at > ends[index]:
            people.append(last if online else None)
            index += 1
        last, online = change
    people.extend([last if online else None] * (len(ends) - index))
    return CrowdDay(camera, people)


def slot_starts(opens: datetime, first: datetime | None, now: datetime) -> list[datetime]:
    """The 15-minute slots from the earlier of opening and the first event, on the quarter
    hour, to the one holding `now` (none before opening with nothing happened)."""
    if first is None and opens > now:
        return []
    begin = min(opens, first) if first else opens
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    start = epoch + SLOT * ((begin - epoch) // SLOT)
    count = max(1, math.ceil((max(now, first or now) - start) / SLOT))
    return [start + SLOT * i for i in range(count)]


def day_figures(events: Iterable[Event], day: date, services: Sequence[str], counters: Sequence[int],
                limits_s: Mapping[str, int], opens: datetime, now: datetime) -> DayFigures:
    """The figures of business day `day` from the hall's ticket events since its start (in seq
    order). Tickets of other days, and services and counters not configured, are left out."""
    tickets: dict[int, Ticket] = {}
    #: a customer joins (+1) or leaves (-1) a service's queue at a time; `issued`: a new arrival
    moves: list[_Move] = []
    for event in events:
        if event.type is EventType.TICKET_ISSUED:
            if event.data.get("business_day") == day.isoformat():
                tickets[event.ticket] = ticket_from_issue(event)
                moves.append(_Move(event.at, event.data["service"], 1, issued=True))
            continue
        ticket = tickets.get(event.ticket)
        if ticket is None or event.type not in TICKET_ACTIONS:
            continue
        service, was_waiting = ticket.service, ticket.status is TicketStatus.WAITING
        ticket.apply(TICKET_ACTIONS[event.type], event.at, event.counter, event.data)
        waiting = ticket.status is TicketStatus.WAITING
        if was_waiting != waiting:
            moves.append(_Move(event.at, service if was_waiting else ticket.service, 1 if waiting else -1))

    visits = [visit for ticket in tickets.values() for visit in ticket.visits]
    slots = slot_starts(opens, moves[0].at if moves else None, now)

    def slot_of(at: datetime) -> int:
        return min(max(0, (at - slots[0]) // SLOT), len(slots) - 1)

    arrivals = {code: [0] * len(slots) for code in services}
    served = {code: [0] * len(slots) for code in services}
    queue_changes = {code: [0] * len(slots) for code in services}
    for move in moves:
        if move.service in queue_changes:
            queue_changes[move.service][slot_of(move.at)] += move.change
            arrivals[move.service][slot_of(move.at)] += move.issued
    for visit in visits:
        if visit.outcome is VisitOutcome.FINISHED and visit.service in served:
            served[visit.service][slot_of(visit.ended_at)] += 1
    return DayFigures(
        day=day, at=now, slots=slots,
        services=[ServiceDay(code, _finished(v for v in visits if v.service == code),
                             _compliance([v for v in visits if v.service == code], limits_s),
                             arrivals[code], served[code], list(accumulate(queue_changes[code])))
                  for code in services],
        counters=[CounterDay(number, _finished(v for v in visits if v.counter == number),
                             _mean([v.handling_s for v in visits if v.counter == number]))
                  for number in counters])


@dataclass(frozen=True)
class _Move:
    at: datetime
    service: str
    change: int
    issued: bool = False


def _finished(visits: Iterable[Visit]) -> int:
    return sum(visit.outcome is VisitOutcome.FINISHED for visit in visits)


def _compliance(visits: Sequence[Visit], limits_s: Mapping[str, int]) -> float | None:
    """Visit.compliant: a visit handled (finished, or transferred on) within its items' budget."""
    judged = [verdict for verdict in (visit.compliant(limits_s) for visit in visits) if verdict is not None]
    return sum(judged) / len(judged) if judged else None


def _mean(values: Sequence[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return sum(known) / len(known) if known else None
