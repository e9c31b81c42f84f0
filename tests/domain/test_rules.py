"""The pure domain: transition tables, numbering, selection, timing. No database."""
from datetime import UTC, date, datetime, timedelta

import pytest

from hall_server.domain.counters import Counter, CounterAction, CounterState
from hall_server.domain.errors import Conflict, TransitionNotAllowed
from hall_server.domain.estimates import estimated_wait_s, mean_handling_s
from hall_server.domain.numbering import business_day, format_number
from hall_server.domain.selection import effective_at, reinstated_at
from hall_server.domain.tickets import FINAL, Ticket, TicketAction, TicketStatus, Visit, VisitOutcome
from hall_server.domain.timing import Item, handling_budget_s

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
HEAD_STARTS = {"normal": timedelta(0), "green": timedelta(minutes=10), "appointment": timedelta(minutes=15)}
ACTION_DATA = {
    TicketAction.CALL: {"clerk": "wang"},
    TicketAction.FINISH: {"items": [{"service": "fee", "count": 1}]},
    TicketAction.TRANSFER: {"service": "business", "to_counter": None},
    TicketAction.REINSTATE: {"effective_at": T0.isoformat()},
}


def ticket(id: int, minutes: float = 0, service: str = "fee", priority: str = "normal", **kw) -> Ticket:
    return Ticket(id=id, hall="demo", service=service, prefix="A", number=id, business_day=date(2026, 11, 24),
                  priority=priority, issued_at=T0 + timedelta(minutes=minutes), **kw)


W, CL, SV, D, NS, X, EX = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.DONE,
                           TicketStatus.NO_SHOW, TicketStatus.CANCELLED, TicketStatus.EXPIRED)
TA = TicketAction
#: every allowed ticket move, written out by hand from DESIGN.md: anything else is refused
EXPECTED_TICKET_MOVES = {
    (W, TA.CALL): CL, (W, TA.CANCEL): X, (W, TA.EXPIRE): EX,
    (CL, TA.RECALL): CL, (CL, TA.START): SV, (CL, TA.NO_SHOW): NS, (CL, TA.TRANSFER): W,
    (CL, TA.CANCEL): X, (CL, TA.EXPIRE): EX,
    (SV, TA.FINISH): D, (SV, TA.TRANSFER): W, (SV, TA.EXPIRE): EX,
    (NS, TA.REINSTATE): W,
}
CS, CA = CounterState, CounterAction
EXPECTED_COUNTER_MOVES = {
    (CS.CLOSED, CA.SIGN_IN): CS.IDLE,
    (CS.IDLE, CA.SIGN_OUT): CS.CLOSED, (CS.IDLE, CA.PAUSE): CS.PAUSED, (CS.IDLE, CA.TAKE): CS.SERVING,
    (CS.PAUSED, CA.SIGN_OUT): CS.CLOSED, (CS.PAUSED, CA.RESUME): CS.IDLE,
    (CS.SERVING, CA.RELEASE): CS.IDLE,
}


def at_counter(status: TicketStatus) -> Ticket:
    """A ticket in `status` with the visit a ticket in that state has."""
    t = ticket(1, status=status, counter=3)
    if status in (CL, SV):
        t.visits.append(Visit(3, "wang", "fee", T0))
    return t


@pytest.mark.parametrize("status", list(TicketStatus))
@pytest.mark.parametrize("action", list(TicketAction))
def test_every_ticket_move_is_the_written_out_one(status, action):
    t = at_counter(status)
    expected = EXPECTED_TICKET_MOVES.get((status, action))
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            t.apply(action, T0, 3, ACTION_DATA.get(action, {}))
        assert t.status is status
    else:
        t.apply(action, T0, 3, ACTION_DATA.get(action, {}))
        assert t.status is expected


@pytest.mark.parametrize("state", list(CounterState))
@pytest.mark.parametrize("action", list(CounterAction))
def test_every_counter_move_is_the_written_out_one(state, action):
    counter = Counter("demo", 1, state=state)
    data = {"clerk": "wang", "reason": "meal", "ticket": 7}
    expected = EXPECTED_COUNTER_MOVES.get((state, action))
    if expected is None:
        with pytest.raises(Conflict):
            counter.apply(action, T0, data)
        assert counter.state is state
    else:
        counter.apply(action, T0, data)
        assert counter.state is expected


def test_final_states_are_done_cancelled_and_expired():
    assert FINAL == {D, X, EX}
    assert not [key for key in EXPECTED_TICKET_MOVES if key[0] in FINAL]


def test_numbers_have_at_least_three_digits():
    assert [format_number("A", n) for n in (1, 7, 999, 1000)] == ["A001", "A007", "A999", "A1000"]


