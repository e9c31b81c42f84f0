"""A ticket's visits to counters, each of its moves and what a counter does: the pure domain,
no database. Each test names the rule it holds; each fails if that rule is broken."""
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from hall_server.domain.actors import SYSTEM, Actor, Role
from hall_server.domain.clock import FixedClock
from hall_server.domain.counters import Counter, CounterAction, CounterState
from hall_server.domain.errors import Conflict, HallError, Invalid, NotFound, TooManyAttempts, TransitionNotAllowed
from hall_server.domain.estimates import DEFAULT_SHARE_OF_LIMIT, estimated_wait_s, mean_handling_s
from hall_server.domain.events import Event, EventType
from hall_server.domain.numbering import business_day, format_number
from hall_server.domain.projection import HallState, evolve, ticket_from_issue
from hall_server.domain.selection import BEHIND, effective_at, reinstated_at
from hall_server.domain.tickets import Ticket, TicketAction, TicketStatus, Visit, VisitOutcome, next_status
from hall_server.domain.timing import Item, handling_budget_s

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
LIMITS = {"fee": 300, "business": 900}
A, S = TicketAction, TicketStatus
SHANGHAI = timezone(timedelta(hours=8))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ticket(**kw) -> Ticket:
    values = {"id": 1, "hall": "demo", "service": "fee", "prefix": "A", "number": 7,
              "business_day": date(2026, 11, 24), "priority": "normal", "issued_at": T0} | kw
    return Ticket(**values)


# --- visits ---------------------------------------------------------------------------

@pytest.mark.parametrize("outcome, handled", [
    (VisitOutcome.FINISHED, True), (VisitOutcome.TRANSFERRED, True), (VisitOutcome.EXPIRED, True),
    (VisitOutcome.NO_SHOW, False), (VisitOutcome.CANCELLED, False)])
def test_a_visit_counts_handling_only_when_the_customer_was_at_the_window(outcome, handled):
    visit = Visit(1, "wang", "fee", T0, started_at=at(10))
    assert visit.handling_s is None, "still running"
    visit.end(at(130), outcome)
    assert (visit.ended_at, visit.outcome) == (at(130), outcome)
    assert visit.handling_s == (120 if handled else None)
    assert visit.compliant(LIMITS) is (True if handled else None)


def test_a_visit_never_started_has_no_handling_time():
    visit = Visit(1, "wang", "fee", T0)
    visit.end(at(60), VisitOutcome.TRANSFERRED)
    assert visit.handling_s is None and visit.compliant(LIMITS) is None


def test_a_visit_is_judged_against_its_own_items_or_one_of_its_service():
    visit = Visit(1, "wang", "business", T0, started_at=T0)
    assert visit.budget_items == [Item("business", 1)]
    assert visit.limit_s(LIMITS) == 900
    visit.end(at(900), VisitOutcome.FINISHED)
    assert visit.compliant(LIMITS) is True
    visit.end(at(901), VisitOutcome.FINISHED)
    assert visit.compliant(LIMITS) is False
    visit.end(at(901), VisitOutcome.FINISHED, [Item("fee", 2), Item("business", 1)])
    assert visit.items == [Item("fee", 2), Item("business", 1)]
    assert visit.limit_s(LIMITS) == 1500 and visit.compliant(LIMITS) is True
    visit.end(at(1000), VisitOutcome.FINISHED)  # no items given: the recorded ones stay
    assert visit.items == [Item("fee", 2), Item("business", 1)]


def test_a_visit_of_a_service_without_a_limit_is_not_judged():
    visit = Visit(1, "wang", "fee", T0, started_at=T0, items=[Item("fee"), Item("gone", 1)])
    visit.end(at(10), VisitOutcome.FINISHED)
    assert visit.limit_s(LIMITS) is None and visit.compliant(LIMITS) is None
    assert Visit(1, "wang", "gone", T0).limit_s(LIMITS) is None


