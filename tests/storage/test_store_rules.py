"""The store's queries and writes, each with what it must leave out: another hall (the test
configuration has two, "demo" and "north"), another service, another business day, a
ticket no longer waiting. On SQLite and PostgreSQL."""
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from hall_server.bootstrap import open_context
from hall_server.config import HallsConfig
from hall_server.domain.actors import Actor, Role
from hall_server.domain.counters import CounterState
from hall_server.domain.errors import Conflict, NotFound
from hall_server.domain.events import EventType as E
from hall_server.domain.tickets import TicketStatus
from hall_server.domain.timing import Item
from hall_server.services import appointments, counters, day_close, tickets
from hall_server.storage import tables
from hall_server.storage.store import MAX_ID

from ..conftest import KIOSK, MANAGER, clerk
from .helpers import snapshot

WANG, LI = clerk("wang"), clerk("li")
NORTH_KIOSK = Actor("kiosk-1", Role.KIOSK, frozenset({"north"}))
NORTH_CLERK = Actor("clerk-zhou", Role.CLERK, frozenset({"north"}))
#: a manager of both halls: only the hall named in a request limits what they reach
BOTH = Actor("manager-both", Role.MANAGER, frozenset({"demo", "north"}))
TUESDAY = date(2026, 11, 24)
MONDAY = date(2026, 11, 23)
WEDNESDAY = date(2026, 11, 25)
W = TicketStatus


def read(ctx):
    return ctx.store.read()


def serve(ctx, clock, counter: int, actor: Actor, seconds: float, hall: str = "demo"):
    """Call the next ticket at `counter`, serve it for `seconds` and finish it."""
    ticket = tickets.call_next(ctx, hall, counter, actor)
    tickets.start(ctx, hall, counter, actor)
    clock.advance(seconds)
    tickets.finish(ctx, hall, counter, actor)
    return ticket


# --- the next ticket, and a ticket read by id, stay in their hall ---------------------------

