"""The manager's live board `/board/<hall>` in real Chromium, on a server with the alert rules
on: it renders the demo hall (Chinese and English; a 1920×1080 wall screen and a 1366×768
laptop), follows the hall live when tickets are issued, called and served through the API (the
handling timer turns amber and red on the page's clock), and an alert appears live, sounds when
critical, is acknowledged, noted and resolved from the page. Screenshots under
tests/artifacts/board-*.png."""
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from ..running_hall import RunningHall
from ..web.conftest import Client, start_hall_server
from ..web.test_board_crowd import crowd_server, record
from .conftest import TIMEZONE, shot
from .test_counter import managers_only, sign_in

pytestmark = [pytest.mark.xdist_group("pages-board"), pytest.mark.browser]

WALL = (1920, 1080)
LAPTOP = (1366, 768)


@pytest.fixture(scope="module")
def page_hall(tmp_path_factory) -> Iterator[RunningHall]:
    """This module's server runs the alert rules (every second on a timer, and on every event)."""
    server = start_hall_server(tmp_path_factory.mktemp("board"), alerts="evaluate_every_s = 1")
    try:
        yield server
    finally:
        server.stop()


def open_board(new_page, hall, viewport=WALL, lang="zh", fake_clock=False) -> Page:
    """The board signed in as the demo hall's manager; `fake_clock`: the page's clock moves when told."""
    page = new_page(viewport, lang=lang)
    if fake_clock:
        page.clock.install()
    sign_in(page, hall, "mgr", "/board/demo")
    expect(page.locator("#live-state")).to_have_attribute("data-online", "true")
    expect(page.locator(".counter-tile")).to_have_count(7)
    return page


def card(page: Page, service: str):
    return page.locator(f'.service[data-service="{service}"]')


def tile(page: Page, number: int):
    return page.locator(f'.counter-tile[data-counter="{number}"]')


def open_alert(page_api, rule: str, subject: str) -> dict:
    alerts = page_api["mgr"].ok("GET", "/halls/demo/alerts", params={"state": "open"})["alerts"]
    return next(a for a in alerts if a["rule"] == rule and a["subject"] == subject)


def test_the_board_renders_the_demo_hall_in_both_languages(new_page, page_hall, page_api):
    page_api.open_counter(5, "clerk-b")  # business and enquiry
    page_api.issue("business")
    page = open_board(new_page, page_hall)
    expect(page.locator("h1")).to_have_text("国网示范县供电公司城区营业厅")
    expect(page.locator(".service")).to_have_count(4)
    expect(card(page, "fee").locator(".service__name")).to_have_text("居民收费")
    expect(tile(page, 5)).to_have_attribute("data-state", "idle")
    expect(tile(page, 5).locator('[data-field="state"]')).to_have_text("空闲")
    expect(tile(page, 1)).to_have_attribute("data-state", "closed")
    expect(page.locator("#clock")).to_have_text(re.compile(r"\d\d:\d\d:\d\d"))
    expect(page.locator("body")).to_have_attribute("data-day-slots", re.compile(r"[1-9]\d*"))
    expect(page.locator("#chart-flow canvas")).to_have_count(1)
    shot(page, "board-wall-zh")

    english = open_board(new_page, page_hall, LAPTOP, lang="en")
    expect(english.locator("h1")).to_have_text("State Grid Demo County Power Supply - City Business Hall")
    expect(english.locator("#services-title")).to_have_text("Services")
    expect(card(english, "fee").locator(".service__name")).to_have_text("Residential fee payment")
    expect(english.locator("#live-state")).to_have_text("Live")
    shot(english, "board-laptop-en")
    english.click("text=中文")
    expect(english.locator("#services-title")).to_have_text("业务")
    page_api.counter_action("clerk-b", 5, "sign-out")


def test_a_manager_of_another_hall_and_a_clerk_are_refused(new_page, page_hall):
    managers_only(new_page, page_hall, "board", LAPTOP)


def test_the_board_follows_the_hall_live(new_page, page_hall, page_api):
    page = open_board(new_page, page_hall, fake_clock=True)
    before = int(card(page, "enquiry").get_attribute("data-waiting"))
    page_api.issue("enquiry")
    expect(card(page, "enquiry")).to_have_attribute("data-waiting", str(before + 1))
    page_api.open_counter(2, "clerk-a")  # fee and enquiry: whoever waited before is sent away
    ticket = page_api.issue("enquiry")
    expect(card(page, "enquiry")).to_have_attribute("data-waiting", "1")
    assert page_api.counter_action("clerk-a", 2, "call-next")["id"] == ticket["id"]
    expect(tile(page, 2)).to_have_attribute("data-state", "called")
    expect(tile(page, 2).locator('[data-field="ticket"]')).to_have_text(ticket["number"])
    expect(tile(page, 2).locator('[data-field="clerk"]')).to_have_text("clerk-a")
    expect(card(page, "enquiry")).to_have_attribute("data-waiting", "0")
    page_api.counter_action("clerk-a", 2, "start")
    timer = tile(page, 2).locator('[data-field="timer"]')
    expect(timer).to_have_attribute("data-level", "ok")
    expect(timer).to_contain_text("时限 5:00")
    page.clock.fast_forward("04:10")  # of 5:00: past 80%
    expect(timer).to_have_attribute("data-level", "warn")
    shot(page, "board-timer-amber")
    page.clock.fast_forward("01:00")
    expect(timer).to_have_attribute("data-level", "over")
    expect(timer).to_contain_text("已超时")
    page_api.counter_action("clerk-a", 2, "finish")
    expect(tile(page, 2)).to_have_attribute("data-state", "idle")
    page.clock.fast_forward("00:03")  # the day's figures are taken again a little after a visit ends
    expect(tile(page, 2).locator('[data-field="day"]')).to_contain_text("今日办结 1")
    page_api.counter_action("clerk-a", 2, "pause", reason="meal")
    expect(tile(page, 2)).to_have_attribute("data-state", "paused")
    expect(tile(page, 2).locator('[data-field="timer"]')).to_contain_text("用餐")
    shot(page, "board-live")
    page_api.counter_action("clerk-a", 2, "resume")
    page_api.counter_action("clerk-a", 2, "sign-out")


