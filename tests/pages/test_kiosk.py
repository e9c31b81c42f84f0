"""The ticket kiosk `/kiosk/<hall>` in real Chromium, paired through its link, touched as a
customer touches it: a number in Chinese, in English and in senior mode, the green channel,
appointments (unknown, too early, in time, used), the server gone and back, a lost answer
retried, a double tap, stopped and capped services, a closed hall, a printer fault, and a
browser that was never paired. Portrait (1080×1920) and landscape (1920×1080); every state
is saved under tests/artifacts/kiosk-*.png."""
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from playwright.sync_api import Page, Request, Route, expect

from kiosk.views import STRINGS

from ..running_hall import hall_config_text, zone_at
from .conftest import shot

pytestmark = pytest.mark.xdist_group("pages-kiosk")
browser = pytest.mark.browser

KIOSK_ROOT = Path(__file__).resolve().parents[2] / "kiosk"
PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)
ORIENTATIONS = {"portrait": PORTRAIT, "landscape": LANDSCAPE}
ZONE = ZoneInfo("Asia/Shanghai")
TICKETS = "**/api/v1/halls/demo/tickets"
TEXT = {
    "zh": {"prompt": "请选择要办理的业务", "fee": "居民收费", "business": "用电业务", "people": "人",
           "returning": "秒后返回首页", "take": "请取走号票", "switch": "English"},
    "en": {"prompt": "Please choose a service", "fee": "Residential fee payment", "business": "Electricity business",
           "people": "people|person", "returning": "Returning in", "take": "Please take your ticket",
           "switch": "中文"},
}


@pytest.fixture(scope="module")
def page_hall(page_hall):
    """The pages' server with its printer-1 (kiosk-1's) run by an agent on the kiosk's PC
    (host "kiosk") instead of by the server, so no print worker reports over the printer states
    the tests give; and its second hall, north, at the demo's real opening hours in a zone
    where it is 3 o'clock at night now: closed."""
    page_hall.stop()
    north = hall_config_text(demo_hours=True).replace('id = "demo"', 'id = "north"')
    north = north.replace('timezone = "Asia/Shanghai"', f'timezone = "{zone_at(3)}"')
    text = hall_config_text() + "\n" + north
    page_hall.config_path.write_text(text.replace('host = "server"', 'host = "kiosk"'), encoding="utf-8")
    page_hall.start()
    return page_hall


def open_kiosk(new_page, page_hall, viewport=PORTRAIT, lang: str = "zh", device: str = "kiosk") -> Page:
    """A touch-screen browser paired as `device` through a fresh pairing link, on its start screen."""
    page = new_page(viewport=viewport, lang=lang, has_touch=True)
    page.goto(page_hall.url + page_hall.pairing_link(device, "demo"))
    expect(page).to_have_url(re.compile(r"/kiosk/demo"))
    expect(page.locator("#services .k-service").first).to_be_visible()
    return page


def service(page: Page, code: str, screen: str = "#services"):
    return page.locator(f"{screen} [data-service='{code}']")


def ticket_screen(page: Page):
    return page.locator("[data-screen='ticket']")


def take(page: Page, code: str, screen: str = "#services") -> dict:
    """Touch a service; the ticket the server issued for it (its answer to the page)."""
    with page.expect_response(lambda r: r.url.endswith("/halls/demo/tickets") and r.request.method == "POST") as answer:
        service(page, code, screen).tap()
    ticket = answer.value.json()
    shows(page, ticket)
    return ticket


def shows(page: Page, ticket: dict) -> None:
    """The ticket screen shows this ticket's number and the QR code of its phone page."""
    expect(ticket_screen(page)).to_be_visible()
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    expect(page.locator("#ticket-qr")).to_have_attribute("src", f"{ticket['tracking_url']}/qr.svg")
    page.wait_for_function("document.getElementById('ticket-qr').complete")
    assert page.locator("#ticket-qr").evaluate("img => img.naturalWidth") > 0


def issued_since(page_api, seq: int) -> list[dict]:
    """The `ticket.issued` events after `seq`."""
    events = page_api["admin"].ok("GET", "/halls/demo/events", params={"after": seq, "limit": 1000})["events"]
    return [e for e in events if e["type"] == "ticket.issued"]


def type_code(page: Page, code: str) -> None:
    for char in code:
        page.locator(f"#keypad [data-key='{char}']").tap()
    expect(page.locator("#code")).to_have_attribute("aria-label", " ".join(code))