def test_the_budget_is_limit_times_count_per_item():
    assert handling_budget_s([Item("fee", 3)], LIMITS) == 900
    assert handling_budget_s([Item("fee"), Item("business", 2)], LIMITS) == 2100
    assert handling_budget_s([], LIMITS) == 0
    assert Item("fee").count == 1


# --- a ticket's moves -------------------------------------------------------------------

def test_a_new_ticket_is_waiting_in_its_place_of_issue():
    t = ticket()
    assert t.status is S.WAITING and t.queued_at == T0 and t.effective_at == T0
    assert (t.recall_count, t.transfer_count, t.wait_s, t.items, t.visits) == (0, 0, 0.0, [], [])
    assert t.counter is None and t.visit is None and t.at_counter is None and t.handling_s is None
    placed = ticket(effective_at=at(-600), queued_at=at(5))
    assert (placed.effective_at, placed.queued_at) == (at(-600), at(5)), "given values are kept"
    assert t.display_number == "A007"


def test_the_call_starts_a_visit_and_counts_the_wait():
    t = ticket()
    t.apply(A.CALL, at(90), 3, {"clerk": "wang"})
    assert t.status is S.CALLED and t.wait_s == 90
    assert (t.counter, t.clerk, t.responsible_clerk, t.called_at, t.started_at) == (3, "wang", "wang", at(90), None)
    assert t.at_counter == 3
    assert t.visits == [Visit(3, "wang", "fee", at(90))]
    assert t.visit is t.visits[-1]


def test_a_call_in_a_hall_that_starts_on_call_starts_the_visit_too():
    t = ticket()
    t.apply(A.CALL, at(30), 2, {"clerk": "wang", "starts_clock": True})
    assert t.started_at == at(30) and t.visits[0].started_at == at(30)
    t.apply(A.START, at(40), 2, {})
    assert t.started_at == at(30), "pressing start does not restart the clock"


def test_start_finish_and_the_items():
    t = ticket()
    t.apply(A.CALL, at(60), 1, {"clerk": "wang"})
    t.apply(A.START, at(75), 1, {})
    assert t.status is S.SERVING and t.started_at == at(75) and t.visit.started_at == at(75)
    assert t.at_counter == 1
    t.apply(A.FINISH, at(375), 1, {"items": [{"service": "fee", "count": 2}]})
    assert t.status is S.DONE and t.finished_at == at(375)
    assert t.items == [Item("fee", 2)] and t.visits[0].items == [Item("fee", 2)]
    assert t.visits[0].outcome is VisitOutcome.FINISHED and t.visits[0].ended_at == at(375)
    assert t.handling_s == 300 and t.visit is None and t.at_counter is None
    assert t.counter == 1, "a done ticket remembers where it was served"


def test_recall_counts_and_a_new_call_starts_the_count_again():
    t = ticket()
    t.apply(A.CALL, at(0), 1, {"clerk": "wang"})
    t.apply(A.RECALL, at(10), 1, {})
    t.apply(A.RECALL, at(20), 1, {})
    assert t.recall_count == 2 and t.status is S.CALLED and t.called_at == at(0)
    t.apply(A.TRANSFER, at(30), 1, {"service": "business"})
    t.apply(A.CALL, at(40), 4, {"clerk": "li"})
    assert t.recall_count == 0


def test_a_no_show_ends_the_visit_and_a_reinstatement_requeues_it():
    t = ticket()
    t.apply(A.CALL, at(60), 1, {"clerk": "wang"})
    t.apply(A.NO_SHOW, at(180), 1, {})
    assert t.status is S.NO_SHOW and t.no_show_at == at(180)
    assert (t.visits[0].outcome, t.visits[0].ended_at) == (VisitOutcome.NO_SHOW, at(180))
    assert t.handling_s is None and t.at_counter is None and t.visit is None
    t.apply(A.REINSTATE, at(240), None, {"effective_at": at(200).isoformat()})
    assert t.status is S.WAITING and t.effective_at == at(200) and t.queued_at == at(240)
    assert (t.counter, t.called_at, t.no_show_at) == (None, None, None), "no longer tied to counter 1"
    t.apply(A.CALL, at(300), 2, {"clerk": "li"})
    assert t.wait_s == 60 + 60, "the wait runs from the reinstatement"
    assert t.responsible_clerk == "wang" and t.clerk == "li"


