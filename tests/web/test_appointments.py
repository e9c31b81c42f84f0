"""Appointments, the issue guards and the service switches over HTTP, on a real server.

The server runs on the wall clock, so its halls get timezones that make the test's hours
certain: in "demo" it is about noon (open, at the demo's own hours), in "north" about three
in the morning (closed).
"""
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall_server.config import WEEKDAYS, load_config

from ..running_hall import hall_config_text, zone_at
from .conftest import Client, Hall, assert_error, start_hall_server

pytestmark = pytest.mark.xdist_group("web-appointments")

SHANGHAI = 'timezone = "Asia/Shanghai"'
BOOKING_DEVICES = {"booking": "demo", "booking-north": "north"}
FIELDS = {"code", "hall", "service", "slot_start", "slot_end", "status", "qr", "check_in_from", "check_in_until",
          "ticket", "booked_at"}


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Hall:
    """The usual test server, restarted at the demo's opening hours with the zones above and
    with a booking device in each hall."""
    server = start_hall_server(tmp_path_factory.mktemp("appointments"))
    server.stop()
    text = hall_config_text(extra_hall="north", demo_hours=True)
    text = text.replace(SHANGHAI, f'timezone = "{zone_at(12)}"', 1).replace(SHANGHAI, f'timezone = "{zone_at(3)}"', 1)
    server.config_path.write_text(text, encoding="utf-8")
    for name, hall_id in BOOKING_DEVICES.items():
        server.add_device(name, hall_id, "booking")
    server.start()
    try:
        running = Hall(server)
        running.clients |= {name: Client(server.url, server.tokens[name]) for name in BOOKING_DEVICES}
        yield running
    finally:
        server.stop()


def local_now(hall: Hall, hall_id: str = "demo") -> datetime:
    return datetime.now(ZoneInfo(load_config(hall.server.config_path).by_id[hall_id].timezone))


def book(hall: Hall, minutes_ahead: float = 5, who: str = "booking", service: str = "fee", **extra) -> dict:
    slot = datetime.now(UTC) + timedelta(minutes=minutes_ahead)
    return hall[who].ok("POST", "/halls/demo/appointments", 201,
                        json={"service": service, "slot_start": slot.isoformat(), **extra})


def check_in(hall: Hall, code: str, service: str = "fee", **extra):
    return hall["kiosk"].post("/halls/demo/tickets", json={"service": service, "appointment": code, **extra})


# --- booking and reading --------------------------------------------------------------------------

def test_a_booking_answers_its_code_slot_window_and_qr(hall):
    body = book(hall, 60, name="张三", phone="+86 138-0000-0000")
    assert set(body) == FIELDS | {"name", "phone"}
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{6}", body["code"])
    start, end = datetime.fromisoformat(body["slot_start"]), datetime.fromisoformat(body["slot_end"])
    assert start.utcoffset() == local_now(hall).utcoffset(), "in the hall's own time"
    assert end - start == timedelta(minutes=30)
    assert datetime.fromisoformat(body["check_in_from"]) == start - timedelta(minutes=15)
    assert datetime.fromisoformat(body["check_in_until"]) == end
    assert (body["status"], body["qr"], body["ticket"], body["hall"], body["service"]) == (
        "booked", f"HALLAPPT:demo:{body['code']}", None, "demo", "fee")
    assert (body["name"], body["phone"]) == ("张三", "+86 138-0000-0000")
    assert hall["mgr"].ok("GET", f"/halls/demo/appointments/{body['code'].lower()}") == body


def test_a_kiosk_reads_an_appointment_without_name_and_phone(hall):
    body = book(hall, 60, name="李四", phone="13900000000")
    seen = hall["kiosk"].ok("GET", f"/halls/demo/appointments/{body['code']}")
    assert set(seen) == FIELDS
    assert seen == {k: v for k, v in body.items() if k in FIELDS}


def test_the_days_appointments_are_listed_by_slot(hall):
    later, sooner = book(hall, 120)["code"], book(hall, 90)["code"]
    day = local_now(hall).date().isoformat()
    listed = [a["code"] for a in hall["booking"].ok("GET", "/halls/demo/appointments", params={"date": day})[
        "appointments"]]
    assert listed.index(sooner) < listed.index(later)


