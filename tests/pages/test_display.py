"""The hall display `/display/<hall>` (1920×1080) and the counter display
`/display/<hall>/counters/<n>` (800×480) in real Chromium, paired through their links: calls,
recalls, finish and pause as they happen at a counter, each call's audio requested and played
in order (chime, Mandarin, English), the browser's own voice when the server has none, a
display cut off for ten seconds catching up (every missed call shown, only the recent ones
announced), the manager's notice line, Chinese and English. Every state is saved under
tests/artifacts/display-*.png."""
import io
import re
import wave
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, Route, expect

from ..web.test_notice import add_named_clerk
from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("pages-display")]

HALL_SIZE, COUNTER_SIZE = (1920, 1080), (800, 480)
COUNTER = 3
VOICE = "**/api/v1/halls/demo/voice/**"
CATCH_UP_MS = 30_000  # the browser notices the network is back and Socket.IO reconnects
#: logs each clip the page plays, and whether the one before it had played to its end
PLAY_LOG = """
window.played = [];
let last = null;
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.played.push(last === null || last.ended);
  last = this;
  window.lastClip = this;
  return play.call(this);
};
"""
#: the browser's speech synthesis, recorded instead of spoken (headless Chromium has no voices)
SPEECH_LOG = """
window.spoken = [];
Object.defineProperty(window, "speechSynthesis", { value: {
  speak(utterance) {
    window.spoken.push([utterance.lang, utterance.text]);
    setTimeout(() => utterance.dispatchEvent(new Event("end")), 50);
  },
} });
"""


