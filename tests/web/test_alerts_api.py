"""The alerts over HTTP against a running server whose rules run on events and on a timer:
raised within seconds of the event that makes them true, resolved by themselves when it
clears, acknowledged, annotated and resolved by a manager; roles and halls per the contract."""
import json
import time
from collections.abc import Callable, Iterator

import pytest

from hall_server.domain.clock import SystemClock

from .conftest import Hall, assert_error, start_hall_server
from .test_webhook import SECRET, SECRET_ENV, Receiver

#: the rules run on every event and every second on a timer
ALERTS = "evaluate_every_s = 1"
WAIT_S = 30


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    server = start_hall_server(tmp_path_factory.mktemp("alerts"), alerts=ALERTS)
    try:
        yield Hall(server)
    finally:
        server.stop()


def wait_for(find: Callable[[], dict | None], what: str) -> dict:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found = find()
        if found is not None:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {WAIT_S} s")


def alert_of(hall: Hall, rule: str, subject: str, state: str = "open") -> dict | None:
    alerts = hall["mgr"].ok("GET", "/halls/demo/alerts", params={"state": state})["alerts"]
    return next((a for a in alerts if a["rule"] == rule and a["subject"] == subject), None)


def test_no_open_counter_is_raised_and_resolves_by_itself(hall: Hall) -> None:
    hall.issue("enterprise")
    alert = wait_for(lambda: alert_of(hall, "no_open_counter", "service:enterprise"), "no_open_counter alert")
    assert alert["severity"] == "critical" and alert["resolved_at"] is None
    assert alert["message"]["zh"] and alert["message"]["en"] and alert["message"]["zh"] != alert["message"]["en"]
    assert alert["data"]["waiting"] >= 1
    raised = [e for e in hall["mgr"].ok("GET", "/halls/demo/events", params={"after": 0})["events"]
              if e["type"] == "alert.raised" and e["data"]["id"] == alert["id"]]
    assert len(raised) == 1  # in the hall's log, once

    hall.counter_action("clerk-a", 7, "sign-in")
    try:
        resolved = wait_for(lambda: next((a for a in hall["mgr"].ok("GET", "/halls/demo/alerts",
                                                                      params={"state": "all"})["alerts"]
                                          if a["id"] == alert["id"] and a["resolved_at"]), None), "resolution")
        assert resolved["resolved_by"] is None  # by itself
        assert alert_of(hall, "no_open_counter", "service:enterprise") is None
    finally:
        hall.counter_action("admin", 7, "call-next", status=None)
        hall.counter_action("admin", 7, "no-show")
        hall.counter_action("clerk-a", 7, "sign-out")


def test_a_manager_acknowledges_annotates_and_resolves(hall: Hall) -> None:
    hall.issue("business")
    alert = wait_for(lambda: alert_of(hall, "no_open_counter", "service:business"), "no_open_counter alert")
    url = f"/alerts/{alert['id']}"

    acked = hall["mgr"].ok("POST", f"{url}/acknowledge")
    assert acked["acknowledged_by"] == "mgr" and acked["acknowledged_at"]
    assert hall["mgr"].ok("POST", f"{url}/acknowledge")["acknowledged_at"] == acked["acknowledged_at"]
    noted = hall["mgr"].ok("POST", f"{url}/notes", json={"text": "王班长去4号窗口"})
    assert [(n["by"], n["text"]) for n in noted["notes"]] == [("mgr", "王班长去4号窗口")]
    assert_error(hall["mgr"].post(f"{url}/notes", json={"text": "   "}), 422)

    board = hall["mgr"].ok("GET", "/halls/demo/board")
    assert alert["id"] in [a["id"] for a in board["alerts"]]
    assert hall["display"].ok("GET", "/halls/demo/board")["alerts"] == []

    resolved = hall["mgr"].ok("POST", f"{url}/resolve")
    assert resolved["resolved_by"] == "mgr" and resolved["resolved_at"]
    assert_error(hall["mgr"].post(f"{url}/resolve"), 409, "alert_resolved")
    # its condition still holds, but the manager dealt with it: not raised again
    time.sleep(2.5)
    assert alert_of(hall, "no_open_counter", "service:business") is None
    kinds = [e["data"].get("change") for e in hall["mgr"].ok("GET", "/halls/demo/events", params={"after": 0})["events"]
             if e["type"].startswith("alert.") and e["data"]["id"] == alert["id"]]
    assert kinds == ["raised", "acknowledged", "note", "resolved"]


def test_roles_and_halls(hall: Hall) -> None:
    hall.issue("enquiry")
    alert = wait_for(lambda: alert_of(hall, "no_open_counter", "service:enquiry"), "no_open_counter alert")
    url = f"/alerts/{alert['id']}"
    for who in ("clerk-a", "kiosk", "display", "evaluator"):
        assert_error(hall[who].get("/halls/demo/alerts"), 403)
        for action in ("acknowledge", "resolve"):
            assert_error(hall[who].post(f"{url}/{action}"), 403)
        assert_error(hall[who].post(f"{url}/notes", json={"text": "x"}), 403)
    assert_error(hall["nobody"].get("/halls/demo/alerts"), 401)
    assert_error(hall["mgr-north"].get("/halls/demo/alerts"), 403)
    for action in ("acknowledge", "resolve"):
        assert_error(hall["mgr-north"].post(f"{url}/{action}"), 404, "unknown_alert")
    assert_error(hall["mgr"].post("/alerts/999999/acknowledge"), 404, "unknown_alert")
    assert hall["admin"].ok("GET", "/halls/demo/alerts")["alerts"]
    assert alert_of(hall, "no_open_counter", "service:enquiry")["acknowledged_at"] is None  # nothing changed
    assert_error(hall["mgr"].get("/halls/demo/alerts", params={"state": "some"}), 422)


def test_a_kiosk_silent_during_opening_hours_is_a_device_fault(hall: Hall) -> None:
    """The test server's kiosk device never connects: it is offline (the hall is open all day)."""
    alert = wait_for(lambda: alert_of(hall, "device_fault", "device:kiosk"), "device_fault alert")
    assert alert["severity"] == "critical"
    assert alert_of(hall, "device_fault", "device:printer-1") is None  # its worker reports it well


@pytest.fixture(scope="module")
def hooked(tmp_path_factory) -> Iterator[tuple[Hall, Receiver]]:
    """A server whose halls forward their alerts to a receiver that checks each signature."""
    receiver = Receiver(SystemClock())
    settings = f'{ALERTS}, webhook = {{ url = "{receiver.url}", secret_env = "{SECRET_ENV}" }}'
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_ENV, SECRET)  # the server process inherits it
        server = start_hall_server(tmp_path_factory.mktemp("hooked"), alerts=settings)
    try:
        yield Hall(server), receiver
    finally:
        server.stop()
        receiver.stop()


def test_alerts_reach_the_webhook_signed(hooked: tuple[Hall, Receiver]) -> None:
    hall, receiver = hooked
    hall.issue("enterprise")
    alert = wait_for(lambda: alert_of(hall, "no_open_counter", "service:enterprise"), "no_open_counter alert")

    def forwarded() -> dict | None:
        for got in list(receiver.got):
            payload = json.loads(got.body)
            if payload["alert"]["id"] == alert["id"]:
                assert got.signed and got.content_type == "application/json"
                return payload
        return None

    payload = wait_for(forwarded, "webhook delivery")
    assert payload["event"] == "alert.raised" and payload["hall"] == "demo"
    assert alert["message"]["zh"] in payload["text"] and alert["message"]["en"] in payload["text"]
