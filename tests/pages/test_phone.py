"""The customer's phone page `/t/<token>` in real Chromium at 390×844: the ticket, the people
ahead and the wait; the call (the counter, a vibration, another colour); giving up; an
unknown link. In Chinese and in English."""
import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("pages-phone")]

#: counter 7 is the only one serving enterprise customers: the tests own its queue
COUNTER, SERVICE = 7, "enterprise"
TEXT = {
    "zh": {"waiting": "等候中", "called": "已叫号", "serving": "办理中", "done": "已办结", "cancelled": "已放弃",
           "service": "企业客户", "counter": "7号企业窗口", "unit": "分钟", "lead": "轮到您了！请前往",
           "next": "马上轮到您", "thanks": "业务已办结，感谢您的光临！", "gave_up": "您已放弃此号。",
           "give_up": "放弃排号", "yes": "确定放弃", "no": "继续排队", "switch": "English",
           "unknown": "没有找到这张号票"},
    "en": {"waiting": "Waiting", "called": "Called", "serving": "Being served", "done": "Finished",
           "cancelled": "Given up", "service": "Enterprise customers", "counter": "Window 7 (enterprise)",
           "unit": "min", "lead": "It's your turn! Please go to", "next": "You are next",
           "thanks": "Finished. Thank you for coming!", "gave_up": "You gave up this number.",
           "give_up": "Give up my number", "yes": "Yes, give it up", "no": "No, keep it", "switch": "中文",
           "unknown": "We could not find this ticket"},
}
#: replaces navigator.vibrate so the test sees each call (a desktop Chromium does not vibrate)
VIBRATE_SPY = """
window.vibrations = [];
Object.defineProperty(Navigator.prototype, "vibrate", {
  configurable: true, value(pattern) { window.vibrations.push(pattern); return true; },
});
"""


def open_phone(new_page, page_hall, ticket: dict, lang: str) -> Page:
    page = new_page(lang=lang)
    page.add_init_script(VIBRATE_SPY)
    response = page.goto(page_hall.url + ticket["tracking_url"])
    assert response.status == 200
    return page


def wait_of(page: Page):
    return page.locator(".figure__value", has=page.locator('[data-field="wait"]'))


def status_of(page: Page):
    """The status the customer sees (the ticket holds one line per status; one shows)."""
    return page.locator(".ticket__status > :visible")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_follows_the_ticket_through_the_call(new_page, page_hall, page_api, lang):
    page_api.open_counter(COUNTER, "clerk-a")
    before = page_api.issue(SERVICE)
    mine = page_api.issue(SERVICE)
    text = TEXT[lang]
    page = open_phone(new_page, page_hall, mine, lang)

    expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if lang == "zh" else "en")
    expect(page.locator(".ticket__number")).to_have_text(mine["number"])
    expect(page.locator(".ticket__service")).to_have_text(text["service"])
    expect(status_of(page)).to_have_text(text["waiting"])
    expect(page.locator('[data-field="ahead"]')).to_have_text("1")
    expect(wait_of(page)).to_have_text(re.compile(rf"^(<1|[1-9]\d*) {text['unit']}$"))
    expect(page.locator(".lang-switch")).to_have_text(text["switch"])
    assert before["number"] not in page.content()  # nothing about other customers
    shot(page, f"phone-waiting-{lang}")

    page_api.counter_action("clerk-a", COUNTER, "call-next")  # the customer before
    expect(page.locator('[data-field="ahead"]')).to_have_text("0")
    expect(page.locator("[data-next]")).to_contain_text(text["next"])
    expect(wait_of(page)).to_have_text(f"<1 {text['unit']}")
    assert page.evaluate("window.vibrations") == []
    shot(page, f"phone-next-{lang}")

    page_api.counter_action("clerk-a", COUNTER, "no-show")
    called = page_api.counter_action("clerk-a", COUNTER, "call-next")
    assert called["id"] == mine["id"]
    expect(page.locator("body")).to_have_attribute("data-status", "called")
    expect(status_of(page)).to_have_text(text["called"])
    expect(page.locator(".call__lead")).to_have_text(text["lead"])
    expect(page.locator(".call__counter")).to_have_text(text["counter"])
    expect(page.locator(".queue")).to_be_hidden()
    expect(page.locator("[data-give-up]")).to_be_hidden()
    assert len(page.evaluate("window.vibrations")) == 1
    expect(page.locator("body")).to_have_css("background-color", "rgb(180, 83, 9)")  # tokens.css --call
    shot(page, f"phone-called-{lang}")
    page_api.counter_action("clerk-a", COUNTER, "recall")  # a recall calls the customer again
    page.wait_for_function("window.vibrations.length === 2")

    page_api.counter_action("clerk-a", COUNTER, "start")
    expect(status_of(page)).to_have_text(text["serving"])
    expect(page.locator(".serving__counter")).to_have_text(text["counter"])
    page_api.counter_action("clerk-a", COUNTER, "finish")
    expect(status_of(page)).to_have_text(text["done"])
    expect(page.locator(".outcome > :visible")).to_have_text(text["thanks"])
    assert len(page.evaluate("window.vibrations")) == 2
    shot(page, f"phone-done-{lang}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_giving_up_asks_first_then_cancels_the_ticket(new_page, page_hall, page_api, lang):
    mine = page_api.issue(SERVICE)
    text = TEXT[lang]
    page = open_phone(new_page, page_hall, mine, lang)
    give_up = page.get_by_role("button", name=text["give_up"])

    give_up.click()
    expect(page.get_by_role("button", name=text["yes"])).to_be_visible()
    expect(page.locator(".confirm__question")).to_contain_text(mine["number"])
    shot(page, f"phone-give-up-confirm-{lang}")
    page.get_by_role("button", name=text["no"]).click()
    expect(give_up).to_be_visible()
    assert page_api["mgr"].ok("GET", f"/tickets/{mine['id']}")["status"] == "waiting"

    give_up.click()
    page.get_by_role("button", name=text["yes"]).click()
    expect(status_of(page)).to_have_text(text["cancelled"])
    expect(page.locator(".outcome > :visible")).to_have_text(text["gave_up"])
    expect(give_up).to_be_hidden()
    assert page_api["mgr"].ok("GET", f"/tickets/{mine['id']}")["status"] == "cancelled"
    shot(page, f"phone-given-up-{lang}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_link_is_a_friendly_404(new_page, page_hall, lang):
    page = new_page(lang=lang)
    response = page.goto(f"{page_hall.url}/t/1-not-a-real-ticket")
    assert response.status == 404
    expect(page.get_by_role("heading")).to_have_text(TEXT[lang]["unknown"])
    shot(page, f"phone-unknown-{lang}")


def test_the_language_switch_keeps_the_choice(new_page, page_hall, page_api):
    mine = page_api.issue(SERVICE)
    page = open_phone(new_page, page_hall, mine, "zh")
    page.get_by_role("link", name="English").click()
    expect(status_of(page)).to_have_text("Waiting")
    page.goto(page_hall.url + mine["tracking_url"])  # no ?lang=: the cookie remembers
    expect(status_of(page)).to_have_text("Waiting")
    page.get_by_role("link", name="中文").click()
    expect(status_of(page)).to_have_text("等候中")