def test_a_transfer_ends_the_visit_and_sends_the_ticket_on():
    t = ticket()
    t.apply(A.CALL, at(60), 1, {"clerk": "wang"})
    t.apply(A.START, at(70), 1, {})
    t.apply(A.TRANSFER, at(100), 1, {"service": "business", "to_counter": 6})
    assert t.status is S.WAITING and t.service == "business" and t.counter == 6
    assert (t.queued_at, t.called_at, t.started_at, t.transfer_count) == (at(100), None, None, 1)
    assert t.at_counter is None, "waiting for counter 6 occupies no counter"
    assert (t.visits[0].outcome, t.visits[0].handling_s, t.visits[0].service) == \
        (VisitOutcome.TRANSFERRED, 30, "fee")
    t.apply(A.CALL, at(160), 6, {"clerk": "li"})
    t.apply(A.TRANSFER, at(170), 6, {"service": "fee"})
    assert t.counter is None and t.transfer_count == 2
    assert t.handling_s == 30 and t.issued_at == T0


@pytest.mark.parametrize("before", [S.WAITING, S.CALLED])
def test_a_cancel_ends_a_running_visit_only(before):
    t = ticket()
    t.apply(A.CALL, at(10), 1, {"clerk": "wang"})
    if before is S.WAITING:
        t.apply(A.TRANSFER, at(20), 1, {"service": "business"})
    t.apply(A.CANCEL, at(30), None, {})
    assert t.status is S.CANCELLED
    ended = t.visits[0]
    if before is S.WAITING:
        assert (ended.outcome, ended.ended_at) == (VisitOutcome.TRANSFERRED, at(20)), "the old visit is left alone"
    else:
        assert (ended.outcome, ended.ended_at) == (VisitOutcome.CANCELLED, at(30))


def test_an_expired_visit_keeps_its_handling_time():
    t = ticket()
    t.apply(A.CALL, at(10), 1, {"clerk": "wang"})
    t.apply(A.START, at(20), 1, {})
    t.apply(A.EXPIRE, at(80), 1, {})
    assert t.status is S.EXPIRED and t.visits[0].outcome is VisitOutcome.EXPIRED and t.handling_s == 60
    waiting = ticket()
    waiting.apply(A.EXPIRE, at(80), None, {})
    assert waiting.status is S.EXPIRED and waiting.visits == []


def test_the_handling_time_of_a_ticket_is_the_sum_of_its_handled_visits():
    t = ticket()
    t.visits = [Visit(1, "a", "fee", T0, at(0), at(100), VisitOutcome.TRANSFERRED),
                Visit(2, "b", "fee", T0, None, at(150), VisitOutcome.TRANSFERRED),
                Visit(3, "c", "fee", T0, at(200), at(250), VisitOutcome.NO_SHOW),
                Visit(4, "d", "fee", T0, at(300), at(320), VisitOutcome.FINISHED)]
    assert t.handling_s == 120
    t.visits = t.visits[1:3]
    assert t.handling_s is None


def test_a_refused_move_names_the_state_and_the_action():
    with pytest.raises(TransitionNotAllowed) as refused:
        next_status(S.DONE, A.CALL)
    assert refused.value.message == "a done ticket cannot call"
    assert refused.value.code == "transition_not_allowed"
    assert next_status(S.WAITING, A.CALL) is S.CALLED


# --- a counter --------------------------------------------------------------------------