def wav(seconds: float = 0.2) -> bytes:
    """A short silent WAV: what the server's voice answers, without espeak-ng's time."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


class Voice:
    """The voice endpoints as the page asks for them: each request in order, answered with a
    short WAV, or with 503 `voice_unavailable` when `available` is False."""

    def __init__(self, page: Page, available: bool = True) -> None:
        self.requests: list[tuple] = []
        self.available = available
        self.audio = wav()
        page.route(VOICE, self.answer)

    def answer(self, route: Route) -> None:
        url = urlparse(route.request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        kind = url.path.rsplit("/", 1)[1]
        self.requests.append(("chime",) if kind == "chime" else (query["number"], int(query["counter"]), query["lang"]))
        assert route.request.headers.get("x-csrf-token"), "the page's CSRF token goes with the request"
        if self.available or kind == "chime":
            route.fulfill(status=200, content_type="audio/wav", body=self.audio)
        else:
            route.fulfill(status=503, content_type="application/json",
                          body='{"error": {"code": "voice_unavailable", "message": "no espeak-ng"}}')

    def calls(self) -> list[tuple]:
        return [r for r in self.requests if r != ("chime",)]


@pytest.fixture(scope="module")
def displays(page_hall, page_api):
    """The hall display device, a display bound to counter 3, and a named clerk (王小燕,
    badge SG-0371) who works there."""
    page_hall.add_device("hall-screen", "demo", "display")
    page_hall.add_device("counter-3-screen", "demo", "display", COUNTER)
    page_api.clients["clerk-wang"] = add_named_clerk(page_hall, "clerk-wang", "王小燕", "SG-0371")


def open_display(new_page, page_hall, path: str = "/display/demo", viewport=HALL_SIZE, lang: str = "zh",
                 device: str = "hall-screen", voice: bool = True, clock: bool = False) -> tuple[Page, Voice]:
    page = new_page(viewport=viewport, lang=lang)
    page.add_init_script(PLAY_LOG)
    page.add_init_script(SPEECH_LOG)
    if clock:
        page.clock.install()
    answering = Voice(page, available=voice)
    page.goto(page_hall.url + page_hall.pairing_link(device, "demo"))
    if page.url != page_hall.url + path:
        page.goto(page_hall.url + path)
    expect(page.locator("#clock-time")).not_to_be_empty()
    expect(page.locator("#connection")).to_be_hidden()
    # in sync: a call made before the page's first snapshot would be shown, never announced
    page.wait_for_function("document.body.dataset.live === 'online'")
    return page, answering


def call_next(page_api) -> dict:
    return page_api.counter_action("clerk-wang", COUNTER, "call-next")


def played_in_order(page: Page, clips: int) -> None:
    """`clips` clips were played, each one to its end before the next began."""
    page.wait_for_function(f"window.played.length >= {clips} && window.lastClip.ended")
    assert page.evaluate("window.played") == [True] * clips


def open_counter(page_api) -> None:
    """Counter 3 open with clerk-wang and nobody waiting for it."""
    page_api.counter_action("clerk-wang", COUNTER, "sign-in")
    while page_api.counter_action("clerk-wang", COUNTER, "call-next", status=None):
        page_api.counter_action("clerk-wang", COUNTER, "no-show")


def close_counter(page_api) -> None:
    state = next(c for c in page_api["admin"].ok("GET", "/halls/demo/board")["counters"] if c["number"] == COUNTER)
    if state["state"] == "serving":
        page_api.counter_action("clerk-wang", COUNTER, "no-show")
    if state["state"] == "paused":
        page_api.counter_action("clerk-wang", COUNTER, "resume")
    if state["state"] != "closed":
        page_api.counter_action("clerk-wang", COUNTER, "sign-out")


@pytest.fixture
def counter_open(page_api, displays):
    open_counter(page_api)
    yield
    close_counter(page_api)


# --- the hall display ----------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_hall_display_shows_and_announces_each_call_in_order(new_page, page_hall, page_api, counter_open, lang):
    page, voice = open_display(new_page, page_hall, lang=lang)
    first, second = page_api.issue("fee"), page_api.issue("business")
    expect(page.locator("#waiting [data-service='business'] .d-service-count")).to_have_text(re.compile(r"[1-9]"))

    called = call_next(page_api)
    assert called["number"] == first["number"]
    expect(page.locator("#latest-number")).to_have_text(first["number"])
    expect(page.locator("#latest-counter")).to_have_text("请到 3 号窗口" if lang == "zh" else "Please go to counter 3")
    expect(page.locator("#latest-other")).to_have_text("Please go to counter 3" if lang == "zh" else "请到 3 号窗口")
    expect(page.locator("#latest")).to_have_class(re.compile("is-new"))
    expect(page.locator(f"#counters [data-counter='{COUNTER}'] .d-counter-ticket")).to_have_text(first["number"])
    shot(page, f"display-hall-call-{lang}")

    page_api.counter_action("clerk-wang", COUNTER, "recall")
    expect(page.locator("#recent tr").first).to_contain_text(first["number"])
    page_api.counter_action("clerk-wang", COUNTER, "no-show")
    call_next(page_api)
    expect(page.locator("#latest-number")).to_have_text(second["number"])
    expect(page.locator("#recent tr").nth(0)).to_contain_text("重呼" if lang == "zh" else "Called again")

    # the chime once, then each call (the recall too) in Mandarin, then English, in order
    expected = [(n, COUNTER, language) for n in (first["number"], first["number"], second["number"])
                for language in ("zh", "en")]
    played_in_order(page, 3 + len(expected))
    assert voice.requests[0] == ("chime",) and voice.calls() == expected
    shot(page, f"display-hall-recall-{lang}")


def test_without_the_server_s_voice_the_browser_speaks_the_same_words(new_page, page_hall, page_api, counter_open):
    page, voice = open_display(new_page, page_hall, voice=False)
    ticket = page_api.issue("fee")
    call_next(page_api)
    expect(page.locator("#latest-number")).to_have_text(ticket["number"])
    page.wait_for_function("window.spoken.length >= 2")
    digits = " ".join("零一二三四五六七八九"[int(c)] if c.isdigit() else c for c in ticket["number"])
    assert page.evaluate("window.spoken") == [
        ["zh-CN", f"请 {digits} 号到 3 号窗口办理"],
        ["en-US", f"Number {' '.join(ticket['number'])}, please go to counter 3"],
    ]
    assert voice.calls() == [(ticket["number"], COUNTER, "zh"), (ticket["number"], COUNTER, "en")]


def test_a_display_cut_off_catches_up_and_announces_only_recent_calls(new_page, page_hall, page_api, counter_open):
    page, voice = open_display(new_page, page_hall, clock=True)
    tickets = [page_api.issue("fee") for _ in range(4)]

    # ten seconds off the network: both calls made meanwhile are shown, and announced
    page.context.set_offline(True)
    expect(page.locator("#connection")).to_be_visible(timeout=CATCH_UP_MS)
    call_next(page_api)
    page_api.counter_action("clerk-wang", COUNTER, "no-show")
    call_next(page_api)
    page.wait_for_timeout(10_000)
    expect(page.locator("#latest-number")).not_to_have_text(tickets[1]["number"])
    shot(page, "display-hall-offline")
    page.context.set_offline(False)
    expect(page.locator("#connection")).to_be_hidden(timeout=CATCH_UP_MS)
    expect(page.locator("#latest-number")).to_have_text(tickets[1]["number"])
    expect(page.locator("#recent tr").first).to_contain_text(tickets[0]["number"])
    played_in_order(page, 6)
    assert [n for n, _, lang in voice.calls() if lang == "zh"] == [tickets[0]["number"], tickets[1]["number"]]

    # cut off for over a minute (the page's clock runs ahead): shown, not announced
    page.context.set_offline(True)
    expect(page.locator("#connection")).to_be_visible(timeout=CATCH_UP_MS)
    page_api.counter_action("clerk-wang", COUNTER, "no-show")
    call_next(page_api)
    page.clock.fast_forward("01:05")
    # the board read after the catch-up sets the page's clock right again
    with page.expect_response(lambda r: r.url.endswith("/halls/demo/board"), timeout=CATCH_UP_MS):
        page.context.set_offline(False)
        expect(page.locator("#connection")).to_be_hidden(timeout=CATCH_UP_MS)
        expect(page.locator("#latest-number")).to_have_text(tickets[2]["number"])
    # so the next call, as it happens, is announced
    page_api.counter_action("clerk-wang", COUNTER, "no-show")
    call_next(page_api)
    expect(page.locator("#latest-number")).to_have_text(tickets[3]["number"])
    played_in_order(page, 9)
    announced = [n for n, _, lang in voice.calls() if lang == "zh"]
    assert announced == [t["number"] for t in (tickets[0], tickets[1], tickets[3])]
    shot(page, "display-hall-caught-up")


def test_the_notice_line_shows_in_the_display_s_language(new_page, page_hall, page_api):
    notice = {"zh": "今日系统升级，下午暂停办理过户业务，敬请谅解", "en": "No ownership transfers this afternoon"}
    zh, _ = open_display(new_page, page_hall)
    en, _ = open_display(new_page, page_hall, lang="en")
    expect(zh.locator("#notice")).to_be_hidden()
    page_api["mgr"].ok("POST", "/halls/demo/notice", json=notice)
    expect(zh.locator("#notice-text")).to_have_text(notice["zh"])
    expect(en.locator("#notice-text")).to_have_text(notice["en"])
    shot(zh, "display-hall-notice-zh")
    shot(en, "display-hall-notice-en")

    # a display opened later reads it from the hall; cleared, it goes
    later, _ = open_display(new_page, page_hall)
    expect(later.locator("#notice-text")).to_have_text(notice["zh"])
    page_api["mgr"].ok("POST", "/halls/demo/notice", json={"zh": "", "en": ""})
    expect(later.locator("#notice")).to_be_hidden()
    expect(en.locator("#notice")).to_be_hidden()


# --- the counter display --------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_counter_display_follows_its_counter(new_page, page_hall, page_api, displays, lang):
    path = f"/display/demo/counters/{COUNTER}"
    page, _ = open_display(new_page, page_hall, path, COUNTER_SIZE, lang, device="counter-3-screen")
    text = {"zh": ("未开放", "欢迎光临", "工号 SG-0371", "暂停服务", "用餐时间", "预计"),
            "en": ("Closed", "Welcome", "Badge SG-0371", "Paused", "Meal break", "Back at about")}[lang]
    expect(page.locator("#closed")).to_contain_text(text[0])
    expect(page.locator("#clerk")).to_be_hidden()
    shot(page, f"display-counter-closed-{lang}")

    open_counter(page_api)
    try:
        expect(page.locator("#idle")).to_contain_text(text[1])
        expect(page.locator("#clerk-name")).to_have_text("王小燕")
        expect(page.locator("#clerk-badge")).to_have_text(text[2])

        ticket = page_api.issue("fee")
        call_next(page_api)
        expect(page.locator("#number")).to_have_text(ticket["number"])
        shot(page, f"display-counter-serving-{lang}")
        page_api.counter_action("clerk-wang", COUNTER, "start")
        page_api.counter_action("clerk-wang", COUNTER, "finish")
        expect(page.locator("#idle")).to_be_visible()

        page_api.counter_action("clerk-wang", COUNTER, "pause", reason="meal")
        expect(page.locator("#paused")).to_contain_text(text[3])
        expect(page.locator("#pause-reason")).to_have_text(text[4])
        expect(page.locator("#pause-back")).to_contain_text(text[5])
        expect(page.locator("#pause-back")).to_contain_text(re.compile(r"\d\d:\d\d"))
        shot(page, f"display-counter-paused-{lang}")

        # a pause of no usual length: only "paused"
        page_api.counter_action("clerk-wang", COUNTER, "resume")
        page_api.counter_action("clerk-wang", COUNTER, "pause", reason="meeting")
        expect(page.locator("#pause-reason")).to_have_text("开会中" if lang == "zh" else "In a meeting")
        expect(page.locator("#pause-back")).to_be_hidden()
    finally:
        close_counter(page_api)
    expect(page.locator("#closed")).to_be_visible()


def test_a_display_bound_to_one_counter_shows_no_other(new_page, page_hall, displays):
    page = new_page(viewport=COUNTER_SIZE)
    page.goto(page_hall.url + page_hall.pairing_link("counter-3-screen", "demo"))
    expect(page).to_have_url(re.compile(rf"/display/demo/counters/{COUNTER}$"))
    response = page.goto(page_hall.url + "/display/demo/counters/4")
    assert response.status == 403
    # any display of the hall may show any counter
    hall_screen = new_page(viewport=COUNTER_SIZE)
    hall_screen.goto(page_hall.url + page_hall.pairing_link("hall-screen", "demo"))
    assert hall_screen.goto(page_hall.url + "/display/demo/counters/4").status == 200
    assert hall_screen.goto(page_hall.url + "/display/demo/counters/99").status == 404
