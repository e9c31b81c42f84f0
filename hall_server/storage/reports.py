"""The reads behind the reports (domain/reports.py), on a read transaction's connection.

The tickets of a range are one range read on (hall, business_day), the leading columns of
the unique index uq_ticket_number, with only the columns the figures need and the ticket's
rating joined in; each ticket's visits are parsed once, here. The counters' events are read
by seq, between the seqs found for the range's ends (the log's times rise with seq).
"""
from datetime import date, datetime

from sqlalchemy import Connection, and_, select

from ..config import Hall
from ..domain.alerts import Severity
from ..domain.events import Event, EventType
from ..domain.hall_report import RaisedAlert
from ..domain.numbering import day_start
from ..domain.reports import ReportTicket, ReportVisit
from ..domain.tickets import TicketStatus
from . import tables as t
from .store import event_from_row, first_seq_at, visit_from_json

T, R = t.tickets.c, t.ratings.c
COUNTER_EVENTS = (EventType.COUNTER_SIGNED_IN, EventType.COUNTER_SIGNED_OUT, EventType.COUNTER_PAUSED,
                  EventType.COUNTER_RESUMED)


def tickets_between(conn: Connection, hall: Hall, first: date, last: date) -> list[ReportTicket]:
    """The hall's tickets of business days `first` through `last`, with their ratings; each
    visit judged against the hall's handling limits."""
    limits = hall.handling_limits_s
    rows = conn.execute(
        select(T.id, T.service, T.business_day, T.issued_at, T.status, T.wait_s, T.estimated_wait_s, T.visits,
               R.score)
        # a rating comes after its ticket's issue, so after the first day's midnight: the bound
        # lets the join use ix_ratings_at rather than read every rating of the hall's history
        .select_from(t.tickets.outerjoin(t.ratings, and_(
            R.ticket == T.id, R.hall == hall.id, R.at >= day_start(first, hall.timezone))))
        .where(T.hall == hall.id, T.business_day >= first, T.business_day <= last))
    return [ReportTicket(row.id, row.service, row.business_day, row.issued_at, TicketStatus(row.status), row.wait_s,
                         row.estimated_wait_s, [ReportVisit.of(visit_from_json(visit), limits) for visit in row.visits],
                         row.score)
            for row in rows]


def alerts_raised(conn: Connection, hall: str, since: datetime, until: datetime) -> list[RaisedAlert]:
    """The hall's alerts raised in [since, until) (index ix_alerts_raised)."""
    a = t.alerts.c
    rows = conn.execute(select(a.rule, a.severity, a.raised_at, a.acknowledged_at)
                        .where(a.hall == hall, a.raised_at >= since, a.raised_at < until))
    return [RaisedAlert(row.rule, Severity(row.severity), row.raised_at, row.acknowledged_at) for row in rows]


def counter_events(conn: Connection, hall: str, since: datetime, until: datetime) -> list[Event]:
    """The hall's counter events recorded in [since, until), in seq order (index ix_events_type)."""
    e = t.events.c
    low, high = first_seq_at(conn, hall, since), first_seq_at(conn, hall, until)
    # sorted here: an ORDER BY seq makes SQLite walk every event of the range, not ix_events_type
    rows = conn.execute(select(t.events).where(e.hall == hall, e.type.in_([kind.value for kind in COUNTER_EVENTS]),
                                               e.seq >= low, e.seq < high))
    return sorted((event_from_row(row) for row in rows), key=lambda event: event.seq)