def test_a_counter_through_its_day():
    c = Counter("demo", 4)
    assert (c.state, c.clerk, c.ticket, c.pause_reason, c.since) == (CounterState.CLOSED, None, None, None, None)
    c.apply(CounterAction.SIGN_IN, at(0), {"clerk": "wang"})
    assert (c.state, c.clerk, c.since) == (CounterState.IDLE, "wang", at(0))
    c.apply(CounterAction.PAUSE, at(10), {"reason": "meal"})
    assert (c.state, c.pause_reason, c.since) == (CounterState.PAUSED, "meal", at(10))
    c.apply(CounterAction.RESUME, at(20), {})
    assert (c.state, c.pause_reason, c.clerk) == (CounterState.IDLE, None, "wang")
    c.apply(CounterAction.TAKE, at(30), {"ticket": 12})
    assert (c.state, c.ticket, c.since) == (CounterState.SERVING, 12, at(30))
    c.apply(CounterAction.RELEASE, at(40), {"ticket": 12})
    assert (c.state, c.ticket, c.clerk) == (CounterState.IDLE, None, "wang")
    c.apply(CounterAction.PAUSE, at(50), {"reason": "meeting"})
    c.apply(CounterAction.SIGN_OUT, at(60), {})
    assert (c.state, c.clerk, c.pause_reason, c.since) == (CounterState.CLOSED, None, None, at(60))


@pytest.mark.parametrize("state, action, code", [
    (CounterState.IDLE, CounterAction.SIGN_IN, "counter_occupied"),
    (CounterState.SERVING, CounterAction.SIGN_OUT, "ticket_in_progress"),
    (CounterState.SERVING, CounterAction.PAUSE, "ticket_in_progress"),
    (CounterState.PAUSED, CounterAction.TAKE, "counter_not_ready"),
    (CounterState.CLOSED, CounterAction.RESUME, "counter_state"),
    (CounterState.IDLE, CounterAction.RELEASE, "counter_state"),
])
def test_a_refused_counter_move_says_why(state, action, code):
    c = Counter("demo", 4, state=state, clerk="wang", ticket=3)
    with pytest.raises(Conflict) as refused:
        c.apply(action, at(0), {"clerk": "li", "reason": "meal", "ticket": 9})
    assert refused.value.code == code
    assert refused.value.message == f"counter 4 is {state.value} and cannot {action.value}"
    assert (c.state, c.clerk, c.ticket, c.since) == (state, "wang", 3, None), "a refused move changes nothing"


# --- the projection -----------------------------------------------------------------------

def issued(ticket_id: int = 5, **data) -> Event:
    values = {"service": "fee", "prefix": "A", "serial": 3, "business_day": "2026-11-24", "priority": "green",
              "effective_at": at(-600).isoformat(), "client_request_id": "r-1"} | data
    return Event("demo", EventType.TICKET_ISSUED, T0, ticket=ticket_id, actor="kiosk-1", data=values, seq=1)


def test_an_issue_event_makes_the_ticket_it_describes():
    t = ticket_from_issue(issued(slot_start=at(-300).isoformat(), appointment="X"))
    assert t == Ticket(id=5, hall="demo", service="fee", prefix="A", number=3, business_day=date(2026, 11, 24),
                       priority="green", issued_at=T0, effective_at=at(-600), appointment="X",
                       slot_start=at(-300), client_request_id="r-1", issued_by="kiosk-1")
    plain = ticket_from_issue(issued(client_request_id=None))
    assert (plain.slot_start, plain.appointment, plain.client_request_id) == (None, None, None)


