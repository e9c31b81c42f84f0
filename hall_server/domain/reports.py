"""The report figures of a hall over a range of business days: what the manager and the
supervisor above them review every day, week and month.

Everything here is computed from the tickets of the range (the projection of the event log:
each ticket with its visits to counters), the ratings of those tickets, the alerts raised in
the range and the counters' sign-in and pause events. Nothing here reads a database.

Conventions, pinned by tests/domain/test_reports.py:
- A ticket belongs to its business day (the hall's calendar day it was issued on), whenever
  it was served: a ticket issued at 23:50 and served at 00:10 counts on the day it was issued.
- Percentiles are by the nearest-rank method: the p-th percentile of n sorted values is the
  value at rank ceil(p / 100 × n) (1-based), so it is always a value that occurred.
- Seconds are rounded to 1 decimal and rates (fractions 0..1) to 4; None where nothing was
  measured.
- Grouping (`By`):
  - `service`: a ticket's own figures (issued, its outcome, transferred, wait, estimate
    error) count for the service it was issued for, even if a transfer moved it on, so that
    each ticket is counted once and issued = served + no-show + cancelled + expired + still
    open; a visit's figures (handling, compliance, walk) count for the service of that visit,
    and a rating for the service of the visit rated (its last).
  - `counter` and `clerk`: the visits at that counter, by that clerk: served, no-show,
    cancelled, expired and transferred count visits ending so there; `issued` is None (a
    number is issued to no counter); wait and estimate error count for the counter and clerk
    that first called the ticket; a rating for the counter and clerk of the visit rated.
  - `day`: everything by the ticket's business day; `hall`: everything.
"""
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from .tickets import TicketStatus, Visit, VisitOutcome

#: the longest range a report covers (a year, leap or not)
MAX_DAYS = 366
SECONDS_DIGITS, RATE_DIGITS = 1, 4
WEEKDAYS_IN_WEEK, HOURS_IN_DAY = 7, 24


class By(StrEnum):
    SERVICE = "service"
    COUNTER = "counter"
    CLERK = "clerk"
    DAY = "day"
    #: one row per hall (the supervisor's side-by-side view)
    HALL = "hall"


#: what a hall's own summary may be grouped by
HALL_GROUPINGS = (By.SERVICE, By.COUNTER, By.CLERK, By.DAY)
#: the grouping whose rows count visits, not tickets
BY_VISIT = frozenset({By.COUNTER, By.CLERK})


@dataclass(frozen=True, slots=True)
class ReportVisit:
    """A visit (tickets.Visit) as the reports count it, judged once against its handling
    limit: a report reads every visit of a month and groups them several ways."""

    counter: int
    clerk: str | None
    service: str
    outcome: VisitOutcome | None
    called_at: datetime
    ended_at: datetime | None
    handling_s: float | None
    #: within its budget (limit × items); None if not handled or no limit is known
    compliant: bool | None
    #: called → started; None if it never started
    walk_s: float | None

    @classmethod
    def of(cls, visit: Visit, limits_s: Mapping[str, int]) -> "ReportVisit":
        walk = (visit.started_at - visit.called_at).total_seconds() if visit.started_at else None
        return cls(visit.counter, visit.clerk, visit.service, visit.outcome, visit.called_at, visit.ended_at,
                   visit.handling_s, visit.compliant(limits_s), walk)


@dataclass(frozen=True, slots=True)
class ReportTicket:
    """What the reports read of a ticket."""

    id: int
    #: the service it is for now (a transfer changes it)
    service: str
    business_day: date
    issued_at: datetime
    status: TicketStatus
    #: time spent waiting, over every stay in the queue
    wait_s: float
    #: the wait the customer was told at issue (None: not kept then)
    estimated_wait_s: int | None
    visits: Sequence[ReportVisit]
    #: the customer's rating of its last visit, by score; None: not rated
    rating: int | None = None

    @property
    def issued_service(self) -> str:
        """The service the ticket was issued for: a transfer ends a visit first, so the first
        visit's service is the one it was issued with."""
        return self.visits[0].service if self.visits else self.service

    @property
    def first_wait_s(self) -> float | None:
        """The wait up to its first call (what the estimate at issue foretold); None if never called."""
        return (self.visits[0].called_at - self.issued_at).total_seconds() if self.visits else None


