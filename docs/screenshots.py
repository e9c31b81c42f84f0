"""Take the README's screenshots, docs/hall-display.png (the hall call display `/display/demo`)
and docs/board.png (the manager's board `/board/demo`), at 1366x768 in Chinese, of a live hall
in the middle of a busy morning.

It starts `python -m hall_server run` through the tests' `RunningHall` (tests/running_hall.py)
on a temporary directory, with the demo hall's configuration open all day (so the hall is open
whenever this runs; the alert rules and the camera are off, as in the tests) and its timezone
and the browsers' set to one where it is now about ten in the morning, a kiosk, a paired
hall display device, a manager and six named clerks. Through the real API it then issues
about 25 tickets for the four services, signs the clerks in at counters 1-5 and 7 (6 stays closed), and
has each counter call its next customer; most start serving, a couple are left just called,
and a few finish one customer and call the next, so the display lists recent calls and the
board shows queues, busy counters and handling timers of about a minute. The hall display is
opened through its pairing link and the board signed in as the manager, both in Debian's
Chromium; the pictures are taken once both pages are live (`document.body.dataset.live ===
"online"`, set by live.js once synced, so no connection-lost bar shows), then the server stops.

    .venv/bin/python docs/screenshots.py        # from the repository's root; about two minutes
"""
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import Page, expect, sync_playwright

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from hall_server.bootstrap import open_context  # noqa: E402
from hall_server.config import load_config  # noqa: E402
from hall_server.services import accounts  # noqa: E402
from tests.running_hall import RunningHall, hall_config_text, zone_at  # noqa: E402

DOCS = REPO_ROOT / "docs"
SIZE = {"width": 1366, "height": 768}
CHROMIUM = os.environ.get("HALL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
#: the hall and the browsers in a zone where it is now mid-morning (10 o'clock), whenever this runs
TIMEZONE = zone_at(10)
API = "/api/v1"

#: the clerks at their counters (counter 6 stays closed): username, name, badge
CLERKS = {1: ("clerk-li", "李静", "SG-0112"), 2: ("clerk-zhang", "张伟", "SG-0207"),
          3: ("clerk-wang", "王小燕", "SG-0371"), 4: ("clerk-liu", "刘洋", "SG-0415"),
          5: ("clerk-chen", "陈晨", "SG-0523"), 7: ("clerk-zhao", "赵敏", "SG-0736")}
#: the morning's tickets in the order the kiosk issues them (25)
TICKETS = ["fee", "business", "fee", "enquiry", "fee", "business", "enterprise", "fee", "business",
           "enquiry", "fee", "business", "fee", "enterprise", "enquiry", "fee", "business", "fee",
           "business", "enquiry", "fee", "enterprise", "business", "fee", "enquiry"]
#: counters that serve one customer to the end and call the next (for the display's history)
FINISH_FIRST = [1, 3, 4]
#: counters whose customer is called but not yet at the desk
ONLY_CALLED = [2, 5]


def add_user(hall: RunningHall, username: str, role: str, name: str | None = None,
             badge: str | None = None) -> str:
    """A user of the demo hall, logged in through the API; returns the bearer token."""
    password = f"Shot-{username}-2024!"
    ctx = open_context(load_config(hall.config_path), hall.database_url, migrate_schema=False)
    try:
        accounts.add_user(ctx, username, role, password, ["demo"], badge=badge, name=name)
    finally:
        ctx.store.engine.dispose()
    hall.passwords[username] = password
    return hall.login(username)


def post(hall: RunningHall, token: str, path: str, body: dict | None = None, status=(200, 201)) -> dict:
    response = requests.post(f"{hall.url}{API}{path}", json=body or {}, timeout=10,
                             headers={"Authorization": f"Bearer {token}"})
    if response.status_code not in status:
        raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
    return response.json() if response.content else {}


def act(hall: RunningHall, counter: int, action: str, **body) -> dict:
    """A counter action by the clerk signed in there."""
    token = hall.tokens[CLERKS[counter][0]]
    return post(hall, token, f"/halls/demo/counters/{counter}/{action}", body, status=(200, 204))


def busy_morning(hall: RunningHall) -> None:
    """Tickets, clerks at their counters, calls: a hall in full swing, spread over a minute and a
    half so the counters' handling timers differ."""
    kiosk = hall.tokens["kiosk"]
    for service in TICKETS[:18]:
        post(hall, kiosk, "/halls/demo/tickets", {"service": service})
    for counter in CLERKS:
        act(hall, counter, "sign-in")
    for counter in FINISH_FIRST:  # the first customers of the day, served and gone
        act(hall, counter, "call-next")
        act(hall, counter, "start")
    time.sleep(20)
    for counter in FINISH_FIRST:
        act(hall, counter, "finish")
    for counter in CLERKS:  # everyone calls; those not just called start serving, staggered
        if counter in ONLY_CALLED:
            continue
        act(hall, counter, "call-next")
        act(hall, counter, "start")
        time.sleep(12)
    for service in TICKETS[18:]:  # more customers keep coming in
        post(hall, kiosk, "/halls/demo/tickets", {"service": service})
        time.sleep(1)
    for counter in ONLY_CALLED:  # the latest calls: the display's headline
        act(hall, counter, "call-next")
        time.sleep(3)


def wait_live(page: Page) -> None:
    page.wait_for_function("document.body.dataset.live === 'online'", timeout=30_000)
    expect(page.locator("#connection")).to_be_hidden()


def main() -> int:
    with tempfile.TemporaryDirectory() as workdir:
        config = hall_config_text().replace('timezone = "Asia/Shanghai"', f'timezone = "{TIMEZONE}"')
        hall = RunningHall(Path(workdir), config_text=config)
        hall.init_db()
        hall.add_device("kiosk", "demo", "kiosk")
        hall.add_device("hall-screen", "demo", "display")
        hall.start()
        try:
            add_user(hall, "mgr", "manager", name="周敏")
            for username, name, badge in CLERKS.values():
                add_user(hall, username, "clerk", name=name, badge=badge)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                pages = []
                for _ in range(2):
                    context = browser.new_context(viewport=SIZE, locale="zh-CN", timezone_id=TIMEZONE)
                    context.add_cookies([{"name": "lang", "value": "zh", "url": hall.url}])
                    pages.append(context.new_page())
                display, board = pages
                # the hall display, paired as its device, before the calls so it announces them
                display.goto(hall.url + hall.pairing_link("hall-screen", "demo"))
                if display.url != f"{hall.url}/display/demo":
                    display.goto(f"{hall.url}/display/demo")
                expect(display.locator("#clock-time")).not_to_be_empty()
                wait_live(display)
                # the board, signed in as the hall's manager
                board.goto(f"{hall.url}/board/demo")
                expect(board).to_have_url(re.compile(r"/login\?next="))
                board.fill("#username", "mgr")
                board.fill("#password", hall.passwords["mgr"])
                board.keyboard.press("Enter")
                expect(board).to_have_url(f"{hall.url}/board/demo")
                wait_live(board)
                expect(board.locator("#live-state")).to_have_attribute("data-online", "true")
                board.click("#sound")  # the alert sound on, as a manager turns it on: no reminder
                expect(board.locator("#sound")).to_have_attribute("aria-pressed", "true")

                busy_morning(hall)
                time.sleep(6)  # the display's announcements and the board's redraws settle
                for page in pages:
                    wait_live(page)
                display.screenshot(path=DOCS / "hall-display.png")
                board.screenshot(path=DOCS / "board.png")
                browser.close()
        finally:
            hall.stop()
    print(f"saved {DOCS / 'hall-display.png'} and {DOCS / 'board.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
