"""The queue's use cases (services/tickets.py) at their edges: what each one refuses and why,
what it writes in the log, and the limits of recalls, grace periods, items and ratings.
On SQLite and PostgreSQL."""
from datetime import timedelta

import pytest

from hall_server.domain.actors import SYSTEM, Actor, Role
from hall_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from hall_server.domain.events import EventType as E
from hall_server.domain.tickets import TicketStatus
from hall_server.domain.timing import Item
from hall_server.services import counters, tickets

from ..conftest import KIOSK, MANAGER, clerk
from .helpers import snapshot

WANG, LI = clerk("wang"), clerk("li")
S = TicketStatus


def last_events(ctx, count: int = 1):
    with ctx.store.read() as r:
        return r.events("demo")[-count:]


def called_at_1(ctx, service: str = "fee"):
    """A ticket issued and called at counter 1 by Wang."""
    issued = tickets.issue_ticket(ctx, "demo", service, KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == issued.id
    return issued


def refused(error, code: str, act):
    with pytest.raises(error) as raised:
        act()
    assert raised.value.code == code, raised.value.message
    assert isinstance(raised.value.message, str) and raised.value.message, "a refusal says why"
    return raised.value


OUTSIDER = Actor("manager-north", Role.MANAGER, frozenset({"north"}))
USE_CASES = {
    "issue": lambda c, t: tickets.issue_ticket(c, "demo", "fee", OUTSIDER),
    "call": lambda c, t: tickets.call_next(c, "demo", 2, OUTSIDER),
    "recall": lambda c, t: tickets.recall(c, "demo", 1, OUTSIDER),
    "start": lambda c, t: tickets.start(c, "demo", 1, OUTSIDER),
    "no_show": lambda c, t: tickets.no_show(c, "demo", 1, OUTSIDER),
    "finish": lambda c, t: tickets.finish(c, "demo", 1, OUTSIDER),
    "transfer": lambda c, t: tickets.transfer(c, "demo", 1, OUTSIDER, to_counter=2),
    "reinstate": lambda c, t: tickets.reinstate(c, "demo", t, OUTSIDER),
    "cancel": lambda c, t: tickets.cancel(c, "demo", t, OUTSIDER),
    "rate": lambda c, t: tickets.rate(c, "demo", t, OUTSIDER, 4),
}


@pytest.mark.parametrize("use_case", USE_CASES)
def test_a_manager_of_another_hall_may_do_nothing_here(ctx, use_case):
    issued = called_at_1(ctx)
    counters.sign_in(ctx, "demo", 2, LI)
    if use_case != "recall":
        tickets.start(ctx, "demo", 1, WANG)
    before = snapshot(ctx)
    refused(Forbidden, "wrong_hall", lambda: USE_CASES[use_case](ctx, issued.id))
    assert snapshot(ctx) == before


# --- issuing ---------------------------------------------------------------------------------

def test_without_a_request_id_every_issue_is_a_new_ticket(ctx):
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    second = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    third = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, client_request_id=None)
    assert len({first.id, second.id, third.id}) == 3 and third.display_number == "A003"
    assert (first.status, first.issued_by, first.priority) == (S.WAITING, "kiosk-1", "normal")


def test_an_empty_request_id_is_no_request_id(ctx):
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, client_request_id="")
    second = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, client_request_id="")
    assert first.id != second.id and first.client_request_id is None


def test_a_repeated_request_returns_the_first_ticket_and_writes_nothing(ctx):
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, client_request_id="r-1")
    before = snapshot(ctx)
    again = tickets.issue_ticket(ctx, "demo", "business", KIOSK, client_request_id="r-1")
    assert (again.id, again.service, again.display_number) == (first.id, "fee", "A001")
    assert snapshot(ctx) == before


def test_an_appointment_code_is_refused_with_its_code_named(ctx):
    error = refused(Invalid, "unknown_appointment",
                    lambda: tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment="B-17"))
    assert error.message == "no appointment 'B-17' in hall demo"


# --- calling -----------------------------------------------------------------------------------

