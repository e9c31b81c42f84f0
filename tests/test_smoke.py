from hall_server.domain.tickets import TicketStatus
from hall_server.services import counters, queries, tickets

from .conftest import KIOSK, MANAGER, clerk


def test_issue_call_serve_finish(ctx, clock):
    ticket = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    assert ticket.display_number == "A001"
    wang = clerk()
    counters.sign_in(ctx, "demo", 1, wang)
    clock.advance(120)
    called = tickets.call_next(ctx, "demo", 1, wang)
    assert called.id == ticket.id and called.status is TicketStatus.CALLED
    assert called.wait_s == 120
    tickets.start(ctx, "demo", 1, wang)
    clock.advance(200)
    done = tickets.finish(ctx, "demo", 1, wang)
    assert done.status is TicketStatus.DONE and done.handling_s == 200
    with ctx.store.read() as r:
        assert [e.seq for e in r.events("demo")] == [1, 2, 3, 4, 5]
        assert r.counter("demo", 1).ticket is None


def test_places_and_board(ctx, clock):
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(60)
    second = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    green = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, priority="green")
    assert [queries.place(ctx, t).ahead for t in (first, second, green)] == [1, 2, 0]
    board = queries.board(ctx, "demo", MANAGER)
    fee = next(s for s in board.services if s.code == "fee")
    assert (fee.waiting, fee.longest_wait_s) == (3, 60)
    # nobody signed in: the estimate assumes the four counters that serve fees will open,
    # each taking 60% of the 5-minute limit per customer
    assert fee.open_counters == 0 and fee.estimated_wait_s == 3 * 180 / 4
