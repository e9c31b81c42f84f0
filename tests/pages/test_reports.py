"""The reports page `/reports/<hall>` in real Chromium, on a hall where a few tickets were served
through the API: the table shows the API's numbers, the presets move the range to this week
and this month of the hall's today, the grouping tabs change the table, an export downloaded
from the page holds the numbers of the page's table, the admin sees the halls side by side, and
the complaint register is on the page. Chinese and English, a 1366×768 laptop and a 1920×1080
screen; screenshots under tests/artifacts/reports-*.png."""
import csv
import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from .conftest import shot
from .test_counter import managers_only, sign_in

pytestmark = [pytest.mark.xdist_group("pages-reports"), pytest.mark.browser]

WALL = (1920, 1080)
LAPTOP = (1366, 768)


@pytest.fixture(scope="module")
def served(page_api):
    """Four fee and enquiry tickets served at window 2 and one no-show, today."""
    page_api.open_counter(2, "clerk-a")
    for service in ("fee", "fee", "enquiry", "fee"):
        page_api.issue(service)
        page_api.counter_action("clerk-a", 2, "call-next")
        page_api.counter_action("clerk-a", 2, "start")
        page_api.counter_action("clerk-a", 2, "finish")
    page_api.issue("enquiry")
    page_api.counter_action("clerk-a", 2, "call-next")
    page_api.counter_action("clerk-a", 2, "no-show")
    page_api.counter_action("clerk-a", 2, "sign-out")
    return page_api


def today(api) -> date:
    return date.fromisoformat(api["mgr"].ok("GET", "/halls/demo/board/day")["day"])


def open_reports(new_page, hall, user="mgr", viewport=LAPTOP, lang="zh") -> Page:
    page = new_page(viewport, lang=lang)
    sign_in(page, hall, user, "/reports/demo")
    loaded(page)
    return page


def loaded(page: Page) -> None:
    """Wait until the page has shown the figures of the range it asked for last."""
    expect(page.locator("body")).to_have_attribute("data-loaded", re.compile(r"[1-9]\d*"))


def page_table(page: Page, selector: str = "#table") -> dict:
    """The table as the page shows it: header texts, rows and the total row, figures as numbers."""
    def figures(cells: list[str]) -> list:
        return [cells[0], *(None if c == "—" else float(c.replace(",", "")) for c in cells[1:])]

    table = page.locator(selector)
    header = table.locator("thead th").all_inner_texts()
    rows = [figures(row.locator("th, td").all_inner_texts()) for row in table.locator("tbody tr").all()]
    total = figures(table.locator("tfoot tr th, tfoot tr td").all_inner_texts())
    return {"header": [text.replace("\n", " ") for text in header], "rows": rows, "total": total}


def api_table(api, day_from: date, day_to: date, by: str, lang: str = "zh") -> dict:
    found = api["mgr"].ok("GET", "/halls/demo/reports/summary", params={
        "from": day_from.isoformat(), "to": day_to.isoformat(), "by": by, "format": "table", "lang": lang})
    return {"header": [c["label"] for c in found["columns"]],
            "rows": [[r[0], *(None if v is None else float(v) for v in r[1:])] for r in found["rows"]],
            "total": [found["total"][0], *(None if v is None else float(v) for v in found["total"][1:])]}


def column(table: dict, index: int) -> list:
    return [row[index] for row in table["rows"]]


