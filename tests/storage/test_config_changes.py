"""The file loses a counter, a service or a hall the database still uses.

Start-up says what is left and what to do (services/leftovers.py); and whatever the
database holds that the file does not name, the read side answers instead of failing
after a use case has committed.
"""
import tomllib

import pytest

from hall_server.bootstrap import open_context
from hall_server.config import ConfigError, HallsConfig
from hall_server.domain.actors import Actor, Role
from hall_server.services import counters, queries, tickets
from hall_server.services.context import HallContext
from hall_server.services.leftovers import find_leftovers

from ..conftest import KIOSK, MANAGER, clerk
from ..running_hall import hall_config_text

CLERK_A = clerk("clerk-a")


def config_from(text: str, drop_service: str | None = None) -> HallsConfig:
    """The configuration in `text`, without a service (taken off every counter too)."""
    raw = tomllib.loads(text)
    if drop_service:
        for hall in raw["halls"]:
            hall["services"] = [s for s in hall["services"] if s["code"] != drop_service]
            for counter in hall["counters"]:
                counter["services"] = [s for s in counter["services"] if s != drop_service]
    return HallsConfig.model_validate(raw)


@pytest.fixture
def config():
    """The demo hall with an eighth counter that serves every service."""
    return config_from(hall_config_text(extra_counters=1))


def restart(ctx: HallContext, config: HallsConfig, database_url: str) -> HallContext:
    """Start-up on the same database with another file; the caller disposes of it."""
    return open_context(config, database_url, ctx.clock)


def as_if_started(ctx: HallContext, config: HallsConfig) -> HallContext:
    """The same database read with another file, without the start-up check: what a server
    meets with rows the check lets through, or if the check is ever skipped."""
    return HallContext(config=config, store=ctx.store, clock=ctx.clock)


def test_a_removed_counter_still_signed_in_stops_start_up_until_signed_out(ctx, database_url):
    counters.sign_in(ctx, "demo", 8, CLERK_A)
    ticket = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    assert tickets.call_next(ctx, "demo", 8, CLERK_A).id == ticket.id
    smaller = config_from(hall_config_text())

    with pytest.raises(ConfigError) as error:
        restart(ctx, smaller, database_url)
    message = str(error.value)
    assert "hall demo: counter 8 is still signed in by clerk-a, serving A001" in message
    assert "put counter 8 back into the file" in message and "sign the counter out" in message

    # the read side meets counter 8 serving and answers: the file's counters only
    later = as_if_started(ctx, smaller)
    issued = tickets.issue_ticket(later, "demo", "fee", KIOSK)
    placed = queries.place(later, issued)
    assert placed.ahead == 0 and placed.estimated_wait_s == 0
    board = queries.board(later, "demo", MANAGER)
    assert [view.counter.number for view in board.counters] == [1, 2, 3, 4, 5, 6, 7]
    fee = next(load for load in board.services if load.code == "fee")
    # none of the configured counters is open; the estimate shares the queue among the four
    # that serve fees (counters 1-4: 0.6 × 5 min / 4), counter 8 not counted
    assert (fee.waiting, fee.open_counters, fee.estimated_wait_s) == (1, 0, 45)

    tickets.no_show(ctx, "demo", 8, CLERK_A)
    counters.sign_out(ctx, "demo", 8, CLERK_A)
    restart(ctx, smaller, database_url).store.engine.dispose()


def test_a_paused_or_idle_removed_counter_is_named_and_a_closed_one_is_not(ctx, database_url):
    counters.sign_in(ctx, "demo", 8, CLERK_A)
    counters.pause(ctx, "demo", 8, CLERK_A, "meal")
    smaller = config_from(hall_config_text())
    assert find_leftovers(as_if_started(ctx, smaller)) == [
        "hall demo: counter 8 is still signed in by clerk-a (paused): put counter 8 back into "
        "the file, sign it out, then remove it"]
    counters.sign_out(ctx, "demo", 8, CLERK_A)
    assert find_leftovers(as_if_started(ctx, smaller)) == []


def test_a_removed_service_with_tickets_waiting_stops_start_up(ctx, clock, database_url):
    fee = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    enquiries = [tickets.issue_ticket(ctx, "demo", "enquiry", KIOSK) for _ in range(3)]
    without = config_from(hall_config_text(extra_counters=1), drop_service="enquiry")

    with pytest.raises(ConfigError) as error:
        restart(ctx, without, database_url)
    assert ("hall demo: 3 tickets of service 'enquiry' (C001, C002, C003) are still waiting: "
            "put the service back until they are served or the day is closed") in str(error.value)

    # their places are still read, with no estimate: no counter in the file serves them
    later = as_if_started(ctx, without)
    placed = queries.place(later, enquiries[1])
    assert (placed.ahead, placed.estimated_wait_s) == (1, None)
    assert queries.get_ticket(later, enquiries[2].id, MANAGER).ahead == 2
    assert queries.place(later, fee).estimated_wait_s == 0
    board = queries.board(later, "demo", MANAGER)
    assert [load.code for load in board.services] == ["fee", "business", "enterprise"]

    # one called at a counter the file keeps is still open: still named
    counters.sign_in(ctx, "demo", 1, CLERK_A)
    assert tickets.call_next(ctx, "demo", 1, CLERK_A).id == fee.id
    tickets.no_show(ctx, "demo", 1, CLERK_A)
    called = tickets.call_next(ctx, "demo", 1, CLERK_A)
    assert called.id == enquiries[0].id
    assert find_leftovers(later) == [
        "hall demo: 3 tickets of service 'enquiry' (C001, C002, C003) are still open "
        "(1 called, 2 waiting): put the service back until they are served or the day is closed"]

    # tickets of an earlier business day are the day close's, not start-up's
    clock.advance(24 * 3600)
    restart(ctx, without, database_url).store.engine.dispose()


def test_a_ticket_waiting_for_a_removed_counter_is_named(ctx, database_url):
    counters.sign_in(ctx, "demo", 1, CLERK_A)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.call_next(ctx, "demo", 1, CLERK_A)
    tickets.transfer(ctx, "demo", 1, CLERK_A, to_counter=8)
    assert find_leftovers(as_if_started(ctx, config_from(hall_config_text()))) == [
        "hall demo: ticket A001 waits for counter 8, which the file no longer has: put counter 8 "
        "back until it is called, or until the day is closed"]


def test_a_removed_hall_with_open_tickets_stops_start_up(database_url, clock):
    both = config_from(hall_config_text(extra_hall="north"))
    ctx = open_context(both, database_url, clock)
    try:
        north_kiosk = Actor("kiosk-north", Role.KIOSK, frozenset({"north"}))
        tickets.issue_ticket(ctx, "north", "business", north_kiosk)
        counters.sign_in(ctx, "north", 2, Actor("clerk-n", Role.CLERK, frozenset({"north"})))
        with pytest.raises(ConfigError) as error:
            restart(ctx, config_from(hall_config_text()), database_url)
        assert ("hall north is no longer in the file but has counter 2 signed in by clerk-n, "
                "1 ticket (B001) not finished: put the hall back into the file") in str(error.value)
    finally:
        ctx.store.engine.dispose()


def test_nothing_left_starts(ctx, database_url):
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, CLERK_A)
    restart(ctx, config_from(hall_config_text()), database_url).store.engine.dispose()
