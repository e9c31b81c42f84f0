"""The pure domain: transition tables, numbering, selection, timing. No database."""
from datetime import UTC, date, datetime, timedelta

import pytest

from hall_server.domain.counters import COUNTER_TRANSITIONS, Counter, CounterAction, CounterState
from hall_server.domain.errors import Conflict, TransitionNotAllowed
from hall_server.domain.estimates import estimated_wait_s, mean_handling_s
from hall_server.domain.numbering import business_day, format_number
from hall_server.domain.selection import choose_next, effective_time
from hall_server.domain.tickets import TRANSITIONS, Ticket, TicketAction, TicketStatus
from hall_server.domain.timing import Item, handling_budget_s, is_compliant

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
HEAD_STARTS = {"normal": timedelta(0), "green": timedelta(minutes=10), "appointment": timedelta(minutes=15)}
ACTION_DATA = {
    TicketAction.CALL: {"clerk": "wang"},
    TicketAction.FINISH: {"items": [{"service": "fee", "count": 1}]},
    TicketAction.TRANSFER: {"service": "business", "to_counter": None},
}


def ticket(id: int, minutes: float = 0, service: str = "fee", priority: str = "normal", **kw) -> Ticket:
    return Ticket(id=id, hall="demo", service=service, prefix="A", number=id, business_day=date(2026, 11, 24),
                  priority=priority, issued_at=T0 + timedelta(minutes=minutes), **kw)


@pytest.mark.parametrize("status", list(TicketStatus))
@pytest.mark.parametrize("action", list(TicketAction))
def test_every_ticket_transition_follows_the_table(status, action):
    t = ticket(1, status=status)
    allowed = TRANSITIONS.get((status, action))
    if allowed is None:
        with pytest.raises(TransitionNotAllowed):
            t.apply(action, T0, 3, ACTION_DATA.get(action, {}))
        assert t.status is status
    else:
        t.apply(action, T0, 3, ACTION_DATA.get(action, {}))
        assert t.status is allowed


@pytest.mark.parametrize("state", list(CounterState))
@pytest.mark.parametrize("action", list(CounterAction))
def test_every_counter_transition_follows_the_table(state, action):
    counter = Counter("demo", 1, state=state)
    data = {"clerk": "wang", "reason": "meal", "ticket": 7}
    allowed = COUNTER_TRANSITIONS.get((state, action))
    if allowed is None:
        with pytest.raises(Conflict):
            counter.apply(action, T0, data)
        assert counter.state is state
    else:
        counter.apply(action, T0, data)
        assert counter.state is allowed


def test_final_states_have_no_way_out():
    finals = {TicketStatus.DONE, TicketStatus.CANCELLED}
    assert not [key for key in TRANSITIONS if key[0] in finals]


def test_numbers_have_at_least_three_digits():
    assert [format_number("A", n) for n in (1, 7, 999, 1000)] == ["A001", "A007", "A999", "A1000"]


def test_business_day_turns_at_midnight_in_the_hall():
    before = datetime(2026, 11, 24, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Shanghai
    after = before + timedelta(seconds=1)  # 00:00:00 in Shanghai
    assert business_day(before, "Asia/Shanghai") == date(2026, 11, 24)
    assert business_day(after, "Asia/Shanghai") == date(2026, 11, 25)
    assert business_day(after, "UTC") == date(2026, 11, 24)


def test_head_start_wins_only_within_its_minutes():
    normal = ticket(1, minutes=0)
    green_late = ticket(2, minutes=8, priority="green")  # 8 min later, 10 min head start
    assert choose_next([normal, green_late], 1, ["fee"], HEAD_STARTS) is green_late
    green_too_late = ticket(3, minutes=12, priority="green")  # the normal one waited longer
    assert choose_next([normal, green_too_late], 1, ["fee"], HEAD_STARTS) is normal


def test_appointment_counts_from_its_slot_and_ties_break_on_issue_order():
    early_slot = ticket(1, minutes=30, priority="appointment", slot_start=T0)
    assert effective_time(early_slot, HEAD_STARTS) == T0 - timedelta(minutes=15)
    first, second = ticket(4, minutes=5), ticket(3, minutes=5)
    assert choose_next([first, second], 1, ["fee"], HEAD_STARTS) is second  # same time: lower id
    assert choose_next([ticket(5, 1), ticket(6, 0)], 1, ["fee"], HEAD_STARTS).id == 6


def test_a_ticket_sent_to_a_counter_waits_for_that_counter_only():
    sent = ticket(1, minutes=0, service="business", counter=6)
    other = ticket(2, minutes=5)
    assert choose_next([sent, other], 6, ["business"], HEAD_STARTS) is sent
    assert choose_next([sent, other], 3, ["fee", "business"], HEAD_STARTS) is other
    assert choose_next([sent], 4, ["business"], HEAD_STARTS) is None


def test_timing_of_a_visit_with_a_transfer():
    t = ticket(1)
    t.apply(TicketAction.CALL, T0 + timedelta(minutes=4), 1, {"clerk": "wang"})
    t.apply(TicketAction.TRANSFER, T0 + timedelta(minutes=6), 1, {"service": "business"})
    t.apply(TicketAction.CALL, T0 + timedelta(minutes=16), 3, {"clerk": "li"})
    t.apply(TicketAction.START, T0 + timedelta(minutes=17), 3, {})
    t.apply(TicketAction.FINISH, T0 + timedelta(minutes=29), 3, ACTION_DATA[TicketAction.FINISH])
    assert t.wait_s == 14 * 60  # 4 minutes, then 10 more after the transfer
    assert t.handling_s == 12 * 60
    assert t.responsible_clerk == "wang" and t.clerk == "li"  # 首问负责制
    assert t.issued_at == T0 and t.service == "business"


def test_compliance_is_limit_times_items():
    limits = {"fee": 300, "business": 900}
    two_bills = [Item("fee", 2)]
    assert handling_budget_s(two_bills, limits) == 600
    assert is_compliant(599, two_bills, limits) and not is_compliant(601, two_bills, limits)
    assert handling_budget_s([Item("fee"), Item("business")], limits) == 1200


def test_estimates():
    assert mean_handling_s([], 300) == 180
    assert mean_handling_s([100, 200], 300) == 150
    assert estimated_wait_s(0, 3, 150) == 0
    assert estimated_wait_s(5, 2, 150) == 375
    assert estimated_wait_s(5, 0, 150) == 750  # nobody open yet: one counter will
