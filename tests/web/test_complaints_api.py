"""The complaint register over HTTP against a running server (CONTRACT.md "Complaints"): who
may register, read and move a complaint, who sees the customer's contact, 409 for a step out
of order, 422 for bad input with nothing changed, the offers and the figures."""
import json
from datetime import date, datetime, timedelta

import pytest

from .conftest import Hall, assert_error

COMPLAINT = {"kind": "complaint", "category": "attitude", "channel": "counter", "description": "态度生硬",
             "contact": "138 0000 1234"}


def register(hall: Hall, who: str = "mgr", **body) -> dict:
    return hall[who].ok("POST", "/halls/demo/complaints", 201, json={**COMPLAINT, **body})


def all_complaints(hall: Hall, who: str = "mgr", **params) -> list[dict]:
    return hall[who].ok("GET", "/halls/demo/complaints", params=params)["complaints"]


@pytest.fixture
def served(hall: Hall):
    """A fee customer called at counter 5 by clerk-b (sent away after the test)."""
    hall.open_counter(5, "clerk-b")
    ticket = hall.issue("enquiry")
    hall.counter_action("clerk-b", 5, "call-next")
    yield ticket
    board = hall["admin"].ok("GET", "/halls/demo/board")
    if next(c for c in board["counters"] if c["number"] == 5)["ticket"]:
        hall.counter_action("admin", 5, "no-show")
    hall.counter_action("clerk-b", 5, "sign-out")


def test_a_clerk_registers_and_only_managers_see_the_contact(hall: Hall, served: dict) -> None:
    made = register(hall, "clerk-b", ticket=served["id"])
    assert made["status"] == "received" and made["contact"] is None  # not even to whom wrote it
    assert (made["ticket"], made["ticket_number"], made["clerk"]) == (served["id"], served["number"], "clerk-b")
    received = datetime.fromisoformat(made["received_at"])
    assert datetime.fromisoformat(made["due_at"]) - received == timedelta(days=5)
    assert made["received_by"] == "clerk-b" and made["source"] == "hand" and made["overdue"] is False
    assert made["history"] == [{"status": "received", "at": made["received_at"], "by": "clerk-b", "note": None}]

    assert hall["mgr"].ok("GET", f"/complaints/{made['id']}")["contact"] == "138 0000 1234"
    assert hall["admin"].ok("GET", f"/complaints/{made['id']}")["contact"] == "138 0000 1234"
    assert hall["clerk-a"].ok("GET", f"/complaints/{made['id']}")["contact"] is None
    mine = [c for c in all_complaints(hall, "clerk-a") if c["id"] == made["id"]]
    assert mine[0]["contact"] is None and mine[0]["description"] == "态度生硬"
    assert [c["contact"] for c in all_complaints(hall) if c["id"] == made["id"]] == ["138 0000 1234"]

    report = register(hall, kind="report", contact=None)
    assert datetime.fromisoformat(report["due_at"]) - datetime.fromisoformat(report["received_at"]) == timedelta(
        days=10)


def test_managers_move_it_on_in_order_and_the_log_keeps_every_step_without_the_contact(hall: Hall) -> None:
    after = hall.last_seq()
    made = register(hall)
    path = f"/complaints/{made['id']}"
    assert_error(hall["mgr"].post(f"{path}/answer", json={}), 409, "transition_not_allowed")
    assert_error(hall["clerk-a"].post(f"{path}/take", json={}), 403)
    assert_error(hall["mgr-north"].post(f"{path}/take", json={}), 404)
    assert_error(hall["mgr-north"].get(path), 404)
    taken = hall["mgr"].ok("POST", f"{path}/take")  # no body at all
    assert taken["status"] == "in_hand" and taken["taken_by"] == "mgr"
    assert_error(hall["mgr"].post(f"{path}/take", json={}), 409, "transition_not_allowed")
    assert_error(hall["mgr"].post(f"{path}/answer", json={"note": "x" * 501}), 422)
    answered = hall["mgr"].ok("POST", f"{path}/answer", json={"note": "已电话致歉"})
    assert answered["status"] == "answered" and answered["history"][-1]["note"] == "已电话致歉"
    done = hall["admin"].ok("POST", f"{path}/follow-up", json={"note": None})
    assert done["status"] == "followed_up" and done["followed_up_by"] == "admin"
    assert [h["status"] for h in done["history"]] == ["received", "in_hand", "answered", "followed_up"]
    assert_error(hall["mgr"].post(f"{path}/follow-up", json={}), 409)

    events = hall["mgr"].ok("GET", "/halls/demo/events", params={"after": after})["events"]
    mine = [e for e in events if e["type"].startswith("complaint.") and e["data"]["complaint"] == made["id"]]
    assert [(e["type"], e["data"]["status"], e["data"]["by"]) for e in mine] == [
        ("complaint.received", "received", "mgr"), ("complaint.moved", "in_hand", "mgr"),
        ("complaint.moved", "answered", "mgr"), ("complaint.moved", "followed_up", "admin")]
    logged = json.dumps(mine, ensure_ascii=False)
    assert "138 0000 1234" not in logged and "态度生硬" not in logged and "已电话致歉" not in logged


