"""Read-only use cases: the hall, a ticket with its place in the queue, the board, events."""
from dataclasses import dataclass, field
from datetime import datetime

from ..config import Camera, Hall
from ..domain.actors import Actor, Role
from ..domain.alerts import Alert
from ..domain.counters import OPEN_STATES, Counter
from ..domain.errors import NotFound
from ..domain.estimates import RECENT_TICKETS, estimated_wait_s, mean_handling_s
from ..domain.events import Event
from ..domain.numbering import business_day
from ..domain.staffing import Staffing
from ..domain.tickets import Ticket, TicketStatus
from ..storage.accounts import StaffName
from ..storage.store import Reader
from . import alert_snapshot as snapshot_cases
from . import alerts as alert_cases
from .context import HallContext

#: who sees the open alerts and the staffing advice on the board
ALERT_READERS = frozenset({Role.MANAGER, Role.ADMIN, Role.SYSTEM})


@dataclass(frozen=True)
class Placed:
    """A ticket and, while it waits, its place in the queue."""

    ticket: Ticket
    ahead: int | None
    estimated_wait_s: int | None


@dataclass(frozen=True)
class ServiceLoad:
    code: str
    waiting: int
    longest_wait_s: float
    estimated_wait_s: int
    open_counters: int


@dataclass(frozen=True)
class CounterView:
    counter: Counter
    ticket: Ticket | None
    elapsed_s: float | None
    limit_s: int | None


@dataclass(frozen=True)
class Board:
    at: datetime
    last_seq: int
    services: list[ServiceLoad]
    counters: list[CounterView]
    #: the name and badge of each clerk signed in at a counter (the counter displays show them)
    staff: dict[str, StaffName] = field(default_factory=dict)
    #: the open alerts, most severe first, and per service the counters it needs now (Erlang
    #: C): for managers and admins, empty for others
    alerts: list[Alert] = field(default_factory=list)
    staffing: dict[str, Staffing] = field(default_factory=dict)
    #: each camera of the hall: the people in its area now
    crowd: list["AreaCrowd"] = field(default_factory=list)


@dataclass(frozen=True)
class AreaCrowd:
    """A camera's area on the board: its latest estimate today and since when it holds;
    people None before the first estimate or while the camera is offline."""

    camera: Camera
    people: int | None
    at: datetime | None
    online: bool


class Queue:
    """The waiting tickets and counters of a hall, read once, for places and estimates.

    The database may hold rows the configuration no longer names (start-up refuses to serve
    while such a counter is signed in or such a service has open tickets today, see
    leftovers.py; older rows stay): a counter the file does not have is left out, and a
    ticket of a service the file does not have keeps its place (`ahead`) but gets no
    estimate, since no configured counter serves it.
    """

    def __init__(self, reader: Reader, hall: Hall) -> None:
        self.reader, self.hall = reader, hall
        #: the hall's configured counters, as the database has them
        self.counters = [c for c in reader.counters(hall.id) if c.number in hall.counters_by_number]
        self._mean: dict[str, float | None] = {}

    def open_counters(self, service: str) -> int:
        """The counters open now that serve the service."""
        return sum(c.state in OPEN_STATES and service in self.hall.counters_by_number[c.number].services
                   for c in self.counters)

    def counters_to_come(self, service: str) -> int:
        """The counters the estimates share the queue among: those open now, or with none open,
        every counter that serves it (at least one will open)."""
        return self.open_counters(service) or sum(service in c.services for c in self.hall.counters)

    def mean_s(self, service: str) -> float | None:
        """The service's recent mean handling time; None for a service the file does not have."""
        if service not in self._mean:
            limit_s = self.hall.handling_limits_s.get(service)
            if limit_s is None:
                self._mean[service] = None
            else:
                recent = self.reader.recent_handling_s(self.hall.id, service, RECENT_TICKETS)
                self._mean[service] = mean_handling_s(recent, limit_s)
        return self._mean[service]

    def estimate(self, service: str, ahead: int) -> int | None:
        """The expected wait behind `ahead` customers; None if no configured counter serves it."""
        mean_s = self.mean_s(service)
        if mean_s is None:
            return None
        return estimated_wait_s(ahead, self.counters_to_come(service), mean_s)

    def place(self, ticket: Ticket) -> Placed:
        if ticket.status is not TicketStatus.WAITING:
            return Placed(ticket, None, None)
        ahead = self.reader.count_ahead(ticket)
        return Placed(ticket, ahead, self.estimate(ticket.service, ahead))


