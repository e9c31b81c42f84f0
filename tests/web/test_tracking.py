"""The customer's ticket behind its tracking link (CONTRACT.md "The customer's ticket page"):
no credentials, nothing about other customers, a live hint over Socket.IO, and its QR code."""
import queue
from io import BytesIO

import pytest
import qrcode
import requests
import socketio
from qrcode.image.svg import SvgPathImage

from .conftest import API, assert_error

pytestmark = pytest.mark.xdist_group("web-tracking")
TRACK_FIELDS = {"hall", "hall_name", "number", "service", "service_name", "status", "ahead",
                "estimated_wait_s", "counter", "counter_name", "issued_at", "called_at", "recall_count"}


def track(hall, ticket: dict) -> requests.Response:
    token = ticket["tracking_url"].removeprefix("/t/")
    return requests.get(f"{hall.url}{API}/track/{token}", timeout=10)


def give_up(hall, ticket: dict) -> requests.Response:
    token = ticket["tracking_url"].removeprefix("/t/")
    return requests.post(f"{hall.url}{API}/track/{token}/cancel", timeout=10)


def test_a_ticket_carries_its_link_and_the_link_shows_only_that_ticket(hall):
    hall.open_counter(6, "clerk-a")  # an empty queue for business at counter 6
    first = hall.issue("business")
    mine = hall.issue("business")
    assert mine["tracking_url"].startswith("/t/") and mine["tracking_url"] != first["tracking_url"]
    assert hall["kiosk"].ok("GET", f"/tickets/{mine['id']}")["tracking_url"] == mine["tracking_url"]
    seen = track(hall, mine).json()
    assert set(seen) == TRACK_FIELDS
    assert seen["number"] == mine["number"] and seen["status"] == "waiting"
    assert seen["ahead"] == mine["ahead"] and seen["ahead"] >= 1
    assert seen["service_name"] == {"zh": "用电业务", "en": "Electricity business"}
    assert seen["counter"] is None and seen["counter_name"] is None
    assert first["number"] not in str(seen)


def test_the_link_follows_the_call(hall):
    hall.open_counter(6, "clerk-a")
    ticket = hall.issue("business")
    called = hall.counter_action("clerk-a", 6, "call-next")
    assert called["id"] == ticket["id"]
    seen = track(hall, ticket).json()
    assert seen["status"] == "called" and seen["counter"] == 6
    assert seen["counter_name"] == {"zh": "6号窗口", "en": "Window 6"}
    assert seen["ahead"] is None
    assert_error(give_up(hall, ticket), 409, "not_waiting")
    hall.counter_action("clerk-a", 6, "no-show")


def test_a_forged_link_finds_nothing(hall):
    ticket = hall.issue("fee")
    token = ticket["tracking_url"].removeprefix("/t/")
    ticket_id, _, signature = token.partition("-")
    for bad in [f"{int(ticket_id) + 1}-{signature}", f"{ticket_id}-{signature[::-1]}", "1", "nothing"]:
        assert_error(requests.get(f"{hall.url}{API}/track/{bad}", timeout=10), 404, "unknown_ticket")
        assert_error(requests.post(f"{hall.url}{API}/track/{bad}/cancel", timeout=10), 404, "unknown_ticket")
    assert track(hall, ticket).json()["status"] == "waiting"


def test_the_customer_gives_up_once(hall):
    ticket = hall.issue("enquiry")
    assert give_up(hall, ticket).status_code == 204
    assert track(hall, ticket).json()["status"] == "cancelled"
    assert hall["admin"].ok("GET", f"/tickets/{ticket['id']}")["status"] == "cancelled"
    assert_error(give_up(hall, ticket), 409, "not_waiting")


def test_the_qr_code_holds_the_full_address_of_the_page(hall):
    ticket = hall.issue("fee")
    response = requests.get(f"{hall.url}{ticket['tracking_url']}/qr.svg", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("image/svg+xml")
    expected = BytesIO()
    qrcode.make(f"{hall.url}{ticket['tracking_url']}", image_factory=SvgPathImage, border=2).save(expected)
    assert response.content == expected.getvalue()
    assert requests.get(f"{hall.url}/t/1-forged/qr.svg", timeout=10).status_code == 404


def test_a_phone_hears_that_its_hall_changed_and_nothing_more(hall):
    ticket = hall.issue("fee")
    pings: queue.Queue = queue.Queue()
    phone = socketio.Client(reconnection=False)
    phone.on("hall_ping", pings.put)
    events: list = []
    phone.on("hall_event", events.append)
    phone.connect(hall.url, auth={"track": ticket["tracking_url"].removeprefix("/t/")}, transports=["websocket"],
                  wait_timeout=10)
    try:
        assert "error" in phone.call("subscribe", {"hall": "demo"}, timeout=10)
        other = hall.issue("fee")
        ping = pings.get(timeout=10)
        assert set(ping) == {"seq"} and ping["seq"] >= 1
        assert other["number"] not in str(ping) and events == []
    finally:
        phone.disconnect()
    forged = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        forged.connect(hall.url, auth={"track": "1-forged"}, transports=["websocket"], wait_timeout=10)
