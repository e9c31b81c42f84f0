"""Bad requests get the contract's error object with a 4xx, and change nothing."""
import pytest
import requests

from .conftest import API, assert_error

pytestmark = pytest.mark.xdist_group("web-errors")


@pytest.fixture
def unchanged(hall):
    """The hall's event log must not move during the test."""
    before = hall.last_seq()
    yield
    assert hall.last_seq() == before, "a refused request changed the hall"


@pytest.mark.parametrize("method, path, body, status, code", [
    ("POST", "/halls/nowhere/tickets", {"service": "fee"}, 404, "unknown_hall"),
    ("GET", "/halls/nowhere", None, 404, "unknown_hall"),
    ("GET", "/halls/nowhere/board", None, 404, "unknown_hall"),
    ("GET", "/halls/nowhere/events", None, 404, "unknown_hall"),
    ("POST", "/halls/demo/tickets", {"service": "lottery"}, 422, "unknown_service"),
    ("POST", "/halls/demo/tickets", {"service": "fee", "priority": "emperor"}, 422, "unknown_priority"),
    ("POST", "/halls/demo/counters/99/call-next", {}, 404, "unknown_counter"),
    ("POST", "/halls/demo/counters/99/sign-in", {}, 404, "unknown_counter"),
    ("POST", "/halls/demo/counters/4/finish", {}, 409, None),
    ("POST", "/halls/demo/counters/4/recall", {}, 409, None),
    ("POST", "/halls/demo/counters/4/resume", {}, 409, None),
    ("POST", "/halls/demo/counters/4/pause", {"reason": "nap"}, 422, None),
    ("POST", "/halls/demo/counters/4/transfer", {}, 422, None),
    ("POST", "/halls/demo/counters/4/transfer", {"service": "fee", "counter": 3}, 422, None),
    ("POST", "/halls/demo/counters/4/finish", {"items": [{"service": "fee", "count": 0}]}, 422, None),
    ("GET", "/tickets/999999", None, 404, "unknown_ticket"),
    ("GET", "/tickets/99999999999999999999", None, 404, None),
    ("POST", "/tickets/999999/cancel", {}, 404, "unknown_ticket"),
    ("GET", "/halls/demo/events?after=-1", None, 422, None),
    ("GET", "/halls/demo/events?limit=100000", None, 422, None),
    ("GET", "/halls/demo/events?after=abc", None, 422, None),
])
def test_unknown_things_and_refused_transitions(hall, unchanged, method, path, body, status, code):
    assert_error(hall["admin"].request(method, path, json=body), status, code)


def test_finish_with_nothing_serving_is_a_conflict(hall):
    hall.counter_action("clerk-a", 1, "sign-in")
    before = hall.last_seq()
    assert_error(hall["clerk-a"].post("/halls/demo/counters/1/finish"), 409, "no_ticket")
    assert_error(hall["clerk-a"].post("/halls/demo/counters/1/start"), 409, "no_ticket")
    assert hall.last_seq() == before


@pytest.mark.parametrize("body", ["{not json", '{"service": "fee"', "[1, 2]", '"fee"', "null"])
def test_malformed_json(hall, unchanged, body):
    response = hall["kiosk"].request("POST", "/halls/demo/tickets", data=body,
                                     headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code)


@pytest.mark.parametrize("body", [
    {}, {"service": 7}, {"service": ["fee"]}, {"service": None}, {"service": "fee", "priority": 3},
    {"service": "fee", "client_request_id": {"a": 1}}, {"service": "fee", "client_request_id": "x" * 500},
    {"service": "fee\x00"}, {"service": "fee", "extra": "field"},
])
def test_wrong_types_in_a_ticket_request(hall, unchanged, body):
    assert_error(hall["kiosk"].post("/halls/demo/tickets", json=body), 422)


@pytest.mark.parametrize("body", [{"items": "two"}, {"items": [{"service": "fee", "count": "2"}]},
                                  {"items": [{"count": 1}]}, {"items": [{"service": "nope", "count": 1}]}])
def test_wrong_items_when_finishing(hall, body):
    hall.open_counter(3, "clerk-b")
    hall.issue("fee")
    hall.counter_action("clerk-b", 3, "call-next")
    hall.counter_action("clerk-b", 3, "start")
    before = hall.last_seq()
    response = hall["clerk-b"].post("/halls/demo/counters/3/finish", json=body)
    assert_error(response, 422)
    assert hall.last_seq() == before
    hall.counter_action("clerk-b", 3, "finish")


def test_a_non_json_body_is_refused(hall, unchanged):
    response = hall["kiosk"].request("POST", "/halls/demo/tickets", data="service=fee",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(response, response.status_code)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic YWRtaW46YWRtaW4="},
                                     {"Authorization": "Bearer not-a-token"}])
def test_missing_or_wrong_credentials(hall, unchanged, headers):
    response = requests.post(f"{hall.url}{API}/halls/demo/tickets", json={"service": "fee"}, headers=headers,
                             timeout=10)
    assert_error(response, 401)


@pytest.mark.parametrize("who, method, path, body", [
    ("display", "POST", "/halls/demo/tickets", {"service": "fee"}),
    ("kiosk", "POST", "/halls/demo/counters/1/call-next", {}),
    ("clerk-a", "POST", "/halls/demo/counters/3/call-next", {}),
    ("evaluator", "POST", "/halls/demo/counters/2/call-next", {}),
])
def test_wrong_role(hall, who, method, path, body):
    hall.counter_action("clerk-a", 1, "sign-in")
    before = hall.last_seq()
    assert_error(hall[who].request(method, path, json=body), 403)
    assert hall.last_seq() == before


@pytest.mark.parametrize("who, method, path", [
    ("mgr-north", "GET", "/halls/demo/board"),
    ("mgr-north", "POST", "/halls/demo/counters/1/call-next"),
    ("kiosk-north", "POST", "/halls/demo/tickets"),
    ("mgr", "GET", "/halls/north"),
])
def test_wrong_hall(hall, unchanged, who, method, path):
    assert_error(hall[who].request(method, path, json={"service": "fee"}), 403)


def test_a_ticket_of_another_hall_is_not_found(hall):
    theirs = hall.issue("fee", hall="north")
    assert_error(hall["mgr"].get(f"/tickets/{theirs['id']}"), 404)
    assert_error(hall["mgr"].post(f"/tickets/{theirs['id']}/cancel"), 404)
    assert hall["kiosk-north"].ok("GET", f"/tickets/{theirs['id']}")["status"] == "waiting"


@pytest.mark.parametrize("method, path", [("GET", "/nothing-here"), ("DELETE", "/halls/demo"),
                                          ("GET", "/halls/demo/counters/1/call-next")])
def test_unknown_routes_and_methods_answer_json(hall, method, path):
    response = hall["admin"].request(method, path)
    assert_error(response, 404 if path == "/nothing-here" else 405)