def wait_at_issue(reader: Reader, hall: Hall, newcomer: Ticket) -> int | None:
    """The wait told to a customer whose ticket is being issued (in the issuing transaction,
    before it is recorded): what its place will give once it is. `newcomer` carries the
    id MAX_ID, since every ticket with the same place and time was issued before it."""
    return Queue(reader, hall).place(newcomer).estimated_wait_s


def get_ticket(ctx: HallContext, ticket_id: int, actor: Actor | None) -> Placed:
    """The ticket with its place; `actor` None: for its own customer (services/tracking.py)."""
    with ctx.store.read() as reader:
        ticket = reader.ticket(ticket_id)
        hall = ctx.hall(ticket.hall) if actor is None else _visible_hall(ctx, ticket.hall, actor, ticket_id)
        return Queue(reader, hall).place(ticket)


def place(ctx: HallContext, ticket: Ticket) -> Placed:
    """A ticket just returned by a use case, with its place in the queue."""
    with ctx.store.read() as reader:
        return Queue(reader, ctx.hall(ticket.hall)).place(ticket)


def board(ctx: HallContext, hall_id: str, actor: Actor) -> Board:
    hall = ctx.hall(hall_id, actor)
    now = ctx.clock.now()
    with ctx.store.read() as reader:
        last_seq = reader.last_seq(hall_id)
        queue = Queue(reader, hall)
        lengths = reader.queue_lengths(hall_id, business_day(now, hall.timezone))
        services = []
        for service in hall.services:
            waiting, since = lengths.get(service.code, (0, now))
            services.append(ServiceLoad(service.code, waiting, (now - since).total_seconds(),
                                        queue.estimate(service.code, waiting),
                                        queue.open_counters(service.code)))
        counters = [_counter_view(reader, hall, counter, now) for counter in queue.counters]
    staff = ctx.store.accounts.staff_names(v.counter.clerk for v in counters if v.counter.clerk)
    crowd = _crowd(ctx, hall, now) if hall.cameras else []
    if actor.role not in ALERT_READERS:  # a device's or clerk's board: the queue and the counters
        return Board(now, last_seq, services, counters, staff, crowd=crowd)
    return Board(now, last_seq, services, counters, staff, alert_cases.alerts(ctx, hall_id, actor, open_only=True),
                 alert_cases.staffing(ctx, hall), crowd)


def _crowd(ctx: HallContext, hall: Hall, now: datetime) -> list[AreaCrowd]:
    """The cameras' counts from the log memory the alert rules keep (one read of the events
    since it last looked), not a search back through the log per camera on every fetch."""
    counts, online = snapshot_cases.cameras_now(ctx, hall, now)
    areas = []
    for camera in hall.cameras:
        crowd, counting = counts[camera.name], online[camera.name]
        people = crowd.people if counting else None
        # since when it holds: the estimate's time, or when the camera went offline
        at = crowd.at if people is not None or not counting else None
        areas.append(AreaCrowd(camera, people, at, counting))
    return areas


def counter_now(ctx: HallContext, hall_id: str, number: int, actor: Actor) -> CounterView:
    """The counter as it is now (after an action at it)."""
    hall = ctx.hall(hall_id, actor)
    with ctx.store.read() as reader:
        return _counter_view(reader, hall, reader.counter(hall_id, number), ctx.clock.now())


def counter_view(ctx: HallContext, hall_id: str, counter: Counter) -> CounterView:
    with ctx.store.read() as reader:
        return _counter_view(reader, ctx.hall(hall_id), counter, ctx.clock.now())


def events(ctx: HallContext, hall_id: str, actor: Actor, after: int, limit: int) -> tuple[list[Event], int]:
    ctx.hall(hall_id, actor)
    with ctx.store.read() as reader:
        return reader.events(hall_id, after, limit), reader.last_seq(hall_id)


def _counter_view(reader: Reader, hall: Hall, counter: Counter, now: datetime) -> CounterView:
    if counter.ticket is None:
        elapsed = (now - counter.since).total_seconds() if counter.since else None
        return CounterView(counter, None, elapsed, None)
    ticket = reader.ticket(counter.ticket)
    visit = ticket.visits[-1]  # the ticket at a counter is on its last visit
    began = visit.started_at or visit.called_at
    return CounterView(counter, ticket, (now - began).total_seconds(), visit.limit_s(hall.handling_limits_s))


def _visible_hall(ctx: HallContext, hall_id: str, actor: Actor, ticket_id: int) -> Hall:
    """A ticket of a hall the actor may not see is reported as unknown, not forbidden."""
    if not actor.may_act_in(hall_id):
        raise NotFound(f"no ticket {ticket_id}", "unknown_ticket")
    return ctx.hall(hall_id)