def test_a_paused_counter_takes_no_ticket(ctx):
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    counters.pause(ctx, "demo", 1, WANG, "meal")
    before = snapshot(ctx)
    refused(Conflict, "counter_not_ready", lambda: tickets.call_next(ctx, "demo", 1, WANG))
    assert snapshot(ctx) == before


def test_a_call_is_logged_with_the_clerk_the_number_and_the_start_setting(make_ctx):
    ctx = make_ctx(start_on_call=True)
    issued = called_at_1(ctx)
    [call] = last_events(ctx)
    assert (call.type, call.ticket, call.counter, call.actor) == (E.TICKET_CALLED, issued.id, 1, "wang")
    assert call.data == {"clerk": "wang", "number": "A001", "starts_clock": True}


def test_a_counter_calls_only_the_services_it_serves(ctx):
    tickets.issue_ticket(ctx, "demo", "business", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)  # fee and enquiry
    assert tickets.call_next(ctx, "demo", 1, WANG) is None
    counters.sign_in(ctx, "demo", 3, LI)  # fee and business
    assert tickets.call_next(ctx, "demo", 3, LI).service == "business"


# --- recall, start, no-show ----------------------------------------------------------------------

def test_a_recall_cap_of_zero_means_no_cap(make_ctx):
    ctx = make_ctx(recall_cap=0)
    called_at_1(ctx)
    for count in range(1, 6):
        assert tickets.recall(ctx, "demo", 1, WANG).recall_count == count
    [recall] = last_events(ctx)
    assert (recall.type, recall.counter, recall.data) == (E.TICKET_RECALLED, 1, {"number": "A001"})


def test_the_recall_cap_message_asks_for_a_no_show(make_ctx):
    ctx = make_ctx(recall_cap=1)
    called_at_1(ctx)
    tickets.recall(ctx, "demo", 1, WANG)
    error = refused(Conflict, "recall_cap_reached", lambda: tickets.recall(ctx, "demo", 1, WANG))
    assert error.message == "ticket A001 was recalled 1 times already; mark it a no-show"


def test_start_and_no_show_are_logged_at_the_counter(ctx, clock):
    issued = called_at_1(ctx)
    second = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(20)
    started = tickets.start(ctx, "demo", 1, WANG)
    assert (started.status, started.started_at) == (S.SERVING, clock.now())
    tickets.finish(ctx, "demo", 1, WANG)
    tickets.call_next(ctx, "demo", 1, WANG)
    gone = tickets.no_show(ctx, "demo", 1, WANG)
    assert (gone.id, gone.status, gone.no_show_at) == (second.id, S.NO_SHOW, clock.now())
    start, finish, call, no_show = last_events(ctx, 4)
    assert [(e.type, e.ticket, e.counter, e.actor) for e in (start, no_show)] == [
        (E.TICKET_STARTED, issued.id, 1, "wang"), (E.TICKET_NO_SHOW, second.id, 1, "wang")]
    assert no_show.data == {"number": "A002"}
    with ctx.store.read() as r:
        assert r.counter("demo", 1).ticket is None


# --- finishing ------------------------------------------------------------------------------------

def test_a_finish_keeps_the_items_handled(ctx):
    called_at_1(ctx)
    tickets.start(ctx, "demo", 1, WANG)
    done = tickets.finish(ctx, "demo", 1, WANG, [{"service": "fee", "count": 99}, {"service": "business"}])
    assert done.items == [Item("fee", 99), Item("business", 1)]
    [finish] = last_events(ctx)
    assert finish.data == {"number": "A001", "items": [{"service": "fee", "count": 99},
                                                       {"service": "business", "count": 1}]}


@pytest.mark.parametrize("items", [
    [{"service": "fee", "count": 0}], [{"service": "fee", "count": 100}], [{"service": "fee", "count": True}],
    [{"service": "fee", "count": "2"}], [{"service": "fee", "count": 1.5}],
    [{"service": "fee"}, {"service": "fee", "count": -1}]])