def test_evolve_moves_the_ticket_and_the_counter_named_in_the_event():
    state = HallState(counters={1: Counter("demo", 1), 2: Counter("demo", 2)})
    evolve(state, issued())
    assert list(state.tickets) == [5] and state.tickets[5].status is S.WAITING
    evolve(state, Event("demo", EventType.COUNTER_SIGNED_IN, at(1), counter=1, data={"clerk": "wang"}))
    evolve(state, Event("demo", EventType.TICKET_CALLED, at(2), ticket=5, counter=1, data={"clerk": "wang"}))
    assert state.counters[1].ticket == 5 and state.counters[1].state is CounterState.SERVING
    assert state.tickets[5].status is S.CALLED and state.tickets[5].counter == 1
    evolve(state, Event("demo", EventType.TICKET_STARTED, at(3), ticket=5, counter=1))
    assert state.counters[1].state is CounterState.SERVING and state.tickets[5].status is S.SERVING
    evolve(state, Event("demo", EventType.TICKET_TRANSFERRED, at(4), ticket=5, counter=1,
                        data={"service": "business", "to_counter": None}))
    assert state.counters[1].state is CounterState.IDLE and state.counters[1].ticket is None
    assert state.counters[2] == Counter("demo", 2), "the other counter is untouched"
    evolve(state, Event("demo", EventType.TICKET_CANCELLED, at(5), ticket=5))
    assert state.tickets[5].status is S.CANCELLED and state.counters[1].state is CounterState.IDLE
    evolve(state, Event("demo", EventType.COUNTER_PAUSED, at(6), counter=1, data={"reason": "meal"}))
    assert state.counters[1].pause_reason == "meal" and state.counters[1].state is CounterState.PAUSED
    evolve(state, Event("demo", EventType.COUNTER_RESUMED, at(6), counter=1))
    assert state.counters[1].state is CounterState.IDLE and state.counters[1].pause_reason is None
    evolve(state, Event("demo", EventType.COUNTER_SIGNED_OUT, at(6), counter=1, data={"reason": "day_closed"}))
    assert state.counters[1].state is CounterState.CLOSED and state.counters[1].clerk is None
    evolve(state, Event("demo", EventType.RATING_GIVEN, at(7), ticket=5, data={"score": 5}))
    assert state.tickets[5].status is S.CANCELLED


@pytest.mark.parametrize("kind, action, status", [
    (EventType.TICKET_FINISHED, A.FINISH, S.DONE), (EventType.TICKET_NO_SHOW, A.NO_SHOW, S.NO_SHOW),
    (EventType.TICKET_CANCELLED, A.CANCEL, S.CANCELLED), (EventType.TICKET_EXPIRED, A.EXPIRE, S.EXPIRED)])
def test_every_end_of_a_visit_releases_its_counter(kind, action, status):
    state = HallState(counters={1: Counter("demo", 1, CounterState.IDLE, clerk="wang")})
    evolve(state, issued())
    evolve(state, Event("demo", EventType.TICKET_CALLED, at(1), ticket=5, counter=1, data={"clerk": "wang"}))
    if action is A.FINISH:
        evolve(state, Event("demo", EventType.TICKET_STARTED, at(2), ticket=5, counter=1))
    evolve(state, Event("demo", kind, at(3), ticket=5, counter=1, data={"items": [{"service": "fee"}]}))
    assert state.counters[1].state is CounterState.IDLE and state.counters[1].ticket is None
    assert state.counters[1].since == at(3)
    ticket = state.tickets[5]
    assert ticket.status is status and ticket.at_counter is None and ticket.visit is None
    assert ticket.visits[0].ended_at == at(3)


def test_a_reinstatement_event_puts_the_ticket_back_in_its_new_place():
    state = HallState(counters={1: Counter("demo", 1, CounterState.IDLE, clerk="wang")})
    evolve(state, issued())
    evolve(state, Event("demo", EventType.TICKET_CALLED, at(1), ticket=5, counter=1, data={"clerk": "wang"}))
    evolve(state, Event("demo", EventType.TICKET_NO_SHOW, at(2), ticket=5, counter=1))
    evolve(state, Event("demo", EventType.TICKET_REINSTATED, at(3), ticket=5,
                        data={"effective_at": at(100).isoformat()}))
    ticket = state.tickets[5]
    assert (ticket.status, ticket.effective_at, ticket.counter) == (S.WAITING, at(100), None)
    assert state.counters[1].state is CounterState.IDLE and state.counters[1].since == at(2)


