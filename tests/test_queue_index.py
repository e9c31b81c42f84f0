"""The store finds the head of the queue by index; checked against the rule written out
plainly here: among today's waiting tickets the counter may call (sent to it, or of a
service it serves and sent nowhere), the earliest by (effective_at, issued_at, id)."""
import random

from hall_server.domain.numbering import business_day
from hall_server.domain.tickets import TicketStatus
from hall_server.services import counters, tickets

from .conftest import KIOSK, clerk


def expected_head(waiting, counter):
    eligible = [t for t in waiting
                if t.counter == counter.number or (t.counter is None and t.service in counter.services)]
    return min(eligible, key=lambda t: (t.effective_at, t.issued_at, t.id), default=None)


def test_head_of_queue_follows_the_rule(ctx, clock, config):
    hall = config.by_id["demo"]
    rng = random.Random(7)
    for _ in range(40):
        clock.advance(rng.uniform(0, 400))
        tickets.issue_ticket(ctx, "demo", rng.choice(["fee", "business", "enquiry", "enterprise"]), KIOSK,
                             priority=rng.choice(["normal", "normal", "green", "vip"]))
    # send one ticket on to counter 6 only
    wang = clerk()
    counters.sign_in(ctx, "demo", 1, wang)
    tickets.call_next(ctx, "demo", 1, wang)
    tickets.transfer(ctx, "demo", 1, wang, to_counter=6)
    today = business_day(clock.now(), hall.timezone)
    for counter in hall.counters:
        with ctx.store.read() as reader:
            waiting = reader.tickets("demo", [TicketStatus.WAITING])
            head = reader.head_of_queue("demo", today, counter.number, counter.services)
        expected = expected_head(waiting, counter)
        assert head is not None and expected is not None
        assert head.id == expected.id, f"counter {counter.number}"