def book(page_api, service_code: str, start: datetime) -> dict:
    return page_api["mgr"].ok("POST", "/halls/demo/appointments", 201,
                              json={"service": service_code, "slot_start": start.isoformat(timespec="seconds")})


def in_two_minutes() -> datetime:
    """The start of a slot that checks in now (from 15 minutes before it)."""
    start = datetime.now(ZONE) + timedelta(minutes=2)
    if start.hour == 23 and start.minute > 29:
        pytest.skip("a slot starting now would not end by midnight, when the test hall closes")
    return start


def hhmm(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZONE).strftime("%H:%M")


# --- taking a number -----------------------------------------------------------------

@browser
@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_customer_takes_a_number_by_touch(new_page, page_hall, page_api, lang, orientation):
    text = TEXT[lang]
    page = open_kiosk(new_page, page_hall, ORIENTATIONS[orientation], lang)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if lang == "zh" else "en")
    expect(page.locator("#start-title")).to_have_text(text["prompt"])
    expect(service(page, "fee").locator(".k-service-name")).to_have_text(text["fee"])
    expect(service(page, "fee").locator(".k-service-description")).not_to_be_empty()
    expect(page.locator(".k-lang-option:not([aria-current])")).to_have_text(text["switch"])
    shot(page, f"kiosk-start-{lang}-{orientation}")

    ticket = take(page, "fee")
    assert ticket["priority"] == "normal" and ticket["service"] == "fee" and ticket["status"] == "waiting"
    expect(page.locator("#ticket-service")).to_have_text(text["fee"])
    expect(page.locator("#ticket-class")).to_be_hidden()
    expect(page.locator("#ticket-ahead")).to_have_text(re.compile(rf"^{ticket['ahead']} ({text['people']})$"))
    expect(page.locator("#ticket-time")).to_have_text(hhmm(ticket["issued_at"]))
    expect(page.locator("#ticket-take")).to_contain_text(text["take"])
    expect(page.locator("#ticket-countdown")).to_contain_text(text["returning"])
    shot(page, f"kiosk-ticket-{lang}-{orientation}")
    assert page_api["admin"].ok("GET", f"/tickets/{ticket['id']}")["number"] == ticket["number"]

    page.locator("[data-go='done']").tap()
    expect(page.locator("#services")).to_be_visible()
    # the next customer starts in Chinese, whatever the last one chose
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


@browser
@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_senior_mode_is_larger_simpler_slower_and_goes_to_the_green_channel(new_page, page_hall, orientation):
    page = open_kiosk(new_page, page_hall, ORIENTATIONS[orientation])
    standard_size = service(page, "business").locator(".k-service-name").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    page.locator("#mode-switch").tap()
    expect(page.locator("#mode-switch")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="标准模式")).to_be_visible()
    expect(service(page, "business").locator(".k-service-description")).to_be_hidden()
    expect(page.locator(".k-extras")).to_be_hidden()  # fewer choices: the services only
    expect(page.locator(".k-elderly-note")).to_be_visible()
    senior_size = service(page, "business").locator(".k-service-name").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    assert senior_size > standard_size * 1.2
    shot(page, f"kiosk-senior-start-{orientation}")

    ticket = take(page, "business")
    assert ticket["priority"] == "green"
    expect(page.locator("#ticket-class")).to_have_text("绿色通道")
    expect(page.locator("#ticket-countdown")).to_have_text(re.compile(r"^(45|44) 秒后返回首页$"))
    shot(page, f"kiosk-senior-ticket-{orientation}")

    page.locator("[data-go='done']").tap()
    expect(page.locator("#mode-switch")).to_have_attribute("aria-pressed", "false")  # the next customer
    expect(page.locator(".k-extras")).to_be_visible()


@browser
@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_the_green_channel_gives_a_green_ticket(new_page, page_hall, orientation):
    page = open_kiosk(new_page, page_hall, ORIENTATIONS[orientation])
    page.locator("[data-go='green']").tap()
    expect(page.locator("#green-title")).to_have_text("绿色通道")
    shot(page, f"kiosk-green-{orientation}")
    ticket = take(page, "fee", screen="#green-services")
    assert ticket["priority"] == "green"
    expect(page.locator("#ticket-class")).to_have_text("绿色通道")


