"""The report figures against a small day computed by hand (domain/reports.py).

The day: Tuesday 2026-11-24 in Shanghai, T0 = 09:00 local. Limits: fee 300 s per item,
business 900 s per item. Seven tickets, all issued for `fee`:

| ticket | issued | visits (counter, clerk: called / started / ended, outcome) | wait | told |
|---|---|---|---|---|
| t1 | T0     | c1 wang: +60 / +90 / +290 finished (200 s ≤ 300)           | 60   | 120 |
| t2 | T0+10  | c1 wang: +310 / +330 / +730 finished (400 s > 300)         | 300  | 240 |
| t3 | T0+20  | c2 li: +620 / +640 / +1440 finished, 3 fee items (800 ≤ 900) | 600 | - |
| t4 | T0+30  | c1 wang: +1030 / +1040 / +1140 transferred to business (100 ≤ 300); | 1000 + 100 | 900 |
|    |        | c2 li: +1240 / +1260 / +2260 finished (1000 > 900)         |      |     |
| t5 | T0+40  | c1 wang: +1400, no-show at +1700                           | 1360 | - |
| t6 | T0+50  | none: cancelled while waiting                              | -    | - |
| t7 | 23:50  | c2 li: 00:05 / 00:06 / 00:10 the next day, finished (240 ≤ 300) | 900 | - |

Ratings: t1 4 (very satisfied), t2 1 (dissatisfied: low), t3 3 (satisfied).
"""
from datetime import UTC, date, datetime, timedelta

from hall_server.config import load_config
from hall_server.domain.alerts import Severity
from hall_server.domain.events import Event, EventType
from hall_server.domain.hall_report import (
    RaisedAlert,
    RatingLevelInfo,
    alert_figures,
    counter_times,
    heatmap,
    overtime,
    satisfaction,
)
from hall_server.domain.reports import (
    By,
    ReportTicket,
    ReportVisit,
    figures_by,
    percentile,
    total,
)
from hall_server.domain.tickets import TicketStatus, Visit, VisitOutcome
from hall_server.domain.timing import Item

DAY = date(2026, 11, 24)
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
LIMITS = {"fee": 300, "business": 900}
LOW = frozenset({1})
F, X, N = VisitOutcome.FINISHED, VisitOutcome.TRANSFERRED, VisitOutcome.NO_SHOW


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def visit(counter: int, clerk: str, service: str, called: float, started: float | None, ended: float,
          outcome: VisitOutcome, items: list[Item] | None = None) -> ReportVisit:
    return ReportVisit.of(Visit(counter, clerk, service, at(called), at(started) if started is not None else None,
                                at(ended), outcome, items or []), LIMITS)


def ticket(id: int, issued: float, status: TicketStatus, wait: float, visits: list[Visit], told: int | None = None,
           rating: int | None = None, service: str = "fee") -> ReportTicket:
    return ReportTicket(id, service, DAY, at(issued), status, wait, told, visits, rating)


MIDNIGHT = 15 * 3600  # T0 + 15 h = 00:00 local on the 25th
DONE = TicketStatus.DONE
TICKETS = [
    ticket(1, 0, DONE, 60, [visit(1, "wang", "fee", 60, 90, 290, F, [Item("fee")])], told=120, rating=4),
    ticket(2, 10, DONE, 300, [visit(1, "wang", "fee", 310, 330, 730, F)], told=240, rating=1),
    ticket(3, 20, DONE, 600, [visit(2, "li", "fee", 620, 640, 1440, F, [Item("fee", 3)])], rating=3),
    ticket(4, 30, DONE, 1100, [visit(1, "wang", "fee", 1030, 1040, 1140, X),
                               visit(2, "li", "business", 1240, 1260, 2260, F, [Item("business")])],
           told=900, service="business"),
    ticket(5, 40, TicketStatus.NO_SHOW, 1360, [visit(1, "wang", "fee", 1400, None, 1700, N)]),
    ticket(6, 50, TicketStatus.CANCELLED, 0, []),
    # issued 23:50 on the 24th, served after midnight: it counts on the 24th
    ticket(7, MIDNIGHT - 600, DONE, 900, [visit(2, "li", "fee", MIDNIGHT + 300, MIDNIGHT + 360, MIDNIGHT + 600, F)]),
]


def figures_of(by: By, **kwargs):
    return figures_by(TICKETS, by, LOW, **kwargs)


def test_percentiles_are_by_nearest_rank() -> None:
    values = list(range(1, 11))
    assert [percentile(values, p) for p in (0, 10, 50, 90, 95, 100)] == [1, 1, 5, 9, 10, 10]
    assert percentile([60, 300, 600, 900, 1100, 1360], 50) == 600  # rank ceil(3.0) = 3
    assert percentile([60, 300, 600, 900, 1100, 1360], 90) == 1360  # rank ceil(5.4) = 6
    assert percentile([7], 90) == 7 and percentile([], 50) is None