@pytest.mark.parametrize(("change", "code"), [
    ({"category": "weather"}, None), ({"kind": "praise"}, None), ({"channel": "fax"}, None),
    ({"description": ""}, None), ({"description": "   "}, "invalid_description"), ({"description": "x" * 2001}, None),
    ({"contact": "1" * 129}, None), ({"ticket_number": "Z999"}, "unknown_ticket"), ({"ticket": "A001"}, None),
    ({"ticket_day": "yesterday"}, None), ({"source_seq": 1}, "not_an_offer"),
])
def test_bad_input_is_422_and_registers_nothing(hall: Hall, change: dict, code: str | None) -> None:
    before = len(all_complaints(hall))
    assert_error(hall["mgr"].post("/halls/demo/complaints", json={**COMPLAINT, **change}), 422, code)
    assert len(all_complaints(hall)) == before


def test_who_may_register_and_read(hall: Hall) -> None:
    north_ticket = hall.issue("fee", hall="north")
    assert_error(hall["mgr"].post("/halls/demo/complaints", json={**COMPLAINT, "ticket": north_ticket["id"]}), 404)
    for device in ("kiosk", "display", "evaluator"):
        assert_error(hall[device].post("/halls/demo/complaints", json=COMPLAINT), 403)
        assert_error(hall[device].get("/halls/demo/complaints"), 403)
    assert_error(hall["nobody"].get("/halls/demo/complaints"), 401)
    assert_error(hall["mgr-north"].post("/halls/demo/complaints", json=COMPLAINT), 403)
    assert_error(hall["mgr-north"].get("/halls/demo/complaints"), 403)
    assert_error(hall["clerk-a"].get("/halls/demo/complaints/offers"), 403)
    assert_error(hall["clerk-a"].get("/halls/demo/complaints/figures", params={"from": "2026-01-01",
                                                                                "to": "2026-01-31"}), 403)
    assert_error(hall["mgr"].get("/complaints/999999"), 404)


def test_an_upset_customer_is_offered_and_registered_once(hall: Hall, served: dict) -> None:
    hall.counter_action("clerk-b", 5, "flag", kind="upset_customer", reason="嫌等太久")
    offers = hall["mgr"].ok("GET", "/halls/demo/complaints/offers")["offers"]
    offer = next(o for o in offers if o["ticket"] == served["id"])
    assert (offer["source"], offer["clerk"], offer["counter"], offer["ticket_number"], offer["reason"]) == (
        "flag", "clerk-b", 5, served["number"], "嫌等太久")
    made = register(hall, source_seq=offer["source_seq"], category="waiting", contact=None)
    assert (made["source"], made["source_seq"], made["ticket"], made["clerk"]) == (
        "flag", offer["source_seq"], served["id"], "clerk-b")
    assert offer["source_seq"] not in [o["source_seq"] for o in hall["mgr"].ok(
        "GET", "/halls/demo/complaints/offers")["offers"]]
    before = len(all_complaints(hall))
    assert_error(hall["mgr"].post("/halls/demo/complaints", json={**COMPLAINT, "source_seq": offer["source_seq"]}),
                 409, "already_registered")
    assert len(all_complaints(hall)) == before


def test_the_list_filters_and_the_figures(hall: Hall) -> None:
    made = register(hall, category="billing", channel="letter")
    today = datetime.fromisoformat(made["received_at"]).date()  # ±1 day covers the hall's timezone
    open_ids = [c["id"] for c in all_complaints(hall, state="open")]
    assert made["id"] in open_ids
    hall["mgr"].ok("POST", f"/complaints/{made['id']}/take")
    hall["mgr"].ok("POST", f"/complaints/{made['id']}/answer")
    assert made["id"] not in [c["id"] for c in all_complaints(hall, state="open")]
    assert made["id"] in [c["id"] for c in all_complaints(hall, status="answered")]
    assert all(c["status"] == "answered" for c in all_complaints(hall, status="answered"))
    assert all_complaints(hall, **{"from": "2001-01-01", "to": "2001-01-02"}) == []
    assert_error(hall["mgr"].get("/halls/demo/complaints", params={"status": "lost"}), 422)
    assert_error(hall["mgr"].get("/halls/demo/complaints", params={"from": "2026-02-02", "to": "2026-02-01"}), 422)

    span = {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    found = hall["mgr"].ok("GET", "/halls/demo/complaints/figures", params=span)
    listed = all_complaints(hall, **span)
    assert found["received"] == len(listed) and found["from"] == span["from"] and found["to"] == span["to"]
    assert found["answered"] == sum(c["status"] == "answered" for c in listed) >= 1
    assert found["by_channel"]["letter"] >= 1 and found["follow_up_target"] == 0.9
    answered, followed = found["answered"], found["followed_up"]
    assert found["follow_up_rate"] == pytest.approx(followed / (answered + followed))
    assert_error(hall["mgr"].get("/halls/demo/complaints/figures", params={"from": "2026-01-01"}), 422)
    assert_error(hall["mgr"].get("/halls/demo/complaints/figures", params={"from": "x", "to": str(date.today())}),
                 422)
