"""Every endpoint of CONTRACT.md through a real HTTP client against a running server."""
import re
from datetime import datetime

import pytest
import requests

from .conftest import API, assert_error

pytestmark = pytest.mark.xdist_group("web-rest")

TICKET_FIELDS = {"id", "hall", "number", "service", "priority", "status", "issued_at", "called_at", "started_at",
                 "finished_at", "counter", "recall_count", "ahead", "estimated_wait_s"}


def test_login_gives_a_token_and_the_user(hall):
    body = requests.post(f"{hall.url}{API}/auth/login",
                         json={"username": "mgr", "password": hall.server.passwords["mgr"]}, timeout=10).json()
    assert body["user"] == {"username": "mgr", "role": "manager", "halls": ["demo"]}
    halls = requests.get(f"{hall.url}{API}/halls", headers={"Authorization": f"Bearer {body['token']}"}, timeout=10)
    assert halls.status_code == 200
    wrong = requests.post(f"{hall.url}{API}/auth/login", json={"username": "mgr", "password": "not-it-at-all"},
                          timeout=10)
    assert_error(wrong, 401)
    unknown = requests.post(f"{hall.url}{API}/auth/login", json={"username": "ghost", "password": "whatever-1"},
                            timeout=10)
    assert_error(unknown, 401)


def test_the_first_admin_has_a_printed_random_password(hall):
    password = hall.server.first_admin_password
    assert password and len(password) >= 12
    assert hall["admin"].ok("GET", "/halls")["halls"]


@pytest.mark.parametrize("who, halls", [("admin", ["demo", "north"]), ("mgr", ["demo"]), ("mgr-north", ["north"]),
                                        ("kiosk", ["demo"]), ("display", ["demo"]), ("clerk-a", ["demo"])])
def test_halls_lists_only_the_callers_halls(hall, who, halls):
    listed = hall[who].ok("GET", "/halls")["halls"]
    assert [h["id"] for h in listed] == halls
    assert all(h["name"] == "国网示范县供电公司城区营业厅" for h in listed)


def test_hall_describes_services_counters_and_priorities(hall):
    body = hall["kiosk"].ok("GET", "/halls/demo")
    assert body["id"] == "demo" and body["timezone"] == "Asia/Shanghai"
    services = {s["code"]: s for s in body["services"]}
    assert services["fee"]["handling_limit_s"] == 300 and services["fee"]["prefix"] == "A"
    assert services["business"]["handling_limit_s"] == 900
    assert services["fee"]["name"] == {"zh": "居民收费", "en": "Residential fee payment"}
    assert [c["number"] for c in body["counters"]] == list(range(1, 8))
    assert body["counters"][0]["services"] == ["fee", "enquiry"]
    assert [p["code"] for p in body["priority_classes"]] == ["normal", "green", "appointment", "vip"]


def test_issue_returns_the_ticket_and_get_reads_it_back(hall):
    ticket = hall.issue("enquiry")
    assert set(ticket) >= TICKET_FIELDS
    assert re.fullmatch(r"C\d{3}", ticket["number"])
    assert (ticket["hall"], ticket["service"], ticket["priority"], ticket["status"]) == (
        "demo", "enquiry", "normal", "waiting")
    assert datetime.fromisoformat(ticket["issued_at"]).utcoffset() is not None
    assert ticket["called_at"] is None and ticket["counter"] is None and ticket["recall_count"] == 0
    read = hall["display"].ok("GET", f"/tickets/{ticket['id']}")
    assert {k: read[k] for k in TICKET_FIELDS - {"estimated_wait_s"}} == {
        k: ticket[k] for k in TICKET_FIELDS - {"estimated_wait_s"}}
    second = hall.issue("enquiry")
    assert int(second["number"][1:]) == int(ticket["number"][1:]) + 1
    assert second["ahead"] == read["ahead"] + 1


def test_a_retried_issue_returns_the_same_ticket(hall):
    first = hall.issue("business", client_request_id="kiosk-1/0001")
    seq = hall.last_seq()
    again = hall.issue("business", client_request_id="kiosk-1/0001")
    assert (again["id"], again["number"]) == (first["id"], first["number"])
    assert hall.last_seq() == seq, "a retry records nothing"
    other = hall.issue("business", client_request_id="kiosk-1/0002")
    assert other["id"] != first["id"]
    # the same id from another device is another request: its own ticket, its own service
    theirs = hall["mgr"].ok("POST", "/halls/demo/tickets", 201,
                            json={"service": "enquiry", "client_request_id": "kiosk-1/0001"})
    assert theirs["id"] != first["id"] and theirs["service"] == "enquiry"


def test_priority_is_kept_and_an_unknown_appointment_refused(hall):
    vip = hall.issue("business", priority="vip")
    assert vip["priority"] == "vip"
    last_seq = hall.last_seq()
    refused = hall["kiosk"].post("/halls/demo/tickets", json={"service": "business", "appointment": "YY-0042"})
    assert_error(refused, 422, "unknown_appointment")
    # the appointment class comes with a booked appointment's code only
    without_code = hall["kiosk"].post("/halls/demo/tickets", json={"service": "business", "priority": "appointment"})
    assert_error(without_code, 422, "appointment_code_needed")
    assert hall.last_seq() == last_seq


