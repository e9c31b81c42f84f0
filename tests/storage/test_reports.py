"""The reports through the service layer on real storage (SQLite and PostgreSQL): business
days in the hall's timezone, the estimate kept at issue, and the hall report's counter time,
overtime and satisfaction from what the use cases recorded.

Monday 23 and Tuesday 24 November 2026 in Shanghai (UTC+8); the tests' halls are open all
day (closing at 24:00). Every ticket below is issued on a UTC Monday:

| local time | what |
|---|---|
| Mon 23:50:00 | wang signs in at counter 1; A issued (told 0: nobody ahead) |
| Mon 23:50:10 | A2 issued (told 180: one ahead, no handling yet so 60% of the 300 s limit, one counter) |
| Mon 23:58:00 | A called (waited 480), started 30 s later |
| Mon 23:59:00 | B issued (told 180: A2 ahead) |
| Tue 00:01:00 | A finished (handled 150 s); C issued (a Tuesday ticket: told 0, Monday's are not ahead) |
| Tue 00:01:20 | C called (waited 20), started 10 s later, finished at 00:02:10 (handled 60 s) |
| Tue 00:03:00 | A2 and B cancelled; A rated 4, C rated 1 (low) |
| Tue 00:05-00:15 | counter 1 paused for a meal; signed out at 00:20 |
"""
from datetime import UTC, date, datetime, timedelta

import pytest

from hall_server.domain.actors import Actor, Role
from hall_server.domain.errors import Forbidden, Invalid, NotFound
from hall_server.domain.events import EventType as E
from hall_server.domain.reports import By
from hall_server.services import accounts, counters, queries, reports, tickets

from ..conftest import KIOSK, MANAGER, clerk

WANG = clerk("wang")
ADMIN = Actor("admin", Role.ADMIN)
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)
#: Monday 23:50 in Shanghai
START = datetime(2026, 11, 23, 15, 50, tzinfo=UTC)


