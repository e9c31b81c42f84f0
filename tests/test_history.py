"""The history generator of the report benchmark (bench/history.py): what it writes is what the
service layer would have left, on SQLite and PostgreSQL, and the same for the same seed."""
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bench import history
from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.domain.actors import Actor, Role
from hall_server.domain.clock import FixedClock
from hall_server.domain.counters import Counter as Desk
from hall_server.domain.events import EventType
from hall_server.domain.projection import COUNTER_EFFECTS
from hall_server.domain.reports import By
from hall_server.domain.tickets import TicketStatus, VisitOutcome
from hall_server.services import reports
from hall_server.storage import tables as t
from hall_server.storage.store import _ticket_values, event_from_row, ticket_from_row

HALLS, DAYS, PER_DAY, SEED = 2, 3, 500, 7
ADMIN = Actor("admin", Role.ADMIN)


@pytest.fixture
def generated(database_url, tmp_path):
    """Two halls, three days of history, and the figures the generator gave."""
    config = _config(tmp_path, HALLS, PER_DAY)
    engine = history.prepare(database_url, config)
    try:
        figures = history.generate(engine, config, history.history_days(DAYS), PER_DAY, seed=SEED)
        yield engine, config, figures
    finally:
        engine.dispose()


def _rows(engine, table, *order):
    with engine.connect() as conn:
        return conn.execute(sa.select(table).order_by(*order)).all()


def test_the_tickets_are_what_the_store_writes_and_reads(generated):
    engine, config, figures = generated
    rows = _rows(engine, t.tickets, t.tickets.c.id)
    assert len(rows) == figures["tickets"] > HALLS * DAYS * PER_DAY * 0.6
    statuses, outcomes, items = Counter(), Counter(), Counter()
    for row in rows:
        ticket = ticket_from_row(row)
        stored = {name: value for name, value in row._mapping.items() if name != "id"}
        assert _ticket_values(ticket) == stored  # the visits' JSON in the store's own shape
        statuses[ticket.status] += 1
        limits = config.by_id[ticket.hall].handling_limits_s
        waited = 0.0
        queued = ticket.issued_at
        for visit in ticket.visits:
            outcomes[visit.outcome] += 1
            waited += (visit.called_at - queued).total_seconds()
            assert visit.called_at <= (visit.started_at or visit.called_at) <= visit.ended_at
            queued = visit.ended_at
            if visit.outcome is VisitOutcome.FINISHED:
                assert visit.handling_s > 0 and visit.compliant(limits) is not None
                items[sum(item.count for item in visit.items)] += 1
        assert ticket.wait_s == pytest.approx(waited)
        assert ticket.estimated_wait_s is not None and ticket.estimated_wait_s >= 0
        if ticket.status is TicketStatus.DONE:
            assert ticket.finished_at == ticket.visits[-1].ended_at and ticket.items == ticket.visits[-1].items
        assert ticket.transfer_count == sum(v.outcome is VisitOutcome.TRANSFERRED for v in ticket.visits)
    assert statuses[TicketStatus.DONE] > 0.9 * len(rows)
    assert statuses[TicketStatus.NO_SHOW] and statuses[TicketStatus.CANCELLED]
    assert outcomes[VisitOutcome.TRANSFERRED] and items[2] and items[3]
    handled = [v for row in rows for v in ticket_from_row(row).visits if v.handling_s is not None]
    within = sum(v.compliant(config.halls[0].handling_limits_s) for v in handled) / len(handled)
    assert 0.85 < within < 0.99  # some over their budget, most within


