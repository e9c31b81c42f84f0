"""The hall report of the reports page, beyond the summary's rows (domain/reports.py): the
ratings per level, the alerts and how soon they were acknowledged, each counter's time serving,
idle and paused, overtime after closing, the heat maps of arrivals and waits by weekday and
hour. (The trend against the period before is that period's summary.) Nothing here reads a
database."""
from collections import Counter as Tally
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .alerts import Severity
from .appointments import hours_on
from .counters import PAUSE_REASONS
from .day_close import Hours
from .events import Event, EventType
from .reports import (
    HOURS_IN_DAY,
    SECONDS_DIGITS,
    WEEKDAYS_IN_WEEK,
    By,
    ReportTicket,
    Row,
    Summary,
    date_range,
    mean,
    percentile,
    rate,
    row_json,
    seconds,
)

#: a pause whose start lies before what was read (its reason unknown) counts under this reason
UNKNOWN_PAUSE = "other"


@dataclass(frozen=True)
class LevelCount:
    code: str
    score: int
    name: dict[str, str]
    low: bool
    count: int


@dataclass(frozen=True)
class Satisfaction:
    levels: list[LevelCount]
    rated: int
    satisfied_rate: float | None


@dataclass(frozen=True)
class RatingLevelInfo:
    """What the report needs of a configured rating level."""

    code: str
    score: int
    name: dict[str, str]
    low: bool


def satisfaction(tickets: Iterable[ReportTicket], levels: Sequence[RatingLevelInfo]) -> Satisfaction:
    """Ratings per level (the configured levels, best first); scores since removed from the
    configuration count as rated but under no level."""
    counts = Tally(ticket.rating for ticket in tickets if ticket.rating is not None)
    rated = sum(counts.values())
    satisfied = sum(count for score, count in counts.items()
                    if score not in {level.score for level in levels if level.low})
    return Satisfaction([LevelCount(level.code, level.score, level.name, level.low, counts[level.score])
                         for level in levels], rated, rate(satisfied, rated))


@dataclass(frozen=True)
class RaisedAlert:
    """What the reports read of an alert."""

    rule: str
    severity: Severity
    raised_at: datetime
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class AlertFigures:
    raised: int
    by_rule: dict[str, int]
    by_severity: dict[str, int]
    acknowledged: int
    ack_mean_s: float | None
    ack_p90_s: float | None


def alert_figures(alerts: Iterable[RaisedAlert]) -> AlertFigures:
    """The alerts raised in the range, and how long they waited for a manager's acknowledgement
    (those acknowledged)."""
    alerts = list(alerts)
    acks = sorted((a.acknowledged_at - a.raised_at).total_seconds() for a in alerts if a.acknowledged_at)
    return AlertFigures(len(alerts), dict(sorted(Tally(a.rule for a in alerts).items())),
                        {s.value: sum(a.severity is s for a in alerts) for s in Severity},
                        len(acks), seconds(mean(acks)), seconds(percentile(acks, 90)))


@dataclass(frozen=True)
class CounterTime:
    number: int
    signed_in_s: float
    #: the handled visits' time at the counter
    serving_s: float
    #: signed in, not paused, not serving (calling, waiting for the next customer)
    idle_s: float
    paused_s: float
    paused_by_reason: dict[str, float]


