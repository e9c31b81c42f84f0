"""`python -m bench --scenario display` (and part of `make bench`): call to text on the hall
display page, and call to its audio, with 20 display pages open in Chromium on this machine.

Starts `python -m hall_server run` (tests/running_hall.py) on a fresh SQLite database, pairs
PAGES hall display pages (/display/demo) in Debian's Chromium (Playwright, headless,
1920×1080, one browser context each, as 20 display PCs would be), and has a clerk call
WARMUP + CALLS numbers at counter 1, one at a time. For each call and each page:
- call to text: from just before the clerk's `call-next` request is sent to the first task
  after the frame that shows the number (requestAnimationFrame, then a task);
- call to audio requested: to the page's request for the call's Mandarin audio
  (GET /voice/call?lang=zh, after the chime, which the pages fetched once before);
- call to audio received: to the answer's headers (the audio made by espeak-ng, cold the
  first time a phrase is asked for, then from the server's cache).
Times are wall-clock milliseconds of this machine on both sides. The first WARMUP calls are
not counted. Targets: p95 ≤ 300 ms (text) and ≤ 500 ms (audio requested).
"""
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests
from playwright.sync_api import Page, sync_playwright

from tests.pages.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.running_hall import RunningHall, hall_config_text

from .printer import without_server_printers
from .report import percentile, publish

PAGES = 20
CALLS = 20
WARMUP = 3
#: seconds between one call and the next clerk's call (a busy hall calls every few seconds)
GAP_S = 2.0
POLL_MS = 100
#: how long a page's audio may take before the call counts as one without (the page then
#: speaks with the browser's voice)
AUDIO_WAIT_S = 15.0
COUNTER = 1
TARGET_TEXT_P95_MS = 300.0
TARGET_AUDIO_P95_MS = 500.0
VIEWPORT = {"width": 1920, "height": 1080}
#: runs in each page before its scripts: when each number is on screen (epoch ms)
TIMING = """
window.shown = {};
performance.setResourceTimingBufferSize(100000);
const now = () => performance.timeOrigin + performance.now();
addEventListener("DOMContentLoaded", () => {
  const number = document.getElementById("latest-number");
  new MutationObserver(() => {
    const text = number.textContent;
    if (!text || text in window.shown) return;
    window.shown[text] = null;
    requestAnimationFrame(() => setTimeout(() => { window.shown[text] = now(); }));
  }).observe(number, { childList: true, characterData: true, subtree: true });
});
"""

class AudioRequests:
    """When a page asked for each number's Mandarin audio and when the answer's headers came
    (epoch ms), from the browser's own timing of the request (Playwright only listens)."""

    def __init__(self, page: Page) -> None:
        self.times: dict[str, tuple[float, float]] = {}
        page.on("response", self.answered)

    def answered(self, response) -> None:
        query = parse_qs(urlparse(response.url).query)
        if "/voice/call" in response.url and query.get("lang") == ["zh"]:
            timing = response.request.timing
            self.times.setdefault(query["number"][0],
                                  (timing["startTime"], timing["startTime"] + timing["responseStart"]))

    def wait(self, number: str, timeout_s: float) -> tuple[float, float] | None:
        deadline = time.monotonic() + timeout_s
        while number not in self.times and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.times.get(number)


def open_pages(browser, server: RunningHall) -> list[tuple[Page, AudioRequests]]:
    pages = []
    for n in range(PAGES):
        server.add_device(f"display-{n}", "demo", "display")
        page = browser.new_context(viewport=VIEWPORT, locale="zh-CN").new_page()
        page.add_init_script(TIMING)
        audio = AudioRequests(page)
        page.goto(server.url + server.pairing_link(f"display-{n}", "demo"))
        page.wait_for_function("document.body && !document.body.classList.contains('is-offline')"
                               " && document.getElementById('connection').hidden")
        pages.append((page, audio))
    return pages


def measure(calls: int = CALLS) -> dict:
    with tempfile.TemporaryDirectory(prefix="hall-bench-display-") as workdir:
        server = RunningHall(Path(workdir), config_text=without_server_printers(hall_config_text()))
        server.init_db()
        server.add_device("kiosk", "demo", "kiosk")
        server.add_user("clerk", "clerk", ["demo"])
        server.start()
        try:
            clerk = requests.Session()
            clerk.headers["Authorization"] = f"Bearer {server.login('clerk')}"
            kiosk = {"Authorization": f"Bearer {server.tokens['kiosk']}"}
            api = f"{server.url}/api/v1/halls/demo"
            clerk.post(f"{api}/counters/{COUNTER}/sign-in", json={}, timeout=10).raise_for_status()
            for _ in range(WARMUP + calls):
                requests.post(f"{api}/tickets", json={"service": "fee"}, headers=kiosk,
                              timeout=10).raise_for_status()
            text_ms, asked_ms, answered_ms, missing = [], [], [], 0
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    pages = open_pages(browser, server)
                    for n in range(WARMUP + calls):
                        called_at = time.time() * 1000
                        response = clerk.post(f"{api}/counters/{COUNTER}/call-next", json={}, timeout=10)
                        response.raise_for_status()
                        number = response.json()["number"]
                        for page, audio in pages:
                            # polled on a timer: Playwright's default polls every frame, which would
                            # make the page draw frames nobody asked for
                            page.wait_for_function("n => window.shown[n]", arg=number, polling=POLL_MS)
                            shown = page.evaluate("n => window.shown[n]", number)
                            times = audio.wait(number, AUDIO_WAIT_S)
                            if n < WARMUP:
                                continue
                            text_ms.append(shown - called_at)
                            if times is None:
                                missing += 1
                            else:
                                asked_ms.append(times[0] - called_at)
                                answered_ms.append(times[1] - called_at)
                        clerk.post(f"{api}/counters/{COUNTER}/no-show", json={}, timeout=10).raise_for_status()
                        time.sleep(GAP_S)
                finally:
                    browser.close()
        finally:
            server.stop()
    return {"pages": PAGES, "calls": calls, "call_to_text_ms": _summary(text_ms),
            "call_to_audio_requested_ms": _summary(asked_ms), "call_to_audio_received_ms": _summary(answered_ms),
            "audio_missing": missing}


def _summary(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {"count": len(values), "p50": round(percentile(values, 0.50), 1),
            "p95": round(percentile(values, 0.95), 1), "max": round(max(values), 1)}


def main() -> int:
    result = measure()
    summary = {
        "scenario": "display", **result,
        "targets": {
            "text_p95_le_300_ms": result["call_to_text_ms"]["p95"] <= TARGET_TEXT_P95_MS,
            "audio_p95_le_500_ms": result["call_to_audio_requested_ms"].get("p95", float("inf")) <= TARGET_AUDIO_P95_MS,
        },
    }
    publish("display", summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
