"""Bad requests get a clear error and leave the database exactly as it was."""
import pytest

from hall_server.domain.actors import Actor, Role
from hall_server.domain.errors import Conflict, Forbidden, Invalid, NotFound, TransitionNotAllowed
from hall_server.services import counters, tickets

from ..conftest import KIOSK, MANAGER, clerk
from .helpers import snapshot

WANG = clerk("wang")


@pytest.fixture
def busy_hall(ctx):
    """Counter 1 has a ticket called; counter 2 is idle; one ticket waits."""
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, WANG)
    counters.sign_in(ctx, "demo", 2, clerk("zhao"))
    tickets.call_next(ctx, "demo", 1, WANG)
    return ctx


CASES = [
    ("unknown hall", NotFound, "unknown_hall", lambda c: tickets.issue_ticket(c, "nowhere", "fee", KIOSK)),
    ("unknown service", Invalid, "unknown_service", lambda c: tickets.issue_ticket(c, "demo", "gas", KIOSK)),
    ("unknown priority", Invalid, "unknown_priority",
     lambda c: tickets.issue_ticket(c, "demo", "fee", KIOSK, priority="royal")),
    ("unknown counter", NotFound, "unknown_counter", lambda c: tickets.call_next(c, "demo", 99, MANAGER)),
    ("another clerk's counter", Forbidden, "not_your_counter", lambda c: tickets.call_next(c, "demo", 2, WANG)),
    ("another hall", Forbidden, "wrong_hall",
     lambda c: tickets.issue_ticket(c, "demo", "fee", Actor("k", Role.KIOSK, frozenset({"north"})))),
    ("finish with nothing serving", Conflict, "no_ticket", lambda c: tickets.finish(c, "demo", 2, MANAGER)),
    ("finish before start", TransitionNotAllowed, "transition_not_allowed",
     lambda c: tickets.finish(c, "demo", 1, WANG)),
    ("call while a ticket is called", Conflict, "ticket_in_progress",
     lambda c: tickets.call_next(c, "demo", 1, WANG)),
    ("call at a closed counter", Conflict, "counter_not_ready", lambda c: tickets.call_next(c, "demo", 5, MANAGER)),
    ("sign out with a ticket", Conflict, "ticket_in_progress", lambda c: counters.sign_out(c, "demo", 1, WANG)),
    ("sign in where someone is", Conflict, "counter_occupied",
     lambda c: counters.sign_in(c, "demo", 2, clerk("qian"))),
    ("sign in twice elsewhere", Conflict, "clerk_elsewhere", lambda c: counters.sign_in(c, "demo", 3, WANG)),
    ("pause for no reason", Invalid, "invalid_reason", lambda c: counters.pause(c, "demo", 2, MANAGER, "nap")),
    ("transfer to an unknown service", Invalid, "unknown_service",
     lambda c: tickets.transfer(c, "demo", 1, WANG, service="gas")),
    ("transfer to its own counter", Invalid, "invalid_transfer",
     lambda c: tickets.transfer(c, "demo", 1, WANG, to_counter=1)),
    ("finish an unknown item", Invalid, "unknown_service",
     lambda c: tickets.finish(c, "demo", 1, WANG, [{"service": "x"}]),
     lambda c: tickets.start(c, "demo", 1, WANG)),
    ("cancel a cancelled ticket", TransitionNotAllowed, "transition_not_allowed",
     lambda c: tickets.cancel(c, "demo", 2, MANAGER), lambda c: tickets.cancel(c, "demo", 2, MANAGER)),
    ("reinstate a waiting ticket", TransitionNotAllowed, "transition_not_allowed",
     lambda c: tickets.reinstate(c, "demo", 2, MANAGER)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_refused_action_changes_nothing(busy_hall, case):
    _what, error, code, act, *setup = case
    for step in setup:
        step(busy_hall)
    before = snapshot(busy_hall)
    with pytest.raises(error) as raised:
        act(busy_hall)
    assert raised.value.code == code
    assert raised.value.message
    assert snapshot(busy_hall) == before