@browser
def test_the_ticket_screen_returns_to_the_start_by_itself(new_page, page_hall):
    page = open_kiosk(new_page, page_hall)
    page.locator("#kiosk").evaluate("root => { root.dataset.ticketSeconds = '2'; }")
    take(page, "enquiry")
    expect(page.locator("#ticket-countdown")).to_have_text(re.compile(r"^[12] 秒后返回首页$"))
    expect(page.locator("#services")).to_be_visible()
    expect(ticket_screen(page)).to_be_hidden()


# --- one touch, one number -----------------------------------------------------------

@browser
def test_an_answer_lost_is_asked_again_with_the_same_id_and_gives_one_number(new_page, page_hall, page_api):
    page = open_kiosk(new_page, page_hall)
    before = page_api.last_seq()
    sent: list[str] = []

    def lose_the_first_answer(route: Route, request: Request) -> None:
        sent.append(json.loads(request.post_data)["client_request_id"])
        if len(sent) == 1:
            route.fetch()  # the server issues the number...
            route.abort("connectionreset")  # ...and its answer never reaches the kiosk
        else:
            route.continue_()

    page.route(TICKETS, lose_the_first_answer)
    ticket = take(page, "business")
    assert len(sent) == 2 and sent[0] == sent[1]
    issued = issued_since(page_api, before)
    assert [e["ticket"] for e in issued] == [ticket["id"]]
    assert issued[0]["data"]["client_request_id"] == sent[0]


@browser
def test_a_double_tap_takes_one_number(new_page, page_hall, page_api):
    page = open_kiosk(new_page, page_hall)
    before = page_api.last_seq()
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" and r.url.endswith("/tickets") else None)
    service(page, "enquiry").evaluate("button => { button.click(); button.click(); }")
    expect(ticket_screen(page)).to_be_visible()
    service(page, "enquiry").evaluate("button => button.click()")  # the start screen is hidden: nothing
    assert len(posts) == 1
    assert len(issued_since(page_api, before)) == 1


# --- the server gone and back --------------------------------------------------------

@browser
def test_the_kiosk_says_at_once_when_the_server_is_gone_and_issues_again_when_it_is_back(
        new_page, page_hall, page_api):
    pages = {name: open_kiosk(new_page, page_hall, viewport) for name, viewport in ORIENTATIONS.items()}
    before = page_api.last_seq()
    page_hall.kill()  # the server's machine loses power: no goodbye to anyone
    try:
        for name, page in pages.items():
            expect(page.locator("#offline")).to_be_visible()
            expect(page.locator("#offline h1")).to_have_text("系统连接中断，请稍候")
            expect(page.locator("#offline .k-offline-other")).to_have_text("Connection lost, please wait")
            shot(page, f"kiosk-offline-{name}")
        # a touch that gets through while the server is away issues nothing, not even later
        service(pages["portrait"], "fee").evaluate("button => button.click()")
    finally:
        page_hall.start()
    for page in pages.values():
        expect(page.locator("#offline")).to_be_hidden()
    assert issued_since(page_api, before) == []
    ticket = take(pages["portrait"], "fee")
    assert [e["ticket"] for e in issued_since(page_api, before)] == [ticket["id"]]


# --- appointments --------------------------------------------------------------------

@browser
def test_an_unknown_or_short_code_is_told_on_the_keypad(new_page, page_hall):
    page = open_kiosk(new_page, page_hall, LANDSCAPE)
    page.locator("[data-go='appointment']").tap()
    type_code(page, "AB3")
    page.locator("#check-in").tap()
    expect(page.locator("#code-message")).to_have_text("请输入完整的 6 位预约码")
    page.locator("#keypad [data-key='clear']").tap()
    type_code(page, "AB3XYZ")
    shot(page, "kiosk-appointment-landscape")
    page.locator("#check-in").tap()
    expect(page.locator("#code-message")).to_have_text("未找到该预约码，请核对后重新输入")
    shot(page, "kiosk-appointment-unknown-landscape")
    page.locator("#keypad [data-key='delete']").tap()
    expect(page.locator("#code-message")).to_be_empty()


