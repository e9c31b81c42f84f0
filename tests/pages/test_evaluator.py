"""The evaluator `/evaluator/<hall>/<number>` in real Chromium on a tablet (1280×800 and
800×1280), paired through its link for one counter: the welcome screen with the clerk, a
visit finished at its counter asks for a rating, a rating recorded, a low one with its reason
(or without one when the customer walks away), a second visit replacing the first, nobody
answering recording nothing, the offline indicator; in Chinese and in English. Every state is
saved under tests/artifacts/evaluator-*.png."""
import re
import secrets

import pytest
import requests
from playwright.sync_api import Page, expect

from ..web.conftest import Client
from ..web.test_notice import add_named_clerk
from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("pages-evaluator")]

LANDSCAPE, PORTRAIT = (1280, 800), (800, 1280)
CLERK, CLERK_NAME, BADGE = "clerk-zhang", "张丽", "0427"
TEXT = {
    "zh": {"welcome": "欢迎光临", "counter": "4号窗口", "badge": f"工号 {BADGE}", "question": "请您对本次服务进行评价",
           "levels": ["非常满意", "满意", "基本满意", "不满意"], "other": "Very satisfied",
           "reason": "等候时间长", "why": "非常抱歉", "thanks": "感谢您的评价！", "told": "已通知值班经理",
           "offline": "离线"},
    "en": {"welcome": "Welcome", "counter": "Window 4", "badge": f"Staff no. {BADGE}",
           "question": "How satisfied are you with our service?",
           "levels": ["Very satisfied", "Satisfied", "Fairly satisfied", "Dissatisfied"], "other": "非常满意",
           "reason": "Long wait", "why": "What could we do better?", "thanks": "Thank you for your feedback!",
           "told": "The hall manager has been told", "offline": "Offline"},
}


@pytest.fixture(scope="module")
def clerk(page_hall) -> Client:
    """A clerk with a name and a badge number, which the evaluator shows the customer."""
    return add_named_clerk(page_hall, CLERK, CLERK_NAME, BADGE)


def open_evaluator(new_page, page_hall, counter: int, lang: str = "zh", viewport=LANDSCAPE,
                   clock: bool = False) -> Page:
    """A touch tablet paired as a new evaluator of `counter` through its link, online;
    `clock`: with Playwright's clock installed, to run the timeouts forward."""
    name = f"evaluator-{counter}-{lang}-{secrets.token_hex(3)}"
    page_hall.add_device(name, "demo", "evaluator", counter)
    page = new_page(viewport=viewport, lang=lang, has_touch=True)
    if clock:
        page.clock.install()
    page.goto(page_hall.url + page_hall.pairing_link(name, "demo"))
    expect(page).to_have_url(re.compile(rf"/evaluator/demo/{counter}$"))
    expect(page.locator("#evaluator")).to_have_attribute("data-online", "true")
    return page


def screen(page: Page, name: str):
    return page.locator(f"[data-screen='{name}']")


def serve(page_api, clerk: Client, counter: int, service: str = "business") -> dict:
    """A visit at `counter`, from the call to the finish, by the named clerk."""
    issued_seq = page_api.last_seq()
    ticket = page_api.issue(service) | {"issued_seq": issued_seq}
    path = f"/halls/demo/counters/{counter}"
    assert clerk.ok("POST", f"{path}/call-next")["id"] == ticket["id"]
    clerk.ok("POST", f"{path}/start")
    clerk.ok("POST", f"{path}/finish")
    return ticket


def sign_in(page_api, clerk: Client, counter: int) -> None:
    """The clerk at `counter`, with nobody else waiting for it."""
    clerk.ok("POST", f"/halls/demo/counters/{counter}/sign-in")
    while page_api.counter_action("admin", counter, "call-next", status=None):
        page_api.counter_action("admin", counter, "no-show")


def ratings(page_api, ticket: dict) -> list[dict]:
    """The ratings of the ticket (the events since it was issued)."""
    events = page_api["mgr"].ok("GET", "/halls/demo/events", params={"after": ticket["issued_seq"]})["events"]
    return [e["data"] for e in events if e["type"] == "rating.given" and e["ticket"] == ticket["id"]]


def tap_and_answer(page: Page, locator) -> dict:
    """Tap; the rating the page posted, once the server answered it."""
    with page.expect_response(lambda r: "/rating" in r.url and r.request.method == "POST") as answer:
        locator.tap()
    assert answer.value.status == 200, answer.value.text()
    return answer.value.request.post_data_json


