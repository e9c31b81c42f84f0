"""Queue rules through the service layer, on SQLite and PostgreSQL."""
from datetime import UTC, datetime

import pytest

from hall_server.domain.errors import Conflict
from hall_server.domain.tickets import TicketStatus
from hall_server.services import counters, tickets

from ..conftest import KIOSK, MANAGER, clerk

WANG = clerk("wang")


def test_numbering_restarts_at_midnight_in_shanghai(ctx, clock):
    clock.set(datetime(2026, 11, 24, 15, 59, 58, tzinfo=UTC))
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(1)  # 23:59:59 in Shanghai
    late = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(1)  # 00:00:00 in Shanghai
    first_of_day = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    other_prefix = tickets.issue_ticket(ctx, "demo", "business", KIOSK)
    assert late.display_number == "A002"
    assert first_of_day.display_number == "A001" and other_prefix.display_number == "B001"
    assert str(first_of_day.business_day) == "2026-11-25"


def test_priority_goes_first_within_its_head_start_only(ctx, clock):
    normal = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(5 * 60)
    green = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, priority="green")  # 10 min head start
    counters.sign_in(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == green.id
    tickets.no_show(ctx, "demo", 1, WANG)
    clock.advance(12 * 60)  # the normal ticket has now waited 17 minutes
    late_green = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, priority="green")
    assert tickets.call_next(ctx, "demo", 1, WANG).id == normal.id
    tickets.no_show(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == late_green.id


def test_transfer_keeps_the_issue_time_and_adds_the_second_wait(ctx, clock):
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    clock.advance(60)
    tickets.call_next(ctx, "demo", 1, WANG)
    tickets.start(ctx, "demo", 1, WANG)
    clock.advance(30)
    later = tickets.issue_ticket(ctx, "demo", "business", KIOSK)
    moved = tickets.transfer(ctx, "demo", 1, WANG, service="business")
    assert moved.status is TicketStatus.WAITING and moved.issued_at == first.issued_at
    li = clerk("li")
    counters.sign_in(ctx, "demo", 5, li)
    clock.advance(120)
    again = tickets.call_next(ctx, "demo", 5, li)
    assert again.id == first.id, "the transferred customer keeps their place before later tickets"
    assert again.wait_s == 60 + 120 and again.responsible_clerk == "wang"
    tickets.no_show(ctx, "demo", 5, li)
    assert tickets.call_next(ctx, "demo", 5, li).id == later.id


def test_transfer_to_a_counter(ctx):
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    tickets.call_next(ctx, "demo", 1, WANG)
    tickets.transfer(ctx, "demo", 1, WANG, to_counter=7)
    zhao = clerk("zhao")
    counters.sign_in(ctx, "demo", 3, zhao)  # serves fees, but the ticket was sent to 7
    assert tickets.call_next(ctx, "demo", 3, zhao) is None
    qian = clerk("qian")
    counters.sign_in(ctx, "demo", 7, qian)
    assert tickets.call_next(ctx, "demo", 7, qian).display_number == "A001"


def test_recall_is_counted_and_capped(ctx):
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    tickets.call_next(ctx, "demo", 1, WANG)
    for count in (1, 2, 3):
        assert tickets.recall(ctx, "demo", 1, WANG).recall_count == count
    with pytest.raises(Conflict) as refused:
        tickets.recall(ctx, "demo", 1, WANG)
    assert refused.value.code == "recall_cap_reached"


def test_no_show_can_be_reinstated_within_the_grace_period_only(ctx, clock):
    a = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    b = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    tickets.call_next(ctx, "demo", 1, WANG)
    tickets.no_show(ctx, "demo", 1, WANG)
    clock.advance(29 * 60)
    back = tickets.reinstate(ctx, "demo", a.id, MANAGER)
    assert back.status is TicketStatus.WAITING
    assert tickets.call_next(ctx, "demo", 1, WANG).id == b.id, "B, who waited, goes first"
    tickets.start(ctx, "demo", 1, WANG)
    tickets.finish(ctx, "demo", 1, WANG)
    assert tickets.call_next(ctx, "demo", 1, WANG).id == a.id
    tickets.no_show(ctx, "demo", 1, WANG)
    clock.advance(31 * 60)
    with pytest.raises(Conflict) as refused:
        tickets.reinstate(ctx, "demo", a.id, MANAGER)
    assert refused.value.code == "grace_expired"


def test_cancel_a_called_ticket_frees_the_counter(ctx):
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    called = tickets.call_next(ctx, "demo", 1, WANG)
    assert tickets.cancel(ctx, "demo", called.id, MANAGER).status is TicketStatus.CANCELLED
    with ctx.store.read() as r:
        counter = r.counter("demo", 1)
    assert counter.ticket is None and counter.state.value == "idle"


def test_pause_and_resume(ctx):
    counters.sign_in(ctx, "demo", 1, WANG)
    paused = counters.pause(ctx, "demo", 1, WANG, "meal")
    assert (paused.state.value, paused.pause_reason) == ("paused", "meal")
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    with pytest.raises(Conflict):
        tickets.call_next(ctx, "demo", 1, WANG)
    assert counters.resume(ctx, "demo", 1, WANG).state.value == "idle"
    assert tickets.call_next(ctx, "demo", 1, WANG) is not None


def test_finish_records_the_items(ctx):
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    tickets.call_next(ctx, "demo", 1, WANG)
    tickets.start(ctx, "demo", 1, WANG)
    done = tickets.finish(ctx, "demo", 1, WANG, [{"service": "fee", "count": 2}, {"service": "enquiry"}])
    assert [(i.service, i.count) for i in done.items] == [("fee", 2), ("enquiry", 1)]
