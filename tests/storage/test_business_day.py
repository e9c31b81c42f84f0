"""A whole business day: the close, honest times, visits, both start settings, who may do what."""
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall_server.bootstrap import open_context
from hall_server.config import WEEKDAYS, load_config
from hall_server.domain.actors import Actor, Role
from hall_server.domain.clock import SystemClock
from hall_server.domain.day_close import close_at
from hall_server.domain.errors import Conflict, Forbidden, Invalid
from hall_server.domain.events import EventType as E
from hall_server.domain.tickets import TicketStatus, VisitOutcome
from hall_server.scheduler import LEASE_S, HallScheduler
from hall_server.services import counters, day_close, tickets

from ..conftest import KIOSK, MANAGER, clerk
from ..running_hall import hall_config_text
from .helpers import snapshot

WANG, LI = clerk("wang"), clerk("li")
#: 19:30 in Shanghai on Tuesday 2026-11-24: the demo hall closes at 17:30, the day 2 hours later
CLOSE = datetime(2026, 11, 24, 11, 30, tzinfo=UTC)


@pytest.fixture
def config(tmp_path):
    """The demo halls at the demo's own opening hours (the tests' are open all day): the close
    of the day is the subject here."""
    path = tmp_path / "halls.toml"
    path.write_text(hall_config_text(extra_hall="north", demo_hours=True), encoding="utf-8")
    return load_config(path)


def events_of(ctx, *types):
    with ctx.store.read() as r:
        return [e for e in r.events("demo") if not types or e.type in types]


def status_of(ctx, ticket_id):
    with ctx.store.read() as r:
        return r.ticket(ticket_id).status


# --- the close of the day -------------------------------------------------------------