def test_the_page_shows_the_apis_numbers_and_the_presets_move_the_range(new_page, page_hall, served):
    day = today(served)
    page = open_reports(new_page, page_hall, viewport=WALL)
    expect(page.locator("h1")).to_have_text("国网示范县供电公司城区营业厅")
    expect(page.locator('[data-preset="today"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator("body")).to_have_attribute("data-from", day.isoformat())
    shown = page_table(page)
    assert shown == api_table(served, day, day, "service")
    assert shown["header"][:3] == ["业务", "取号数", "办结"]
    assert shown["total"][2] >= 4  # served (other tests of this module's server may add more)
    expect(page.locator('.trend[data-figure="served"] [data-field="value"]')).to_have_text(
        f"{int(shown['total'][2])}")
    expect(page.locator("#chart-services canvas")).to_have_count(1)
    expect(page.locator("#complaints")).to_be_visible()
    expect(page.locator("#halls")).to_have_count(0)  # a manager of one hall
    shot(page, "reports-wall-zh")

    page.click('[data-preset="week"]')
    monday = day - timedelta(days=day.weekday())
    expect(page.locator("body")).to_have_attribute("data-from", monday.isoformat())
    expect(page.locator("body")).to_have_attribute("data-to", day.isoformat())
    loaded(page)
    assert page_table(page) == api_table(served, monday, day, "service")
    expect(page).to_have_url(re.compile(r"preset=week"))

    page.click('[data-preset="month"]')
    expect(page.locator("body")).to_have_attribute("data-from", day.replace(day=1).isoformat())
    loaded(page)
    assert page_table(page) == api_table(served, day.replace(day=1), day, "service")

    page.click('[data-by="counter"]')
    expect(page.locator("#table thead th").first).to_have_text("窗口")
    expect(page.locator("#table tbody th").first).to_have_text("1号窗口")
    by_counter = page_table(page)
    assert by_counter == api_table(served, day.replace(day=1), day, "counter")
    window_2 = next(row for row in by_counter["rows"] if row[0] == "2号窗口")
    assert window_2[1] is None and window_2[2] >= 4  # nothing is issued to a counter; served there

    # a range of one's own: from after to is refused on the page, a good one is shown
    page.fill("#from", day.isoformat())
    page.fill("#to", (day - timedelta(days=1)).isoformat())
    page.click('#range button[type="submit"]')
    expect(page.locator("#message")).to_have_text("开始日期不能晚于结束日期")
    page.fill("#from", (day - timedelta(days=2)).isoformat())
    page.fill("#to", day.isoformat())
    page.click('#range button[type="submit"]')
    expect(page.locator("body")).to_have_attribute("data-from", (day - timedelta(days=2)).isoformat())
    expect(page.locator('[data-preset="today"]')).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#message")).to_be_empty()


def test_an_export_holds_the_numbers_of_the_pages_table(new_page, page_hall, served):
    page = open_reports(new_page, page_hall)
    page.click('[data-by="clerk"]')
    expect(page.locator("#table tbody th").first).to_have_text(re.compile("clerk-a"))
    shown = page_table(page)
    page.click("#export summary")
    with page.expect_download() as download:
        page.click('[data-format="csv"]')
    assert re.fullmatch(r"report-demo-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d-clerk\.csv", download.value.suggested_filename)
    rows = list(csv.reader(io.StringIO(download.value.path().read_bytes().decode("utf-8-sig"))))
    as_numbers = [[row[0], *(None if c == "" else float(c) for c in row[1:])] for row in rows[1:]]
    assert rows[0] == shown["header"]
    assert as_numbers == [*shown["rows"], shown["total"]]

    page.click("#export summary")
    with page.expect_download() as download:
        page.click('[data-format="xlsx"]')
    assert download.value.suggested_filename.endswith("-clerk.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[1] == shown["header"]
    assert values[2:] == [*shown["rows"], shown["total"]]


def test_the_page_in_english_on_a_laptop(new_page, page_hall, served):
    page = open_reports(new_page, page_hall, viewport=LAPTOP, lang="en")
    expect(page.locator("#table-title")).to_have_text("Figures")
    expect(page.locator('[data-preset="week"]')).to_have_text("This week")
    shown = page_table(page)
    assert shown["header"][:2] == ["Service", "Issued"]
    assert "Mean wait (min)" in shown["header"]
    day = today(served)
    assert shown == api_table(served, day, day, "service", lang="en")
    page.click('[data-preset="month"]')
    loaded(page)
    shot(page, "reports-laptop-en")
    page.click("text=中文")  # the language switch keeps the range
    expect(page.locator("#table-title")).to_have_text("明细")
    expect(page.locator('[data-preset="month"]')).to_have_attribute("aria-pressed", "true")
    loaded(page)
    shot(page, "reports-laptop-zh")


def test_an_admin_sees_the_halls_side_by_side(new_page, page_hall, served):
    page = open_reports(new_page, page_hall, user="admin", viewport=WALL, lang="en")
    expect(page.locator("#halls")).to_be_visible()
    halls = page_table(page, "#halls-table")
    assert halls["header"][0] == "Hall"
    assert column(halls, 0) == ["State Grid Demo County Power Supply - City Business Hall"] * 2
    assert halls["rows"][0][2] == page_table(page)["total"][2]  # the demo hall's served, as in its own table
    shot(page, "reports-admin-en")


def test_a_clerk_and_a_manager_of_another_hall_are_refused(new_page, page_hall):
    managers_only(new_page, page_hall, "reports", LAPTOP)


def test_the_complaint_register_on_the_page(new_page, page_hall, served):
    """Register a complaint with the page's form, take it in hand, answer and follow it up; the
    manager sees the contact, and the follow-up rate of the range counts it."""
    page = open_reports(new_page, page_hall)
    expect(page.locator("#complaints")).to_have_attribute("data-ready", "true")
    form = page.locator("#complaint-form")
    form.locator('select[name="category"]').select_option("waiting")
    form.locator('select[name="channel"]').select_option("phone")
    form.locator('input[name="contact"]').fill("138 0000 0000")
    form.locator('textarea[name="description"]').fill("等了四十分钟没有人叫号")
    page.click("#complaint-submit")
    expect(page.locator("#complaint-registered")).to_contain_text("登记")
    row = page.locator("#complaints-table tbody tr[data-complaint]").filter(has_text="等了四十分钟没有人叫号")
    expect(row).to_have_attribute("data-status", "received")
    expect(row).to_contain_text("138 0000 0000")
    row.locator('input[name="note"]').fill("已联系客户")
    row.locator('[data-step="take"]').click()
    expect(row).to_have_attribute("data-status", "in_hand")
    page.click('[data-complaints-filter="all"]')  # an answered complaint is no longer unanswered
    for step, status in (("answer", "answered"), ("follow-up", "followed_up")):
        row.locator(f'[data-step="{step}"]').click()
        expect(row).to_have_attribute("data-status", status)
    expect(page.locator("#complaint-follow-up")).to_have_attribute("data-met", "true")
    page.evaluate("window.scrollTo(0, 0)")  # the range bar sticks where the page was scrolled to
    shot(page, "reports-complaints-zh")
