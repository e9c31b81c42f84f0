"""The store: a write transaction per use case, with the hall's event log kept in it.

Every write transaction locks its hall's row first, so the writers of one hall are
serialized (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE). That makes the
event `seq` gap-free, commits happen in `seq` order, and call-next an atomic claim. Ticket
and counter rows are also updated with a compare-and-set on their previous state, so a
change the lock somehow let through fails instead of overwriting.
"""
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import date, datetime

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..domain.alerts import Alert
from ..domain.appointments import Appointment, AppointmentStatus, ServiceSwitch
from ..domain.clock import Clock
from ..domain.complaints import Complaint, Status
from ..domain.counters import Counter, CounterState
from ..domain.errors import Conflict, NotFound
from ..domain.events import Event, EventType
from ..domain.projection import COUNTER_EFFECTS, TICKET_ACTIONS, HallState, evolve, ticket_from_issue
from ..domain.tickets import Ticket, TicketStatus, Visit, VisitOutcome
from ..domain.timing import Item
from . import alerts as alert_rows
from . import appointments as appointment_rows
from . import complaints as complaint_rows
from . import outbox
from . import tables as t
from .accounts import AccountStore
from .db import READ_ONLY

TICKET_FIELDS = [f.name for f in fields(Ticket)]
COUNTER_FIELDS = [f.name for f in fields(Counter)]
Listener = Callable[[list[Event]], None]
#: the largest id an INTEGER column holds on every supported database
MAX_ID = 2**31 - 1
#: seqs read at a time when the log is searched backwards (Reader.last_event)
LOG_WINDOW = 500


#: tickets still open: waiting, or called or served at a counter
OPEN_STATUSES = (TicketStatus.WAITING.value, TicketStatus.CALLED.value, TicketStatus.SERVING.value)
_VISIT_TIMES = ("called_at", "started_at", "ended_at")


def visit_to_json(visit: Visit) -> dict:
    values = asdict(visit)
    for name in _VISIT_TIMES:
        values[name] = values[name].isoformat() if values[name] is not None else None
    values["outcome"] = visit.outcome.value if visit.outcome else None
    return values


def visit_from_json(values: dict) -> Visit:
    """The visit from its JSON; spelled out field by field, as the reports parse every visit of a month."""
    started, ended, outcome = values["started_at"], values["ended_at"], values["outcome"]
    return Visit(values["counter"], values["clerk"], values["service"], datetime.fromisoformat(values["called_at"]),
                 datetime.fromisoformat(started) if started else None, datetime.fromisoformat(ended) if ended else None,
                 VisitOutcome(outcome) if outcome else None,
                 [Item(item["service"], item["count"]) for item in values["items"]])


def ticket_from_row(row) -> Ticket:
    values = {name: row._mapping[name] for name in TICKET_FIELDS}
    values["status"] = TicketStatus(values["status"])
    values["items"] = [Item(**item) for item in values["items"]]
    values["visits"] = [visit_from_json(visit) for visit in values["visits"]]
    return Ticket(**values)


def counter_from_row(row) -> Counter:
    values = {name: row._mapping[name] for name in COUNTER_FIELDS}
    values["state"] = CounterState(values["state"])
    return Counter(**values)


def event_from_row(row) -> Event:
    m = row._mapping
    return Event(hall=m["hall"], seq=m["seq"], at=m["at"], type=EventType(m["type"]),
                 ticket=m["ticket"], counter=m["counter"], actor=m["actor"], data=m["data"])


def _ticket_values(ticket: Ticket) -> dict:
    values = asdict(ticket)
    values.pop("id")
    values["status"] = ticket.status.value
    values["visits"] = [visit_to_json(visit) for visit in ticket.visits]
    return values


def first_seq_at(conn: Connection, hall: str, at: datetime) -> int:
    """The seq of the hall's first event recorded at or after `at` (one past the last if none).
    Times never fall as seq rises (Store.write), so the log is bisected on its primary key: the
    cost does not grow with its length."""
    e = t.events.c
    low = 1
    high = (conn.execute(select(t.halls.c.last_seq).where(t.halls.c.id == hall)).scalar() or 0) + 1
    while low < high:
        middle = (low + high) // 2
        if conn.execute(select(e.at).where(e.hall == hall, e.seq == middle)).scalar_one() < at:
            low = middle + 1
        else:
            high = middle
    return low