def test_customers_waiting_at_closing_are_served_until_the_day_is_closed(ctx, clock):
    clock.set(datetime(2026, 11, 24, 9, 25, tzinfo=UTC))  # 17:25
    late = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.set(CLOSE - timedelta(minutes=1))  # 19:29, two hours after closing
    assert day_close.close_ended_days(ctx) == []
    counters.sign_in(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == late.id


def test_the_close_expires_what_is_open_and_signs_counters_out(ctx, clock):
    waiting = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    called = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    serving = tickets.issue_ticket(ctx, "demo", "business", KIOSK)
    done = tickets.issue_ticket(ctx, "demo", "enquiry", KIOSK)
    for number, clerk_ in ((3, WANG), (4, LI), (1, clerk("zhao"))):
        counters.sign_in(ctx, "demo", number, clerk_)
    tickets.call_next(ctx, "demo", 1, clerk("zhao"))  # A001 ... waiting, A002 called below
    tickets.no_show(ctx, "demo", 1, clerk("zhao"))
    assert tickets.call_next(ctx, "demo", 1, clerk("zhao")).id == called.id
    tickets.call_next(ctx, "demo", 4, LI)  # the business ticket
    tickets.start(ctx, "demo", 4, LI)
    counters.pause(ctx, "demo", 3, WANG, "meal")
    tickets.issue_ticket(ctx, "demo", "enquiry", KIOSK)
    clock.set(CLOSE)
    [closed] = [c for c in day_close.close_ended_days(ctx) if c.hall == "demo"]
    assert closed.day.isoformat() == "2026-11-24"
    assert sorted(closed.signed_out) == [1, 3, 4]
    assert status_of(ctx, waiting.id) is TicketStatus.NO_SHOW  # a no-show stays what it was
    assert status_of(ctx, called.id) is TicketStatus.EXPIRED
    assert status_of(ctx, serving.id) is TicketStatus.EXPIRED
    assert status_of(ctx, done.id) is TicketStatus.EXPIRED  # it was still waiting
    with ctx.store.read() as r:
        assert {c.state.value for c in r.counters("demo")} == {"closed"}
    expired = events_of(ctx, E.TICKET_EXPIRED)
    assert len(expired) == 4 and {e.data["reason"] for e in expired} == {"day_closed"}
    signed_out = events_of(ctx, E.COUNTER_SIGNED_OUT)
    assert [(e.counter, e.data["reason"], e.actor) for e in signed_out] == [
        (1, "day_closed", "system"), (3, "day_closed", "system"), (4, "day_closed", "system")]
    [visit] = [t for t in [tickets_row(ctx, serving.id)]][0].visits
    assert visit.outcome is VisitOutcome.EXPIRED and visit.ended_at == CLOSE

    before = snapshot(ctx)
    clock.advance(3600)
    assert day_close.close_ended_days(ctx) == []  # twice changes nothing
    assert snapshot(ctx) == before


def tickets_row(ctx, ticket_id):
    with ctx.store.read() as r:
        return r.ticket(ticket_id)


def test_the_next_morning_never_calls_yesterdays_ticket(ctx, clock):
    old = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(24 * 3600)  # the server never closed the day (it was down)
    today = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    assert today.display_number == "A001"
    counters.sign_in(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == today.id
    # start-up closes the day that ended while the server was down
    [closed] = [c for c in day_close.close_ended_days(ctx) if c.hall == "demo"]
    assert closed.day.isoformat() == "2026-11-24" and closed.expired == [old.display_number]
    assert status_of(ctx, old.id) is TicketStatus.EXPIRED
    assert status_of(ctx, today.id) is TicketStatus.CALLED  # today's is left alone
    with ctx.store.read() as r:
        assert r.counter("demo", 1).clerk == "wang"  # signed in today: stays


def test_a_ticket_of_a_closed_day_cannot_be_reinstated(ctx, clock):
    a = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    tickets.call_next(ctx, "demo", 1, WANG)
    tickets.no_show(ctx, "demo", 1, WANG)
    clock.advance(16 * 3600)  # 01:00 the next day, within no grace anyway
    with pytest.raises(Conflict) as refused:
        tickets.reinstate(ctx, "demo", a.id, MANAGER)
    assert refused.value.code == "day_closed"


def test_the_close_is_never_later_than_the_next_opening(config):
    hall = config.by_id["demo"]
    day = datetime(2026, 11, 27).date()  # a Friday; Saturday opens at 09:00
    assert close_at(day, hall.opening_hours, hall.timezone, timedelta(hours=2)).isoformat() == \
        "2026-11-27T19:30:00+08:00"
    assert close_at(day, hall.opening_hours, hall.timezone, timedelta(hours=20)).isoformat() == \
        "2026-11-28T09:00:00+08:00"


def test_the_scheduler_closes_at_the_close_time_in_the_hall_timezone(ctx, clock):
    hall = ctx.config.by_id["demo"]
    scheduler = HallScheduler(ctx, holder="one")
    scheduler.start()  # APScheduler runs on the real clock
    try:
        upcoming = min(job.next_run_time for job in scheduler.scheduler.get_jobs()
                       if job.id.startswith("close:demo:"))
    finally:
        scheduler.stop()
    local = upcoming.astimezone(ZoneInfo(hall.timezone))
    assert local == close_at(local.date(), hall.opening_hours, hall.timezone, timedelta(hours=2))
    assert timedelta(0) < upcoming - datetime.now(UTC) <= timedelta(days=1)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.set(CLOSE)
    scheduler.close_day("demo")
    assert [e.type for e in events_of(ctx)][-1] is E.TICKET_EXPIRED


def test_only_one_process_runs_the_scheduled_jobs(ctx, clock):
    first, second = HallScheduler(ctx, holder="one"), HallScheduler(ctx, holder="two")
    assert first.hold_lease() and not second.hold_lease()
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.set(CLOSE)
    first.hold_lease()
    second.close_day("demo")
    assert not events_of(ctx, E.TICKET_EXPIRED), "the process without the lease did nothing"
    clock.advance(LEASE_S + 1)  # the first process died: its lease runs out
    assert second.hold_lease() and not first.hold_lease()
    second.close_day("demo")
    assert len(events_of(ctx, E.TICKET_EXPIRED)) == 1


# --- times read after the lock ---------------------------------------------------------

def test_times_rise_with_seq_when_writers_wait_for_the_lock(database_url, config_path):
    # on the wall clock, so on the tests' halls open all day rather than at the demo's hours
    ctx = open_context(load_config(config_path), database_url, SystemClock())
    try:
        def kiosk(n):
            for _ in range(15):
                tickets.issue_ticket(ctx, "demo", "fee", Actor(f"kiosk-{n}", Role.KIOSK, frozenset({"demo"})))

        threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        events = events_of(ctx)
        with ctx.store.read() as r:
            issued = r.tickets("demo")
    finally:
        ctx.store.engine.dispose()
    assert len(events) == 90
    assert [e.at for e in events] == sorted(e.at for e in events)
    by_number = sorted(issued, key=lambda t: t.number)
    assert [t.issued_at for t in by_number] == sorted(t.issued_at for t in issued)


def test_a_lagging_clock_never_writes_a_time_before_the_last_event(ctx, clock):
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(-5)  # another process whose clock lags
    second = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    assert second.issued_at == first.issued_at
    counters.sign_in(ctx, "demo", 1, WANG)
    called = tickets.call_next(ctx, "demo", 1, WANG)
    assert called.wait_s >= 0 and called.called_at >= called.issued_at


# --- visits ---------------------------------------------------------------------------

def test_a_transfer_to_the_same_service_is_refused_and_every_visit_kept(ctx, clock):
    a = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    counters.sign_in(ctx, "demo", 2, LI)
    tickets.call_next(ctx, "demo", 1, WANG)
    tickets.start(ctx, "demo", 1, WANG)
    clock.advance(280)
    before = snapshot(ctx)
    with pytest.raises(Invalid) as refused:
        tickets.transfer(ctx, "demo", 1, WANG, service="fee")
    assert refused.value.code == "invalid_transfer" and snapshot(ctx) == before
    tickets.transfer(ctx, "demo", 1, WANG, to_counter=2)  # fee to another counter is fine
    clock.advance(60)
    assert tickets.call_next(ctx, "demo", 2, LI).id == a.id
    tickets.start(ctx, "demo", 2, LI)
    clock.advance(100)
    done = tickets.finish(ctx, "demo", 2, LI)
    assert [(v.counter, v.clerk, v.outcome, v.handling_s) for v in done.visits] == [
        (1, "wang", VisitOutcome.TRANSFERRED, 280), (2, "li", VisitOutcome.FINISHED, 100)]
    assert done.handling_s == 380 and done.responsible_clerk == "wang"
    assert tickets_row(ctx, a.id).visits == done.visits  # stored as recorded


# --- both start settings --------------------------------------------------------------

@pytest.mark.parametrize("start_on_call", [False, True])
def test_the_whole_lifecycle_in_both_start_settings(make_ctx, clock, start_on_call):
    ctx = make_ctx(start_on_call=start_on_call)
    a = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    b = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    called = tickets.call_next(ctx, "demo", 1, WANG)
    assert called.status is TicketStatus.CALLED
    assert (called.started_at == called.called_at) is start_on_call
    assert tickets.recall(ctx, "demo", 1, WANG).recall_count == 1
    tickets.no_show(ctx, "demo", 1, WANG)
    tickets.reinstate(ctx, "demo", a.id, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == b.id
    assert tickets.cancel(ctx, "demo", b.id, WANG).status is TicketStatus.CANCELLED
    assert tickets.call_next(ctx, "demo", 1, WANG).id == a.id
    clock.advance(30)
    if not start_on_call:
        tickets.start(ctx, "demo", 1, WANG)
    clock.advance(120)
    done = tickets.finish(ctx, "demo", 1, WANG)
    assert done.status is TicketStatus.DONE
    assert done.handling_s == (150 if start_on_call else 120)


def test_the_recall_cap_leads_to_a_no_show_that_works_when_starting_on_call(make_ctx):
    ctx = make_ctx(start_on_call=True, recall_cap=1)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    tickets.call_next(ctx, "demo", 1, WANG)
    tickets.recall(ctx, "demo", 1, WANG)
    with pytest.raises(Conflict) as refused:
        tickets.recall(ctx, "demo", 1, WANG)
    assert refused.value.code == "recall_cap_reached"
    assert tickets.no_show(ctx, "demo", 1, WANG).status is TicketStatus.NO_SHOW


# --- a reinstated no-show -------------------------------------------------------------

@pytest.mark.parametrize("behind", [0, 2, 10])
def test_a_reinstated_no_show_goes_behind_the_next_waiting_customers(make_ctx, clock, behind):
    ctx = make_ctx(reinstate_behind=behind)
    late = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    others = []
    for _ in range(4):
        clock.advance(60)
        others.append(tickets.issue_ticket(ctx, "demo", "fee", KIOSK).id)
    counters.sign_in(ctx, "demo", 1, WANG)
    tickets.call_next(ctx, "demo", 1, WANG)
    tickets.no_show(ctx, "demo", 1, WANG)
    tickets.reinstate(ctx, "demo", late.id, MANAGER)
    order = []
    while (called := tickets.call_next(ctx, "demo", 1, WANG)) is not None:
        order.append(called.id)
        tickets.no_show(ctx, "demo", 1, WANG)
    expected = others[:behind] + [late.id] + others[behind:]
    assert order == expected


def test_a_reinstated_no_show_is_no_longer_tied_to_its_old_counter(ctx):
    a = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    counters.sign_in(ctx, "demo", 3, LI)  # counter 3 serves fee too
    tickets.call_next(ctx, "demo", 1, WANG)
    tickets.no_show(ctx, "demo", 1, WANG)
    assert tickets.reinstate(ctx, "demo", a.id, WANG).counter is None
    assert tickets.call_next(ctx, "demo", 3, LI).id == a.id


# --- who may do what ------------------------------------------------------------------

def test_a_clerk_cancels_only_the_ticket_called_at_their_own_counter(ctx):
    waiting = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    counters.sign_in(ctx, "demo", 3, LI)
    called = tickets.call_next(ctx, "demo", 1, WANG)
    before = snapshot(ctx)
    for ticket_id in (called.id, waiting.id + 1):
        with pytest.raises(Forbidden) as refused:
            tickets.cancel(ctx, "demo", ticket_id, LI)
        assert refused.value.code == "not_your_counter"
    assert snapshot(ctx) == before
    assert tickets.cancel(ctx, "demo", called.id, WANG).status is TicketStatus.CANCELLED
    assert tickets.cancel(ctx, "demo", waiting.id + 1, MANAGER).status is TicketStatus.CANCELLED


def test_reinstate_by_the_counter_that_marked_the_no_show_or_a_manager(ctx):
    a = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    counters.sign_in(ctx, "demo", 3, LI)
    tickets.call_next(ctx, "demo", 1, WANG)
    tickets.no_show(ctx, "demo", 1, WANG)
    with pytest.raises(Forbidden):
        tickets.reinstate(ctx, "demo", a.id, LI)
    assert tickets.reinstate(ctx, "demo", a.id, WANG).status is TicketStatus.WAITING
    tickets.call_next(ctx, "demo", 3, LI)
    tickets.no_show(ctx, "demo", 3, LI)
    assert tickets.reinstate(ctx, "demo", a.id, MANAGER).status is TicketStatus.WAITING


def test_cancelling_a_waiting_ticket_sent_to_a_counter_leaves_that_counter_alone(ctx):
    sent = tickets.issue_ticket(ctx, "demo", "business", KIOSK)
    tickets.issue_ticket(ctx, "demo", "business", KIOSK)
    counters.sign_in(ctx, "demo", 4, WANG)
    counters.sign_in(ctx, "demo", 5, LI)
    tickets.call_next(ctx, "demo", 4, WANG)
    tickets.transfer(ctx, "demo", 4, WANG, to_counter=5)
    serving = tickets.call_next(ctx, "demo", 4, WANG)
    assert serving.id != sent.id
    tickets.call_next(ctx, "demo", 5, LI)  # counter 5 takes the one sent to it
    tickets.no_show(ctx, "demo", 5, LI)
    tickets.reinstate(ctx, "demo", sent.id, MANAGER)
    tickets.cancel(ctx, "demo", sent.id, MANAGER)
    with ctx.store.read() as r:
        assert r.counter("demo", 4).ticket == serving.id and r.counter("demo", 4).state.value == "serving"


def test_an_appointment_code_is_refused_until_appointments_exist(ctx):
    before = snapshot(ctx)
    with pytest.raises(Invalid) as refused:
        tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment="ANY-CODE")
    assert refused.value.code == "unknown_appointment" and snapshot(ctx) == before


def test_a_request_id_belongs_to_its_device_and_day(ctx, clock):
    other_kiosk = Actor("kiosk-2", Role.KIOSK, frozenset({"demo"}))
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, client_request_id="r-1")
    assert tickets.issue_ticket(ctx, "demo", "fee", KIOSK, client_request_id="r-1").id == first.id
    theirs = tickets.issue_ticket(ctx, "demo", "business", other_kiosk, client_request_id="r-1")
    assert theirs.id != first.id and theirs.service == "business"
    clock.advance(24 * 3600)
    tomorrow = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, client_request_id="r-1")
    assert tomorrow.id not in (first.id, theirs.id) and tomorrow.display_number == "A001"


def test_a_ticket_taken_after_the_close_is_expired_by_the_next_run(ctx, clock, make_ctx):
    clock.set(CLOSE)
    day_close.close_ended_days(ctx)
    counters.sign_in(ctx, "demo", 1, WANG)  # overtime, after the close
    clock.advance(1800)
    # the hall's hours were lengthened after the close, so it issues numbers that evening
    evening = make_ctx(opening_hours={day: {"opens": "08:30", "closes": "21:00"} for day in WEEKDAYS})
    late = tickets.issue_ticket(evening, "demo", "fee", KIOSK)
    [again] = day_close.close_ended_days(ctx)  # e.g. the server restarted
    assert again.expired == [late.display_number] and again.signed_out == []
    assert status_of(ctx, late.id) is TicketStatus.EXPIRED
    assert day_close.close_ended_days(ctx) == []
