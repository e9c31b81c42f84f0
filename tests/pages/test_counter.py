"""The clerk's counter screen `/counter/<hall>/<number>` and the staff sign-in in real
Chromium: the clerk signs in at /login and works the counter with the keyboard alone (sign
in, call, recall, start, finish with items, transfer with a note, flag, pause, resume, sign
out); the handling timer turns amber and red against the budget (the page's clock moved
forward); after a visit that ran over, the apology reminder; the closing banner. Every
state is saved under tests/artifacts/counter-*.png."""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from .conftest import shot

pytestmark = [pytest.mark.xdist_group("pages-counter"), pytest.mark.browser]

DESK = (1366, 800)
ZONE = ZoneInfo("Asia/Shanghai")


def sign_in(page: Page, hall, user: str, path: str) -> None:
    """Open `path`, get sent to /login, sign in there with the keyboard, come back."""
    page.goto(f"{hall.url}{path}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.keyboard.type(user)  # the user name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(hall.passwords[user])
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{hall.url}{path}")
    if path.startswith("/counter/"):
        expect(page.locator("#state")).to_have_attribute("data-state", re.compile(".+"))  # the script is ready


def managers_only(new_page, hall, page_of: str, size: tuple[int, int]) -> None:
    """The manager's page `/<page_of>/demo` refuses a manager of another hall and a clerk (403),
    and an admin gets 404 for a hall that does not exist."""
    for user in ("mgr-north", "clerk-a"):
        page = new_page(size)
        page.goto(f"{hall.url}/{page_of}/demo")
        page.fill("#username", user)
        page.fill("#password", hall.passwords[user])
        with page.expect_response(re.compile(rf"/{page_of}/demo$")) as answer:
            page.keyboard.press("Enter")
        assert answer.value.status == 403
    page = new_page(size)
    sign_in(page, hall, "admin", f"/{page_of}/demo")
    assert page.goto(f"{hall.url}/{page_of}/nowhere").status == 404


def events(page_api, after: int, kind: str) -> list[dict]:
    found = page_api["admin"].ok("GET", "/halls/demo/events", params={"after": after, "limit": 500})["events"]
    return [e for e in found if e["type"] == kind]


def waiting_here(page: Page, n: int) -> None:
    expect(page.locator("#waiting")).to_have_attribute("data-count", str(n))


def test_sign_in_page_refuses_a_wrong_password_and_other_sites_as_next(new_page, page_hall):
    page = new_page(DESK)
    page.goto(f"{page_hall.url}/login?next=https://evil.example/steal")
    assert page.locator("input[name=next]").input_value() == "/"
    page.fill("#username", "clerk-a")
    page.fill("#password", "not the password")
    with page.expect_response(f"{page_hall.url}/login") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 401
    expect(page.locator("#signin-error")).to_have_text("用户名或密码错误。")
    shot(page, "counter-login-wrong")
    for target in ("//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        page.goto(f"{page_hall.url}/login?next={target}")
        assert page.locator("input[name=next]").input_value() == "/"

    english = new_page(DESK, lang="en")
    english.goto(f"{page_hall.url}/login?lang=en")
    expect(english.locator("h1")).to_have_text("Staff sign-in")


def test_sign_in_is_throttled_and_says_so(new_page, page_hall):
    page = new_page(DESK)
    page.goto(f"{page_hall.url}/login")
    status = None
    for _ in range(6):
        page.fill("#username", "ghost")  # a name nobody has: the accounts of the other tests stay usable
        page.fill("#password", "wrong")
        with page.expect_response(f"{page_hall.url}/login") as answer:
            page.click("button[type=submit]")
        status = answer.value.status
    assert status == 429
    expect(page.locator("#signin-error")).to_contain_text("登录失败次数过多")
    shot(page, "counter-login-throttled")


def test_a_clerk_works_the_counter_with_the_keyboard_alone(new_page, page_hall, page_api):
    page = new_page(DESK)
    page.clock.install()
    sign_in(page, page_hall, "clerk-a", "/counter/demo/3")
    expect(page.locator("#state")).to_have_text("未签到")
    shot(page, "counter-closed")
    page.keyboard.press("i")
    expect(page.locator("#state")).to_have_attribute("data-state", "idle")
    after = page_api.last_seq()
    first, second = page_api.issue("fee"), page_api.issue("fee")
    waiting_here(page, 2)

    page.keyboard.press("n")
    expect(page.locator("#number")).to_have_text(first["number"])
    waiting_here(page, 1)
    page.keyboard.press("r")
    expect(page.locator("#message")).to_contain_text(f"已重呼 {first['number']}")
    shot(page, "counter-called")
    page.keyboard.press("s")
    expect(page.locator("#current-title")).to_have_text("办理中")
    timer = page.locator("#timer")
    expect(timer).to_have_attribute("data-level", "ok")
    expect(page.locator("#timer-budget")).to_have_text("时限 5:00")  # one fee item: 5 minutes
    shot(page, "counter-serving")

    page.clock.fast_forward("04:10")  # of 5:00: past 80%
    expect(timer).to_have_attribute("data-level", "warn")
    shot(page, "counter-timer-amber")
    page.clock.fast_forward("01:00")  # 5:10: over the budget
    expect(timer).to_have_attribute("data-level", "over")
    expect(page.locator("#timer-budget")).to_contain_text("已超时")
    shot(page, "counter-timer-red")
    page.keyboard.press("f")
    dialog = page.locator("#finish-dialog")
    expect(dialog).to_be_visible()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#state")).to_have_attribute("data-state", "idle")

    page.keyboard.press(" ")  # Space calls too
    expect(page.locator("#number")).to_have_text(second["number"])
    expect(page.locator("#apology")).to_be_visible()
    expect(page.locator("#apology-phrase")).to_contain_text("对不起，让您久等了")
    shot(page, "counter-apology")
    page.keyboard.press("s")
    expect(page.locator("#current-title")).to_have_text("办理中")
    page.keyboard.press("+")  # a second bill: the budget doubles
    expect(page.locator("#timer-budget")).to_have_text("时限 10:00")
    page.keyboard.press("f")
    expect(dialog).to_be_visible()
    page.keyboard.press("Tab")  # the first item's count
    page.keyboard.press("Tab")  # its remove button
    page.keyboard.press("Tab")  # add an item
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")  # the new item: the next service (business)
    expect(page.locator("#finish-budget")).to_contain_text("时限 25:00")
    shot(page, "counter-finish-dialog")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#apology")).to_be_hidden()
    (_, done) = events(page_api, after, "ticket.finished")
    assert done["ticket"] == second["id"]
    assert done["data"]["items"] == [{"service": "fee", "count": 2}, {"service": "business", "count": 1}]

    third = page_api.issue("fee")
    waiting_here(page, 1)
    page.keyboard.press("n")
    expect(page.locator("#number")).to_have_text(third["number"])
    page.keyboard.press("s")
    expect(page.locator("#current-title")).to_have_text("办理中")
    page.keyboard.press("g")  # flag: the third kind, a callback, with phone and reason
    expect(page.locator("#flag-dialog")).to_be_visible()
    page.keyboard.press("3")
    page.keyboard.press("Tab")
    page.keyboard.type("13800138000")
    page.keyboard.press("Tab")
    page.keyboard.type("发票需补开")
    page.keyboard.press("Enter")
    expect(page.locator("#flag-dialog")).to_be_hidden()
    expect(page.locator("#flags-sent")).to_contain_text("需要回访")
    shot(page, "counter-flagged")
    (flag,) = events(page_api, after, "ticket.flagged")
    assert flag["data"] == {"number": third["number"], "kind": "callback", "phone": "13800138000",
                            "reason": "发票需补开"}

    page.keyboard.press("t")  # transfer to another counter, with a note
    expect(page.locator("#transfer-dialog")).to_be_visible()
    page.keyboard.press("ArrowDown")  # the "another counter" choice
    page.keyboard.press("Tab")  # its counter list
    page.keyboard.press("6")  # typing picks the option "6号窗口"
    page.keyboard.press("Tab")
    page.keyboard.type("客户需办理过户")
    shot(page, "counter-transfer-dialog")
    page.keyboard.press("Enter")
    expect(page.locator("#transfer-dialog")).to_be_hidden()
    expect(page.locator("#message")).to_contain_text(f"已转办 {third['number']}")
    (moved,) = events(page_api, after, "ticket.transferred")
    assert (moved["ticket"], moved["data"]["to_counter"], moved["data"]["note"]) == (third["id"], 6, "客户需办理过户")

    page.keyboard.press("p")
    expect(page.locator("#pause-dialog")).to_be_visible()
    page.keyboard.press("2")  # meal
    page.keyboard.press("Enter")
    expect(page.locator("#state")).to_have_text("暂停：用餐")
    shot(page, "counter-paused")
    page.keyboard.press("u")
    expect(page.locator("#state")).to_have_attribute("data-state", "idle")
    page.keyboard.press("o")
    expect(page.locator("#sign-out-dialog")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#state")).to_have_attribute("data-state", "closed")
    paused = events(page_api, after, "counter.paused")
    assert [e["data"].get("reason") for e in paused] == ["meal"]
    page_api.open_counter(6, "clerk-b")  # sends the transferred customer away
    page_api.counter_action("clerk-b", 6, "sign-out")


def test_the_closing_banner_lists_who_still_waits(new_page, page_hall, page_api):
    page = new_page(DESK)
    # the test hall closes at 24:00: ten minutes before, in the hall's timezone
    today = datetime.now(ZONE).date()
    page.clock.set_fixed_time(datetime(today.year, today.month, today.day, 23, 50, tzinfo=ZONE))
    sign_in(page, page_hall, "clerk-b", "/counter/demo/5")
    page.keyboard.press("i")
    expect(page.locator("#state")).to_have_attribute("data-state", "idle")
    page_api.issue("business")
    page_api.issue("enquiry")
    banner = page.locator("#closing-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-waiting", "2")
    expect(banner).to_contain_text("仍有 2 位客户等候")
    shot(page, "counter-closing")
    page_api.open_counter(5, "clerk-b")  # serves them (as no-shows) and empties the queue
    expect(banner).to_contain_text("已无等候客户")
    page_api.counter_action("clerk-b", 5, "sign-out")


def test_a_manager_may_open_a_counter_and_a_clerk_of_another_hall_may_not(new_page, page_hall):
    page = new_page(DESK, lang="en")
    sign_in(page, page_hall, "mgr", "/counter/demo/2?lang=en")
    expect(page.locator("#state")).to_have_text("Not signed in")
    expect(page.locator("[data-action=sign-in]")).to_contain_text("Sign in at this counter")
    shot(page, "counter-manager-en")
    other = new_page(DESK)
    other.goto(f"{page_hall.url}/login?next=/counter/demo/2")
    other.fill("#username", "mgr-north")
    other.fill("#password", page_hall.passwords["mgr-north"])
    with other.expect_response(re.compile(r"/counter/demo/2$")) as answer:
        other.keyboard.press("Enter")
    assert answer.value.status == 403
    expect(other.locator("#signin-forbidden")).to_contain_text("mgr-north")
    other.click("button[type=submit]")  # sign out of the account
    expect(other).to_have_url(re.compile(r"/login$"))
    shot(other, "counter-forbidden-signed-out")
