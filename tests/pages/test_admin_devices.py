"""The administration's devices page `/admin/<hall>/devices` in real Chromium: an admin adds a
kiosk and the page shows its pairing link as a QR code and as text; a second browser opens
the link and is the hall's kiosk; the admin revokes it and the kiosk then issues nothing. A
manager sees the health list without booking systems to add. 1366×768, Chinese and English;
screenshots under tests/artifacts/admin-devices-*.png."""
import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import shot
from .test_counter import sign_in
from .test_kiosk import issued_since, service

pytestmark = [pytest.mark.xdist_group("pages-admin-devices"), pytest.mark.browser]

LAPTOP = (1366, 768)


def open_devices(new_page, hall, user: str, lang: str = "zh") -> Page:
    page = new_page(LAPTOP, lang=lang)
    sign_in(page, hall, user, "/admin/demo/devices")
    expect(page.locator("body")).to_have_attribute("data-loaded", re.compile(r"[1-9]\d*"))
    return page


def row(page: Page, name: str):
    return page.locator(f"#devices tr[data-device='{name}']")


def test_an_admin_pairs_a_kiosk_by_its_qr_link_and_revokes_it(new_page, page_hall, page_api):
    admin = open_devices(new_page, page_hall, "admin")
    expect(row(admin, "kiosk")).to_contain_text("取号机")
    admin.locator("#add-kind").select_option("kiosk")
    admin.locator("#add-name").fill("kiosk-door")
    admin.get_by_role("button", name="添加并配对").click()
    expect(admin.locator("#pairing-title")).to_have_text("配对 kiosk-door")
    link = admin.locator("#pairing-url").inner_text()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/pair/[\w-]+", link), link
    admin.wait_for_function("document.getElementById('pairing-qr').complete")
    assert admin.locator("#pairing-qr").evaluate("img => img.naturalWidth") > 0
    expect(admin.locator("#pairing-expires")).to_contain_text("仅可使用一次")
    expect(row(admin, "kiosk-door")).to_contain_text("未配对")
    shot(admin, "admin-devices-pairing")

    kiosk = new_page((1080, 1920), has_touch=True)
    kiosk.goto(link)
    expect(kiosk).to_have_url(f"{page_hall.url}/kiosk/demo")
    expect(kiosk.locator("#services .k-service").first).to_be_visible()

    admin.reload()
    expect(row(admin, "kiosk-door")).to_contain_text("已配对")
    admin.once("dialog", lambda dialog: dialog.accept())
    row(admin, "kiosk-door").get_by_role("button", name="撤销").click()
    expect(row(admin, "kiosk-door")).to_have_count(0)
    expect(admin.locator("#devices-message")).to_have_text("kiosk-door 已撤销")
    shot(admin, "admin-devices-revoked")

    before = page_api.last_seq()
    # the page may have seen its live connection closed and covered itself already: the touch
    # goes to the button all the same, as one that came in just before
    service(kiosk, "fee").dispatch_event("click")
    expect(kiosk.locator("#unpaired")).to_be_visible()
    shot(kiosk, "admin-devices-kiosk-revoked")
    assert issued_since(page_api, before) == []


def test_a_manager_sees_the_health_list_in_english(new_page, page_hall):
    page = open_devices(new_page, page_hall, "mgr", lang="en")
    expect(row(page, "kiosk")).to_contain_text("Kiosk")
    expect(row(page, "evaluator")).to_contain_text("Counter 2")
    expect(page.locator("#devices tr.device--printer").first).to_contain_text("Paper OK")
    expect(page.locator("#add-kind option")).to_have_text(["Kiosk", "Display", "Evaluator"])
    shot(page, "admin-devices-manager-en")