def test_call_next_never_takes_another_halls_ticket(ctx, clock):
    theirs = tickets.issue_ticket(ctx, "north", "fee", NORTH_KIOSK)  # waits longest, same number A001
    clock.advance(60)
    ours = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    assert (theirs.display_number, ours.display_number) == ("A001", "A001")
    counters.sign_in(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == ours.id
    tickets.no_show(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG) is None, "north's ticket is not demo's to call"
    with read(ctx) as r:
        assert r.head_of_queue("demo", TUESDAY, 1, ["fee"]) is None
        assert r.head_of_queue("north", TUESDAY, 1, ["fee"]).id == theirs.id
    counters.sign_in(ctx, "north", 1, NORTH_CLERK)
    assert tickets.call_next(ctx, "north", 1, NORTH_CLERK).id == theirs.id
    with read(ctx) as r:
        assert r.counter("demo", 1).ticket is None and r.counter("north", 1).ticket == theirs.id


def test_a_ticket_sent_to_a_counter_is_called_there_only_in_its_own_hall(ctx):
    tickets.issue_ticket(ctx, "north", "fee", NORTH_KIOSK)
    counters.sign_in(ctx, "north", 1, NORTH_CLERK)
    tickets.call_next(ctx, "north", 1, NORTH_CLERK)
    tickets.transfer(ctx, "north", 1, NORTH_CLERK, to_counter=6)  # north's counter 6 serves no fee
    counters.sign_in(ctx, "demo", 6, WANG)
    assert tickets.call_next(ctx, "demo", 6, WANG) is None


def test_a_ticket_of_another_hall_is_unknown_to_a_write_in_this_one(ctx):
    theirs = tickets.issue_ticket(ctx, "north", "fee", NORTH_KIOSK)
    before = snapshot(ctx)
    for act in (lambda: tickets.cancel(ctx, "demo", theirs.id, BOTH),
                lambda: tickets.reinstate(ctx, "demo", theirs.id, BOTH),
                lambda: tickets.rate(ctx, "demo", theirs.id, BOTH, 4)):
        with pytest.raises(NotFound) as refused:
            act()
        assert refused.value.code == "unknown_ticket"
    with pytest.raises(NotFound) as refused:
        with ctx.store.write("demo", ctx.clock) as tx:
            tx.ticket(theirs.id)
    assert refused.value.message == f"no ticket {theirs.id} in hall demo"
    assert snapshot(ctx) == before
    assert tickets.cancel(ctx, "north", theirs.id, BOTH).status is W.CANCELLED


def test_a_ticket_id_is_a_positive_integer_every_database_holds(ctx):
    """Ids run from 1 to MAX_ID: rows moved to 0 and to MAX_ID by hand show where the
    bounds are (PostgreSQL would fail on an id beyond its INTEGER instead of finding none)."""
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    second = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    with ctx.store.engine.begin() as conn:
        ids = tables.tickets.c.id
        conn.execute(sa.update(tables.tickets).where(ids == first.id).values(id=MAX_ID))
        conn.execute(sa.update(tables.tickets).where(ids == second.id).values(id=0))
    with read(ctx) as r:
        assert r.ticket(MAX_ID).display_number == "A001"
        for ticket_id in (0, -1, MAX_ID + 1, first.id):
            with pytest.raises(NotFound) as refused:
                r.ticket(ticket_id)
            assert refused.value.code == "unknown_ticket" and refused.value.message == f"no ticket {ticket_id}"


# --- the people ahead -------------------------------------------------------------------------

def test_people_ahead_are_the_waiting_customers_of_the_same_service_day_and_hall(ctx, clock):
    clock.set(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # Monday 16:00 in Shanghai
    yesterdays = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)  # never closed: still waiting
    clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))  # Tuesday 09:00
    done, cancelled, called = (tickets.issue_ticket(ctx, "demo", "fee", KIOSK) for _ in range(3))
    tickets.issue_ticket(ctx, "demo", "business", KIOSK)
    tickets.issue_ticket(ctx, "north", "fee", NORTH_KIOSK)
    waiting = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    assert serve(ctx, clock, 1, WANG, 0).id == done.id
    assert tickets.call_next(ctx, "demo", 1, WANG).id == cancelled.id
    tickets.cancel(ctx, "demo", cancelled.id, MANAGER)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == called.id  # stays at counter 1
    clock.advance(5 * 60)
    mine = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(60)
    green = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, priority="green")  # 10 min head start
    later = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    with read(ctx) as r:
        ahead = {t.id: r.count_ahead(r.ticket(t.id)) for t in (waiting, mine, green, later)}
        assert r.count_ahead(r.ticket(yesterdays.id)) == 0, "today's customers are not ahead of yesterday's"
    assert ahead == {green.id: 0, waiting.id: 1, mine.id: 2, later.id: 3}


def test_among_equal_places_the_earlier_issue_then_the_lower_id_is_ahead(ctx, clock):
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    same_instant = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)  # the clock did not move
    clock.advance(10 * 60)
    green = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, priority="green")  # place: first's issue time
    with read(ctx) as r:
        assert r.ticket(green.id).effective_at == r.ticket(first.id).effective_at
        assert [r.count_ahead(r.ticket(t.id)) for t in (first, same_instant, green)] == [0, 1, 2]


# --- the place of a ticket: the appointment slot and a reinstatement -------------------------------