def test_an_alert_appears_sounds_and_is_handled_from_the_page(new_page, page_hall, page_api):
    page = open_board(new_page, page_hall)
    alarms = int(page.locator("body").get_attribute("data-alarms"))
    page_api.issue("enterprise")  # no counter serving enterprise customers is open
    item = page.locator('.alert[data-severity="critical"]').filter(has_text="企业客户")
    expect(item).to_have_count(1)
    alert = open_alert(page_api, "no_open_counter", "service:enterprise")
    item = page.locator(f'.alert[data-alert="{alert["id"]}"]')
    expect(item.locator('[data-field="message"]')).to_have_text(alert["message"]["zh"])
    assert int(page.locator("body").get_attribute("data-alarms")) > alarms
    expect(card(page, "enterprise")).to_have_attribute("data-waiting", "1")
    shot(page, "board-alert")

    item.locator('[data-action="acknowledge"]').click()
    expect(item.locator('[data-field="ack"]')).to_contain_text("mgr 已于")
    expect(item.locator('[data-action="acknowledge"]')).to_be_hidden()
    item.locator("input[name=text]").fill("已通知企业窗口的同事")
    item.locator("input[name=text]").press("Enter")
    expect(item.locator('[data-field="notes"] li')).to_contain_text("mgr: 已通知企业窗口的同事")
    assert open_alert(page_api, "no_open_counter", "service:enterprise")["notes"][0]["text"] == "已通知企业窗口的同事"
    shot(page, "board-alert-acknowledged")

    item.locator('[data-action="resolve"]').click()
    expect(item).to_have_count(0)
    alerts = page_api["mgr"].ok("GET", "/halls/demo/alerts", params={"state": "all"})["alerts"]
    resolved = next(a for a in alerts if a["id"] == alert["id"])
    assert resolved["resolved_by"] == "mgr"


# people in the hall (issue 12) -------------------------------------------------------------

@pytest.fixture(scope="module")
def crowd_hall(tmp_path_factory) -> Iterator[RunningHall]:
    """A server whose demo hall has its camera (on a blank video: tests/web/test_board_crowd.py)."""
    server = crowd_server(tmp_path_factory.mktemp("board-crowd"))
    try:
        yield server
    finally:
        server.stop()


def test_the_board_shows_the_people_in_the_hall_live(browser, crowd_hall):
    errors: list[str] = []

    def board(lang: str) -> Page:
        context = browser.new_context(viewport={"width": WALL[0], "height": WALL[1]}, timezone_id=TIMEZONE,
                                      locale="en-US" if lang == "en" else "zh-CN")
        context.add_cookies([{"name": "lang", "value": lang, "url": crowd_hall.url}])
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, crowd_hall, "mgr", "/board/demo")
        expect(page.locator("#live-state")).to_have_attribute("data-online", "true")
        return page

    page = board("zh")
    area = page.locator('.crowd-area[data-camera="waiting-area"]')
    expect(page.locator("#crowd-title")).to_have_text("厅内人数")
    expect(area.locator(".crowd-area__name")).to_have_text("等候区")
    expect(area.locator('[data-field="people"]')).to_have_text("0")
    kiosk = Client(crowd_hall.url, crowd_hall.tokens["kiosk"])
    for _ in range(3):
        kiosk.ok("POST", "/halls/demo/tickets", 201, json={"service": "fee"})
    expect(page.locator("#tickets-waiting")).to_have_text("3")  # the hall's, beside the people
    record(crowd_hall, people=34)  # past the capacity of 30, within 1.25 × 30
    expect(area.locator('[data-field="people"]')).to_have_text("34")
    expect(area).to_have_attribute("data-level", "warning")
    expect(area.locator('[data-field="state"]')).to_have_text(re.compile(r"^\d\d:\d\d 起$"))
    record(crowd_hall, people=40)
    expect(area).to_have_attribute("data-level", "critical")
    expect(page.locator("#chart-crowd canvas")).to_have_count(1)
    page.reload()  # the day's chart as a manager opening the board sees it
    expect(page.locator("#live-state")).to_have_attribute("data-online", "true")
    expect(area.locator('[data-field="people"]')).to_have_text("40")
    expect(page.locator("body")).to_have_attribute("data-day-slots", re.compile(r"[1-9]\d*"))
    shot(page, "board-crowd-wall-zh")
    record(crowd_hall, online=False)
    expect(area).to_have_attribute("data-online", "false")
    expect(area.locator('[data-field="people"]')).to_have_text("—")
    expect(area.locator('[data-field="state"]')).to_have_text("摄像头离线，未统计人数")
    record(crowd_hall, online=True)
    expect(area.locator('[data-field="people"]')).to_have_text("40")

    english = board("en")
    expect(english.locator("#crowd-title")).to_have_text("People in the hall")
    expect(english.locator(".crowd__tickets h3")).to_have_text("Tickets waiting")
    expect(english.locator('.crowd-area[data-camera="waiting-area"] .crowd-area__name')).to_have_text("Waiting area")
    shot(english, "board-crowd-wall-en")
    assert not errors, errors