def at_local(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A Shanghai time on 23 or 24 November 2026."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def day(ctx, clock):
    """The two days of the table above; the tickets A, A2, B, C by name."""
    accounts.add_user(ctx, "wang", "clerk", "a long password", ["demo"], badge="1001", name="王芳")
    clock.set(at_local(23, 23, 50))
    counters.sign_in(ctx, "demo", 1, WANG)
    made = {"A": tickets.issue_ticket(ctx, "demo", "fee", KIOSK)}
    clock.advance(10)
    made["A2"] = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    made["A2 placed"] = queries.place(ctx, made["A2"])
    clock.set(at_local(23, 23, 58))
    tickets.call_next(ctx, "demo", 1, WANG)
    clock.advance(30)
    tickets.start(ctx, "demo", 1, WANG)
    clock.set(at_local(23, 23, 59))
    made["B"] = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.set(at_local(24, 0, 1))
    tickets.finish(ctx, "demo", 1, WANG)
    made["C"] = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(20)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == made["C"].id  # Monday's are not called on Tuesday
    clock.advance(10)
    tickets.start(ctx, "demo", 1, WANG)
    clock.advance(60)
    tickets.finish(ctx, "demo", 1, WANG)
    clock.set(at_local(24, 0, 3))
    for name in ("A2", "B"):
        tickets.cancel(ctx, "demo", made[name].id, MANAGER)
    tickets.rate(ctx, "demo", made["A"].id, MANAGER, 4)
    tickets.rate(ctx, "demo", made["C"].id, MANAGER, 1)
    clock.set(at_local(24, 0, 5))
    counters.pause(ctx, "demo", 1, WANG, "meal")
    clock.set(at_local(24, 0, 15))
    counters.resume(ctx, "demo", 1, WANG)
    clock.set(at_local(24, 0, 20))
    counters.sign_out(ctx, "demo", 1, WANG)
    clock.set(at_local(24, 0, 30))
    return made


def test_the_wait_told_at_issue_is_kept_on_the_ticket_and_in_its_event(ctx, day) -> None:
    assert (day["A"].estimated_wait_s, day["A2"].estimated_wait_s, day["C"].estimated_wait_s) == (0, 180, 0)
    assert day["A2 placed"].estimated_wait_s == 180  # what the kiosk showed: the same estimate
    with ctx.store.read() as reader:
        assert reader.ticket(day["A2"].id).estimated_wait_s == 180
        issued = [e for e in reader.events("demo") if e.type is E.TICKET_ISSUED]
    assert [e.data["estimated_wait_s"] for e in issued] == [0, 180, 180, 0]  # B: A2 ahead


def test_business_days_in_the_halls_timezone(ctx, day) -> None:
    by_day = reports.summary(ctx, "demo", MANAGER, MONDAY, TUESDAY, By.DAY)
    monday, tuesday = by_day.rows
    assert (monday.key, monday.label) == (MONDAY, {"zh": "2026-11-23", "en": "2026-11-23"})
    # A, A2 and B (issued up to 23:59 local); A served after midnight still counts on Monday
    assert (monday.figures.issued, monday.figures.served, monday.figures.cancelled) == (3, 1, 2)
    assert (monday.figures.wait_mean_s, monday.figures.handling_mean_s, monday.figures.walk_mean_s) == (480, 150, 30)
    assert (monday.figures.estimate_error_s, monday.figures.satisfied_rate) == (480, 1.0)
    # C, issued at 00:01 local, 16:01 UTC on Monday
    assert (tuesday.figures.issued, tuesday.figures.served, tuesday.figures.wait_mean_s) == (1, 1, 20)
    assert (tuesday.figures.handling_mean_s, tuesday.figures.satisfied_rate) == (60, 0.0)
    assert by_day.total.figures.issued == 4 and by_day.total.label == {"zh": "合计", "en": "Total"}
    assert reports.summary(ctx, "demo", MANAGER, TUESDAY, TUESDAY).total.figures.issued == 1
    assert reports.summary(ctx, "demo", MANAGER, MONDAY, MONDAY).total.figures.issued == 3


def test_rows_by_service_counter_and_clerk_carry_their_labels(ctx, day) -> None:
    by_service = reports.summary(ctx, "demo", MANAGER, MONDAY, TUESDAY)
    assert [row.key for row in by_service.rows] == ["fee", "business", "enquiry", "enterprise"]
    assert by_service.rows[0].label == {"zh": "居民收费", "en": "Residential fee payment"}
    assert (by_service.rows[0].figures.issued, by_service.rows[1].figures.issued) == (4, 0)
    by_counter = reports.summary(ctx, "demo", MANAGER, MONDAY, TUESDAY, By.COUNTER)
    first = by_counter.rows[0]
    assert (first.key, first.label, first.figures.served, first.figures.issued) == (
        1, {"zh": "1号窗口", "en": "Window 1"}, 2, None)
    [wang] = reports.summary(ctx, "demo", MANAGER, MONDAY, TUESDAY, By.CLERK).rows
    assert (wang.key, wang.label, wang.figures.handled) == ("wang", {"zh": "王芳 (1001)", "en": "王芳 (1001)"}, 2)


def test_the_hall_report(ctx, day) -> None:
    report = reports.hall_report(ctx, "demo", MANAGER, MONDAY, TUESDAY)
    assert (report.days, report.total.figures.issued, [r.key for r in report.by_day]) == (2, 4, [MONDAY, TUESDAY])
    one = next(c for c in report.counters if c.number == 1)
    # signed in 23:50 → 00:20, 10 minutes at a meal, serving 150 + 60
    assert (one.signed_in_s, one.paused_s, one.paused_by_reason, one.serving_s) == (1800, 600, {"meal": 600}, 210)
    assert one.idle_s == 1800 - 600 - 210
    # Monday's last visit ended at 00:01, a minute past closing (24:00); Tuesday's within its day
    assert [(d.day, d.overtime_s) for d in report.overtime.days] == [(MONDAY, 60), (TUESDAY, 0)]
    assert [(level.score, level.count) for level in report.satisfaction.levels] == [(4, 1), (3, 0), (2, 0), (1, 1)]
    assert report.satisfaction.satisfied_rate == 0.5
    # Monday is weekday 0: three arrivals in its 23 o'clock; Tuesday's C at 00 o'clock
    assert (report.heatmap.arrivals[0][23], report.heatmap.arrivals[1][0]) == (3, 1)
    assert report.alerts.raised == 0


def test_the_halls_side_by_side_only_those_the_caller_may_see(ctx, day) -> None:
    mine = reports.halls_summary(ctx, MANAGER, MONDAY, TUESDAY)
    assert [(row.key, row.figures.issued) for row in mine.rows] == [("demo", 4)]
    every = reports.halls_summary(ctx, ADMIN, MONDAY, TUESDAY)
    assert [(row.key, row.figures.issued) for row in every.rows] == [("demo", 4), ("north", 0)]
    assert (every.by, every.total.figures.issued, every.rows[0].label["en"]) == (
        By.HALL, 4, "State Grid Demo County Power Supply - City Business Hall")
    assert [row.key for row in reports.halls_summary(ctx, ADMIN, MONDAY, TUESDAY, "示范省/示范市").rows] == [
        "demo", "north"]
    assert reports.halls_summary(ctx, ADMIN, MONDAY, TUESDAY, "示范省/别的市").rows == []


def test_bad_ranges_and_halls_are_refused(ctx) -> None:
    with pytest.raises(Invalid) as refused:
        reports.summary(ctx, "demo", MANAGER, TUESDAY, MONDAY)
    assert refused.value.code == "invalid_range"
    with pytest.raises(Invalid) as refused:
        reports.hall_report(ctx, "demo", MANAGER, date(2025, 1, 1), date(2026, 1, 2))
    assert refused.value.code == "range_too_long"
    reports.summary(ctx, "demo", MANAGER, date(2024, 1, 1), date(2024, 12, 31))  # a leap year: 366 days
    with pytest.raises(Invalid) as refused:
        reports.summary(ctx, "demo", MANAGER, MONDAY, TUESDAY, By.HALL)
    assert refused.value.code == "unknown_grouping"
    with pytest.raises(Forbidden):
        reports.summary(ctx, "north", MANAGER, MONDAY, TUESDAY)
    with pytest.raises(NotFound):
        reports.hall_report(ctx, "nowhere", ADMIN, MONDAY, TUESDAY)