class Reader:
    """Queries that any transaction may run."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def ticket(self, ticket_id: int) -> Ticket:
        row = None
        if 0 < ticket_id <= MAX_ID:
            row = self.conn.execute(select(t.tickets).where(t.tickets.c.id == ticket_id)).first()
        if row is None:
            raise NotFound(f"no ticket {ticket_id}", "unknown_ticket")
        return ticket_from_row(row)

    def tickets(self, hall: str, statuses: Iterable[TicketStatus] | None = None) -> list[Ticket]:
        query = select(t.tickets).where(t.tickets.c.hall == hall)
        if statuses is not None:
            query = query.where(t.tickets.c.status.in_([s.value for s in statuses]))
        return [ticket_from_row(r) for r in self.conn.execute(query.order_by(t.tickets.c.id))]

    def ticket_by_request(self, hall: str, day: date, issued_by: str,
                          client_request_id: str) -> Ticket | None:
        """The ticket a device took with this request id on this business day."""
        c = t.tickets.c
        row = self.conn.execute(select(t.tickets).where(
            c.hall == hall, c.business_day == day, c.issued_by == issued_by,
            c.client_request_id == client_request_id)).first()
        return ticket_from_row(row) if row else None

    def counter(self, hall: str, number: int) -> Counter:
        row = self.conn.execute(select(t.counters).where(
            t.counters.c.hall == hall, t.counters.c.number == number)).first()
        if row is None:
            raise NotFound(f"hall {hall} has no counter {number}", "unknown_counter")
        return counter_from_row(row)

    def counters(self, hall: str) -> list[Counter]:
        query = select(t.counters).where(t.counters.c.hall == hall).order_by(t.counters.c.number)
        return [counter_from_row(r) for r in self.conn.execute(query)]

    def events(self, hall: str, after: int = 0, limit: int | None = None) -> list[Event]:
        query = (select(t.events).where(t.events.c.hall == hall, t.events.c.seq > after)
                 .order_by(t.events.c.seq))
        if limit is not None:
            query = query.limit(limit)
        return [event_from_row(r) for r in self.conn.execute(query)]

    def head_of_queue(self, hall: str, day: date, counter: int, services: Iterable[str]) -> Ticket | None:
        """The waiting ticket of business day `day` that `counter` calls next: the first in
        queue order (selection.py) among those transferred to this counter and those of the
        services it serves that wait for no particular counter."""
        c = t.tickets.c
        eligible = or_(c.counter == counter, and_(c.counter.is_(None), c.service.in_(list(services))))
        row = self.conn.execute(
            select(t.tickets).where(c.hall == hall, c.status == TicketStatus.WAITING.value,
                                    c.business_day == day, eligible)
            .order_by(c.effective_at, c.issued_at, c.id).limit(1)).first()
        return ticket_from_row(row) if row else None

    def count_ahead(self, ticket: Ticket) -> int:
        """Waiting tickets of the same service and day before this one in the queue."""
        c = t.tickets.c
        before = or_(c.effective_at < ticket.effective_at,
                     and_(c.effective_at == ticket.effective_at,
                          or_(c.issued_at < ticket.issued_at,
                              and_(c.issued_at == ticket.issued_at, c.id < ticket.id))))
        return self.conn.execute(
            select(func.count()).select_from(t.tickets)
            .where(c.hall == ticket.hall, c.status == TicketStatus.WAITING.value,
                   c.business_day == ticket.business_day, c.service == ticket.service,
                   before)).scalar_one()

    def next_in_queue(self, hall: str, day: date, service: str, limit: int) -> list[datetime]:
        """The places (effective times) of the first `limit` waiting tickets of a service."""
        c = t.tickets.c
        return list(self.conn.execute(
            select(c.effective_at).where(c.hall == hall, c.status == TicketStatus.WAITING.value,
                                         c.business_day == day, c.service == service)
            .order_by(c.effective_at, c.issued_at, c.id).limit(limit)).scalars())

    def open_tickets(self, hall: str, since: date | None = None, through: date | None = None) -> list[Ticket]:
        """Tickets still waiting, called or served (of business days from `since` through
        `through`, where given), in issue order."""
        c = t.tickets.c
        query = select(t.tickets).where(c.hall == hall, c.status.in_(OPEN_STATUSES))
        if since is not None:
            query = query.where(c.business_day >= since)
        if through is not None:
            query = query.where(c.business_day <= through)
        return [ticket_from_row(r) for r in self.conn.execute(query.order_by(c.id))]

    def closed_day(self, hall: str) -> date | None:
        """The last business day closed in the hall."""
        return self.conn.execute(select(t.halls.c.closed_day).where(t.halls.c.id == hall)).scalar()

    def queue_lengths(self, hall: str, day: date) -> dict[str, tuple[int, datetime]]:
        """Per service: how many wait on business day `day`, and since when the longest-waiting
        one waits."""
        c = t.tickets.c
        rows = self.conn.execute(
            select(c.service, func.count(), func.min(c.queued_at))
            .where(c.hall == hall, c.status == TicketStatus.WAITING.value, c.business_day == day)
            .group_by(c.service))
        return {service: (count, since) for service, count, since in rows}

    def recent_handling_s(self, hall: str, service: str, limit: int) -> list[float]:
        """Handling times of the service's last finished tickets, newest first."""
        c = t.tickets.c
        rows = self.conn.execute(
            select(c.started_at, c.finished_at)
            .where(c.hall == hall, c.service == service, c.status == TicketStatus.DONE.value,
                   c.started_at.is_not(None))
            .order_by(c.finished_at.desc()).limit(limit))
        return [(row.finished_at - row.started_at).total_seconds() for row in rows]

    def last_seq(self, hall: str) -> int:
        value = self.conn.execute(select(t.halls.c.last_seq).where(t.halls.c.id == hall)).scalar()
        if value is None:
            raise NotFound(f"no hall {hall}", "unknown_hall")
        return value

    def hall_ids(self) -> list[str]:
        """Every hall the database holds rows for, configured or not."""
        return list(self.conn.execute(select(t.halls.c.id).order_by(t.halls.c.id)).scalars())

    def appointment(self, hall: str, code: str) -> Appointment | None:
        return appointment_rows.find(self.conn, hall, code)

    def appointments_between(self, hall: str, start: datetime, end: datetime) -> list[Appointment]:
        return appointment_rows.between(self.conn, hall, start, end)

    def service_switches(self, hall: str) -> dict[str, ServiceSwitch]:
        return appointment_rows.switches(self.conn, hall)

    def issued_on(self, hall: str, day: date) -> dict[str, int]:
        """Numbers issued on business day `day`, per prefix."""
        return appointment_rows.issued_on(self.conn, hall, day)

    def issued_by(self, hall: str, day: date, issuers: Iterable[str], after: int = 0) -> list[Ticket]:
        """Tickets of business day `day` that these devices issued, with ids above `after`, in
        issue order (ids rise with the hall's seq: its writers are serialized)."""
        c = t.tickets.c
        query = (select(t.tickets).where(c.hall == hall, c.business_day == day,
                                         c.issued_by.in_(list(issuers)), c.id > after).order_by(c.id))
        return [ticket_from_row(r) for r in self.conn.execute(query)]

    def standing_alerts(self, hall: str) -> list[Alert]:
        return alert_rows.standing(self.conn, hall)

    def alerts(self, hall: str, open_only: bool, since: datetime | None = None, limit: int = 500) -> list[Alert]:
        return alert_rows.listed(self.conn, hall, open_only, since, limit)

    def alert(self, alert_id: int) -> Alert:
        alert = alert_rows.find(self.conn, alert_id) if 0 < alert_id <= MAX_ID else None
        if alert is None:
            raise NotFound(f"no alert {alert_id}", "unknown_alert")
        return alert

    def complaints(self, hall: str, open_only: bool = False, since: datetime | None = None,
                   until: datetime | None = None, status: Status | None = None,
                   limit: int | None = 1000) -> list[Complaint]:
        return complaint_rows.listed(self.conn, hall, open_only, since, until, status, limit)

    def unanswered_complaints(self, hall: str) -> list[Complaint]:
        return complaint_rows.unanswered(self.conn, hall)

    def complaint(self, complaint_id: int) -> Complaint:
        complaint = complaint_rows.find(self.conn, complaint_id) if 0 < complaint_id <= MAX_ID else None
        if complaint is None:
            raise NotFound(f"no complaint {complaint_id}", "unknown_complaint")
        return complaint

    def registered_sources(self, hall: str, seqs: Iterable[int]) -> set[int]:
        return complaint_rows.registered_sources(self.conn, hall, seqs)

    def ticket_by_number(self, hall: str, day: date, prefix: str, number: int) -> int | None:
        """The id of the hall's ticket with this number on business day `day`."""
        c = t.tickets.c
        return self.conn.execute(select(c.id).where(c.hall == hall, c.business_day == day, c.prefix == prefix,
                                                    c.number == number)).scalar()

    def tickets_by_id(self, ids: Iterable[int]) -> dict[int, Ticket]:
        ids = list(ids)
        if not ids:
            return {}
        return {row.id: ticket_from_row(row)
                for row in self.conn.execute(select(t.tickets).where(t.tickets.c.id.in_(ids)))}

    def first_seq_since(self, hall: str, since: datetime) -> int:
        return first_seq_at(self.conn, hall, since)

    def events_of_types(self, hall: str, types: Iterable[EventType], after: int, since: datetime) -> list[Event]:
        """The hall's events of these types after seq `after`, recorded at or after `since`."""
        c = t.events.c
        rows = self.conn.execute(select(t.events).where(
            c.hall == hall, c.type.in_([kind.value for kind in types]), c.seq > after, c.at >= since)
            .order_by(c.seq))
        return [event_from_row(row) for row in rows]

    def last_event(self, hall: str, type: EventType, since: datetime,
                   match: Callable[[Event], bool]) -> Event | None:
        """The hall's last event of `type` recorded at or after `since` that `match` accepts.
        The log is read backwards a window of seqs at a time, so the cost is the events
        recorded after the one found (or after `since`)."""
        c = t.events.c
        high = self.last_seq(hall)
        while high > 0:
            low = max(0, high - LOG_WINDOW)
            rows = self.conn.execute(select(t.events).where(
                c.hall == hall, c.seq > low, c.seq <= high, c.type == type.value).order_by(c.seq.desc()))
            for row in rows:
                event = event_from_row(row)
                if event.at < since:
                    return None
                if match(event):
                    return event
            first_at = self.conn.execute(select(c.at).where(c.hall == hall, c.seq == low + 1)).scalar()
            if first_at is None or first_at < since:
                return None
            high = low
        return None

    def log_page(self, hall: str, low: int, high: int, limit: int, *, actor: str | None = None,
                 counter: int | None = None, ticket: int | None = None, type: str | None = None) -> list[Event]:
        """Up to `limit` of the hall's events with low <= seq < high matching every filter
        given, newest first. The seq range is read backwards on the primary key (a type filter
        on ix_events_type); the other filters are checked on the rows of that range."""
        c = t.events.c
        query = select(t.events).where(c.hall == hall, c.seq >= low, c.seq < high)
        for column, value in ((c.actor, actor), (c.counter, counter), (c.ticket, ticket), (c.type, type)):
            if value is not None:
                query = query.where(column == value)
        return [event_from_row(row) for row in self.conn.execute(query.order_by(c.seq.desc()).limit(limit))]


