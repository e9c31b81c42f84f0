"""Many kiosks and counters at once: distinct numbers, and no ticket called twice."""
import threading
from concurrent.futures import ThreadPoolExecutor

from hall_server.domain.errors import HallError
from hall_server.services import counters, tickets

from ..conftest import KIOSK, clerk


def run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)

    def one(i: int):
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_32_kiosks_at_once_get_32_distinct_numbers(ctx):
    issued = run_together(32, lambda i: tickets.issue_ticket(ctx, "demo", "fee", KIOSK))
    assert sorted(t.number for t in issued) == list(range(1, 33))
    assert len({t.id for t in issued}) == 32
    with ctx.store.read() as r:
        assert [e.seq for e in r.events("demo")] == list(range(1, 33))


def test_retries_with_one_request_id_get_one_ticket(ctx):
    issued = run_together(8, lambda i: tickets.issue_ticket(ctx, "demo", "fee", KIOSK,
                                                            client_request_id="kiosk-1:42"))
    assert len({t.id for t in issued}) == 1
    with ctx.store.read() as r:
        assert len(r.tickets("demo")) == 1


def test_8_counters_calling_at_once_never_get_the_same_ticket(ctx, config):
    hall = config.by_id["demo"]
    for _ in range(40):
        tickets.issue_ticket(ctx, "demo", "business", KIOSK)
    clerks = {n: clerk(f"clerk-{n}") for n in range(1, 8)}
    # every counter that serves business calls, 7 of them, plus counter 3 twice from two threads
    for n, actor in clerks.items():
        counters.sign_in(ctx, "demo", n, actor)
    business_counters = [c.number for c in hall.counters if "business" in c.services]
    called: list[int] = []
    while True:
        def call(i: int):
            number = business_counters[i % len(business_counters)]
            try:
                ticket = tickets.call_next(ctx, "demo", number, clerks[number])
            except HallError:  # the same counter twice at once: one of them finds it busy
                return None
            if ticket is not None:
                tickets.no_show(ctx, "demo", number, clerks[number])
            return ticket

        round_ = [t for t in run_together(8, call) if t is not None]
        if not round_:
            break
        called += [t.id for t in round_]
    assert len(called) == 40 and len(set(called)) == 40
    with ctx.store.read() as r:
        calls = [e.ticket for e in r.events("demo") if e.type.value == "ticket.called"]
    assert sorted(calls) == sorted(called)