def test_item_counts_are_whole_numbers_from_1_to_99(ctx, items):
    called_at_1(ctx)
    tickets.start(ctx, "demo", 1, WANG)
    before = snapshot(ctx)
    error = refused(Invalid, "invalid_items", lambda: tickets.finish(ctx, "demo", 1, WANG, items))
    assert error.message == "item count must be a whole number from 1 to 99"
    assert snapshot(ctx) == before


def test_an_item_of_an_unknown_service_is_refused(ctx):
    called_at_1(ctx)
    tickets.start(ctx, "demo", 1, WANG)
    refused(Invalid, "unknown_service",
            lambda: tickets.finish(ctx, "demo", 1, WANG, [{"service": "fee"}, {"count": 2}]))


def test_in_a_hall_that_starts_on_call_a_finish_records_the_arrival(make_ctx, clock):
    ctx = make_ctx(start_on_call=True)
    called_at_1(ctx)
    clock.advance(100)
    done = tickets.finish(ctx, "demo", 1, WANG)
    assert done.status is S.DONE and done.handling_s == 100
    started, finished = last_events(ctx, 2)
    assert (started.type, started.counter, finished.type) == (E.TICKET_STARTED, 1, E.TICKET_FINISHED)


def test_in_a_hall_that_starts_on_call_a_transfer_records_the_arrival(make_ctx, clock):
    ctx = make_ctx(start_on_call=True)
    called_at_1(ctx)
    clock.advance(40)
    moved = tickets.transfer(ctx, "demo", 1, WANG, to_counter=2)
    assert moved.visits[0].handling_s == 40
    started, transferred = last_events(ctx, 2)
    assert (started.type, started.counter, transferred.type) == (E.TICKET_STARTED, 1, E.TICKET_TRANSFERRED)


def test_without_start_on_call_a_called_ticket_is_transferred_without_handling(ctx, clock):
    called_at_1(ctx)
    clock.advance(40)
    moved = tickets.transfer(ctx, "demo", 1, WANG, to_counter=2)
    assert moved.visits[0].handling_s is None
    assert [e.type for e in last_events(ctx, 2)] == [E.TICKET_CALLED, E.TICKET_TRANSFERRED]


# --- transfers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("target, error, code", [
    ({}, Invalid, "invalid_transfer"),
    ({"service": "business", "to_counter": 3}, Invalid, "invalid_transfer"),
    ({"to_counter": 99}, NotFound, "unknown_counter"),
    ({"service": "gas"}, Invalid, "unknown_service"),
    ({"to_counter": 1}, Invalid, "invalid_transfer"),
    ({"service": "fee"}, Invalid, "invalid_transfer"),
])
def test_a_transfer_names_one_other_service_or_one_other_counter(ctx, target, error, code):
    called_at_1(ctx)
    before = snapshot(ctx)
    refused(error, code, lambda: tickets.transfer(ctx, "demo", 1, WANG, **target))
    assert snapshot(ctx) == before


def test_the_transfer_messages(ctx):
    called_at_1(ctx)
    assert refused(Invalid, "invalid_transfer", lambda: tickets.transfer(ctx, "demo", 1, WANG)).message == \
        "transfer to either a service or a counter"
    assert refused(Invalid, "invalid_transfer", lambda: tickets.transfer(ctx, "demo", 1, WANG, to_counter=1)) \
        .message == "a ticket cannot be transferred to its own counter"
    assert refused(Invalid, "invalid_transfer",
                   lambda: tickets.transfer(ctx, "demo", 1, WANG, service="fee")).message == \
        "ticket A001 is for fee already; name another service or a counter"


def test_a_transfer_is_logged_with_where_the_ticket_goes(ctx):
    issued = called_at_1(ctx)
    tickets.transfer(ctx, "demo", 1, WANG, service="business")
    [moved] = last_events(ctx)
    assert (moved.type, moved.ticket, moved.counter) == (E.TICKET_TRANSFERRED, issued.id, 1)
    assert moved.data == {"number": "A001", "service": "business", "from_service": "fee", "to_counter": None}
    counters.sign_in(ctx, "demo", 3, LI)
    tickets.call_next(ctx, "demo", 3, LI)
    tickets.transfer(ctx, "demo", 3, LI, to_counter=4)
    [moved] = last_events(ctx)
    assert moved.data == {"number": "A001", "service": "business", "from_service": "business", "to_counter": 4}