def test_an_appointment_slot_places_the_ticket_at_its_slot(ctx, clock):
    slot = clock.now() + timedelta(minutes=10)  # 09:10 to 09:40
    code = appointments.book(ctx, "demo", MANAGER, "fee", slot).appointment.code
    clock.advance(20 * 60)
    walk_in = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(19 * 60)  # 09:39: from its issue, its head start would not take it past the walk-in
    booked = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=code)
    place = slot - timedelta(minutes=15)  # the appointment class's head start, from the slot
    assert booked.effective_at == place and booked.slot_start == slot
    with read(ctx) as r:
        stored = r.ticket(booked.id)
        assert (stored.effective_at, stored.slot_start) == (place, slot)
        [issued] = [e for e in r.events("demo") if e.ticket == booked.id]
        assert issued.data["slot_start"] == slot.isoformat()
    counters.sign_in(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == booked.id, "the slot came before the walk-in"
    tickets.no_show(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == walk_in.id


def test_the_next_in_queue_are_the_first_waiting_places_of_the_service(ctx, clock):
    clock.set(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)  # Monday's
    clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    start = clock.now()
    called = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    places = []
    for minutes in (1, 2, 3):
        clock.set(start + timedelta(minutes=minutes))
        places.append(tickets.issue_ticket(ctx, "demo", "fee", KIOSK).effective_at)
    tickets.issue_ticket(ctx, "demo", "business", KIOSK)
    tickets.issue_ticket(ctx, "north", "fee", NORTH_KIOSK)
    vip = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, priority="vip")  # 20 minutes head start
    counters.sign_in(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == vip.id
    tickets.no_show(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == called.id
    with read(ctx) as r:
        assert r.next_in_queue("demo", TUESDAY, "fee", 2) == places[:2]
        assert r.next_in_queue("demo", TUESDAY, "fee", 10) == places
        assert len(r.next_in_queue("demo", MONDAY, "fee", 10)) == 1


# --- compare-and-set on the rows a transaction saves ----------------------------------------------

def test_a_ticket_changed_behind_a_transactions_back_is_not_overwritten(ctx):
    issued = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    with pytest.raises(Conflict) as refused:
        with ctx.store.write("demo", ctx.clock) as tx:
            tx.ticket(issued.id)
            tx.conn.execute(sa.update(tables.tickets).where(tables.tickets.c.id == issued.id)
                            .values(status=W.CANCELLED.value))
            tx.record(E.TICKET_CANCELLED, ticket=issued.id, actor="manager-li")
    assert refused.value.code == "concurrent_change"
    assert refused.value.message == f"ticket {issued.id} changed meanwhile"
    with read(ctx) as r:
        assert r.ticket(issued.id).status is W.WAITING and len(r.events("demo")) == 1


def test_a_counter_changed_behind_a_transactions_back_is_not_overwritten(ctx):
    with pytest.raises(Conflict) as refused:
        with ctx.store.write("demo", ctx.clock) as tx:
            tx.counter(2)
            tx.conn.execute(sa.update(tables.counters).where(
                tables.counters.c.hall == "demo", tables.counters.c.number == 2).values(state="paused"))
            tx.record(E.COUNTER_SIGNED_IN, counter=2, actor="manager-li", data={"clerk": "wang"})
    assert (refused.value.code, refused.value.message) == ("concurrent_change", "counter 2 changed meanwhile")
    with read(ctx) as r:
        assert r.counter("demo", 2).state is CounterState.CLOSED and r.events("demo") == []


def test_one_transaction_may_move_a_ticket_and_its_counter_twice(ctx):
    issued = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    with ctx.store.write("demo", ctx.clock) as tx:
        tx.counter(1)
        tx.ticket(issued.id)
        tx.record(E.TICKET_CALLED, ticket=issued.id, counter=1, actor="clerk-wang", data={"clerk": "clerk-wang"})
        tx.record(E.TICKET_STARTED, ticket=issued.id, counter=1, actor="clerk-wang")
        tx.record(E.TICKET_TRANSFERRED, ticket=issued.id, counter=1, actor="clerk-wang",
                  data={"service": "business"})
    with read(ctx) as r:
        assert r.ticket(issued.id).status is W.WAITING and r.ticket(issued.id).service == "business"
        assert r.counter("demo", 1).state is CounterState.IDLE
        assert r.counter("north", 1).state is CounterState.CLOSED, "the other hall's counter 1 is untouched"


# --- listeners -----------------------------------------------------------------------------------

def test_committed_events_reach_the_listeners_once_per_transaction(ctx):
    seen = []
    ctx.store.listeners.append(seen.append)
    ctx.store.listeners.append(lambda events: seen.append(["second listener", len(events)]))
    issued = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    assert [e.type for e in seen[0]] == [E.TICKET_ISSUED] and seen[1] == ["second listener", 1]
    assert (seen[0][0].ticket, seen[0][0].seq, seen[0][0].hall) == (issued.id, 1, "demo")
    assert [e.type for e in seen[2]] == [E.COUNTER_SIGNED_IN] and seen[2][0].seq == 2
    with read(ctx) as r:
        assert r.events("demo") == seen[0] + seen[2]


def test_listeners_hear_nothing_of_a_failed_or_empty_transaction(ctx):
    seen = []
    ctx.store.listeners.append(seen.append)
    with pytest.raises(RuntimeError):
        with ctx.store.write("demo", ctx.clock) as tx:
            tx.counter(1)
            tx.record(E.COUNTER_SIGNED_IN, counter=1, actor="x", data={"clerk": "wang"})
            raise RuntimeError("the use case failed after recording")
    with pytest.raises(Conflict):
        tickets.call_next(ctx, "demo", 1, MANAGER)  # closed counter
    assert seen == []
    counters.sign_in(ctx, "demo", 1, WANG)
    seen.clear()
    assert tickets.call_next(ctx, "demo", 1, WANG) is None  # nothing waits: no event
    assert seen == []
    with read(ctx) as r:
        assert r.last_seq("demo") == 1, "the failed transaction left nothing"


def test_a_reader_neither_waits_for_a_writer_nor_sees_what_it_has_not_committed(ctx):
    """Readers read a snapshot beside the writer (SQLite: deferred, WAL); were they to take the
    write lock like writers, a board refresh would wait for every issue and call."""
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    seen = []
    with ctx.store.write("demo", ctx.clock) as tx:
        tx.record(E.TICKET_ISSUED, actor="kiosk-1", data={
            "service": "fee", "prefix": "A", "serial": 2, "number": "A002", "business_day": "2026-11-24",
            "priority": "normal", "effective_at": tx.at.isoformat()})

        def board():
            with ctx.store.read() as r:
                seen.append([t.id for t in r.tickets("demo")])

        reader = threading.Thread(target=board, daemon=True)
        reader.start()
        reader.join(timeout=5)
        assert not reader.is_alive(), "the reader waited for the writer"
    assert seen == [[first.id]]


# --- the time of a write -------------------------------------------------------------------------

def test_a_write_takes_the_clocks_time_when_it_is_later_than_the_last_event(ctx, clock):
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(90)
    second = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    assert second.issued_at == first.issued_at + timedelta(seconds=90)


def test_a_writer_that_waited_for_the_lock_takes_the_time_it_got_it(ctx, clock):
    """The clock is read once the hall's lock is held: a kiosk that waited a minute behind a
    slow transaction records the minute it got the lock, not the one it asked in."""
    asked_at = clock.now()
    issued = []
    with ctx.store.write("demo", ctx.clock):  # a slow transaction holds the hall's lock
        waiter = threading.Thread(target=lambda: issued.append(tickets.issue_ticket(ctx, "demo", "fee", KIOSK)))
        waiter.start()
        time.sleep(0.5)  # the kiosk is now waiting for the lock
        clock.advance(60)
    waiter.join(timeout=30)
    assert issued and issued[0].issued_at == asked_at + timedelta(seconds=60)


def test_the_last_event_time_is_the_halls_own(ctx, clock):
    start = clock.now()
    clock.set(start + timedelta(minutes=10))
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)  # demo's seq 1, ten minutes on
    clock.set(start)
    tickets.issue_ticket(ctx, "north", "fee", NORTH_KIOSK)  # north's seq 1
    clock.set(start + timedelta(minutes=1))
    second = tickets.issue_ticket(ctx, "north", "fee", NORTH_KIOSK)
    assert second.issued_at == start + timedelta(minutes=1), "demo's later clock is not north's"


def test_a_write_in_an_unknown_hall_is_refused(ctx):
    with pytest.raises(NotFound) as refused:
        with ctx.store.write("nowhere", ctx.clock):
            pass
    assert (refused.value.code, refused.value.message) == ("unknown_hall", "no hall nowhere")
    with read(ctx) as r:
        with pytest.raises(NotFound) as refused:
            r.last_seq("nowhere")
        assert (refused.value.code, refused.value.message) == ("unknown_hall", "no hall nowhere")
        with pytest.raises(NotFound) as refused:
            r.counter("demo", 99)
        assert (refused.value.code, refused.value.message) == ("unknown_counter", "hall demo has no counter 99")


# --- numbering, finishing, recent handling times ----------------------------------------------------

def test_numbers_run_per_hall_prefix_and_day(ctx, clock):
    numbers = [tickets.issue_ticket(ctx, "demo", "fee", KIOSK).display_number for _ in range(3)]
    numbers.append(tickets.issue_ticket(ctx, "north", "fee", NORTH_KIOSK).display_number)
    numbers.append(tickets.issue_ticket(ctx, "demo", "business", KIOSK).display_number)
    clock.advance(24 * 3600)
    numbers.append(tickets.issue_ticket(ctx, "demo", "fee", KIOSK).display_number)
    numbers.append(tickets.issue_ticket(ctx, "north", "fee", NORTH_KIOSK).display_number)
    assert numbers == ["A001", "A002", "A003", "A001", "B001", "A001", "A001"]


def test_a_finish_without_items_records_one_item_of_the_tickets_service(ctx):
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 3, WANG)
    counters.sign_in(ctx, "demo", 4, LI)
    tickets.call_next(ctx, "demo", 3, WANG)
    tickets.transfer(ctx, "demo", 3, WANG, service="business")
    tickets.call_next(ctx, "demo", 4, LI)
    tickets.start(ctx, "demo", 4, LI)
    done = tickets.finish(ctx, "demo", 4, LI)
    assert done.items == [Item("business", 1)] and done.visits[-1].items == [Item("business", 1)]
    with read(ctx) as r:
        assert r.ticket(done.id).items == [Item("business", 1)]
        finished = r.events("demo")[-1]
    assert (finished.type, finished.data["items"]) == (E.TICKET_FINISHED, [{"service": "business", "count": 1}])


def test_recent_handling_times_are_the_newest_finished_of_the_service_in_the_hall(ctx, clock):
    for _ in range(4):
        tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.issue_ticket(ctx, "demo", "business", KIOSK)
    tickets.issue_ticket(ctx, "north", "fee", NORTH_KIOSK)
    counters.sign_in(ctx, "demo", 3, WANG)
    counters.sign_in(ctx, "north", 1, NORTH_CLERK)
    serve(ctx, clock, 1, NORTH_CLERK, 999, hall="north")
    for seconds in (60, 120, 180):
        serve(ctx, clock, 3, WANG, seconds)
    tickets.call_next(ctx, "demo", 3, WANG)  # the fourth fee ticket: started, not finished
    tickets.start(ctx, "demo", 3, WANG)
    clock.advance(500)
    tickets.transfer(ctx, "demo", 3, WANG, service="business")
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, LI)
    tickets.call_next(ctx, "demo", 1, LI)
    tickets.start(ctx, "demo", 1, LI)  # a fee ticket being served: not finished, not counted
    with read(ctx) as r:
        assert r.recent_handling_s("demo", "fee", 2) == [180, 120]
        assert r.recent_handling_s("demo", "fee", 10) == [180, 120, 60]
        assert r.recent_handling_s("demo", "business", 10) == []
        assert r.recent_handling_s("north", "fee", 10) == [999]