def test_estimated_wait_grows_with_the_people_ahead(hall):
    hall.counter_action("clerk-b", 7, "sign-in")
    first = hall.issue("enterprise")
    second = hall.issue("enterprise")
    assert second["ahead"] == first["ahead"] + 1
    assert second["estimated_wait_s"] > first["estimated_wait_s"] >= 0
    board = hall["mgr"].ok("GET", "/halls/demo/board")
    enterprise = next(s for s in board["services"] if s["code"] == "enterprise")
    assert enterprise["waiting"] >= 2 and enterprise["open_counters"] == 1
    assert enterprise["estimated_wait_s"] >= second["estimated_wait_s"]
    hall.counter_action("clerk-b", 7, "sign-out")


def test_a_customer_served_from_call_to_finish(hall):
    hall.open_counter(1, "clerk-a")
    ticket = hall.issue("fee")
    called = hall.counter_action("clerk-a", 1, "call-next")
    assert (called["id"], called["status"], called["counter"]) == (ticket["id"], "called", 1)
    assert called["called_at"] is not None

    counter = hall.counter_action("clerk-a", 1, "recall")
    assert counter["number"] == 1 and counter["clerk"] == "clerk-a" and counter["ticket"]["id"] == ticket["id"]
    assert hall["kiosk"].ok("GET", f"/tickets/{ticket['id']}")["recall_count"] == 1

    counter = hall.counter_action("clerk-a", 1, "start")
    assert counter["state"] == "serving" and counter["ticket"]["status"] == "serving"
    counter = hall.counter_action("clerk-a", 1, "finish", items=[{"service": "fee", "count": 2}])
    assert counter == {**counter, "state": "idle", "ticket": None}
    done = hall["kiosk"].ok("GET", f"/tickets/{ticket['id']}")
    assert done["status"] == "done" and done["finished_at"] is not None and done["started_at"] is not None
    assert hall.counter_action("clerk-a", 1, "call-next", status=204) == {}


def test_no_show_then_reinstate_puts_the_customer_back(hall):
    hall.open_counter(1, "clerk-a")
    ticket = hall.issue("fee")
    hall.counter_action("clerk-a", 1, "call-next")
    assert hall.counter_action("clerk-a", 1, "no-show")["ticket"] is None
    assert hall["kiosk"].ok("GET", f"/tickets/{ticket['id']}")["status"] == "no_show"
    back = hall["clerk-a"].ok("POST", f"/tickets/{ticket['id']}/reinstate", json={})
    assert back["status"] == "waiting"
    assert hall.counter_action("clerk-a", 1, "call-next")["id"] == ticket["id"]
    hall.counter_action("clerk-a", 1, "no-show")


def test_transfer_to_a_service_and_to_a_counter(hall):
    hall.open_counter(1, "clerk-a")
    hall.open_counter(5, "clerk-b")
    ticket = hall.issue("fee")
    hall.counter_action("clerk-a", 1, "call-next")
    hall.counter_action("clerk-a", 1, "start")
    counter = hall.counter_action("clerk-a", 1, "transfer", service="business")
    assert counter["state"] == "idle" and counter["ticket"] is None
    moved = hall["kiosk"].ok("GET", f"/tickets/{ticket['id']}")
    assert (moved["status"], moved["service"]) == ("waiting", "business")
    assert moved["issued_at"] == ticket["issued_at"], "a transfer keeps the customer's issue time"

    assert hall.counter_action("clerk-b", 5, "call-next")["id"] == ticket["id"]
    hall.counter_action("clerk-b", 5, "transfer", counter=1)
    assert hall.counter_action("clerk-b", 5, "call-next", status=204) == {}, "it waits for counter 1 alone"
    assert hall.counter_action("clerk-a", 1, "call-next")["id"] == ticket["id"]
    hall.counter_action("clerk-a", 1, "start")
    hall.counter_action("clerk-a", 1, "finish")
    hall.counter_action("clerk-b", 5, "sign-out")
    visits = hall["kiosk"].ok("GET", f"/tickets/{ticket['id']}")["visits"]
    assert [(v["counter"], v["clerk"], v["service"], v["outcome"]) for v in visits] == [
        (1, "clerk-a", "fee", "transferred"), (5, "clerk-b", "business", "transferred"),
        (1, "clerk-a", "business", "finished")]
    assert [v["limit_s"] for v in visits] == [300, 900, 900]
    assert visits[0]["compliant"] is True and visits[1]["handling_s"] is None  # never started at 5


def test_a_transfer_to_the_same_service_is_refused(hall):
    hall.open_counter(1, "clerk-a")
    hall.issue("fee")
    hall.counter_action("clerk-a", 1, "call-next")
    assert_error(hall["clerk-a"].post("/halls/demo/counters/1/transfer", json={"service": "fee"}), 422,
                 "invalid_transfer")
    assert hall.counter_action("clerk-a", 1, "no-show")["ticket"] is None