def test_a_recall_leaves_the_counter_as_it_is():
    state = HallState(counters={1: Counter("demo", 1, CounterState.IDLE, clerk="wang")})
    evolve(state, issued())
    evolve(state, Event("demo", EventType.TICKET_CALLED, at(1), ticket=5, counter=1, data={"clerk": "wang"}))
    evolve(state, Event("demo", EventType.TICKET_RECALLED, at(2), ticket=5, counter=1))
    assert state.counters[1].since == at(1) and state.tickets[5].recall_count == 1


# --- places, estimates and the small parts --------------------------------------------------

def test_a_place_in_the_queue():
    starts = {"normal": timedelta(0), "green": timedelta(minutes=10)}
    assert effective_at(at(600), None, "green", starts) == T0
    assert effective_at(at(600), at(60), "green", starts) == at(60 - 600)
    assert effective_at(at(600), at(900), "normal", starts) == at(600), "a later slot does not push it back"
    assert effective_at(at(600), None, "unknown", starts) == at(600)


def test_a_reinstated_no_show_goes_just_behind_the_last_it_lets_go_first():
    own = at(0)
    assert BEHIND == timedelta(microseconds=1)
    assert reinstated_at(own, [at(100)]) == at(100) + BEHIND
    assert reinstated_at(own, [at(100), at(50)]) == at(50) + BEHIND, "behind the last named, in queue order"
    assert reinstated_at(at(500), [at(100)]) == at(500)
    assert reinstated_at(own, []) == own


def test_estimates_of_the_wait():
    assert DEFAULT_SHARE_OF_LIMIT == 0.6 and mean_handling_s([], 900) == 540
    assert mean_handling_s([60], 900) == 60 and mean_handling_s([60, 90, 120], 900) == 90
    assert estimated_wait_s(3, 2, 100) == 150 and estimated_wait_s(1, 2, 101) == 51, "rounded up"
    assert estimated_wait_s(4, 1, 100) == 400 and estimated_wait_s(4, -1, 100) == 400


def test_numbers_and_days():
    assert format_number("B", 42) == "B042"
    assert business_day(datetime(2026, 11, 24, 23, 30, tzinfo=UTC), "Asia/Shanghai") == date(2026, 11, 25)


def test_errors_carry_a_code_and_a_message():
    error = HallError("went wrong")
    assert (error.message, error.code, str(error)) == ("went wrong", "hall_error", "went wrong")
    assert Conflict("busy", "counter_busy").code == "counter_busy"
    assert Conflict("busy").code == "conflict" and Conflict("busy", "").code == "conflict"
    assert (NotFound("x").code, Invalid("x").code) == ("not_found", "invalid")
    limited = TooManyAttempts("slow down", 30)
    assert (limited.retry_after_s, limited.code, limited.message) == (30, "too_many_attempts", "slow down")
    assert TooManyAttempts("slow down", 30, "login_throttled").code == "login_throttled"


def test_who_may_act_where():
    clerk = Actor("wang", Role.CLERK, frozenset({"demo"}))
    assert clerk.may_act_in("demo") and not clerk.may_act_in("north")
    assert SYSTEM.may_act_in("north") and SYSTEM.role is Role.SYSTEM and SYSTEM.name == "system"
    assert not Actor("x", Role.CLERK, frozenset()).may_act_in("demo")


def test_the_fixed_clock():
    clock = FixedClock(datetime(2026, 11, 24, 17, 0, tzinfo=SHANGHAI))
    assert clock.now() == datetime(2026, 11, 24, 9, 0, tzinfo=UTC) and clock.now().tzinfo is UTC
    clock.advance(90)
    assert clock.now() == datetime(2026, 11, 24, 9, 1, 30, tzinfo=UTC)
    clock.advance(-30)
    assert clock.now() == datetime(2026, 11, 24, 9, 1, tzinfo=UTC)
    clock.set(datetime(2026, 11, 25, 16, 0, tzinfo=SHANGHAI))
    assert clock.now() == datetime(2026, 11, 25, 8, 0, tzinfo=UTC) and clock.now().tzinfo is UTC