# --- what a day still holds ------------------------------------------------------------------------

def test_open_tickets_are_those_waiting_called_or_served_up_to_a_day(ctx, clock):
    clock.set(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # Monday 16:00
    monday = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    ids = [tickets.issue_ticket(ctx, "demo", "fee", KIOSK).id for _ in range(5)]
    tickets.issue_ticket(ctx, "north", "fee", NORTH_KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    counters.sign_in(ctx, "demo", 2, LI)
    counters.sign_in(ctx, "demo", 3, clerk("zhao"))
    tickets.call_next(ctx, "demo", 1, WANG)  # ids[0] no-show
    tickets.no_show(ctx, "demo", 1, WANG)
    serve(ctx, clock, 1, WANG, 30)  # ids[1] done
    tickets.cancel(ctx, "demo", ids[2], MANAGER)
    tickets.call_next(ctx, "demo", 2, LI)  # ids[3] called
    tickets.call_next(ctx, "demo", 3, clerk("zhao"))  # ids[4] serving
    tickets.start(ctx, "demo", 3, clerk("zhao"))
    clock.advance(24 * 3600)
    wednesday = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    with read(ctx) as r:
        assert [t.id for t in r.open_tickets("demo", through=TUESDAY)] == [monday.id, ids[3], ids[4]]
        assert [t.id for t in r.open_tickets("demo", through=MONDAY)] == [monday.id]
        assert [t.id for t in r.open_tickets("demo")] == [monday.id, ids[3], ids[4], wednesday.id]
        assert [t.id for t in r.open_tickets("demo", since=TUESDAY)] == [ids[3], ids[4], wednesday.id]
        assert [t.id for t in r.open_tickets("demo", since=TUESDAY, through=TUESDAY)] == [ids[3], ids[4]]
        assert [t.id for t in r.tickets("demo", [W.DONE, W.NO_SHOW])] == ids[:2], "in issue order"
        assert len(r.tickets("demo")) == 7
        assert r.queue_lengths("demo", MONDAY) == {"fee": (1, monday.issued_at)}
        assert r.queue_lengths("demo", WEDNESDAY) == {"fee": (1, wednesday.issued_at)}
        assert r.queue_lengths("demo", TUESDAY) == {}


def test_the_closed_day_is_kept_per_hall(ctx, clock):
    with read(ctx) as r:  # start-up closed the day before
        assert (r.closed_day("demo"), r.closed_day("north")) == (MONDAY, MONDAY)
    clock.set(datetime(2026, 11, 24, 16, 0, tzinfo=UTC))  # midnight: demo's day (open all day) ends
    assert day_close.close_ended_day(ctx, "demo").day == TUESDAY
    with read(ctx) as r:
        assert (r.closed_day("demo"), r.closed_day("north")) == (TUESDAY, MONDAY)
        assert r.closed_day("nowhere") is None
        assert r.hall_ids() == ["demo", "north"]


# --- reading back what was written -----------------------------------------------------------------

def test_events_read_back_as_written_and_page_by_seq(ctx, clock):
    issued = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, client_request_id="r-9")
    counters.sign_in(ctx, "demo", 1, WANG)
    clock.advance(30)
    tickets.call_next(ctx, "demo", 1, WANG)
    with read(ctx) as r:
        events = r.events("demo")
        assert [e.seq for e in r.events("demo", after=1)] == [2, 3]
        assert [e.seq for e in r.events("demo", after=1, limit=1)] == [2]
        assert r.events("north") == []
    called = events[2]
    assert (called.hall, called.type, called.ticket, called.counter, called.actor, called.at) == \
        ("demo", E.TICKET_CALLED, issued.id, 1, "wang", clock.now())
    assert called.data == {"clerk": "wang", "number": "A001", "starts_clock": False}
    assert events[0].data == {
        "service": "fee", "prefix": "A", "serial": 1, "number": "A001", "business_day": "2026-11-24",
        "priority": "normal", "appointment": None, "slot_start": None,
        "effective_at": issued.effective_at.isoformat(), "client_request_id": "r-9",
        "estimated_wait_s": 0}
    assert (events[0].actor, events[1].data, events[1].counter) == ("kiosk-1", {"clerk": "wang"}, 1)


def test_a_ticket_reads_back_with_its_running_visit(ctx, clock):
    issued = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, client_request_id="r-1")
    counters.sign_in(ctx, "demo", 1, WANG)
    clock.advance(45)
    called = tickets.call_next(ctx, "demo", 1, WANG)
    with read(ctx) as r:
        stored = r.ticket(issued.id)
        counter = r.counter("demo", 1)
    assert stored == called
    assert (stored.issued_by, stored.client_request_id, stored.wait_s) == ("kiosk-1", "r-1", 45)
    [visit] = stored.visits
    assert (visit.counter, visit.clerk, visit.called_at, visit.ended_at, visit.outcome) == \
        (1, "wang", clock.now(), None, None)
    assert (counter.state, counter.clerk, counter.ticket, counter.since) == \
        (CounterState.SERVING, "wang", issued.id, clock.now())