@pytest.mark.parametrize(("what", "body", "code"), [
    ("past", {"minutes": -5}, "invalid_slot"),
    ("before opening", {"local": (1, 7, 0)}, "invalid_slot"),
    ("ending after closing", {"local": (1, 17, 15)}, "invalid_slot"),
    ("unknown service", {"service": "gas"}, "unknown_service"),
    ("no slot", {"slot_start": None}, "validation_error"),
    ("not a time", {"slot_start": "tomorrow at ten"}, "validation_error"),
    ("bad phone", {"phone": "call me"}, "validation_error"),
])
def test_a_slot_in_the_past_or_outside_the_hours_is_422(hall, what, body, code):
    now = datetime.now(UTC)
    slot = now + timedelta(minutes=body.get("minutes", 60))
    if "local" in body:
        days, hour, minute = body["local"]
        slot = (local_now(hall) + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    sent = {"service": body.get("service", "fee"), "slot_start": body.get("slot_start", slot.isoformat())}
    if "phone" in body:
        sent["phone"] = body["phone"]
    if sent["slot_start"] is None:
        del sent["slot_start"]
    assert_error(hall["mgr"].post("/halls/demo/appointments", json=sent), 422, code)


def test_an_unknown_code_is_404(hall):
    assert_error(hall["mgr"].get("/halls/demo/appointments/ABC234"), 404, "unknown_appointment")
    assert_error(hall["mgr"].get("/halls/demo/appointments/%00%27"), 404, "unknown_appointment")
    assert_error(hall["mgr"].request("DELETE", "/halls/demo/appointments/ABC234"), 404, "unknown_appointment")


# --- checking in at the kiosk ---------------------------------------------------------------------

def test_a_check_in_in_time_gets_an_appointment_ticket_once(hall):
    code = book(hall, 5)["code"]
    response = check_in(hall, code, client_request_id="check-in-1")
    assert response.status_code == 201, response.text
    ticket = response.json()
    assert (ticket["priority"], ticket["service"], ticket["status"]) == ("appointment", "fee", "waiting")
    retried = check_in(hall, code, client_request_id="check-in-1")  # the answer was lost: same ticket
    assert retried.status_code == 201 and retried.json()["id"] == ticket["id"]
    assert_error(check_in(hall, code), 409, "appointment_used")
    read = hall["booking"].ok("GET", f"/halls/demo/appointments/{code}")
    assert (read["status"], read["ticket"]) == ("checked_in", ticket["id"])
    assert_error(hall["booking"].request("DELETE", f"/halls/demo/appointments/{code}"), 409, "appointment_used")


def test_a_check_in_too_early_is_409_naming_the_window(hall):
    body = book(hall, 120)
    opens = datetime.fromisoformat(body["check_in_from"])
    error = assert_error(check_in(hall, body["code"]), 409, "outside_slot")
    assert f"{opens:%H:%M}" in error["message"] and "too early" in error["message"]
    assert hall["mgr"].ok("GET", f"/halls/demo/appointments/{body['code']}")["status"] == "booked"


def test_unknown_cancelled_and_other_service_appointments_are_refused(hall):
    assert_error(check_in(hall, "ABC234"), 422, "unknown_appointment")
    code = book(hall, 5)["code"]
    assert_error(check_in(hall, code, service="business"), 422, "appointment_other_service")
    for _ in range(2):  # cancelling again changes nothing
        assert hall["booking"].request("DELETE", f"/halls/demo/appointments/{code}").status_code == 204
    assert hall["kiosk"].ok("GET", f"/halls/demo/appointments/{code}")["status"] == "cancelled"
    assert_error(check_in(hall, code), 409, "appointment_cancelled")


# --- who may ------------------------------------------------------------------------------------

ACTORS = ["admin", "mgr", "booking", "kiosk", "display", "clerk-a", "mgr-north", "booking-north", "kiosk-north",
          "nobody"]
MATRIX = {
    "POST /halls/demo/appointments":                "201 201 201 403 403 403 403 403 403 401",
    "GET /halls/demo/appointments/{code}":          "200 200 200 200 403 403 403 403 403 401",
    "GET /halls/demo/appointments?date={today}":    "200 200 200 403 403 403 403 403 403 401",
    "DELETE /halls/demo/appointments/{code}":       "204 204 204 403 403 403 403 403 403 401",
    "POST /halls/demo/services/enterprise/switch":  "200 200 403 403 403 403 403 403 403 401",
}
CASES = [(endpoint, actor, int(status)) for endpoint, row in MATRIX.items()
         for actor, status in zip(ACTORS, row.split(), strict=True)]


@pytest.mark.parametrize(("endpoint", "who", "status"), CASES, ids=[f"{e} {w}" for e, w, _ in CASES])
def test_each_role_and_hall_may_only_what_it_should(hall, endpoint, who, status):
    method, path = endpoint.split()
    path = path.format(code=book(hall, 60)["code"], today=local_now(hall).date().isoformat())
    body = None
    if method == "POST":
        body = ({"issuing": True} if path.endswith("/switch")
                else {"service": "fee", "slot_start": (datetime.now(UTC) + timedelta(hours=1)).isoformat()})
    response = hall[who].request(method, path, json=body)
    assert response.status_code == status, response.text
    if status >= 400:
        assert_error(response, status)


# --- the hall's issuing state and the switches ----------------------------------------------------

def test_the_hall_says_whether_it_is_open_and_what_each_service_issues(hall):
    config = load_config(hall.server.config_path).by_id["demo"]
    body = hall["kiosk"].ok("GET", "/halls/demo")
    hours = config.opening_hours[WEEKDAYS[local_now(hall).weekday()]]
    assert body["open"] is True
    assert body["today"] == {"opens": f"{hours.opens:%H:%M}", "closes": f"{hours.closes:%H:%M}"}
    fee = next(s for s in body["services"] if s["code"] == "fee")
    assert fee["description"] == config.services_by_code["fee"].description.model_dump()
    assert fee["description"]["zh"] and fee["description"]["en"]
    assert (fee["issuing"], fee["stop_reason"], fee["daily_cap"], fee["switch"]) == (True, None, None, None)
    assert isinstance(fee["issued_today"], int)


def test_a_closed_hall_issues_nothing_and_says_so(hall):
    body = hall["kiosk-north"].ok("GET", "/halls/north")
    assert body["open"] is False
    assert {s["stop_reason"] for s in body["services"]} == {"hall_closed"}
    assert not any(s["issuing"] for s in body["services"])
    before = hall.last_seq("north")
    assert_error(hall["kiosk-north"].post("/halls/north/tickets", json={"service": "fee"}), 409, "hall_closed")
    assert hall.last_seq("north") == before


def test_a_manager_stops_and_resumes_a_service(hall):
    before = hall.last_seq()
    stopped = hall["mgr"].ok("POST", "/halls/demo/services/enquiry/switch", json={"issuing": False})
    try:
        assert (stopped["code"], stopped["issuing"], stopped["stop_reason"]) == ("enquiry", False, "service_stopped")
        assert (stopped["switch"]["issuing"], stopped["switch"]["changed_by"]) == (False, "mgr")
        event = hall["mgr"].ok("GET", "/halls/demo/events", params={"after": before})["events"][-1]
        assert (event["type"], event["actor"], event["data"]) == (
            "service.switched", "mgr", {"service": "enquiry", "issuing": False, "daily_cap": None})
        assert_error(hall["kiosk"].post("/halls/demo/tickets", json={"service": "enquiry"}), 409, "service_stopped")
        enquiry = next(s for s in hall["kiosk"].ok("GET", "/halls/demo")["services"] if s["code"] == "enquiry")
        assert (enquiry["issuing"], enquiry["stop_reason"]) == (False, "service_stopped")
        hall.issue("fee")  # the other services go on
    finally:
        resumed = hall["mgr"].ok("POST", "/halls/demo/services/enquiry/switch", json={"issuing": True})
    assert (resumed["issuing"], resumed["stop_reason"]) == (True, None)
    hall.issue("enquiry")


def test_a_daily_cap_stops_issuing_once_reached(hall):
    issued = hall.issue("business")
    state = hall["admin"].ok("GET", "/halls/demo")["services"][1]
    assert state["code"] == "business" and state["issued_today"] == int(issued["number"][1:])
    capped = hall["admin"].ok("POST", "/halls/demo/services/business/switch",
                              json={"issuing": True, "daily_cap": state["issued_today"]})
    try:
        assert (capped["issuing"], capped["stop_reason"], capped["daily_cap"]) == (
            False, "daily_cap_reached", state["issued_today"])
        assert_error(hall["kiosk"].post("/halls/demo/tickets", json={"service": "business"}), 409,
                     "daily_cap_reached")
        code = book(hall, 5, service="business")["code"]
        assert check_in(hall, code, service="business").status_code == 201, "a booked customer still checks in"
    finally:
        hall["admin"].ok("POST", "/halls/demo/services/business/switch", json={"issuing": True, "daily_cap": None})
    hall.issue("business")


@pytest.mark.parametrize("body", [{}, {"issuing": "no"}, {"issuing": True, "daily_cap": 0},
                                  {"issuing": True, "daily_cap": 1.5}])
def test_a_bad_switch_is_422(hall, body):
    assert_error(hall["mgr"].post("/halls/demo/services/fee/switch", json=body), 422)


def test_a_switch_of_an_unknown_service_is_404(hall):
    assert_error(hall["mgr"].post("/halls/demo/services/gas/switch", json={"issuing": False}), 404, "unknown_service")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "someday"])
def test_a_list_of_a_day_out_of_reach_is_422(hall, day):
    assert_error(hall["mgr"].get("/halls/demo/appointments", params={"date": day}), 422)