# --- reinstating ----------------------------------------------------------------------------------

def test_a_no_show_may_be_reinstated_until_the_grace_period_ends_exactly(ctx, clock):
    first = called_at_1(ctx)
    tickets.no_show(ctx, "demo", 1, WANG)
    clock.advance(30 * 60)  # the demo hall's grace: 30 minutes
    assert tickets.reinstate(ctx, "demo", first.id, WANG).status is S.WAITING
    tickets.call_next(ctx, "demo", 1, WANG)
    tickets.no_show(ctx, "demo", 1, WANG)
    clock.advance(30 * 60 + 1)
    error = refused(Conflict, "grace_expired", lambda: tickets.reinstate(ctx, "demo", first.id, WANG))
    assert error.message == "ticket A001 missed its turn more than 30 minutes ago"


def test_a_reinstatement_is_logged_with_the_new_place(ctx, clock):
    first = called_at_1(ctx)
    tickets.no_show(ctx, "demo", 1, WANG)
    clock.advance(60)
    behind = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.reinstate(ctx, "demo", first.id, MANAGER)
    [back] = last_events(ctx)
    assert (back.type, back.ticket, back.counter, back.actor) == (E.TICKET_REINSTATED, first.id, None, "manager-li")
    expected = behind.effective_at + timedelta(microseconds=1)
    assert back.data == {"number": "A001", "effective_at": expected.isoformat()}
    with ctx.store.read() as r:
        assert r.ticket(first.id).effective_at == expected and r.ticket(first.id).counter is None


def test_a_reinstated_no_show_goes_behind_waiting_customers_of_its_own_service_only(make_ctx, clock):
    ctx = make_ctx(reinstate_behind=1)
    first = called_at_1(ctx)
    tickets.no_show(ctx, "demo", 1, WANG)
    clock.advance(60)
    tickets.issue_ticket(ctx, "demo", "enquiry", KIOSK)  # counter 1 serves it too, but it is not a fee
    tickets.reinstate(ctx, "demo", first.id, MANAGER)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == first.id


def test_a_clerk_reinstates_or_cancels_only_at_their_own_counter(ctx):
    first = called_at_1(ctx)
    tickets.no_show(ctx, "demo", 1, WANG)
    waiting = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    nobody = clerk("zhao")  # signed in nowhere
    error = refused(Forbidden, "not_your_counter", lambda: tickets.reinstate(ctx, "demo", first.id, nobody))
    assert error.message == "zhao may reinstate only the ticket at their own counter"
    error = refused(Forbidden, "not_your_counter", lambda: tickets.cancel(ctx, "demo", waiting.id, WANG))
    assert error.message == "wang may cancel only the ticket at their own counter"


def test_the_system_and_an_admin_act_on_any_ticket(ctx):
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    second = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    assert tickets.cancel(ctx, "demo", first.id, SYSTEM).status is S.CANCELLED
    admin = Actor("root", Role.ADMIN)
    assert tickets.cancel(ctx, "demo", second.id, admin).status is S.CANCELLED


# --- cancelling -------------------------------------------------------------------------------------

def test_cancelling_a_called_ticket_is_logged_at_its_counter_and_a_waiting_one_at_none(ctx):
    called = called_at_1(ctx)
    waiting = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.cancel(ctx, "demo", called.id, WANG)
    tickets.cancel(ctx, "demo", waiting.id, MANAGER)
    first, second = last_events(ctx, 2)
    assert [(e.type, e.ticket, e.counter) for e in (first, second)] == [
        (E.TICKET_CANCELLED, called.id, 1), (E.TICKET_CANCELLED, waiting.id, None)]
    assert second.data == {"number": "A002"}


