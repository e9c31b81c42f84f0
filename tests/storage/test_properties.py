"""Property tests: random sequences of operations keep the queue's invariants."""
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hall_server.domain.counters import Counter
from hall_server.domain.errors import HallError
from hall_server.domain.events import EventType as E
from hall_server.domain.projection import HallState, evolve
from hall_server.services import counters, day_close, tickets
from hall_server.storage import tables

from ..conftest import KIOSK, MANAGER
from .helpers import snapshot

COUNTERS = [1, 3, 5]
SERVICES = ["fee", "business", "enquiry", "enterprise"]
PRIORITIES = ["normal", "green", "appointment", "vip"]
RELEASES = {E.TICKET_FINISHED, E.TICKET_NO_SHOW, E.TICKET_TRANSFERRED, E.TICKET_CANCELLED, E.TICKET_EXPIRED}
FINAL = {E.TICKET_FINISHED, E.TICKET_CANCELLED, E.TICKET_EXPIRED}

#: operation kinds, repeated to weight them towards the ones that move tickets along
KINDS = ["issue"] * 3 + ["call"] * 3 + ["start"] * 2 + ["finish"] * 2 + ["recall"] * 2 + [
    "no_show", "transfer", "transfer_to", "cancel", "reinstate", "pause", "resume", "sign_in", "sign_out",
    "advance", "advance", "next_day"]
operations = st.tuples(st.sampled_from(KINDS), st.sampled_from(COUNTERS), st.sampled_from(SERVICES),
                       st.sampled_from(PRIORITIES), st.integers(0, 30), st.integers(1, 900))


def apply(ctx, clock, op, issued: list[int]) -> None:
    kind, number, service, priority, index, seconds = op
    hall = "demo"
    if kind == "issue":
        issued.append(tickets.issue_ticket(ctx, hall, service, KIOSK, priority=priority).id)
    elif kind == "sign_in":
        counters.sign_in(ctx, hall, number, MANAGER, clerk=f"clerk-{number}")
    elif kind == "pause":
        counters.pause(ctx, hall, number, MANAGER, "meal")
    elif kind in ("sign_out", "resume"):
        getattr(counters, kind)(ctx, hall, number, MANAGER)
    elif kind == "call":
        tickets.call_next(ctx, hall, number, MANAGER)
    elif kind in ("recall", "start", "finish", "no_show"):
        getattr(tickets, kind)(ctx, hall, number, MANAGER)
    elif kind == "transfer":
        tickets.transfer(ctx, hall, number, MANAGER, service=service)
    elif kind == "transfer_to":
        tickets.transfer(ctx, hall, number, MANAGER, to_counter=COUNTERS[index % len(COUNTERS)])
    elif kind in ("cancel", "reinstate") and issued:
        getattr(tickets, kind)(ctx, hall, issued[index % len(issued)], MANAGER)
    elif kind == "advance":
        clock.advance(seconds)
    elif kind == "next_day":
        clock.advance(24 * 3600)
        day_close.close_ended_days(ctx)


def reset(ctx) -> None:
    with ctx.store.engine.begin() as conn:
        for table in reversed(tables.metadata.sorted_tables):
            conn.execute(sa.delete(table))
    ctx.store.sync_halls(ctx.config)


def check_invariants(ctx) -> None:
    with ctx.store.read() as r:
        events = r.events("demo")
        live_tickets = {t.id: t for t in r.tickets("demo")}
        live_counters = {c.number: c for c in r.counters("demo")}
    assert [e.seq for e in events] == list(range(1, len(events) + 1)), "seq is gap-free and increasing"

    held: set[int] = set()
    final_seen: dict[int, int] = {}
    for event in events:
        if event.ticket is not None:
            assert event.ticket not in final_seen, f"ticket {event.ticket} moved after its final state"
        if event.type is E.TICKET_CALLED:
            assert event.ticket not in held, f"ticket {event.ticket} called while called or serving"
            held.add(event.ticket)
        elif event.type in RELEASES:
            held.discard(event.ticket)
        if event.type in FINAL:
            final_seen[event.ticket] = event.seq

    at_counters = [c.ticket for c in live_counters.values() if c.ticket is not None]
    assert len(at_counters) == len(set(at_counters)), "two counters hold one ticket"
    busy = {t.id for t in live_tickets.values() if t.status.value in ("called", "serving")}
    assert busy == set(at_counters) == held

    rebuilt = HallState(counters={c.number: Counter(c.hall, c.number) for c in live_counters.values()})
    for event in events:
        evolve(rebuilt, event)
    assert rebuilt.tickets == live_tickets, "the projection of the events is the live state"
    assert rebuilt.counters == live_counters


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operations, min_size=20, max_size=80))
@example(ops=[("call", 1, "", "", 0, 0), ("advance", 0, "", "", 0, 60), ("recall", 1, "", "", 0, 0),
              ("call", 3, "", "", 0, 0), ("start", 3, "", "", 0, 0), ("advance", 0, "", "", 0, 300),
              ("finish", 3, "", "", 0, 0), ("transfer", 1, "business", "", 0, 0)])
def test_random_operations_keep_the_invariants(ctx, clock, ops):
    reset(ctx)
    issued: list[int] = []
    opening = [("sign_in", 1, "", "", 0, 0), ("sign_in", 3, "", "", 0, 0),
               ("issue", 0, "fee", "normal", 0, 0), ("issue", 0, "business", "green", 0, 0)]
    for op in opening + ops:
        before = snapshot(ctx)
        try:
            apply(ctx, clock, op, issued)
        except HallError:
            assert snapshot(ctx) == before, f"{op} failed but changed the database"
    check_invariants(ctx)