def test_business_day_turns_at_midnight_in_the_hall():
    before = datetime(2026, 11, 24, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Shanghai
    after = before + timedelta(seconds=1)  # 00:00:00 in Shanghai
    assert business_day(before, "Asia/Shanghai") == date(2026, 11, 24)
    assert business_day(after, "Asia/Shanghai") == date(2026, 11, 25)
    assert business_day(after, "UTC") == date(2026, 11, 24)


def test_head_start_wins_only_within_its_minutes():
    assert effective_at(T0, None, "normal", HEAD_STARTS) == T0
    green_late = T0 + timedelta(minutes=8)  # 8 min later, 10 min head start: goes first
    assert effective_at(green_late, None, "green", HEAD_STARTS) == T0 - timedelta(minutes=2)
    assert effective_at(T0, None, "unknown", HEAD_STARTS) == T0


def test_appointment_counts_from_the_earlier_of_its_slot_and_its_issue():
    late = T0 + timedelta(minutes=30)
    assert effective_at(late, T0, "appointment", HEAD_STARTS) == T0 - timedelta(minutes=15)
    assert effective_at(T0, late, "appointment", HEAD_STARTS) == T0 - timedelta(minutes=15)


def test_a_reinstated_no_show_goes_behind_the_customers_it_lets_go_first():
    own = T0
    assert reinstated_at(own, []) == own
    ahead = [T0 + timedelta(minutes=1), T0 + timedelta(minutes=4)]
    assert reinstated_at(own, ahead) == T0 + timedelta(minutes=4, microseconds=1)
    assert reinstated_at(T0 + timedelta(minutes=9), ahead) == T0 + timedelta(minutes=9)  # never ahead


def test_timing_of_a_visit_with_a_transfer():
    t = ticket(1)
    t.apply(TicketAction.CALL, T0 + timedelta(minutes=4), 1, {"clerk": "wang"})
    t.apply(TicketAction.TRANSFER, T0 + timedelta(minutes=6), 1, {"service": "business"})
    t.apply(TicketAction.CALL, T0 + timedelta(minutes=16), 3, {"clerk": "li"})
    t.apply(TicketAction.START, T0 + timedelta(minutes=17), 3, {})
    t.apply(TicketAction.FINISH, T0 + timedelta(minutes=29), 3, ACTION_DATA[TicketAction.FINISH])
    assert t.wait_s == 14 * 60  # 4 minutes, then 10 more after the transfer
    assert t.handling_s == 12 * 60  # never started at counter 1: only counter 3's stretch
    assert [(v.counter, v.outcome, v.handling_s) for v in t.visits] == [
        (1, VisitOutcome.TRANSFERRED, None), (3, VisitOutcome.FINISHED, 12 * 60)]
    assert t.responsible_clerk == "wang" and t.clerk == "li"  # 首问负责制
    assert t.issued_at == T0 and t.service == "business"


def test_compliance_is_limit_times_items():
    limits = {"fee": 300, "business": 900}
    two_bills = [Item("fee", 2)]
    assert handling_budget_s(two_bills, limits) == 600
    visit = Visit(1, "wang", "fee", T0, started_at=T0, items=two_bills)
    visit.end(T0 + timedelta(seconds=600), VisitOutcome.FINISHED)
    assert visit.limit_s(limits) == 600 and visit.compliant(limits) is True
    visit.end(T0 + timedelta(seconds=601), VisitOutcome.FINISHED)
    assert visit.compliant(limits) is False
    assert visit.limit_s({"business": 900}) is None and visit.compliant({"business": 900}) is None
    assert handling_budget_s([Item("fee"), Item("business")], limits) == 1200


def test_estimates():
    assert mean_handling_s([], 300) == 180
    assert mean_handling_s([100, 200], 300) == 150
    assert estimated_wait_s(0, 3, 150) == 0
    assert estimated_wait_s(5, 2, 150) == 375
    assert estimated_wait_s(5, 0, 150) == 750  # nobody open yet: one counter will


def test_every_stretch_at_a_counter_is_kept_and_judged_on_its_own():
    """Transferring fee to fee at 280 s must not wipe the clock (issue 7)."""
    t = ticket(1)
    t.apply(TicketAction.CALL, T0, 1, {"clerk": "wang"})
    t.apply(TicketAction.START, T0 + timedelta(seconds=20), 1, {})
    t.apply(TicketAction.TRANSFER, T0 + timedelta(seconds=300), 1, {"service": "business"})
    t.apply(TicketAction.CALL, T0 + timedelta(seconds=400), 3, {"clerk": "li"})
    t.apply(TicketAction.START, T0 + timedelta(seconds=410), 3, {})
    t.apply(TicketAction.FINISH, T0 + timedelta(seconds=1410), 3,
            {"items": [{"service": "business", "count": 1}]})
    limits = {"fee": 300, "business": 900}
    first, second = t.visits
    assert (first.handling_s, first.compliant(limits)) == (280, True)
    assert (second.handling_s, second.compliant(limits)) == (1000, False)
    assert t.handling_s == 1280


def test_a_hall_that_starts_on_call_runs_the_clock_from_the_call():
    t = ticket(1)
    t.apply(TicketAction.CALL, T0, 1, {"clerk": "wang", "starts_clock": True})
    assert t.status is TicketStatus.CALLED and t.started_at == T0
    t.apply(TicketAction.START, T0 + timedelta(seconds=50), 1, {})
    assert t.started_at == T0 and t.visits[0].started_at == T0  # the clock is not reset
    t.apply(TicketAction.FINISH, T0 + timedelta(seconds=200), 1, ACTION_DATA[TicketAction.FINISH])
    assert t.handling_s == 200


def test_a_no_show_or_cancelled_call_counts_no_handling():
    for action in (TicketAction.NO_SHOW, TicketAction.CANCEL):
        t = ticket(1)
        t.apply(TicketAction.CALL, T0, 1, {"clerk": "wang", "starts_clock": True})
        t.apply(action, T0 + timedelta(seconds=90), 1, {})
        assert t.handling_s is None and t.visits[0].ended_at == T0 + timedelta(seconds=90)
