"""Pages in real Chromium against a real hall server: the fixtures of every page test.

- `browser` (per test process; each xdist worker has its own): Debian's Chromium
  (/usr/bin/chromium, or HALL_CHROMIUM) driven by Playwright. Without it the tests skip,
  unless HALL_REQUIRE_SERVICES=1 (CI), where they fail.
- `page_hall` (per module): a `RunningHall` (`python -m hall_server run`) with the demo hall,
  a second hall "north", and the accounts and devices of tests/web/conftest.py;
  `page_api` is the same server's API, one client per account (tests/web/conftest.Hall).
- `new_page(viewport=(w, h), lang="zh"|"en", **context_options)`: a fresh page in a
  browser context of its own (its own cookies), in that language and in the hall's
  timezone; an uncaught script error on it fails the test.
- `shot(page, name)`: a screenshot at tests/artifacts/<name>.png, to look at.

Browser tests are marked `@pytest.mark.browser` (`pytest -m "not browser"` leaves them out).
"""
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from ..conftest import require_service
from ..running_hall import RunningHall
from ..web.conftest import Hall, start_hall_server

# what a page shows may take longer than Playwright's 5 s to appear when the two cores also
# run the other worker's browser and servers (a module script loading, a live reconnect)
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("HALL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PHONE = (390, 844)
TIMEZONE = "Asia/Shanghai"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_service("Chromium", CHROMIUM, "HALL_CHROMIUM",
                    None if os.access(CHROMIUM, os.X_OK) else "not installed (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def page_hall(tmp_path_factory) -> Iterator[RunningHall]:
    server = start_hall_server(tmp_path_factory.mktemp("pages"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def page_api(page_hall: RunningHall) -> Hall:
    return Hall(page_hall)


@pytest.fixture
def new_page(browser: Browser, page_hall: RunningHall) -> Iterator[Callable[..., Page]]:
    contexts, errors = [], []

    def make(viewport: tuple[int, int] = PHONE, lang: str = "zh", **options) -> Page:
        width, height = viewport
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="en-US" if lang == "en" else "zh-CN", timezone_id=TIMEZONE,
                                      **options)
        context.add_cookies([{"name": "lang", "value": lang, "url": page_hall.url}])
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"script errors on the page: {errors}"


def shot(page: Page, name: str) -> Path:
    """Save what the page shows as tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
