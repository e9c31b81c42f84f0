"""The hall's administration pages in real Chromium (admin_hall.py): a manager stops issuing a
service on the daily switches page and a paired kiosk shows it stopped at once, then resumes
it; the notice line; who did what filtered by a clerk shows their calls; the configuration
page with the demo hall, and with the file on disk broken after start. Screenshots under
tests/artifacts/admin-*.png."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import shot
from .test_counter import sign_in
from .test_kiosk import open_kiosk, service

pytestmark = [pytest.mark.xdist_group("pages-admin-hall"), pytest.mark.browser]

DESK = (1366, 900)


def test_a_manager_stops_issuing_a_service_and_the_kiosk_shows_it_stopped(new_page, page_hall, page_api):
    kiosk = open_kiosk(new_page, page_hall)
    card = service(kiosk, "enterprise")
    expect(card).to_be_enabled()
    page = new_page(DESK)
    sign_in(page, page_hall, "mgr", "/admin/demo/switches")
    row = page.locator(".switch-row[data-service='enterprise']")
    expect(row.locator(".switch-state")).to_have_text("正在取号")
    try:
        row.locator(".switch-toggle").click()
        expect(row.locator(".switch-state")).to_have_attribute("data-state", "stopped")
        expect(row.locator(".switch-state")).to_have_text("已暂停取号")
        expect(row.locator(".switch-who")).to_contain_text("最近由 mgr 于")
        expect(card).to_be_disabled()
        expect(card.locator(".k-service-state")).to_have_text("暂停取号")
        shot(page, "admin-switches-stopped")
        shot(kiosk, "admin-switches-kiosk-stopped")
        assert not next(s for s in page_api["admin"].ok("GET", "/halls/demo")["services"]
                        if s["code"] == "enterprise")["issuing"]

        page.fill("#notice-zh", "今日系统升级，暂停办理过户业务")
        page.fill("#notice-en", "No ownership transfers today")
        page.get_by_role("button", name="显示到屏幕").click()
        expect(page.locator("#notice-who")).to_contain_text("最近由 mgr 于")
        assert page_api["admin"].ok("GET", "/halls/demo")["notice"]["en"] == "No ownership transfers today"
    finally:
        page_api["mgr"].ok("POST", "/halls/demo/services/enterprise/switch", json={"issuing": True, "daily_cap": None})
        page_api["mgr"].ok("POST", "/halls/demo/notice", json={"zh": "", "en": ""})
    expect(card).to_be_enabled()


def test_who_did_what_filtered_by_a_clerk_shows_their_calls(new_page, page_hall, page_api):
    page_api.open_counter(1, "clerk-a")
    ticket = page_api.issue("fee")
    assert page_api.counter_action("clerk-a", 1, "call-next")["id"] == ticket["id"]
    page_api.counter_action("clerk-a", 1, "no-show")
    page = new_page(DESK)
    sign_in(page, page_hall, "mgr", "/admin/demo/log")
    expect(page.locator(".log-line").first).to_be_visible()
    page.fill("#log-actor", "clerk-a")
    page.get_by_role("button", name="查询").click()
    lines = page.locator(".log-line")
    expect(lines.filter(has_text=f"叫号 {ticket['number']} 到 1 号窗口")).to_have_count(1)
    expect(lines.locator("td:nth-child(2)").filter(has_not_text="clerk-a")).to_have_count(0)
    shot(page, "admin-log-clerk")
    page.fill("#log-actor", "")
    page.fill("#log-number", ticket["number"].lower())
    page.get_by_role("button", name="查询").click()
    expect(lines.first).to_contain_text(f"在 1 号窗口将 {ticket['number']} 记为过号")
    expect(lines.last).to_contain_text(f"取号 {ticket['number']}")
    page.fill("#log-number", "Q1")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#log-error")).to_contain_text("Q1")


def test_the_configuration_page_shows_the_hall_and_a_broken_file(new_page, page_hall):
    page = new_page(DESK)
    sign_in(page, page_hall, "mgr", "/admin/demo/config")
    expect(page.locator("#config-services")).to_contain_text("居民收费")
    expect(page.locator("#config-counters")).to_contain_text("1号窗口")
    expect(page.locator("#config-hours")).to_contain_text("周一")
    expect(page.locator("#config-path")).to_have_text(str(page_hall.config_path.resolve()))
    shot(page, "admin-config")
    original = page_hall.config_path.read_text(encoding="utf-8")
    try:
        page_hall.config_path.write_text(original.replace('prefix = "A"', 'prefix = "a"', 1), encoding="utf-8")
        page.reload()
        problem = page.locator(".config-problem")
        expect(problem).to_have_count(1)
        expect(problem).to_contain_text(re.compile(r"halls\.0\.services\.0\.prefix.*String should match pattern"))
        expect(page.locator("#config-services")).to_contain_text("居民收费")
        shot(page, "admin-config-invalid")
    finally:
        page_hall.config_path.write_text(original, encoding="utf-8")
