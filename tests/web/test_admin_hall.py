"""Administration of a hall over real HTTP (admin_hall.py): who did what (`GET /halls/{hall}/log`)
filtered by person, counter, ticket, type and time, paged; bad filters 422 and the roles; the
configuration page with the demo hall, and the file on disk changed after start (valid: a
restart applies it; invalid: each field and reason as start-up reports them)."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from hall_server.config import ConfigError, check_config, load_config
from hall_server.services import hall_admin

from .conftest import assert_error

pytestmark = pytest.mark.xdist_group("admin-hall")
ZONE = ZoneInfo("Asia/Shanghai")


def log(hall, who: str = "mgr", **params) -> dict:
    return hall[who].ok("GET", "/halls/demo/log", params=params)


@pytest.fixture(scope="module")
def served(hall) -> dict:
    """clerk-b calls and finishes a ticket at counter 2; the ticket (as issued)."""
    hall.open_counter(2, "clerk-b")
    ticket = hall.issue("enquiry")
    called = hall.counter_action("clerk-b", 2, "call-next")
    assert called["id"] == ticket["id"]
    hall.counter_action("clerk-b", 2, "start")
    hall.counter_action("clerk-b", 2, "finish")
    return ticket


def test_the_log_by_a_person_shows_only_what_they_did_newest_first(hall, served):
    lines = log(hall, actor="clerk-b")["lines"]
    assert lines and {line["actor"] for line in lines} == {"clerk-b"}
    seqs = [line["seq"] for line in lines]
    assert seqs == sorted(seqs, reverse=True)
    call = next(line for line in lines if line["type"] == "ticket.called" and line["ticket"] == served["id"])
    assert call["number"] == served["number"] and call["counter"] == 2
    assert call["text"] == {"zh": f"叫号 {served['number']} 到 2 号窗口",
                            "en": f"Called {served['number']} to counter 2"}


def test_the_log_by_ticket_number_and_day_holds_the_tickets_whole_story(hall, served):
    day = datetime.fromisoformat(served["issued_at"]).astimezone(ZONE).date()
    lines = log(hall, number=served["number"], day=day.isoformat())["lines"]
    assert {line["ticket"] for line in lines} == {served["id"]}
    assert [line["type"] for line in lines][::-1][:4] == ["ticket.issued", "ticket.called", "ticket.started",
                                                         "ticket.finished"]
    assert lines[-1]["actor"] == "kiosk"
    assert log(hall, number=served["number"], day=(day - timedelta(days=1)).isoformat())["lines"] == []
    assert log(hall, number=served["number"])["lines"] == lines  # today's, without a day


def test_the_log_by_counter_type_and_time(hall, served):
    at_2 = log(hall, counter=2)["lines"]
    assert at_2 and {line["counter"] for line in at_2} == {2}
    finished = log(hall, type="ticket.finished", counter=2)["lines"]
    assert finished and {line["type"] for line in finished} == {"ticket.finished"}
    newest = log(hall, limit=1)["lines"][0]
    at = datetime.fromisoformat(newest["at"])
    # `to` excludes, `from` includes; a time without an offset is the hall's local time
    assert all(line["seq"] < newest["seq"] for line in log(hall, to=newest["at"])["lines"])
    local = at.replace(tzinfo=None).isoformat()
    assert log(hall, **{"from": local})["lines"][-1]["seq"] <= newest["seq"]
    assert log(hall, **{"from": (at + timedelta(minutes=1)).isoformat()})["lines"] == []


def test_the_log_is_paged_on_seq(hall, served):
    first = log(hall, limit=2)
    assert len(first["lines"]) == 2 and first["next_before"] == first["lines"][-1]["seq"]
    second = log(hall, limit=2, before=first["next_before"])
    assert second["lines"][0]["seq"] < first["lines"][-1]["seq"]
    everything = log(hall, limit=100, actor="kiosk")
    assert everything["next_before"] is None  # fewer than a page


@pytest.mark.parametrize("params", [
    {"counter": 99}, {"counter": 0}, {"number": "ZZ"}, {"number": "Q001"}, {"type": "ticket.lost"},
    {"from": "2026-01-02T10:00", "to": "2026-01-02T09:00"}, {"limit": 0}, {"limit": 101}, {"before": 0},
    {"day": "yesterday"}, {"from": "10 o'clock"},
])
def test_bad_filters_are_422(hall, params):
    assert_error(hall["mgr"].get("/halls/demo/log", params=params), 422)


@pytest.mark.parametrize("who, status", [("admin", 200), ("mgr", 200), ("clerk-a", 403), ("kiosk", 403),
                                         ("display", 403), ("mgr-north", 403), ("nobody", 401)])
def test_who_may_read_the_log(hall, who, status):
    assert hall[who].get("/halls/demo/log").status_code == status


def config_page(hall, who: str = "mgr", lang: str = "zh") -> requests.Response:
    return requests.get(f"{hall.url}/admin/demo/config", timeout=10, allow_redirects=False,
                        cookies={"hall_session": hall[who].token, "lang": lang})


def test_the_configuration_page_shows_the_demo_hall(hall):
    page = config_page(hall)
    assert page.status_code == 200
    loaded = load_config(hall.server.config_path).by_id["demo"]
    for text in [str(hall.server.config_path.resolve()), loaded.name, "居民收费", "企业客户", "1号窗口",
                 "00:00", "营业时间"]:
        assert text in page.text, text
    assert "config-invalid" not in page.text and "config-changed" not in page.text
    assert "Residential fee payment" in config_page(hall, lang="en").text
    assert config_page(hall, "clerk-a").status_code == 403
    assert config_page(hall, "mgr-north").status_code == 403
    assert config_page(hall, "nobody").status_code in (302, 303)


def test_a_changed_file_is_checked_again_and_shown_with_its_fields_and_reasons(hall):
    path = hall.server.config_path
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original.replace("handling_limit_min = 5", "handling_limit_min = 0", 1)
                        .replace('number = 2\n', 'number = 1\n', 1), encoding="utf-8")
        with pytest.raises(ConfigError) as start_up:  # what start-up would say
            load_config(path)
        problems = check_config(path)[1]
        assert problems
        page = config_page(hall)
        assert "config-invalid" in page.text and "居民收费" in page.text  # still running on what it loaded
        for field, reason in problems:
            assert f"  {field}: {reason}" in str(start_up.value)
            assert f"<code>{field}</code></td><td>{reason}" in page.text.replace("&#39;", "'")

        path.write_text(original.replace('zh = "居民收费"', 'zh = "居民缴费"', 1), encoding="utf-8")
        page = config_page(hall)
        assert "config-changed" in page.text and "config-invalid" not in page.text
    finally:
        path.write_text(original, encoding="utf-8")
    assert "config-changed" not in config_page(hall).text


@pytest.mark.parametrize("source, shown", [
    ("rtsp://admin:secret@10.0.0.5:554/stream1", "rtsp://***@10.0.0.5:554/stream1"),
    ("http://viewer@cam.local/mjpeg", "http://***@cam.local/mjpeg"),
    ("rtsp://10.0.0.5/stream1", "rtsp://10.0.0.5/stream1"),
    ("file:var/cameras/vtest.avi", "file:var/cameras/vtest.avi"),
])
def test_camera_credentials_are_masked(source, shown):
    assert hall_admin.masked_source(source) == shown
