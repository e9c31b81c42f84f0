"""Administration of users `/admin/users` in real Chromium at 1366x768: an admin adds a clerk
of hall demo, the clerk signs in with the password shown once, must change it at /password
and then opens their counter screen; a reset and a disable, each confirmed; a manager's page
offers clerks only. Screenshots: tests/artifacts/admin-users-*.png."""
import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import shot
from .test_counter import sign_in

pytestmark = [pytest.mark.xdist_group("pages-admin-users"), pytest.mark.browser]

DESK = (1366, 768)


def add_clerk(page: Page, username: str, name: str, badge: str) -> str:
    """Fill the add form for a clerk of hall demo; the password the dialog shows once."""
    page.fill("#add-username", username)
    page.fill("#add-name", name)
    page.fill("#add-badge", badge)
    page.select_option("#add-role", "clerk")
    page.check("#add-halls input[value=demo]")
    page.click("#add-user button[type=submit]")
    expect(page.locator("#password-dialog")).to_be_visible()
    password = page.locator("#password-value").inner_text()
    assert len(password) >= 16
    return password


def row(page: Page, username: str):
    return page.locator(f"#users tbody tr[data-username='{username}']")


def test_an_admin_adds_a_clerk_who_changes_the_password_and_opens_the_counter(new_page, page_hall):
    admin = new_page(DESK)
    sign_in(admin, page_hall, "admin", "/admin/users")
    expect(admin.locator("#users-root")).to_have_attribute("data-loaded", "1")
    expect(row(admin, "clerk-a")).to_be_visible()
    password = add_clerk(admin, "pg-wang", "王小明", "1088")
    expect(admin.locator("#password-title")).to_contain_text("pg-wang")
    shot(admin, "admin-users-password")
    admin.click("#password-done")
    expect(admin.locator("#password-dialog")).to_be_hidden()
    expect(admin.locator("#password-value")).to_have_text("")
    new_row = row(admin, "pg-wang")
    expect(new_row).to_contain_text("王小明")
    expect(new_row).to_contain_text("须修改密码")
    assert password not in admin.content(), "the password leaves the page when its dialog closes"
    shot(admin, "admin-users-list")

    clerk = new_page(DESK)
    clerk.goto(f"{page_hall.url}/counter/demo/1")
    expect(clerk).to_have_url(re.compile(r"/login\?next="))
    clerk.fill("#username", "pg-wang")
    clerk.fill("#password", password)
    clerk.keyboard.press("Enter")
    expect(clerk).to_have_url(re.compile(r"/password\?next=%2Fcounter%2Fdemo%2F1$"))
    expect(clerk.locator("#password-required")).to_be_visible()
    clerk.goto(f"{page_hall.url}/counter/demo/1")
    expect(clerk).to_have_url(re.compile(r"/password\?next="))  # nothing else before the change
    clerk.fill("#current_password", password)
    clerk.fill("#new_password", "wang's own secret")
    clerk.fill("#repeat_password", "wang's own secrex")
    with clerk.expect_response(re.compile(r"/password$")) as answer:
        clerk.click("form.signin__form button[type=submit]")
    assert answer.value.status == 422
    expect(clerk.locator("#password-error")).to_have_text("两次输入的新密码不一致。")
    shot(clerk, "admin-users-password-change")
    clerk.fill("#current_password", password)
    clerk.fill("#new_password", "wang's own secret")
    clerk.fill("#repeat_password", "wang's own secret")
    clerk.click("form.signin__form button[type=submit]")
    expect(clerk).to_have_url(f"{page_hall.url}/counter/demo/1")
    expect(clerk.locator("#state")).to_have_attribute("data-state", re.compile(".+"))
    shot(clerk, "admin-users-clerk-counter")

    admin.reload()
    expect(row(admin, "pg-wang")).not_to_contain_text("须修改密码")


def test_reset_and_disable_are_confirmed_and_end_the_clerks_session(new_page, page_hall):
    admin = new_page(DESK)
    sign_in(admin, page_hall, "admin", "/admin/users")
    add_clerk(admin, "pg-li", "李", "1099")
    admin.click("#password-done")
    target = row(admin, "pg-li")
    target.locator("button[data-action=reset]").click()
    expect(admin.locator("#confirm-text")).to_contain_text("pg-li")
    shot(admin, "admin-users-confirm")
    admin.locator("#confirm-dialog button[value=cancel]").click()
    expect(admin.locator("#password-dialog")).to_be_hidden()
    target.locator("button[data-action=reset]").click()
    admin.click("#confirm-yes")
    expect(admin.locator("#password-dialog")).to_be_visible()
    admin.click("#password-done")

    target.locator("button[data-action=edit]").click()
    admin.fill("#edit-badge", "2099")
    admin.click("#edit-save")
    expect(admin.locator("#edit-dialog")).to_be_hidden()
    expect(row(admin, "pg-li")).to_contain_text("2099")

    row(admin, "pg-li").locator("button[data-action=disable]").click()
    admin.click("#confirm-yes")
    expect(row(admin, "pg-li")).to_contain_text("已停用")
    expect(row(admin, "pg-li").locator("button")).to_have_count(0)
    expect(row(admin, "admin").locator("button[data-action=disable]")).to_have_count(0)


def test_a_manager_adds_clerks_only_and_the_page_is_in_english_too(new_page, page_hall):
    page = new_page(DESK, lang="en")
    sign_in(page, page_hall, "mgr", "/admin/users?lang=en")
    expect(page.locator("#users-root")).to_have_attribute("data-loaded", "1")
    expect(page.locator("#add-role option")).to_have_count(1)
    expect(row(page, "admin")).to_have_count(0)
    expect(row(page, "clerk-a")).to_be_visible()
    expect(page.locator("#users-title")).to_have_text("Users")
    shot(page, "admin-users-manager-en")


def test_clerks_may_not_open_the_page(new_page, page_hall):
    page = new_page(DESK)
    page.goto(f"{page_hall.url}/admin/users")
    page.fill("#username", "clerk-a")
    page.fill("#password", page_hall.passwords["clerk-a"])
    with page.expect_response(re.compile(r"/admin/users$")) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 403