def test_cancelling_a_waiting_ticket_sent_to_a_counter_leaves_that_counter_serving(ctx):
    sent = called_at_1(ctx)
    counters.sign_in(ctx, "demo", 2, LI)
    tickets.transfer(ctx, "demo", 1, WANG, to_counter=2)
    other = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    with ctx.store.read() as r:
        assert r.ticket(sent.id).counter == 2 and r.ticket(sent.id).status is S.WAITING
    assert tickets.call_next(ctx, "demo", 1, WANG).id == other.id  # counter 2 is not calling yet
    tickets.cancel(ctx, "demo", sent.id, MANAGER)
    with ctx.store.read() as r:
        assert r.counter("demo", 2).state.value == "idle" and r.counter("demo", 1).ticket == other.id
    [cancel] = last_events(ctx)
    assert cancel.counter is None


# --- rating ----------------------------------------------------------------------------------------

def finished_at_1(ctx):
    """A ticket served and finished at counter 1, with other tickets before it (its id is not 1)."""
    for _ in range(2):
        tickets.cancel(ctx, "demo", tickets.issue_ticket(ctx, "demo", "fee", KIOSK).id, MANAGER)
    issued = called_at_1(ctx)
    tickets.start(ctx, "demo", 1, WANG)
    tickets.finish(ctx, "demo", 1, WANG)
    return issued


def test_a_finished_visit_is_rated_once_with_one_of_the_halls_levels(ctx):
    done = finished_at_1(ctx)
    evaluator = Actor("evaluator-1", Role.EVALUATOR, frozenset({"demo"}), counter=1)
    for score in (0, 5, -1):
        error = refused(Invalid, "invalid_score",
                        lambda score=score: tickets.rate(ctx, "demo", done.id, evaluator, score))
        assert error.message == "a rating is one of the hall's levels: 4, 3, 2, 1"
    assert tickets.rate(ctx, "demo", done.id, evaluator, 4).id == done.id
    refused(Conflict, "already_rated", lambda: tickets.rate(ctx, "demo", done.id, evaluator, 3))
    [rating] = last_events(ctx)
    assert (rating.type, rating.ticket, rating.counter, rating.actor) == (E.RATING_GIVEN, done.id, None, "evaluator-1")
    assert rating.data == {"number": "A003", "score": 4, "level": "very_satisfied", "low": False, "reason": None,
                           "served_at": 1, "clerk": "wang"}


def test_a_rating_is_stored_for_the_counter_and_clerk_that_served(ctx, clock):
    import sqlalchemy as sa

    from hall_server.storage import tables

    done = finished_at_1(ctx)
    assert done.id != 1
    tickets.rate(ctx, "demo", done.id, MANAGER, 1)
    with ctx.store.engine.connect() as conn:
        row = conn.execute(sa.select(tables.ratings)).one()._mapping
    assert (row["ticket"], row["hall"], row["counter"], row["clerk"], row["score"], row["at"]) == \
        (done.id, "demo", 1, "wang", 1, clock.now())


def test_a_no_show_of_a_closed_day_is_not_reinstated(ctx, clock):
    first = called_at_1(ctx)
    tickets.no_show(ctx, "demo", 1, WANG)
    clock.advance(16 * 3600)  # 01:00 the next day: within the grace of no day
    error = refused(Conflict, "day_closed", lambda: tickets.reinstate(ctx, "demo", first.id, MANAGER))
    assert error.message == "ticket A001 is of a closed day"


def test_only_a_finished_visit_is_rated_and_only_at_its_counter(ctx):
    called = called_at_1(ctx)
    refused(Conflict, "not_finished", lambda: tickets.rate(ctx, "demo", called.id, MANAGER, 3))
    tickets.start(ctx, "demo", 1, WANG)
    tickets.finish(ctx, "demo", 1, WANG)
    elsewhere = Actor("evaluator-2", Role.EVALUATOR, frozenset({"demo"}), counter=2)
    before = snapshot(ctx)
    refused(Forbidden, "other_counter", lambda: tickets.rate(ctx, "demo", called.id, elsewhere, 3))
    assert snapshot(ctx) == before
    assert tickets.rate(ctx, "demo", called.id, MANAGER, 3).status is S.DONE
