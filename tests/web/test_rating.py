"""Rating a visit (CONTRACT.md "Authentication", the evaluator): one of the hall's configured
levels, a reason for a low one, once, by the evaluator of the counter that served it (or a
manager); the `rating.given` event says the level and whether it is low, and reaches a
subscriber (the manager's board) as soon as it is recorded."""
from pathlib import Path

import pytest

from hall_server.config import ConfigError, load_config

from ..display_client import BlockingDisplay
from ..running_hall import hall_config_text
from .conftest import assert_error

pytestmark = pytest.mark.xdist_group("web-rating")

LEVELS = [("very_satisfied", 4, "非常满意", "Very satisfied", False), ("satisfied", 3, "满意", "Satisfied", False),
          ("fairly_satisfied", 2, "基本满意", "Fairly satisfied", False),
          ("dissatisfied", 1, "不满意", "Dissatisfied", True)]


def finished(hall, counter: int = 2, clerk: str = "clerk-b", service: str = "enquiry") -> dict:
    """A visit just finished at `counter` (the evaluator's is 2); the clerk signs out after."""
    hall.open_counter(counter, clerk)
    ticket = hall.issue(service)
    assert hall.counter_action(clerk, counter, "call-next")["id"] == ticket["id"]
    hall.counter_action(clerk, counter, "start")
    hall.counter_action(clerk, counter, "finish")
    hall.counter_action(clerk, counter, "sign-out")
    return ticket


def ratings_of(hall, ticket: dict, after: int) -> list[dict]:
    events = hall["mgr"].ok("GET", "/halls/demo/events", params={"after": after})["events"]
    return [e for e in events if e["type"] == "rating.given" and e["ticket"] == ticket["id"]]


def rate(hall, who: str, ticket: dict, **body):
    return hall[who].post(f"/tickets/{ticket['id']}/rating", json=body)


def test_the_hall_tells_the_evaluator_its_levels_reasons_and_timeout(hall):
    info = hall["evaluator"].ok("GET", "/halls/demo")
    assert [(v["code"], v["score"], v["name"]["zh"], v["name"]["en"], v["low"])
            for v in info["rating_levels"]] == LEVELS
    assert [(r["code"], r["name"]["zh"]) for r in info["rating_reasons"]] == [
        ("long_wait", "等候时间长"), ("attitude", "服务态度"), ("slow", "办理效率"), ("unfamiliar", "业务不熟"),
        ("other", "其他")]
    assert info["rating_reasons"][0]["name"]["en"] == "Long wait"
    assert info["rating_timeout_s"] == 30


def test_a_low_rating_with_its_reason_reaches_a_subscriber_at_once(hall):
    ticket = finished(hall)
    board = BlockingDisplay(hall.url, hall.server.login("mgr"))
    try:
        after = board.subscribe()["last_seq"]
        rated = hall["evaluator"].ok("POST", f"/tickets/{ticket['id']}/rating",
                                     json={"score": 1, "reason": "long_wait"})
        assert (rated["id"], rated["status"]) == (ticket["id"], "done")
        [event] = board.take(1)
    finally:
        board.close()
    assert event["seq"] == after + 1 and event["type"] == "rating.given" and event["ticket"] == ticket["id"]
    assert event["data"] == {"number": ticket["number"], "score": 1, "level": "dissatisfied", "low": True,
                             "reason": "long_wait", "served_at": 2, "clerk": "clerk-b"}
    assert ratings_of(hall, ticket, after) == [event]
    assert_error(rate(hall, "evaluator", ticket, score=4), 409, "already_rated")


@pytest.mark.parametrize("score", [4, 3, 2])
def test_a_rating_that_is_not_low_keeps_its_level_and_no_reason(hall, score):
    ticket = finished(hall)
    after = hall.last_seq()
    hall["evaluator"].ok("POST", f"/tickets/{ticket['id']}/rating", json={"score": score})
    [event] = ratings_of(hall, ticket, after)
    code = next(level[0] for level in LEVELS if level[1] == score)
    assert {k: event["data"][k] for k in ("score", "level", "low", "reason")} == \
        {"score": score, "level": code, "low": False, "reason": None}


