"""The store finds the head of the queue by index; it must agree with the domain's rule."""
import random

from hall_server.domain.selection import choose_next
from hall_server.domain.tickets import TicketStatus
from hall_server.services import counters, tickets

from .conftest import KIOSK, clerk


def test_head_of_queue_is_the_domain_choice(ctx, clock, config):
    hall = config.by_id["demo"]
    rng = random.Random(7)
    for _ in range(40):
        clock.advance(rng.uniform(0, 400))
        tickets.issue_ticket(ctx, "demo", rng.choice(["fee", "business", "enquiry", "enterprise"]), KIOSK,
                             priority=rng.choice(["normal", "normal", "green", "vip", "appointment"]))
    # send one ticket on to counter 6 only
    wang = clerk()
    counters.sign_in(ctx, "demo", 1, wang)
    tickets.call_next(ctx, "demo", 1, wang)
    tickets.transfer(ctx, "demo", 1, wang, to_counter=6)
    checked = 0
    for counter in hall.counters:
        with ctx.store.read() as reader:
            waiting = reader.tickets("demo", [TicketStatus.WAITING])
            head = reader.head_of_queue("demo", counter.number, counter.services)
        expected = choose_next(waiting, counter.number, counter.services, hall.head_starts)
        assert head is not None and expected is not None
        assert head.id == expected.id, f"counter {counter.number}"
        checked += 1
    assert checked == len(hall.counters)