class WriteTx(Reader):
    """One use case's transaction in one hall: load, record events, save."""

    def __init__(self, conn: Connection, hall: str, last_seq: int, at: datetime) -> None:
        super().__init__(conn)
        #: the time of the transaction, read after the hall's lock was taken
        self.hall, self.seq, self.at = hall, last_seq, at
        self.state = HallState()
        self.events: list[Event] = []
        self._loaded_status: dict[int, str] = {}
        self._loaded_counter: dict[int, str] = {}

    def ticket(self, ticket_id: int) -> Ticket:
        if ticket_id not in self.state.tickets:
            ticket = super().ticket(ticket_id)
            if ticket.hall != self.hall:
                raise NotFound(f"no ticket {ticket_id} in hall {self.hall}", "unknown_ticket")
            self._track_ticket(ticket)
        return self.state.tickets[ticket_id]

    def head_of_queue(self, day: date, counter: int, services: Iterable[str]) -> Ticket | None:
        ticket = super().head_of_queue(self.hall, day, counter, services)
        if ticket is None:
            return None
        if ticket.id not in self.state.tickets:
            self._track_ticket(ticket)
        return self.state.tickets[ticket.id]

    def counter(self, number: int) -> Counter:
        if number not in self.state.counters:
            counter = super().counter(self.hall, number)
            self.state.counters[number] = counter
            self._loaded_counter[number] = counter.state.value
        return self.state.counters[number]

    def track(self, tickets: Iterable[Ticket]) -> list[Ticket]:
        """Tickets read by a query, to be changed in this transaction."""
        for ticket in tickets:
            if ticket.id not in self.state.tickets:
                self._track_ticket(ticket)
        return [self.state.tickets[ticket.id] for ticket in tickets]

    def mark_day_closed(self, day: date) -> None:
        self.conn.execute(update(t.halls).where(t.halls.c.id == self.hall).values(closed_day=day))

    def _track_ticket(self, ticket: Ticket) -> None:
        self.state.tickets[ticket.id] = ticket
        self._loaded_status[ticket.id] = ticket.status.value

    def next_number(self, day: date, prefix: str) -> int:
        """The next ticket number of (hall, day, prefix); the hall lock makes it exclusive."""
        key = and_(t.number_sequences.c.hall == self.hall,
                   t.number_sequences.c.business_day == day,
                   t.number_sequences.c.prefix == prefix)
        last = self.conn.execute(select(t.number_sequences.c.last_number).where(key)).scalar()
        if last is None:
            self.conn.execute(insert(t.number_sequences).values(
                hall=self.hall, business_day=day, prefix=prefix, last_number=1))
            return 1
        self.conn.execute(update(t.number_sequences).where(key).values(last_number=last + 1))
        return last + 1

    def record(self, type: EventType, *, ticket: int | None = None, counter: int | None = None,
               actor: str | None = None, data: dict | None = None) -> Event:
        """Append an event, apply it to the loaded state and save what it changed."""
        event = Event(hall=self.hall, seq=self.seq + 1, at=self.at, type=type, ticket=ticket,
                      counter=counter, actor=actor, data=data or {})
        if type is EventType.TICKET_ISSUED:
            self._insert_ticket(event)
        else:
            evolve(self.state, event)
            if event.ticket is not None and event.type in TICKET_ACTIONS:
                self._save_ticket(self.state.tickets[event.ticket])
            if event.counter is not None and event.type in COUNTER_EFFECTS:
                self._save_counter(self.state.counters[event.counter])
        self.conn.execute(insert(t.events).values(
            hall=event.hall, seq=event.seq, at=event.at, type=event.type.value,
            ticket=event.ticket, counter=event.counter, actor=event.actor, data=event.data))
        self.seq = event.seq
        self.events.append(event)
        return event

    def add_rating(self, ticket: Ticket, score: int) -> bool:
        """Keep the customer's rating of a visit; False if the visit was rated already."""
        if self.conn.execute(select(t.ratings.c.ticket).where(t.ratings.c.ticket == ticket.id)).first():
            return False
        self.conn.execute(insert(t.ratings).values(ticket=ticket.id, hall=self.hall, counter=ticket.counter,
                                                   clerk=ticket.clerk, score=score, at=self.at))
        return True

    def _insert_ticket(self, event: Event) -> None:
        ticket = ticket_from_issue(event)
        values = _ticket_values(ticket)
        ticket.id = event.ticket = self.conn.execute(
            insert(t.tickets).values(values).returning(t.tickets.c.id)).scalar_one()
        self._track_ticket(ticket)

    def _save_ticket(self, ticket: Ticket) -> None:
        before = self._loaded_status[ticket.id]
        result = self.conn.execute(update(t.tickets).where(
            t.tickets.c.id == ticket.id, t.tickets.c.status == before).values(_ticket_values(ticket)))
        if result.rowcount != 1:
            raise Conflict(f"ticket {ticket.id} changed meanwhile", "concurrent_change")
        self._loaded_status[ticket.id] = ticket.status.value

    def _save_counter(self, counter: Counter) -> None:
        before = self._loaded_counter[counter.number]
        values = asdict(counter)
        values["state"] = counter.state.value
        result = self.conn.execute(update(t.counters).where(
            t.counters.c.hall == self.hall, t.counters.c.number == counter.number,
            t.counters.c.state == before).values(values))
        if result.rowcount != 1:
            raise Conflict(f"counter {counter.number} changed meanwhile", "concurrent_change")
        self._loaded_counter[counter.number] = counter.state.value

    def locked_appointment(self, code: str) -> Appointment | None:
        """The hall's appointment, its row held until this transaction ends."""
        return appointment_rows.find(self.conn, self.hall, code, lock=True)

    def add_appointment(self, code: str, service: str, slot: tuple[datetime, datetime], name: str | None,
                        phone: str | None, booked_by: str) -> Appointment:
        return appointment_rows.add(self.conn, self.hall, code, service, slot, name, phone, booked_by, self.at)

    def change_appointment(self, appointment: Appointment, status: AppointmentStatus,
                           ticket: int | None = None) -> None:
        """Check a booked appointment in (with its ticket) or cancel it; fails if it changed meanwhile."""
        appointment_rows.change_status(self.conn, appointment, status, self.at, ticket)

    def save_service_switch(self, switch: ServiceSwitch) -> None:
        appointment_rows.save_switch(self.conn, self.hall, switch)

    def add_alert(self, alert: Alert) -> None:
        alert_rows.add(self.conn, alert)

    def save_alert(self, alert: Alert, updated_before: datetime) -> None:
        if not alert_rows.save(self.conn, alert, updated_before):
            raise Conflict(f"alert {alert.id} changed meanwhile", "concurrent_change")

    def add_complaint(self, complaint: Complaint) -> None:
        complaint_rows.add(self.conn, complaint)

    def save_complaint(self, complaint: Complaint, status_before: Status) -> None:
        if not complaint_rows.save(self.conn, complaint, status_before):
            raise Conflict(f"complaint {complaint.id} changed meanwhile", "concurrent_change")

    def send_webhook(self, payload: dict, once_key: str | None = None) -> bool:
        """Queue `payload` for the hall's webhook; it goes once this transaction commits. With
        `once_key`, only if nothing of that key was queued before (False: it was)."""
        return outbox.add(self.conn, self.hall, payload, self.at, once_key) is not None


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader_engine = engine.execution_options(**{READ_ONLY: True})
        self.listeners: list[Listener] = []
        self.accounts = AccountStore(engine)

    @contextmanager
    def read(self) -> Iterator[Reader]:
        with self._reader_engine.connect() as conn, conn.begin():
            yield Reader(conn)

    @contextmanager
    def write(self, hall: str, clock: Clock) -> Iterator[WriteTx]:
        """A write transaction in `hall`; its events go to the listeners once committed.

        The clock is read once the hall's lock is held, and never before the hall's last
        event, so times rise with `seq`: a writer that waited for the lock, or a process
        whose clock lags another's, never records a time earlier than the one before it."""
        with self.engine.connect() as conn:
            with conn.begin():
                last_seq = conn.execute(select(t.halls.c.last_seq).where(t.halls.c.id == hall)
                                        .with_for_update()).scalar()
                if last_seq is None:
                    raise NotFound(f"no hall {hall}", "unknown_hall")
                last_at = conn.execute(select(t.events.c.at).where(
                    t.events.c.hall == hall, t.events.c.seq == last_seq)).scalar()
                now = clock.now()
                tx = WriteTx(conn, hall, last_seq, max(now, last_at) if last_at else now)
                yield tx
                if tx.events:
                    conn.execute(update(t.halls).where(t.halls.c.id == hall)
                                 .values(last_seq=tx.seq))
        if tx.events:
            for listener in self.listeners:
                listener(tx.events)

    def hold_lease(self, name: str, holder: str, until: datetime, now: datetime) -> bool:
        """Take or renew the lease `name` for `holder` until `until`; False while another
        holder's lease runs. Several server processes use it to run scheduled jobs once."""
        c = t.leases.c
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(t.leases).where(c.name == name).with_for_update()).first()
                if row is None:
                    conn.execute(insert(t.leases).values(name=name, holder=holder, expires_at=until))
                    return True
                if row.holder != holder and row.expires_at > now:
                    return False
                conn.execute(update(t.leases).where(c.name == name).values(holder=holder, expires_at=until))
                return True
        except IntegrityError:  # another process inserted the lease first
            return False

    def sync_halls(self, config) -> None:
        """Create the rows of configured halls and counters that the database lacks."""
        with self.engine.begin() as conn:
            for hall in config.halls:
                if conn.execute(select(t.halls.c.id).where(t.halls.c.id == hall.id)).first() is None:
                    conn.execute(insert(t.halls).values(id=hall.id, last_seq=0))
                have = set(conn.execute(select(t.counters.c.number)
                                        .where(t.counters.c.hall == hall.id)).scalars())
                for counter in hall.counters:
                    if counter.number not in have:
                        conn.execute(insert(t.counters).values(
                            hall=hall.id, number=counter.number, state=CounterState.CLOSED.value))
