"""live.js across a server restart, in real Chromium: a hall page applies every event once and
in order, those written while the server was down included; the phone page says it is
offline, then shows what happened meanwhile."""
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect

from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.domain.actors import Actor, Role
from hall_server.services import tickets
from hall_server.services.context import HallContext
from hall_server.web.auth import DEVICE_COOKIE

from ..conftest import KIOSK
from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("pages-live")]

RECONNECT_MS = 30_000  # the server's start-up plus the client's reconnection back-off
#: a page of the server's origin (served by the browser itself) that only runs live.js
LIVE_PAGE = """<!doctype html>
<html><head><meta name="csrf-token" content="{csrf}"></head>
<body><div id="connection" hidden>offline</div>
<script type="module">
  import {{ Live }} from "/static/js/live.js";
  window.seen = [];
  window.online = null;
  new Live({{
    hall: "demo", since: {since},
    onEvent: (evt) => window.seen.push(evt.seq),
    onStatus: (online) => {{ window.online = online; }},
  }}).start();
</script></body></html>"""


@contextmanager
def server_database(page_hall) -> Iterator[HallContext]:
    """The hall's database, written directly while its server is down."""
    ctx = open_context(load_config(page_hall.config_path), page_hall.database_url, migrate_schema=False)
    try:
        yield ctx
    finally:
        ctx.store.engine.dispose()


def paired_display(new_page, page_hall, name: str) -> tuple[Page, str]:
    """A page holding a display's device cookie (paired by its link), and that cookie's CSRF token."""
    page_hall.add_device(name, "demo", "display")
    page = new_page()
    page.goto(page_hall.url + page_hall.pairing_link(name, "demo"))
    token = next(c["value"] for c in page.context.cookies() if c["name"] == DEVICE_COOKIE)
    return page, page_hall.csrf_token(token)


def restart(page_hall, page: Page, while_down=None) -> None:
    page_hall.kill()
    expect(page.locator("#connection")).to_be_visible(timeout=RECONNECT_MS)
    if while_down:
        while_down()
    page_hall.start()
    expect(page.locator("#connection")).to_be_hidden(timeout=RECONNECT_MS)


def test_a_hall_page_applies_every_event_once_in_order_across_a_restart(new_page, page_hall, page_api):
    page, csrf = paired_display(new_page, page_hall, "live-display")
    since = page_api.last_seq()
    page.route(f"{page_hall.url}/live-test", lambda route: route.fulfill(
        content_type="text/html", body=LIVE_PAGE.format(csrf=csrf, since=since)))
    page.goto(f"{page_hall.url}/live-test")
    page.wait_for_function("window.online === true")
    page_api.issue("fee")
    page_api.issue("business")
    page.wait_for_function("window.seen.length >= 2")

    def issue_while_down() -> None:
        with server_database(page_hall) as ctx:
            for service in ["fee", "enquiry", "business"]:
                tickets.issue_ticket(ctx, "demo", service, KIOSK)

    restart(page_hall, page, issue_while_down)
    page_api.issue("enquiry")  # live again; and nothing that came before may arrive after it
    last = page_api.last_seq()
    page.wait_for_function(f"window.seen.includes({last})", timeout=RECONNECT_MS)
    assert page.evaluate("window.seen") == list(range(since + 1, last + 1))
    assert page.evaluate("window.online") is True


def test_the_phone_page_says_it_is_offline_and_catches_up(new_page, page_hall, page_api):
    page_api.open_counter(7, "clerk-a")
    mine = page_api.issue("enterprise")
    page = new_page(lang="zh")
    page.goto(page_hall.url + mine["tracking_url"])
    expect(page.locator("body")).to_have_attribute("data-status", "waiting")

    def call_while_down() -> None:  # the phone cannot hear it
        expect(page.locator("#connection")).to_have_text("连接中断，正在重新连接…")
        shot(page, "phone-offline-zh")
        with server_database(page_hall) as ctx:
            tickets.call_next(ctx, "demo", 7, Actor("clerk-a", Role.CLERK, frozenset({"demo"})))

    restart(page_hall, page, call_while_down)
    expect(page.locator("body")).to_have_attribute("data-status", "called")
    expect(page.locator(".call__counter")).to_have_text("7号企业窗口")
    page_api.counter_action("clerk-a", 7, "no-show")