@dataclass(frozen=True)
class Figures:
    """The figures of one row of a report (CONTRACT.md "Reports", with extras)."""

    issued: int | None
    served: int
    no_show: int
    cancelled: int
    wait_mean_s: float | None
    wait_p50_s: float | None
    wait_p90_s: float | None
    wait_max_s: float | None
    handling_mean_s: float | None
    handling_p50_s: float | None
    handling_p90_s: float | None
    #: handled visits within their budget (limit × items) / handled visits judged
    compliance_rate: float | None
    #: ratings not low / ratings
    satisfied_rate: float | None
    transferred: int
    expired: int
    #: called → started
    walk_mean_s: float | None
    #: mean |estimated wait at issue − actual wait to the first call|
    estimate_error_s: float | None
    rated: int
    handled: int
    compliant: int


FIGURE_NAMES = tuple(f.name for f in fields(Figures))
Key = str | int | date | None


@dataclass(frozen=True)
class Row:
    """A row of a report: its key (service code, counter number, clerk's username, day, hall
    id; None for the total), its label in both languages and its figures."""

    key: Key
    label: dict[str, str]
    figures: Figures


@dataclass(frozen=True)
class Summary:
    hall: str | None
    first: date
    last: date
    by: By
    rows: list[Row]
    total: Row


def percentile(ordered: Sequence[float], p: float) -> float | None:
    """Nearest rank: the value at rank ceil(p/100 × n) of the sorted values (the smallest for p 0)."""
    if not ordered:
        return None
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def seconds(value: float | None) -> float | None:
    return None if value is None else round(value, SECONDS_DIGITS)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, RATE_DIGITS) if whole else None


def date_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


#: the figure a ticket's status or a visit's outcome counts in (the statuses and outcomes
#: share their values: a no-show ticket, a no-show visit)
_OUTCOME_FIGURES = {TicketStatus.DONE: "served", VisitOutcome.FINISHED: "served", TicketStatus.NO_SHOW: "no_show",
                    TicketStatus.CANCELLED: "cancelled", TicketStatus.EXPIRED: "expired",
                    VisitOutcome.TRANSFERRED: "transferred"}


@dataclass
class _Tally:
    """What a row gathers before its figures are worked out."""

    issued: int | None = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    expired: int = 0
    transferred: int = 0
    waits: list[float] = field(default_factory=list)
    handling: list[float] = field(default_factory=list)
    judged: int = 0
    compliant: int = 0
    walks: list[float] = field(default_factory=list)
    estimate_errors: list[float] = field(default_factory=list)
    rated: int = 0
    satisfied: int = 0

    def count_outcome(self, outcome: str | None) -> None:
        """A ticket's final status (by service, day, hall) or a visit's outcome (by counter, clerk)."""
        name = _OUTCOME_FIGURES.get(outcome)
        if name is not None:
            setattr(self, name, getattr(self, name) + 1)

    def figures(self) -> Figures:
        waits, handling = sorted(self.waits), sorted(self.handling)
        return Figures(
            issued=self.issued, served=self.served, no_show=self.no_show, cancelled=self.cancelled,
            wait_mean_s=seconds(mean(waits)), wait_p50_s=seconds(percentile(waits, 50)),
            wait_p90_s=seconds(percentile(waits, 90)), wait_max_s=seconds(waits[-1] if waits else None),
            handling_mean_s=seconds(mean(handling)), handling_p50_s=seconds(percentile(handling, 50)),
            handling_p90_s=seconds(percentile(handling, 90)),
            compliance_rate=rate(self.compliant, self.judged), satisfied_rate=rate(self.satisfied, self.rated),
            transferred=self.transferred, expired=self.expired, walk_mean_s=seconds(mean(self.walks)),
            estimate_error_s=seconds(mean(self.estimate_errors)), rated=self.rated, handled=len(handling),
            compliant=self.compliant)


def _visit_key(by: By, ticket: ReportTicket, visit: ReportVisit) -> Key:
    if by is By.SERVICE:
        return visit.service
    if by is By.COUNTER:
        return visit.counter
    if by is By.CLERK:
        return visit.clerk
    return ticket.business_day if by is By.DAY else None


