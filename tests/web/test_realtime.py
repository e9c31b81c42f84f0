"""Socket.IO: a real python-socketio client receives every committed event, in seq order,
with its full payload; after a disconnect it catches up through /events?after=."""
import threading
import time

import pytest
import socketio

from ..display_client import BlockingDisplay as Display
from .conftest import assert_error

pytestmark = pytest.mark.xdist_group("web-realtime")


@pytest.fixture
def display(hall):
    client = Display(hall.url, hall.server.tokens["display"])
    yield client
    client.close()


def log_after(hall, after: int) -> list[dict]:
    return hall["display"].ok("GET", "/halls/demo/events", params={"after": after, "limit": 1000})["events"]


def test_connecting_needs_a_valid_token(hall):
    for token in (None, "not-a-token"):
        with pytest.raises(socketio.exceptions.ConnectionError):
            Display(hall.url, token)


@pytest.mark.parametrize("who, hall_id, code", [("display", "north", "wrong_hall"),
                                                ("mgr-north", "demo", "wrong_hall"),
                                                ("display", "nowhere", "unknown_hall")])
def test_subscribing_to_a_hall_not_yours_is_refused(hall, who, hall_id, code):
    token = hall.server.tokens.get(who) or hall[who].token
    client = Display(hall.url, token)
    try:
        ack = client.subscribe(hall_id)
        assert ack["error"]["code"] == code and ack["error"]["message"]
        hall.issue("fee", hall="demo")
        hall.issue("fee", hall="north")
        time.sleep(0.5)
        assert client.received.empty(), "a refused subscriber receives nothing"
    finally:
        client.close()


def test_every_event_arrives_in_seq_order_with_its_full_payload(hall, display):
    start = display.subscribe()["last_seq"]
    assert start == hall.last_seq()
    hall.open_counter(1, "clerk-a")
    ticket = hall.issue("fee")
    hall.counter_action("clerk-a", 1, "call-next")
    hall.counter_action("clerk-a", 1, "start")
    hall.counter_action("clerk-a", 1, "finish")
    expected = log_after(hall, start)
    received = display.take(len(expected))
    assert received == expected, "the pushed events are the log, in order"
    assert [e["seq"] for e in received] == list(range(start + 1, start + 1 + len(received)))
    called = next(e for e in received if e["type"] == "ticket.called" and e["ticket"] == ticket["id"])
    assert (called["ticket"], called["counter"], called["data"]["number"]) == (ticket["id"], 1, ticket["number"])


def test_a_refused_change_pushes_nothing(hall, display):
    display.subscribe()
    assert_error(hall["admin"].post("/halls/demo/counters/4/finish"), 409)
    assert_error(hall["kiosk"].post("/halls/demo/tickets", json={"service": "lottery"}), 422)
    time.sleep(0.5)
    assert display.received.empty()


def test_concurrent_writers_are_pushed_in_seq_order(hall, display):
    start = display.subscribe()["last_seq"]
    threads = [threading.Thread(target=lambda: [hall.issue("enquiry") for _ in range(5)]) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = display.take(30)
    assert [e["seq"] for e in received] == list(range(start + 1, start + 31))
    assert received == log_after(hall, start)[:30]


def test_a_reconnecting_display_catches_up_with_nothing_missed(hall, display):
    start = display.subscribe()["last_seq"]
    hall.issue("fee")
    seen = display.take(1)
    display.close()

    missed = [hall.issue("business")["id"] for _ in range(3)]  # while the display is away
    again = Display(hall.url, hall.server.tokens["display"])
    try:
        resumed_at = again.subscribe()["last_seq"]
        hall.issue("enquiry")
        live = again.take(1)
        caught_up = log_after(hall, seen[-1]["seq"])[: resumed_at - seen[-1]["seq"]]
        timeline = seen + caught_up + live
        assert [e["seq"] for e in timeline] == list(range(start + 1, start + 1 + len(timeline)))
        assert [e["ticket"] for e in caught_up if e["type"] == "ticket.issued"] == missed
    finally:
        again.close()