@pytest.mark.parametrize("lang, viewport", [("zh", LANDSCAPE), ("en", PORTRAIT)])
def test_the_customer_rates_the_visit_and_a_low_rating_gives_its_reason(new_page, page_hall, page_api, clerk,
                                                                        lang, viewport):
    text, orientation = TEXT[lang], "landscape" if viewport == LANDSCAPE else "portrait"
    page = open_evaluator(new_page, page_hall, 4, lang, viewport)
    expect(screen(page, "idle")).to_be_visible()
    expect(screen(page, "idle")).to_contain_text(text["welcome"])
    expect(page.locator(".ev-counter-name")).to_have_text(text["counter"])
    expect(page.locator("#clerk")).to_be_hidden()            # nobody at the counter yet
    sign_in(page_api, clerk, 4)
    expect(page.locator("#clerk-name")).to_have_text(CLERK_NAME)
    expect(page.locator("#clerk-badge")).to_have_text(text["badge"])
    shot(page, f"evaluator-idle-{lang}-{orientation}")

    first = serve(page_api, clerk, 4)
    expect(screen(page, "rate")).to_be_visible()
    expect(page.locator("#rate-number")).to_have_text(first["number"])
    expect(screen(page, "rate")).to_contain_text(text["question"])
    expect(page.locator(".ev-level-name")).to_have_text(text["levels"])
    expect(page.locator(".ev-level-other").first).to_have_text(text["other"])
    shot(page, f"evaluator-rate-{lang}-{orientation}")
    assert tap_and_answer(page, page.locator("[data-score='3']")) == {"score": 3, "reason": None}
    expect(screen(page, "thanks")).to_contain_text(text["thanks"])
    expect(page.locator("#thanks-low")).to_be_hidden()
    assert [(r["score"], r["level"], r["low"], r["reason"]) for r in ratings(page_api, first)] == \
        [(3, "satisfied", False, None)]
    expect(screen(page, "idle")).to_be_visible(timeout=15000)  # back to welcome by itself

    second = serve(page_api, clerk, 4)
    expect(page.locator("#rate-number")).to_have_text(second["number"])
    page.locator("[data-score='1']").tap()
    expect(screen(page, "reason")).to_contain_text(text["why"])
    shot(page, f"evaluator-reason-{lang}-{orientation}")
    reason = page.locator("[data-reason='long_wait']")
    expect(reason).to_contain_text(text["reason"])
    assert tap_and_answer(page, reason) == {"score": 1, "reason": "long_wait"}
    expect(page.locator("#thanks-low")).to_contain_text(text["told"])
    shot(page, f"evaluator-thanks-{lang}-{orientation}")
    assert [(r["score"], r["level"], r["low"], r["reason"], r["served_at"], r["clerk"])
            for r in ratings(page_api, second)] == [(1, "dissatisfied", True, "long_wait", 4, CLERK)]
    clerk.ok("POST", "/halls/demo/counters/4/sign-out")


def test_a_second_visit_replaces_the_first_and_nobody_answering_records_nothing(new_page, page_hall, page_api,
                                                                               clerk):
    page = open_evaluator(new_page, page_hall, 5, clock=True)
    sign_in(page_api, clerk, 5)
    first = serve(page_api, clerk, 5)
    expect(page.locator("#rate-number")).to_have_text(first["number"])
    second = serve(page_api, clerk, 5, "enquiry")
    expect(page.locator("#rate-number")).to_have_text(second["number"])
    page.clock.fast_forward(31_000)                            # rating_timeout_s is 30
    expect(screen(page, "idle")).to_be_visible()
    page_api["mgr"].ok("POST", f"/tickets/{first['id']}/rating", json={"score": 4})  # proves the page posted nothing:
    assert ratings(page_api, second) == []                    # the first still rates, the second has none
    clerk.ok("POST", "/halls/demo/counters/5/sign-out")


def test_a_low_rating_counts_when_the_customer_walks_away_from_the_reasons(new_page, page_hall, page_api, clerk):
    page = open_evaluator(new_page, page_hall, 5, clock=True)
    sign_in(page_api, clerk, 5)
    walked_away = serve(page_api, clerk, 5)
    expect(page.locator("#rate-number")).to_have_text(walked_away["number"])
    page.locator("[data-score='1']").tap()
    expect(screen(page, "reason")).to_be_visible()
    with page.expect_response(lambda r: "/rating" in r.url) as answer:
        page.clock.fast_forward(31_000)                        # a low rating still counts, without a reason
    assert answer.value.status == 200
    assert [(r["low"], r["reason"]) for r in ratings(page_api, walked_away)] == [(True, None)]
    clerk.ok("POST", "/halls/demo/counters/5/sign-out")


def test_the_evaluator_shows_when_it_is_offline(new_page, page_hall):
    page = open_evaluator(new_page, page_hall, 6)
    page_hall.kill()  # the server's machine loses power
    try:
        expect(page.locator("#evaluator")).to_have_attribute("data-online", "false")
        expect(page.locator(".ev-status-offline")).to_have_text(TEXT["zh"]["offline"])
        expect(page.locator(".ev-status-offline")).to_be_visible()
        shot(page, "evaluator-offline-zh")
    finally:
        page_hall.start()
    expect(page.locator("#evaluator")).to_have_attribute("data-online", "true", timeout=30000)
    expect(page.locator(".ev-status-offline")).to_be_hidden()


def test_only_the_evaluator_of_the_counter_opens_its_page(page_hall):
    def opened(counter: int, device: str | None) -> int:
        cookies = {"hall_device": device} if device else None
        return requests.get(f"{page_hall.url}/evaluator/demo/{counter}", cookies=cookies, timeout=10).status_code

    own = page_hall.add_device("evaluator-4-only", "demo", "evaluator", 4)
    assert opened(4, None) == 401
    assert opened(4, own) == 200
    assert opened(5, own) == 403                                # another counter's evaluator page
    assert opened(4, page_hall.tokens["display"]) == 403         # not an evaluator