def counter_times(events: Iterable[Event], start: datetime, end: datetime, tickets: Iterable[ReportTicket],
                  numbers: Iterable[int] = ()) -> list[CounterTime]:
    """Per counter: time signed in, serving, idle and paused (by reason) within [start, end).

    `events`: the counters' signed_in, signed_out, paused and resumed events in seq order,
    from some time before `start` (so that a counter signed in before the range is known to
    be); a counter whose first event read is a sign-out or pause was signed in from the
    first of them read, one whose first is a resume was paused (reason unknown: `other`).
    A counter still signed in at `end` counts up to it. Serving is the handling time of the
    range's tickets' visits at the counter; `numbers`: counters to list even if unused."""
    spans: dict[int, dict[str, float]] = {number: {} for number in numbers}
    #: per counter: (signed in since, paused since, pause reason)
    state: dict[int, tuple[datetime | None, datetime | None, str | None]] = {}
    first_read: datetime | None = None

    def add(number: int, what: str, begin: datetime, until: datetime) -> None:
        length = (min(until, end) - max(begin, start)).total_seconds()
        if length > 0:
            totals = spans.setdefault(number, {})
            totals[what] = totals.get(what, 0.0) + length

    for event in events:
        first_read = first_read or event.at
        number, at = event.counter, event.at
        if number not in state:
            since = first_read if event.type is not EventType.COUNTER_SIGNED_IN else None
            paused = first_read if event.type is EventType.COUNTER_RESUMED else None
            state[number] = (since, paused, UNKNOWN_PAUSE if paused else None)
        since, paused, reason = state[number]
        if paused is not None and event.type in (EventType.COUNTER_RESUMED, EventType.COUNTER_SIGNED_OUT):
            add(number, f"paused:{reason}", paused, at)
            paused, reason = None, None
        if since is not None and event.type is EventType.COUNTER_SIGNED_OUT:
            add(number, "signed_in", since, at)
            since = None
        if event.type is EventType.COUNTER_SIGNED_IN:
            since = at
        elif event.type is EventType.COUNTER_PAUSED:
            paused, reason = at, event.data.get("reason", UNKNOWN_PAUSE)
        state[number] = (since, paused, reason)
    for number, (since, paused, reason) in state.items():
        if paused is not None:
            add(number, f"paused:{reason}", paused, end)
        if since is not None:
            add(number, "signed_in", since, end)
    serving: dict[int, float] = {}
    for ticket in tickets:
        for visit in ticket.visits:
            if visit.handling_s is not None:
                serving[visit.counter] = serving.get(visit.counter, 0.0) + visit.handling_s
    result = []
    for number in sorted(set(spans) | set(serving)):
        totals = spans.get(number, {})
        by_reason = {reason: round(totals.get(f"paused:{reason}", 0.0), SECONDS_DIGITS)
                     for reason in PAUSE_REASONS if totals.get(f"paused:{reason}")}
        signed_in = totals.get("signed_in", 0.0)
        paused_s = sum(value for what, value in totals.items() if what.startswith("paused:"))
        serving_s = serving.get(number, 0.0)
        result.append(CounterTime(number, round(signed_in, SECONDS_DIGITS), round(serving_s, SECONDS_DIGITS),
                                  round(max(signed_in - paused_s - serving_s, 0.0), SECONDS_DIGITS),
                                  round(paused_s, SECONDS_DIGITS), by_reason))
    return result


@dataclass(frozen=True)
class OvertimeDay:
    day: date
    closes_at: datetime
    last_end_at: datetime
    overtime_s: float


@dataclass(frozen=True)
class Overtime:
    total_s: float
    days: list[OvertimeDay]


def overtime(tickets: Iterable[ReportTicket], hours: Mapping[str, Hours], timezone: str) -> Overtime:
    """Per business day with a visit that ended: the last visit's end against the day's
    closing time (customers waiting at closing are served, so the hall may work past it)."""
    last_end: dict[date, datetime] = {}
    for ticket in tickets:
        for visit in ticket.visits:
            if visit.ended_at is not None and (ticket.business_day not in last_end
                                               or visit.ended_at > last_end[ticket.business_day]):
                last_end[ticket.business_day] = visit.ended_at
    days = []
    for day in sorted(last_end):
        closes = hours_on(day, hours, timezone)[1]
        days.append(OvertimeDay(day, closes, last_end[day],
                                round(max((last_end[day] - closes).total_seconds(), 0.0), SECONDS_DIGITS)))
    return Overtime(round(sum(d.overtime_s for d in days), SECONDS_DIGITS), days)