def test_a_low_rating_without_a_reason_is_kept(hall):
    ticket = finished(hall)
    after = hall.last_seq()
    hall["evaluator"].ok("POST", f"/tickets/{ticket['id']}/rating", json={"score": 1, "reason": None})
    [event] = ratings_of(hall, ticket, after)
    assert (event["data"]["low"], event["data"]["reason"]) == (True, None)


@pytest.mark.parametrize("body, code", [
    ({"score": 5}, "invalid_score"),
    ({"score": 0}, "invalid_score"),
    ({"score": -1}, "invalid_score"),
    ({"score": "4"}, "validation_error"),
    ({}, "validation_error"),
    ({"score": 4, "reason": "long_wait"}, "invalid_reason"),       # a reason only for a low rating
    ({"score": 1, "reason": "too_cold"}, "invalid_reason"),        # not one of the hall's reasons
    ({"score": 1, "reason": ""}, "validation_error"),
])
def test_a_rating_outside_the_halls_levels_and_reasons_is_refused(hall, body, code):
    ticket = finished(hall)
    after = hall.last_seq()
    error = assert_error(rate(hall, "evaluator", ticket, **body), 422)
    if code != "validation_error":
        assert error["code"] == code
    assert ratings_of(hall, ticket, after) == []
    hall["evaluator"].ok("POST", f"/tickets/{ticket['id']}/rating", json={"score": 3})  # still ratable


def test_who_may_rate_which_visit(hall):
    at_2, at_3 = finished(hall), finished(hall, counter=3, service="business")
    assert_error(rate(hall, "evaluator", at_3, score=4), 403, "other_counter")
    for who in ("clerk-b", "display", "kiosk"):
        assert_error(rate(hall, who, at_2, score=4), 403, "forbidden")
    assert_error(rate(hall, "mgr-north", at_2, score=4), 404)
    assert_error(rate(hall, "nobody", at_2, score=4), 401)
    after = hall.last_seq()
    hall["mgr"].ok("POST", f"/tickets/{at_3['id']}/rating", json={"score": 1, "reason": "attitude"})
    hall["admin"].ok("POST", f"/tickets/{at_2['id']}/rating", json={"score": 2})
    assert [e["data"]["level"] for e in ratings_of(hall, at_3, after) + ratings_of(hall, at_2, after)] == \
        ["dissatisfied", "fairly_satisfied"]


def test_only_a_finished_visit_is_rated(hall):
    hall.open_counter(2, "clerk-b")
    ticket = hall.issue("enquiry")
    hall.counter_action("clerk-b", 2, "call-next")
    assert_error(rate(hall, "evaluator", ticket, score=1, reason="slow"), 409, "not_finished")
    hall.counter_action("clerk-b", 2, "start")
    hall.counter_action("clerk-b", 2, "finish")
    hall.counter_action("clerk-b", 2, "sign-out")
    hall["evaluator"].ok("POST", f"/tickets/{ticket['id']}/rating", json={"score": 1, "reason": "slow"})


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_hall_without_rating_settings_has_the_four_standard_levels(tmp_path):
    text = hall_config_text()
    bare = text[:text.index("[[halls.rating_levels]]")].replace("rating_timeout_s = 30\n", "")
    hall = load_config(write_config(tmp_path, bare)).halls[0]
    assert [(v.code, v.score, v.name.zh, v.name.en, v.low) for v in hall.rating_levels] == LEVELS
    assert [r.name.en for r in hall.rating_reasons] == ["Long wait", "Staff attitude", "Slow handling",
                                                       "Unfamiliar with the business", "Other"]
    assert hall.rating_timeout_s == 30


@pytest.mark.parametrize("change, field", [
    (("score = 3", "score = 4"), "rating_levels.score: 4 appears twice"),
    (('code = "satisfied"', 'code = "very_satisfied"'), "rating_levels.code: 'very_satisfied' appears twice"),
    (('code = "slow"', 'code = "other"'), "rating_reasons.code: 'other' appears twice"),
    (("rating_timeout_s = 30", "rating_timeout_s = 2"), "halls.0.rating_timeout_s"),
    (("score = 1", "score = 0"), "halls.0.rating_levels.3.score"),
])
def test_a_bad_rating_setting_stops_start_up_naming_the_field(tmp_path, change, field):
    text = hall_config_text()
    assert change[0] in text
    with pytest.raises(ConfigError) as refused:
        load_config(write_config(tmp_path, text.replace(change[0], change[1], 1)))
    assert field in str(refused.value)