@browser
def test_an_appointment_too_early_is_told_its_slot_and_may_take_a_normal_number(new_page, page_hall, page_api):
    now = datetime.now(ZONE)
    start = now + timedelta(minutes=60)
    if start.date() != now.date() or start.hour == 23 and start.minute > 29:  # the slot must end by midnight
        start = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), ZONE) + timedelta(hours=9)
    booked = book(page_api, "business", start)
    page = open_kiosk(new_page, page_hall)
    page.locator("[data-go='appointment']").tap()
    type_code(page, booked["code"])
    shot(page, "kiosk-appointment-portrait")
    page.locator("#check-in").tap()

    notice = page.locator("[data-screen='notice']")
    expect(notice.locator("#notice-title")).to_have_text("还未到预约签到时间")
    expect(notice.locator("#notice-text")).to_contain_text(
        f"{hhmm(booked['slot_start'])}–{hhmm(booked['slot_end'])}的“用电业务”")
    expect(notice.locator("#notice-text")).to_contain_text(f"{hhmm(booked['check_in_from'])} 起可签到")
    shot(page, "kiosk-appointment-early-portrait")
    with page.expect_response(lambda r: r.url.endswith("/halls/demo/tickets") and r.status == 201) as answer:
        notice.get_by_role("button", name="改取普通号").tap()
    ticket = answer.value.json()
    assert ticket["priority"] == "normal" and ticket["service"] == "business"
    shows(page, ticket)
    assert page_api["mgr"].ok("GET", f"/halls/demo/appointments/{booked['code']}")["status"] == "booked"


@browser
def test_an_appointment_in_time_gets_an_appointment_ticket_once(new_page, page_hall, page_api):
    booked = book(page_api, "business", in_two_minutes())
    page = open_kiosk(new_page, page_hall, LANDSCAPE)
    page.locator("[data-go='appointment']").tap()
    type_code(page, booked["code"])
    with page.expect_response(lambda r: r.url.endswith("/halls/demo/tickets") and r.status == 201) as answer:
        page.locator("#check-in").tap()
    ticket = answer.value.json()
    assert ticket["priority"] == "appointment" and ticket["service"] == "business"
    shows(page, ticket)
    expect(page.locator("#ticket-class")).to_have_text("预约")
    shot(page, "kiosk-appointment-ticket-landscape")
    appointment = page_api["mgr"].ok("GET", f"/halls/demo/appointments/{booked['code']}")
    assert appointment["status"] == "checked_in" and appointment["ticket"] == ticket["id"]

    page.locator("[data-go='done']").tap()
    page.locator("[data-go='appointment']").tap()
    type_code(page, booked["code"])
    page.locator("#check-in").tap()
    expect(page.locator("#code-message")).to_have_text("该预约已签到取号，请勿重复取号")


@browser
def test_a_booking_qr_code_read_by_a_scanner_checks_in(new_page, page_hall, page_api):
    booked = book(page_api, "fee", in_two_minutes())
    page = open_kiosk(new_page, page_hall)
    with page.expect_response(lambda r: r.url.endswith("/halls/demo/tickets") and r.status == 201) as answer:
        page.keyboard.type(booked["qr"])  # a scanner types what it reads, then Enter
        page.keyboard.press("Enter")
    ticket = answer.value.json()
    assert ticket["priority"] == "appointment" and ticket["service"] == "fee"
    shows(page, ticket)


# --- what the hall allows ------------------------------------------------------------

@browser
def test_a_stopped_or_capped_service_says_so_and_issues_nothing(new_page, page_hall, page_api):
    switch = "/halls/demo/services/enterprise/switch"
    page = open_kiosk(new_page, page_hall)
    card = service(page, "enterprise")
    try:
        page_api["mgr"].ok("POST", switch, json={"issuing": False, "daily_cap": None})
        expect(card).to_be_disabled()
        expect(card.locator(".k-service-state")).to_have_text("暂停取号")
        expect(service(page, "fee")).to_be_enabled()
        shot(page, "kiosk-stopped-portrait")

        issued = page_api["admin"].ok("GET", "/halls/demo")
        today = next(s for s in issued["services"] if s["code"] == "enterprise")["issued_today"]
        page_api["mgr"].ok("POST", switch, json={"issuing": True, "daily_cap": max(today, 1)})
        if today == 0:
            page_api.issue("enterprise")
        expect(card.locator(".k-service-state")).to_have_text("今日号已取完")
        expect(card).to_be_disabled()
    finally:
        page_api["mgr"].ok("POST", switch, json={"issuing": True, "daily_cap": None})
    expect(card).to_be_enabled()