def test_numbers_sequences_and_the_log_are_consistent(generated):
    engine, config, _ = generated
    numbers = defaultdict(list)
    for row in _rows(engine, t.tickets, t.tickets.c.id):
        numbers[row.hall, row.business_day, row.prefix].append(row.number)
    sequences = {(r.hall, r.business_day, r.prefix): r.last_number for r in _rows(engine, t.number_sequences)}
    assert sequences == {key: max(found) for key, found in numbers.items()}
    assert all(sorted(found) == list(range(1, len(found) + 1)) for found in numbers.values())
    halls = {row.id: row for row in _rows(engine, t.halls)}
    events = [event_from_row(row) for row in _rows(engine, t.events, t.events.c.hall, t.events.c.seq)]
    for hall in config.halls:
        own = [event for event in events if event.hall == hall.id]
        assert [event.seq for event in own] == list(range(1, halls[hall.id].last_seq + 1))
        assert all(a.at <= b.at for a, b in zip(own, own[1:], strict=False))
        assert halls[hall.id].closed_day == history.LAST_DAY
        desks = {c.number: Desk(hall.id, c.number) for c in hall.counters}
        for event in own:  # every counter event is a transition the domain allows
            if event.type in COUNTER_EFFECTS:
                desks[event.counter].apply(COUNTER_EFFECTS[event.type], event.at, event.data)
        assert {e.type for e in own} >= {EventType.COUNTER_SIGNED_IN, EventType.COUNTER_PAUSED,
                                         EventType.COUNTER_RESUMED, EventType.COUNTER_SIGNED_OUT}
    tickets = {row.id: row for row in _rows(engine, t.tickets)}
    ratings = _rows(engine, t.ratings)
    assert 0.5 < len(ratings) / sum(r.status == "done" for r in tickets.values()) < 0.7
    for rating in ratings:
        ticket = tickets[rating.ticket]
        assert ticket.status == "done" and ticket.finished_at < rating.at
        assert (rating.counter, rating.clerk, rating.hall) == (ticket.counter, ticket.clerk, ticket.hall)
    alerts = _rows(engine, t.alerts)
    assert {a.rule for a in alerts} == {"handling_time", "waiting"}
    assert all(a.raised_at <= a.resolved_at and (a.acknowledged_at or a.raised_at) >= a.raised_at for a in alerts)


def test_the_service_layer_reads_the_history(generated, database_url):
    engine, config, figures = generated
    day = history.LAST_DAY
    clock = FixedClock(datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=1))
    ctx = open_context(config, database_url, clock)  # closes nothing: every day was closed
    try:
        with ctx.store.read() as reader:
            assert reader.open_tickets("hall01") == [] and reader.closed_day("hall01") == day
        first = day - timedelta(days=DAYS - 1)
        both = reports.halls_summary(ctx, ADMIN, first, day)
        assert sum(row.figures.issued for row in both.rows) == figures["tickets"]
        report = reports.hall_report(ctx, "hall02", ADMIN, first, day)
        assert report.total.figures.rated and report.alerts.raised and report.counters
        assert 0.8 < report.total.figures.compliance_rate < 1
        by_service = reports.summary(ctx, "hall01", ADMIN, day, day, By.SERVICE)
        assert {row.key for row in by_service.rows} == {s.code for s in config.halls[0].services}
    finally:
        ctx.store.engine.dispose()


def _config(tmp_path, halls: int, per_day: int):
    path = tmp_path / "halls.toml"
    path.write_text(history.history_config_text(halls, per_day), encoding="utf-8")
    return load_config(path)


def test_a_seed_gives_the_same_history(tmp_path):
    hall = _config(tmp_path, 1, PER_DAY).halls[0]

    def day(seed: int) -> history.DayRows:
        return history.HallDay(hall, history.LAST_DAY, PER_DAY, seed, first_id=1).run()

    assert day(SEED) == day(SEED)
    assert day(SEED).tickets != day(SEED + 1).tickets


def test_thirty_halls_copy_the_demo_hall_in_three_counties(tmp_path):
    config = _config(tmp_path, 30, 1100)
    assert [hall.id for hall in config.halls] == [f"hall{n:02d}" for n in range(1, 31)]
    assert len({hall.name for hall in config.halls}) == 30
    assert Counter(hall.region[-1] for hall in config.halls) == {"示范1县": 10, "示范2县": 10, "示范3县": 10}
    assert len(config.halls[0].counters) == history.counters_for(1100)