def test_a_clerk_cancels_the_ticket_at_their_counter_only(hall):
    hall.open_counter(1, "clerk-a")
    hall.open_counter(5, "clerk-b")
    ticket = hall.issue("fee")
    waiting = hall.issue("business")
    hall.counter_action("clerk-a", 1, "call-next")
    assert_error(hall["clerk-b"].post(f"/tickets/{ticket['id']}/cancel"), 403, "not_your_counter")
    assert_error(hall["clerk-a"].post(f"/tickets/{waiting['id']}/cancel"), 403, "not_your_counter")
    assert hall["clerk-a"].ok("POST", f"/tickets/{ticket['id']}/cancel", json={})["status"] == "cancelled"
    hall["mgr"].ok("POST", f"/tickets/{waiting['id']}/cancel", json={})
    hall.counter_action("clerk-b", 5, "sign-out")


def test_pause_resume_and_sign_out(hall):
    hall.counter_action("clerk-b", 6, "sign-in")
    paused = hall.counter_action("clerk-b", 6, "pause", reason="meal")
    assert (paused["state"], paused["clerk"]) == ("paused", "clerk-b")
    assert hall.counter_action("clerk-b", 6, "resume")["state"] == "idle"
    closed = hall.counter_action("clerk-b", 6, "sign-out")
    assert (closed["state"], closed["clerk"]) == ("closed", None)


def test_a_manager_cancels_a_waiting_ticket(hall):
    ticket = hall.issue("enquiry")
    cancelled = hall["mgr"].ok("POST", f"/tickets/{ticket['id']}/cancel", json={})
    assert cancelled["status"] == "cancelled"
    assert_error(hall["mgr"].post(f"/tickets/{ticket['id']}/cancel"), 409)


def test_the_evaluator_rates_a_visit_at_its_counter(hall):
    hall.open_counter(2, "clerk-b")
    ticket = hall.issue("enquiry")
    hall.counter_action("clerk-b", 2, "call-next")
    hall.counter_action("clerk-b", 2, "start")
    assert_error(hall["evaluator"].post(f"/tickets/{ticket['id']}/rating", json={"score": 4}), 409)
    hall.counter_action("clerk-b", 2, "finish")
    rated = hall["evaluator"].ok("POST", f"/tickets/{ticket['id']}/rating", json={"score": 4})
    assert rated["id"] == ticket["id"]
    assert_error(hall["evaluator"].post(f"/tickets/{ticket['id']}/rating", json={"score": 1}), 409)
    hall.counter_action("clerk-b", 2, "sign-out")


def test_board_shows_queues_and_counters(hall):
    hall.open_counter(3, "clerk-b")
    hall.issue("business")
    hall.counter_action("clerk-b", 3, "call-next")
    hall.counter_action("clerk-b", 3, "start")
    board = hall["mgr"].ok("GET", "/halls/demo/board")
    assert datetime.fromisoformat(board["at"]).utcoffset() is not None
    assert board["last_seq"] == hall.last_seq()
    assert {s["code"] for s in board["services"]} == {"fee", "business", "enquiry", "enterprise"}
    for service in board["services"]:
        assert set(service) >= {"code", "waiting", "longest_wait_s", "estimated_wait_s", "open_counters"}
    desk = next(c for c in board["counters"] if c["number"] == 3)
    assert (desk["state"], desk["clerk"]) == ("serving", "clerk-b")
    assert desk["limit_s"] == 900 and desk["elapsed_s"] >= 0
    assert board["alerts"] == []
    hall.counter_action("clerk-b", 3, "finish")
    hall.counter_action("clerk-b", 3, "sign-out")


def test_events_page_through_the_log_in_seq_order(hall):
    hall.issue("fee")
    last = hall.last_seq()
    everything = []
    after = 0
    while True:
        page = hall["display"].ok("GET", "/halls/demo/events", params={"after": after, "limit": 7})
        assert page["last_seq"] >= last
        if not page["events"]:
            break
        everything += page["events"]
        after = page["events"][-1]["seq"]
    assert [e["seq"] for e in everything][:last] == list(range(1, last + 1))
    issued = next(e for e in everything if e["type"] == "ticket.issued")
    assert set(issued) >= {"seq", "hall", "type", "at", "ticket", "counter", "data"}
    assert issued["hall"] == "demo" and issued["data"]["number"]


def test_the_openapi_document_is_served(hall):
    spec = requests.get(f"{hall.url}{API}/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.")
    for path in ["/api/v1/auth/login", "/api/v1/halls", "/api/v1/halls/{hall}/tickets", "/api/v1/tickets/{ticket_id}",
                 "/api/v1/halls/{hall}/counters/{number}/call-next", "/api/v1/halls/{hall}/board",
                 "/api/v1/halls/{hall}/events"]:
        assert path in spec["paths"], path


def test_an_unknown_token_is_refused(hall):
    assert_error(hall["nobody"].get("/halls", headers={"Authorization": "Bearer " + "x" * 43}), 401)