@browser
def test_a_service_stopped_before_the_page_knew_is_refused_with_the_reason(new_page, page_hall, page_api):
    switch = "/halls/demo/services/enterprise/switch"
    page = open_kiosk(new_page, page_hall)

    def still_issuing(route: Route) -> None:  # the page has not heard of the switch yet
        hall = route.fetch().json()
        for entry in hall["services"]:
            entry.update(issuing=True, stop_reason=None)
        route.fulfill(json=hall)

    page.route("**/api/v1/halls/demo", still_issuing)
    try:
        page_api["mgr"].ok("POST", switch, json={"issuing": False, "daily_cap": None})
        with page.expect_response(lambda r: r.url.endswith("/halls/demo/tickets")) as answer:
            service(page, "enterprise").tap()
        assert answer.value.status == 409
        expect(page.locator("#notice-title")).to_have_text("暂停取号")
        shot(page, "kiosk-refused-portrait")
    finally:
        page_api["mgr"].ok("POST", switch, json={"issuing": True, "daily_cap": None})
        page.unroute_all(behavior="ignoreErrors")


@browser
@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_outside_opening_hours_every_service_says_so_with_todays_hours(new_page, page_hall, orientation):
    page = new_page(viewport=ORIENTATIONS[orientation], has_touch=True)
    page.goto(page_hall.url + page_hall.pairing_link("kiosk-north", "north"))
    expect(page).to_have_url(re.compile(r"/kiosk/north"))
    expect(page.locator("#closed")).to_be_visible()
    expect(page.locator("#closed-hours")).to_contain_text(re.compile("今日营业时间 (08:30–17:30|09:00–17:00)"))
    expect(page.locator("#services .k-service-state")).to_have_text(["非营业时间"] * 4)
    expect(page.locator("#services .k-service:enabled")).to_have_count(0)
    shot(page, f"kiosk-closed-{orientation}")


@browser
def test_a_printer_fault_asks_the_customer_to_note_the_number(new_page, page_hall, page_api):
    printer = "/halls/demo/devices/status"
    status = {"device": "printer-1", "kind": "printer", "online": True, "paper": "out", "cover_open": False,
              "fault": None, "pending": 0}
    page_hall.add_device("kiosk-1", "demo", "kiosk")  # the demo's printer-1 prints kiosk-1's tickets
    page = open_kiosk(new_page, page_hall, LANDSCAPE, device="kiosk-1")
    try:
        page_api["mgr"].ok("POST", printer, json=status)
        take(page, "fee")
        expect(page.locator("#ticket-fault")).to_have_text(re.compile("打印机故障：请记下您的号码，或用手机拍下二维码"))
        expect(page.locator("#ticket-take")).to_be_hidden()
        shot(page, "kiosk-printer-fault-landscape")
    finally:
        page_api["mgr"].ok("POST", printer, json={**status, "paper": "ok"})
    expect(page.locator("#ticket-fault")).to_be_hidden()
    expect(page.locator("#ticket-take")).to_be_visible()


@browser
def test_a_browser_that_was_not_paired_as_a_kiosk_gets_the_not_paired_page(new_page, page_hall):
    page = new_page(viewport=PORTRAIT)
    response = page.goto(f"{page_hall.url}/kiosk/demo")
    assert response.status == 401
    expect(page.locator("h1")).to_have_text("本设备尚未配对")
    expect(page.locator("#kiosk")).to_have_count(0)
    shot(page, "kiosk-not-paired-portrait")

    page.goto(page_hall.url + page_hall.pairing_link("display", "demo"))  # a display, not a kiosk
    response = page.goto(f"{page_hall.url}/kiosk/demo")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("本设备不能打开此页面")
    north = open_kiosk(new_page, page_hall)  # a kiosk of demo may not open north's kiosk page
    assert north.goto(f"{page_hall.url}/kiosk/north").status == 403


# --- the catalogue -------------------------------------------------------------------

def test_every_text_of_the_kiosk_has_its_chinese():
    """The template's `_()` and the script's strings (views.STRINGS) are all in the zh_CN catalogue."""
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    used = {m[2] for m in extract_from_dir(str(KIOSK_ROOT), method_map)} | set(STRINGS)
    with (KIOSK_ROOT / "translations/zh_CN/LC_MESSAGES/messages.po").open("rb") as po:
        catalogue = read_po(po)
    untranslated = sorted(m for m in used if not (catalogue.get(m) and catalogue.get(m).string))
    assert used and not untranslated
