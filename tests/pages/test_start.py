"""The start page in real Chromium: signed out and in (a manager's pages, sign-out), on a 1366×768
laptop and a phone, Chinese and English; and on a server running config/demo_hall.toml itself,
the demo shortcut: the start page offers the devices, the kiosk opens in a tab of its own
(kiosk.localhost) and works beside the hall display (display.localhost) in the same browser.
Screenshots under tests/artifacts/start-*.png."""
import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from hall_server.config import DEFAULT_CONFIG, WEEKDAYS, load_config

from ..web.test_start import demo_server  # noqa: F401 (the fixture: a server on the demo file itself)
from .conftest import PHONE, TIMEZONE, shot
from .test_kiosk import take

pytestmark = [pytest.mark.xdist_group("pages-start"), pytest.mark.browser]

LAPTOP = (1366, 768)


def sign_in_from_start(page: Page, hall, user: str) -> None:
    """Sign in with the start page's button; back on the start page, signed in."""
    page.locator("#start-sign-in").click()
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.fill("#username", user)
    page.fill("#password", hall.passwords[user])
    page.locator("#password").press("Enter")
    expect(page).to_have_url(hall.url + "/")
    expect(page.locator("#start-user")).to_have_text(user)


@pytest.mark.parametrize(("viewport", "lang"), [(LAPTOP, "zh"), (PHONE, "en")])
def test_signed_out_the_start_page_explains_the_screens_and_signs_in(new_page, page_hall, viewport, lang):
    page = new_page(viewport, lang=lang)
    page.goto(page_hall.url + "/")
    expect(page.locator(".start__hall[data-hall='demo']")).to_contain_text("国网示范县供电公司城区营业厅")
    expect(page.locator(".start__hall[data-hall='demo'] .start__en")).to_be_visible()
    expect(page.locator(".start__screens dt")).to_have_count(8)
    expect(page.locator("#start-demo")).to_have_count(0)  # a copy of the demo file: no shortcut
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport[0], f"the page is {width} px wide on a {viewport[0]} px screen"
    shot(page, f"start-signed-out-{lang}-{viewport[0]}")
    sign_in_from_start(page, page_hall, "mgr")
    expect(page.locator("#start-pages a[href='/board/demo']")).to_be_visible()
    expect(page.locator("#start-pages a[href='/board/north']")).to_have_count(0)
    expect(page.locator("#start-admin")).to_be_visible()
    shot(page, f"start-manager-{lang}-{viewport[0]}")


def test_a_clerk_opens_a_counter_screen_from_the_start_page_and_signs_out(new_page, page_hall):
    page = new_page(LAPTOP)
    page.goto(page_hall.url + "/")
    sign_in_from_start(page, page_hall, "clerk-a")
    expect(page.locator("#start-pages a[href^='/board/']")).to_have_count(0)
    expect(page.locator("#start-admin")).to_have_count(0)
    page.locator("#start-pages a[href='/counter/demo/2']").click()
    expect(page).to_have_url(page_hall.url + "/counter/demo/2")
    page.go_back()
    page.locator("#start-sign-out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(page_hall.url + "/")
    expect(page.locator("#start-sign-in")).to_be_visible()


@pytest.fixture
def demo_browser(browser: Browser) -> Iterator[tuple[BrowserContext, list[str]]]:
    """One browser context (one cookie jar, as one person's browser), and its script errors."""
    context = browser.new_context(viewport={"width": LAPTOP[0], "height": LAPTOP[1]}, locale="zh-CN",
                                  timezone_id=TIMEZONE, has_touch=True)
    errors: list[str] = []
    context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}")))
    yield context, errors
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def open_as(start: Page, link: str) -> Page:
    """Click a device link of the start page: the device's page, in a new tab."""
    with start.context.expect_page() as opened:
        start.locator(link).click()
    return opened.value


def open_now() -> bool:
    """Whether the demo hall is open at this moment (its kiosk issues numbers)."""
    hall = load_config(DEFAULT_CONFIG).halls[0]
    now = datetime.now(ZoneInfo(hall.timezone))
    hours = hall.opening_hours[WEEKDAYS[now.weekday()]]
    return hours.opens <= now.time() < hours.closes


def test_the_demo_shortcut_opens_the_kiosk_and_the_hall_display_in_one_browser(
        demo_browser, demo_server):  # noqa: F811
    context, _ = demo_browser
    start = context.new_page()
    start.goto(demo_server.url + "/")
    offered = start.locator("#start-demo")
    expect(offered.locator("a[data-kind='display']")).to_have_count(7)
    expect(offered.locator("a[data-kind='evaluator']")).to_have_count(7)
    shot(start, "start-demo")
    kiosk = open_as(start, "#demo-kiosk-demo")
    expect(kiosk).to_have_url(re.compile(rf"^http://kiosk\.localhost:{demo_server.port}/kiosk/demo$"))
    display = open_as(start, "#demo-display-demo")
    expect(display).to_have_url(re.compile(rf"^http://display\.localhost:{demo_server.port}/display/demo$"))
    expect(display.locator("#connection")).to_be_hidden()
    expect(display.locator("#clock-time")).not_to_be_empty()
    # the display's cookie did not replace the kiosk's: each host name keeps its own
    kiosk.reload()
    expect(kiosk.locator("#services .k-service").first).to_be_visible()
    if open_now():
        ticket = take(kiosk, "fee")
        expect(display.locator("#waiting [data-service='fee'] .d-service-count")).to_have_text(re.compile(r"[1-9]"))
        assert ticket["service"] == "fee"
    else:  # the kiosk works (its cookie reads the hall) and says the hall is closed, as it must
        expect(kiosk.locator("#closed")).to_be_visible()
        expect(kiosk.locator("#services .k-service:enabled")).to_have_count(0)
    shot(kiosk, "start-demo-kiosk")
