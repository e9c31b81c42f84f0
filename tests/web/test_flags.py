"""Flags the clerk sets on the customer at the counter (needs help, upset customer, callback)
and the note of a transfer: the API, who may set them, and the events they leave."""
import pytest

from .conftest import assert_error


def events_since(hall, after: int, kind: str) -> list[dict]:
    found = hall["admin"].ok("GET", "/halls/demo/events", params={"after": after, "limit": 500})["events"]
    return [e for e in found if e["type"] == kind]


@pytest.fixture
def served(hall):
    """A fee customer called at counter 1 by clerk-a (and sent away after the test)."""
    hall.open_counter(1, "clerk-a")
    ticket = hall.issue("fee")
    hall.counter_action("clerk-a", 1, "call-next")
    yield ticket
    board = hall["admin"].ok("GET", "/halls/demo/board")
    if next(c for c in board["counters"] if c["number"] == 1)["ticket"]:
        hall.counter_action("admin", 1, "no-show")
    hall.counter_action("clerk-a", 1, "sign-out")


def test_each_flag_is_an_event_with_the_ticket_and_its_details(hall, served):
    after = hall.last_seq()
    counter = hall.counter_action("clerk-a", 1, "flag", kind="needs_help", reason="行动不便")
    assert counter["ticket"]["id"] == served["id"], "the counter is as it was: flagging changes no state"
    hall.counter_action("clerk-a", 1, "flag", kind="upset_customer")
    hall.counter_action("clerk-a", 1, "flag", kind="callback", phone="13800138000", reason="发票需补开")
    flagged = events_since(hall, after, "ticket.flagged")
    assert [(e["ticket"], e["counter"], e["actor"]) for e in flagged] == [(served["id"], 1, "clerk-a")] * 3
    assert [e["data"] for e in flagged] == [
        {"number": served["number"], "kind": "needs_help", "reason": "行动不便"},
        {"number": served["number"], "kind": "upset_customer"},
        {"number": served["number"], "kind": "callback", "phone": "13800138000", "reason": "发票需补开"},
    ]


def test_a_callback_needs_a_phone_and_kinds_and_phones_are_checked(hall, served):
    after = hall.last_seq()
    path = "/halls/demo/counters/1/flag"
    assert_error(hall["clerk-a"].post(path, json={"kind": "callback"}), 422, "phone_needed")
    assert_error(hall["clerk-a"].post(path, json={"kind": "angry"}), 422)
    assert_error(hall["clerk-a"].post(path, json={"kind": "callback", "phone": "call me"}), 422)
    assert events_since(hall, after, "ticket.flagged") == []


def test_who_may_flag(hall, served):
    path = "/halls/demo/counters/1/flag"
    body = {"kind": "needs_help"}
    hall.open_counter(5, "clerk-b")
    assert_error(hall["clerk-b"].post(path, json=body), 403)
    assert_error(hall["kiosk"].post(path, json=body), 403)
    assert_error(hall["display"].post(path, json=body), 403)
    assert_error(hall["mgr-north"].post(path, json=body), 403)
    assert_error(hall["nobody"].post(path, json=body), 401)
    hall["mgr"].ok("POST", path, json=body)
    hall["admin"].ok("POST", path, json=body)
    hall.counter_action("clerk-b", 5, "sign-out")


def test_a_flag_needs_a_customer_at_the_counter(hall):
    hall.open_counter(2, "clerk-b")
    assert_error(hall["clerk-b"].post("/halls/demo/counters/2/flag", json={"kind": "needs_help"}), 409, "no_ticket")
    hall.counter_action("clerk-b", 2, "sign-out")


def test_a_transfer_keeps_its_note_in_the_event(hall, served):
    after = hall.last_seq()
    hall.counter_action("clerk-a", 1, "start")
    hall.counter_action("clerk-a", 1, "transfer", service="business", note="客户需办理过户")
    (moved,) = events_since(hall, after, "ticket.transferred")
    assert moved["ticket"] == served["id"]
    assert (moved["data"]["note"], moved["data"]["service"]) == ("客户需办理过户", "business")
    hall.open_counter(5, "clerk-b")  # sends the transferred customer away
    hall.counter_action("clerk-b", 5, "sign-out")