@dataclass(frozen=True)
class Heatmap:
    """7 weekdays (row 0: Monday) × 24 local hours of issue."""

    #: tickets issued, mean per day of that weekday in the range (0 for a weekday not in it)
    arrivals: list[list[float]]
    #: mean wait of the tickets issued then that were called; None with none
    wait_mean_s: list[list[float | None]]


def heatmap(tickets: Iterable[ReportTicket], first: date, last: date, timezone: str) -> Heatmap:
    zone = ZoneInfo(timezone)
    weekdays = Tally(day.weekday() for day in date_range(first, last))
    arrivals = [[0] * HOURS_IN_DAY for _ in range(WEEKDAYS_IN_WEEK)]
    waits: list[list[list[float]]] = [[[] for _ in range(HOURS_IN_DAY)] for _ in range(WEEKDAYS_IN_WEEK)]
    for ticket in tickets:
        local = ticket.issued_at.astimezone(zone)
        arrivals[local.weekday()][local.hour] += 1
        if ticket.visits:
            waits[local.weekday()][local.hour].append(ticket.wait_s)
    return Heatmap(
        [[round(count / weekdays[weekday], 2) if weekdays[weekday] else 0 for count in arrivals[weekday]]
         for weekday in range(WEEKDAYS_IN_WEEK)],
        [[seconds(mean(cell)) for cell in row] for row in waits])


@dataclass(frozen=True)
class HallReport:
    hall: str
    first: date
    last: date
    total: Row
    by_service: list[Row]
    by_counter: list[Row]
    by_clerk: list[Row]
    by_day: list[Row]
    satisfaction: Satisfaction
    alerts: AlertFigures
    counters: list[CounterTime]
    overtime: Overtime
    heatmap: Heatmap

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def summary(self, by: By) -> Summary:
        """Its rows grouped `by` as a summary (what the summary use case gives for the range)."""
        rows = {By.SERVICE: self.by_service, By.COUNTER: self.by_counter, By.CLERK: self.by_clerk,
                By.DAY: self.by_day}[by]
        return Summary(self.hall, self.first, self.last, by, rows, self.total)


# --- JSON --------------------------------------------------------------------------------------

def report_json(report: HallReport) -> dict[str, Any]:
    def rows(found: list[Row]) -> list[dict[str, Any]]:
        return [row_json(row) for row in found]

    s, a, o = report.satisfaction, report.alerts, report.overtime
    return {
        "hall": report.hall, "from": report.first.isoformat(), "to": report.last.isoformat(),
        "days": report.days, "total": row_json(report.total),
        "by_service": rows(report.by_service), "by_counter": rows(report.by_counter),
        "by_clerk": rows(report.by_clerk), "by_day": rows(report.by_day),
        "satisfaction": {"levels": [{"code": level.code, "score": level.score, "name": dict(level.name),
                                     "low": level.low, "count": level.count} for level in s.levels],
                         "rated": s.rated, "satisfied_rate": s.satisfied_rate},
        "alerts": {"raised": a.raised, "by_rule": a.by_rule, "by_severity": a.by_severity,
                   "acknowledged": a.acknowledged, "ack_mean_s": a.ack_mean_s, "ack_p90_s": a.ack_p90_s},
        "counters": [{"number": c.number, "label": _counter_label(report, c.number), "signed_in_s": c.signed_in_s,
                      "serving_s": c.serving_s, "idle_s": c.idle_s, "paused_s": c.paused_s,
                      "paused_by_reason": c.paused_by_reason} for c in report.counters],
        "overtime": {"total_s": o.total_s, "days": [
            {"day": d.day.isoformat(), "closes_at": d.closes_at.isoformat(), "last_end_at": d.last_end_at.isoformat(),
             "overtime_s": d.overtime_s} for d in o.days]},
        "heatmap": {"arrivals": report.heatmap.arrivals, "wait_mean_s": report.heatmap.wait_mean_s},
    }


def _counter_label(report: HallReport, number: int) -> dict[str, str] | None:
    return next((dict(row.label) for row in report.by_counter if row.key == number), None)