def test_a_request_id_is_scoped_to_its_hall_too(ctx):
    kiosk = Actor("kiosk-1", Role.KIOSK, frozenset({"demo", "north"}))
    ours = tickets.issue_ticket(ctx, "demo", "fee", kiosk, client_request_id="r-1")
    theirs = tickets.issue_ticket(ctx, "north", "fee", kiosk, client_request_id="r-1")
    assert ours.id != theirs.id and theirs.hall == "north"
    assert tickets.issue_ticket(ctx, "north", "fee", kiosk, client_request_id="r-1").id == theirs.id
    with read(ctx) as r:
        assert r.ticket_by_request("demo", TUESDAY, "kiosk-1", "r-1").id == ours.id
        assert r.ticket_by_request("demo", TUESDAY, "kiosk-1", "r-2") is None
        assert r.ticket_by_request("demo", MONDAY, "kiosk-1", "r-1") is None
        assert r.ticket_by_request("demo", TUESDAY, "kiosk-2", "r-1") is None


def test_counters_are_listed_per_hall_in_number_order(ctx):
    counters.sign_in(ctx, "north", 2, NORTH_CLERK)
    with read(ctx) as r:
        demo, north = r.counters("demo"), r.counters("north")
    assert [c.number for c in demo] == [1, 2, 3, 4, 5, 6, 7] and {c.hall for c in demo} == {"demo"}
    assert [c.clerk for c in north] == [None, "clerk-zhou", None, None, None, None, None]