def test_by_service_counts_tickets_for_the_service_issued_and_visits_for_their_own() -> None:
    rows = figures_of(By.SERVICE, keys=["fee", "business", "enquiry"])
    assert list(rows) == ["fee", "business", "enquiry"]
    fee, business = rows["fee"], rows["business"]
    # tickets: 7 issued for fee; t4 was transferred to business but stays fee's ticket
    assert (fee.issued, fee.served, fee.no_show, fee.cancelled, fee.expired, fee.transferred) == (7, 5, 1, 1, 0, 1)
    # waits of the six called: [60, 300, 600, 900, 1100, 1360], mean 4320 / 6
    assert (fee.wait_mean_s, fee.wait_p50_s, fee.wait_p90_s, fee.wait_max_s) == (720.0, 600, 1360, 1360)
    # fee visits handled: [100, 200, 240, 400, 800]: mean 1740 / 5, p50 rank 3, p90 rank 5;
    # within budget all but t2's 400 > 300 (t3's 800 is within 3 items' 900)
    assert (fee.handling_mean_s, fee.handling_p50_s, fee.handling_p90_s) == (348.0, 240, 800)
    assert (fee.handled, fee.compliant, fee.compliance_rate) == (5, 4, 0.8)
    # walks 30, 20, 20, 10, 60 (the no-show never started)
    assert fee.walk_mean_s == 28.0
    # told vs first wait: |120 - 60|, |240 - 300|, |900 - 1000|
    assert fee.estimate_error_s == 73.3
    # ratings 4, 1 (low), 3
    assert (fee.rated, fee.satisfied_rate) == (3, 0.6667)
    # business: no ticket issued for it, one visit of 1000 s over its 900
    assert (business.issued, business.served, business.wait_mean_s) == (0, 0, None)
    assert (business.handling_mean_s, business.handled, business.compliance_rate) == (1000.0, 1, 0.0)
    assert rows["enquiry"].issued == 0 and rows["enquiry"].compliance_rate is None


def test_by_counter_counts_visits_there_and_waits_of_tickets_first_called_there() -> None:
    rows = figures_of(By.COUNTER, keys=[1, 2, 3])
    one, two, three = rows[1], rows[2], rows[3]
    assert one.issued is None and three.issued is None  # no number is issued to a counter
    # counter 1: t1, t2 finished, t4 transferred on, t5 a no-show
    assert (one.served, one.no_show, one.transferred, one.cancelled) == (2, 1, 1, 0)
    # handled [100, 200, 400]: p50 rank 2, p90 rank 3; 400 > 300
    assert (one.handling_mean_s, one.handling_p50_s, one.handling_p90_s) == (233.3, 200, 400)
    assert (one.compliant, one.handled, one.compliance_rate) == (2, 3, 0.6667)
    # first called here: t1, t2, t4 (its whole wait), t5: [60, 300, 1100, 1360]
    assert (one.wait_mean_s, one.wait_p50_s, one.wait_p90_s, one.wait_max_s) == (705.0, 300, 1360, 1360)
    assert (one.rated, one.satisfied_rate, one.walk_mean_s) == (2, 0.5, 20.0)
    # counter 2: t3, t4 (after the transfer), t7 finished: handled [240, 800, 1000]
    assert (two.served, two.handling_mean_s, two.handling_p50_s, two.handling_p90_s) == (3, 680.0, 800, 1000)
    assert (two.compliance_rate, two.wait_mean_s, two.wait_p90_s, two.estimate_error_s) == (0.6667, 750.0, 900, None)
    assert (three.served, three.handled, three.wait_mean_s) == (0, 0, None)


def test_by_clerk_follows_the_visits_too() -> None:
    rows = figures_of(By.CLERK)
    assert set(rows) == {"wang", "li"}
    assert (rows["wang"].served, rows["wang"].handled, rows["li"].served, rows["li"].compliant) == (2, 3, 3, 2)


def test_a_ticket_served_after_midnight_counts_on_the_day_it_was_issued() -> None:
    rows = figures_of(By.DAY, keys=[DAY, DAY + timedelta(days=1)])
    assert rows[DAY].issued == 7 and rows[DAY].served == 5
    assert rows[DAY + timedelta(days=1)].issued == 0 and rows[DAY + timedelta(days=1)].handled == 0


def test_the_total() -> None:
    whole = total(TICKETS, LOW)
    assert (whole.issued, whole.served, whole.no_show, whole.cancelled, whole.transferred) == (7, 5, 1, 1, 1)
    # handled [100, 200, 240, 400, 800, 1000]: mean 2740 / 6, p50 rank 3, p90 rank 6; 4 within budget
    assert (whole.handling_mean_s, whole.handling_p50_s, whole.handling_p90_s) == (456.7, 240, 1000)
    assert (whole.handled, whole.compliant, whole.compliance_rate) == (6, 4, 0.6667)
    # walks 30, 20, 20, 10, 20, 60
    assert (whole.walk_mean_s, whole.wait_mean_s, whole.satisfied_rate) == (26.7, 720.0, 0.6667)
    assert total([], LOW).wait_mean_s is None