def _ticket_key(by: By, ticket: ReportTicket) -> Key:
    """Where a ticket's own figures go: its first visit's counter or clerk (None: never called)."""
    if by is By.SERVICE:
        return ticket.issued_service
    if by in BY_VISIT:
        return _visit_key(by, ticket, ticket.visits[0]) if ticket.visits else None
    return ticket.business_day if by is By.DAY else None


class ReportTally:
    """The rows of a report being gathered, grouped `by` (as the module says); tickets may be
    added in batches, each with its hall's rating levels (the supervisor's total over several
    halls; each hall's visits were judged against its own limits, ReportVisit). `keys`: rows
    to show even with nothing in them (every configured service, every day of the range),
    first and in that order. Visits by no clerk (the day close's expiry of a ticket called
    but not served by a signed-in clerk) have no clerk row."""

    def __init__(self, by: By, keys: Iterable[Key] = ()) -> None:
        self.by = by
        self.per_visit = by in BY_VISIT
        self.rows: dict[Key, _Tally] = {}
        for key in keys:
            self._row(key)

    def _row(self, key: Key) -> _Tally:
        if key not in self.rows:
            self.rows[key] = _Tally(None if self.per_visit else 0)
        return self.rows[key]

    def add(self, tickets: Iterable[ReportTicket], low_scores: frozenset[int]) -> None:
        by, per_visit = self.by, self.per_visit
        for ticket in tickets:
            key = _ticket_key(by, ticket)
            if key is not None or not per_visit:
                own = self._row(key)
                if not per_visit:
                    own.issued += 1
                    own.count_outcome(ticket.status)
                    own.transferred += any(v.outcome is VisitOutcome.TRANSFERRED for v in ticket.visits)
                if ticket.visits:
                    own.waits.append(ticket.wait_s)
                    if ticket.estimated_wait_s is not None:
                        own.estimate_errors.append(abs(ticket.estimated_wait_s - ticket.first_wait_s))
            for visit in ticket.visits:
                visit_key = _visit_key(by, ticket, visit)
                if per_visit and visit_key is None:
                    continue
                row = self._row(visit_key)
                if per_visit:
                    row.count_outcome(visit.outcome)
                _count_visit(row, visit)
            if ticket.rating is not None and ticket.visits:
                rated_key = _visit_key(by, ticket, ticket.visits[-1])
                if rated_key is not None or not per_visit:
                    row = self._row(rated_key)
                    row.rated += 1
                    row.satisfied += ticket.rating not in low_scores

    def figures(self) -> dict[Key, Figures]:
        return {key: row.figures() for key, row in self.rows.items()}


def figures_by(tickets: Iterable[ReportTicket], by: By, low_scores: frozenset[int],
               keys: Iterable[Key] = ()) -> dict[Key, Figures]:
    """The figures of each row of one hall's tickets (ReportTally)."""
    tally = ReportTally(by, keys)
    tally.add(tickets, low_scores)
    return tally.figures()


def _count_visit(row: _Tally, visit: ReportVisit) -> None:
    if visit.handling_s is not None:
        row.handling.append(visit.handling_s)
        if visit.compliant is not None:
            row.judged += 1
            row.compliant += visit.compliant
    if visit.walk_s is not None:
        row.walks.append(visit.walk_s)


def total(tickets: Iterable[ReportTicket], low_scores: frozenset[int]) -> Figures:
    """The figures of the whole range."""
    return figures_by(tickets, By.HALL, low_scores, keys=[None])[None]


# --- JSON --------------------------------------------------------------------------------------

def _key_json(key: Key) -> Any:
    return key.isoformat() if isinstance(key, date) else key


def row_json(row: Row) -> dict[str, Any]:
    return {"key": _key_json(row.key), "label": dict(row.label),
            **{name: getattr(row.figures, name) for name in FIGURE_NAMES}}


def summary_json(summary: Summary) -> dict[str, Any]:
    """The summary as the API gives it (CONTRACT.md "Reports")."""
    return {"from": summary.first.isoformat(), "to": summary.last.isoformat(), "by": summary.by.value,
            "rows": [row_json(row) for row in summary.rows], "total": row_json(summary.total)}