# --- leases and configured halls -----------------------------------------------------------------

def test_a_lease_is_held_by_one_holder_until_it_runs_out(ctx, clock):
    store, now = ctx.store, clock.now()

    def holder():
        with store.engine.connect() as conn:
            return tuple(conn.execute(sa.select(tables.leases.c.holder, tables.leases.c.expires_at)
                                .where(tables.leases.c.name == "jobs")).one())

    assert store.hold_lease("jobs", "one", now + timedelta(seconds=60), now)
    assert holder() == ("one", now + timedelta(seconds=60))
    assert not store.hold_lease("jobs", "two", now + timedelta(seconds=90), now + timedelta(seconds=59))
    assert store.hold_lease("jobs", "one", now + timedelta(seconds=120), now + timedelta(seconds=30))
    assert holder() == ("one", now + timedelta(seconds=120))
    assert store.hold_lease("other", "two", now + timedelta(seconds=10), now), "each lease on its own"
    assert not store.hold_lease("jobs", "two", now + timedelta(seconds=200), now + timedelta(seconds=119))
    assert store.hold_lease("jobs", "two", now + timedelta(seconds=300), now + timedelta(seconds=120))
    assert holder() == ("two", now + timedelta(seconds=300))


def test_start_up_adds_the_configured_halls_and_counters_the_database_lacks(ctx, config, database_url):
    raw = config.model_dump()
    raw["halls"][1]["counters"].append({"number": 9, "name": {"zh": "9号窗口", "en": "Window 9"},
                                        "services": ["fee"]})
    raw["halls"].append({**raw["halls"][0], "id": "south"})
    counters.sign_in(ctx, "demo", 1, WANG)
    bigger = open_context(HallsConfig.model_validate(raw), database_url, ctx.clock)
    try:
        with bigger.store.read() as r:
            assert r.hall_ids() == ["demo", "north", "south"]
            assert [c.number for c in r.counters("north")] == [1, 2, 3, 4, 5, 6, 7, 9]
            assert len(r.counters("south")) == 7 and len(r.counters("demo")) == 7
            assert r.counter("demo", 1).clerk == "wang", "what was there stays"
            assert r.counter("north", 9).state is CounterState.CLOSED and r.last_seq("south") == 0
    finally:
        bigger.store.engine.dispose()