def test_satisfaction_per_level() -> None:
    hall = load_config().halls[0]
    levels = [RatingLevelInfo(level.code, level.score, level.name.model_dump(), level.low)
              for level in hall.rating_levels]
    found = satisfaction(TICKETS, levels)
    assert [(level.code, level.count) for level in found.levels] == [
        ("very_satisfied", 1), ("satisfied", 1), ("fairly_satisfied", 0), ("dissatisfied", 1)]
    assert (found.rated, found.satisfied_rate) == (3, 0.6667)


def counter_event(kind: EventType, counter: int, seconds: float, **data) -> Event:
    return Event(hall="demo", type=kind, at=at(seconds), counter=counter, data=data)


def test_counter_time_signed_in_serving_idle_and_paused_by_reason() -> None:
    start, end = at(-9 * 3600), at(8000)  # local midnight, and "now"
    events = [
        # counter 3 signed in before the range: only its stretch inside counts
        counter_event(EventType.COUNTER_SIGNED_IN, 3, -9 * 3600 - 100),
        counter_event(EventType.COUNTER_SIGNED_OUT, 3, -9 * 3600 + 50),
        counter_event(EventType.COUNTER_SIGNED_IN, 1, -600),
        # counter 2 was signed in before the first event read: from the range's start on
        counter_event(EventType.COUNTER_PAUSED, 2, 100, reason="break"),
        counter_event(EventType.COUNTER_RESUMED, 2, 400),
        counter_event(EventType.COUNTER_PAUSED, 1, 3000, reason="meal"),
        counter_event(EventType.COUNTER_RESUMED, 1, 3600),
        counter_event(EventType.COUNTER_SIGNED_OUT, 1, 7200),
    ]
    times = {c.number: c for c in counter_times(events, start, end, TICKETS[:6], numbers=[1, 2, 3, 4])}
    one, two, three, four = times[1], times[2], times[3], times[4]
    # counter 1: -600 → 7200 signed in, 600 s at a meal, serving 200 + 400 + 100
    assert (one.signed_in_s, one.paused_s, one.paused_by_reason, one.serving_s) == (7800, 600, {"meal": 600}, 700)
    assert one.idle_s == 7800 - 600 - 700
    # counter 2: from midnight (9 h before T0) to now, 300 s on a break, serving 800 + 1000
    assert (two.signed_in_s, two.paused_by_reason, two.serving_s) == (9 * 3600 + 8000, {"break": 300}, 1800)
    assert two.idle_s == 9 * 3600 + 8000 - 300 - 1800
    assert (three.signed_in_s, three.idle_s) == (50, 50)
    assert (four.signed_in_s, four.serving_s, four.paused_by_reason) == (0, 0, {})


def test_overtime_after_closing() -> None:
    hall = load_config().halls[0]  # Tuesdays 08:30-17:30
    found = overtime(TICKETS, hall.opening_hours, hall.timezone)
    [day] = found.days
    # t7 ended at 00:10 on the 25th: 6 h 40 min past 17:30 on the 24th
    assert (day.day, day.overtime_s, found.total_s) == (DAY, 24000, 24000)
    assert day.closes_at == datetime(2026, 11, 24, 9, 30, tzinfo=UTC) and day.last_end_at == at(MIDNIGHT + 600)


def test_heatmap_by_weekday_and_hour_of_issue() -> None:
    # 24 Nov - 1 Dec: two Tuesdays, one of every other weekday
    found = heatmap(TICKETS, DAY, DAY + timedelta(days=7), "Asia/Shanghai")
    assert found.arrivals[1][9] == 3.0  # six at 09:00 on a Tuesday, over two Tuesdays
    assert found.arrivals[1][23] == 0.5 and found.arrivals[0][9] == 0
    # the five called of 09:00: (60 + 300 + 600 + 1100 + 1360) / 5
    assert (found.wait_mean_s[1][9], found.wait_mean_s[1][23], found.wait_mean_s[2][9]) == (684.0, 900.0, None)
    assert len(found.arrivals) == 7 and all(len(row) == 24 for row in found.arrivals)


def test_alerts_raised_and_time_to_acknowledge() -> None:
    found = alert_figures([
        RaisedAlert("handling_time", Severity.WARNING, at(0), at(60)),
        RaisedAlert("waiting", Severity.CRITICAL, at(100), at(280)),
        RaisedAlert("waiting", Severity.WARNING, at(200), None),
    ])
    assert (found.raised, found.by_rule, found.acknowledged) == (3, {"handling_time": 1, "waiting": 2}, 2)
    assert found.by_severity == {"notice": 0, "warning": 2, "critical": 1}
    assert (found.ack_mean_s, found.ack_p90_s) == (120.0, 180.0)
