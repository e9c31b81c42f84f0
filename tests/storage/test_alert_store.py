"""The alerts on both databases: raised once in the hall's log, never two open for one rule
and subject (the database refuses it too), resolved by themselves or by a manager's hand."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hall_server.config import HallsConfig
from hall_server.domain.events import Event, EventType
from hall_server.scheduler import HallScheduler
from hall_server.services import alerts
from hall_server.services import counters as counter_cases
from hall_server.services import tickets as ticket_cases
from hall_server.storage import tables as t

from ..conftest import KIOSK, MANAGER, clerk


@pytest.fixture
def ctx(make_ctx, config):
    """The demo hall with its alerts on (the test configuration turns them off)."""
    raw = config.model_dump()
    return make_ctx(alerts={**raw["halls"][0]["alerts"], "enabled": True})


def kinds(events) -> list[tuple[str, str, str]]:
    return [(e.type.value, e.data["rule"], e.data["subject"]) for e in events]


def test_an_alert_is_raised_once_and_resolves_by_itself(ctx, clock) -> None:
    ticket_cases.issue_ticket(ctx, "demo", "enterprise", KIOSK)
    raised = alerts.evaluate(ctx, "demo")
    assert ("alert.raised", "no_open_counter", "service:enterprise") in kinds(raised)
    assert alerts.evaluate(ctx, "demo") == []  # nothing changed: nothing written
    with ctx.store.read() as reader:
        logged = [e for e in reader.events("demo") if e.type.value.startswith("alert.")]
    assert [e.seq for e in logged] == [e.seq for e in raised]

    counter_cases.sign_in(ctx, "demo", 7, clerk())
    resolved = alerts.evaluate(ctx, "demo")
    assert ("alert.resolved", "no_open_counter", "service:enterprise") in kinds(resolved)
    gone = alerts.alerts(ctx, "demo", MANAGER, open_only=False)
    mine = [a for a in gone if a.subject == "service:enterprise"]
    assert len(mine) == 1 and mine[0].resolved_at == clock.now() and mine[0].resolved_by is None


def test_resolved_by_hand_it_is_not_raised_again_while_it_holds(ctx, clock) -> None:
    ticket_cases.issue_ticket(ctx, "demo", "enterprise", KIOSK)
    alerts.evaluate(ctx, "demo")
    alert = next(a for a in alerts.alerts(ctx, "demo", MANAGER, open_only=True) if a.rule == "no_open_counter")
    alerts.resolve(ctx, alert.id, MANAGER)
    clock.advance(60)
    assert not [e for e in alerts.evaluate(ctx, "demo") if e.data["subject"] == "service:enterprise"]
    counter_cases.sign_in(ctx, "demo", 7, clerk())  # the cause clears ...
    alerts.evaluate(ctx, "demo")
    counter_cases.sign_out(ctx, "demo", 7, clerk())  # ... and comes back: a new alert
    again = alerts.evaluate(ctx, "demo")
    assert ("alert.raised", "no_open_counter", "service:enterprise") in kinds(again)


def test_the_database_keeps_one_open_alert_per_rule_and_subject(ctx) -> None:
    ticket_cases.issue_ticket(ctx, "demo", "enterprise", KIOSK)
    alerts.evaluate(ctx, "demo")
    with ctx.store.engine.connect() as conn:
        row = conn.execute(sa.select(t.alerts).where(t.alerts.c.subject == "service:enterprise")).one()._asdict()
    row.pop("id")
    with pytest.raises(IntegrityError), ctx.store.engine.begin() as conn:
        conn.execute(sa.insert(t.alerts).values(row))
    with ctx.store.engine.begin() as conn:  # a resolved one beside the open one is fine
        conn.execute(sa.insert(t.alerts).values({**row, "resolved_at": row["raised_at"]}))


def test_no_rule_runs_in_a_hall_whose_alerts_are_off(config: HallsConfig, make_ctx) -> None:
    ctx = make_ctx()  # the test configuration: alerts off
    ticket_cases.issue_ticket(ctx, "demo", "enterprise", KIOSK)
    assert alerts.evaluate(ctx, "demo") == []


def test_a_burst_of_events_is_judged_once_and_alert_events_not_at_all(ctx, clock) -> None:
    scheduler = HallScheduler(ctx)  # not started: its jobs stay pending, to be looked at
    scheduler.leading = True
    issued = Event("demo", EventType.TICKET_ISSUED, clock.now(), ticket=1)
    raised = Event("demo", EventType.ALERT_RAISED, clock.now())
    scheduler.poke([raised])
    assert not _after_events(scheduler)
    for _ in range(50):
        scheduler.poke([issued, raised])
    assert [job.args for job in _after_events(scheduler)] == [("demo",)]
    scheduler.evaluate_after_events("demo")  # the pending run starts: the next event asks for another
    scheduler.poke([issued])
    assert len(_after_events(scheduler)) == 2
    scheduler.evaluate_after_events("demo")
    scheduler.leading = False  # another process runs the jobs: this one asks for none
    scheduler.poke([issued])
    assert len(_after_events(scheduler)) == 2


def _after_events(scheduler: HallScheduler) -> list:
    return [job for job in scheduler.scheduler.get_jobs() if job.func == scheduler.evaluate_after_events]