def test_a_lease_taken_by_another_process_between_look_and_insert_is_not_held(ctx, clock, database_url):
    """Two processes find no lease and both insert it: the one that loses gets False. Only
    PostgreSQL lets the race happen (SQLite's writers hold the whole database from BEGIN)."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serializes the look and the insert: no race to lose")
    now = clock.now()
    other = sa.create_engine(database_url)
    raced = []

    def insert_first(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO LEASES") and not raced:
            raced.append(statement)
            with other.begin() as theirs:
                theirs.execute(sa.insert(tables.leases).values(name="jobs", holder="two",
                                                               expires_at=now + timedelta(seconds=60)))

    sa.event.listen(ctx.store.engine, "before_cursor_execute", insert_first)
    try:
        assert ctx.store.hold_lease("jobs", "one", now + timedelta(seconds=60), now) is False
    finally:
        sa.event.remove(ctx.store.engine, "before_cursor_execute", insert_first)
        other.dispose()
    assert raced, "the other process inserted first"
    with ctx.store.engine.connect() as conn:
        assert conn.execute(sa.select(tables.leases.c.holder)).scalars().all() == ["two"]


def test_the_queue_order_is_place_then_issue_time_then_id(ctx, clock):
    """DESIGN.md: the smallest effective time first, ties broken on issue order. The ids of
    one hall normally follow the issue times; rows adjusted by hand here make the three
    orders disagree, so each key is seen to count."""
    ids = [tickets.issue_ticket(ctx, "demo", "fee", KIOSK).id for _ in range(4)]
    start = clock.now()
    place = start - timedelta(minutes=5)
    rows = {ids[0]: (place, start + timedelta(minutes=2)), ids[1]: (place, start + timedelta(minutes=1)),
            ids[2]: (place, start + timedelta(minutes=1)), ids[3]: (place - timedelta(minutes=1),
                                                                 start + timedelta(minutes=3))}
    with ctx.store.engine.begin() as conn:
        for ticket_id, (effective, issued) in rows.items():
            conn.execute(sa.update(tables.tickets).where(tables.tickets.c.id == ticket_id)
                         .values(effective_at=effective, issued_at=issued))
    expected = [ids[3], ids[1], ids[2], ids[0]]
    with read(ctx) as r:
        assert [r.count_ahead(r.ticket(i)) for i in expected] == [0, 1, 2, 3]
        assert r.next_in_queue("demo", TUESDAY, "fee", 2) == [place - timedelta(minutes=1), place]
        assert r.head_of_queue("demo", TUESDAY, 1, ["fee"]).id == ids[3]
    counters.sign_in(ctx, "demo", 1, WANG)
    called = []
    while (ticket := tickets.call_next(ctx, "demo", 1, WANG)) is not None:
        called.append(ticket.id)
        tickets.no_show(ctx, "demo", 1, WANG)
    assert called == expected
