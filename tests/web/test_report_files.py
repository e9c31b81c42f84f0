"""The report as a table, a CSV and an XLSX (services/report_files.py): the three hold the same
numbers, in the units shown (minutes and percent with one decimal, counts whole), with Chinese
and English headers; and through the API, the summary's `format=table|csv|xlsx` of a real hall
hold the same numbers as each other and as its JSON."""
import csv
import io
from dataclasses import replace
from datetime import date

import openpyxl
import pytest

from hall_server.domain.reports import By, Figures, Row, Summary
from hall_server.services import report_files
from hall_server.services.report_files import render, report_table, save

from .conftest import assert_error

EMPTY = Figures(issued=0, served=0, no_show=0, cancelled=0, wait_mean_s=None, wait_p50_s=None, wait_p90_s=None,
                wait_max_s=None, handling_mean_s=None, handling_p50_s=None, handling_p90_s=None,
                compliance_rate=None, satisfied_rate=None, transferred=0, expired=0, walk_mean_s=None,
                estimate_error_s=None, rated=0, handled=0, compliant=0)
FEE = replace(EMPTY, issued=12, served=10, no_show=1, cancelled=1, wait_mean_s=75.0, wait_p50_s=63.0, wait_p90_s=200.0,
              wait_max_s=1234.5, handling_mean_s=150.0, handling_p50_s=140.0, handling_p90_s=299.0,
              compliance_rate=0.8333, satisfied_rate=0.9, transferred=2, walk_mean_s=21.0, estimate_error_s=45.0,
              rated=10, handled=10, compliant=8)
BUSINESS = replace(EMPTY, issued=3, served=1, no_show=2)
SUMMARY = Summary(
    hall="demo", first=date(2026, 11, 23), last=date(2026, 11, 29), by=By.SERVICE,
    rows=[Row("fee", {"zh": "居民收费", "en": "Residential fee payment"}, FEE),
          Row("business", {"zh": "用电业务", "en": "Electricity business"}, BUSINESS)],
    total=Row(None, {"zh": "合计", "en": "Total"}, replace(FEE, issued=15, served=11, no_show=3)))


def test_the_table_shows_minutes_and_percent_with_one_decimal_and_counts_whole():
    table = report_table(SUMMARY, "zh", "城区营业厅")
    keys = [key for key, _ in table.columns]
    fee = dict(zip(keys, table.rows[0], strict=True))
    assert fee["label"] == "居民收费"
    assert (fee["issued"], fee["served"], fee["no_show"], fee["cancelled"], fee["transferred"]) == (12, 10, 1, 1, 2)
    # 75 s = 1.25 min, rounded half up; 1234.5 s = 20.575 min; 83.33% ; 21 s = 0.35 min
    assert (fee["wait_mean_s"], fee["wait_p50_s"], fee["wait_p90_s"], fee["wait_max_s"]) == (1.3, 1.1, 3.3, 20.6)
    assert (fee["handling_mean_s"], fee["handling_p90_s"]) == (2.5, 5.0)
    assert (fee["compliance_rate"], fee["satisfied_rate"], fee["walk_mean_s"]) == (83.3, 90.0, 0.4)
    business = dict(zip(keys, table.rows[1], strict=True))
    assert business["wait_mean_s"] is None and business["compliance_rate"] is None and business["rated"] == 0
    assert table.total[:4] == ["合计", 15, 11, 3]
    assert table.title == "城区营业厅 · 2026-11-23 – 2026-11-29 · 按业务"
    headers = dict(table.columns)
    assert headers["label"] == "业务"
    assert headers["wait_mean_s"] == "平均等候 (分钟)" and headers["compliance_rate"] == "办理时限达标率 (%)"
    assert headers["issued"] == "取号数"
    english = dict(report_table(SUMMARY, "en").columns)
    assert english["wait_mean_s"] == "Mean wait (min)" and english["compliance_rate"] == "Within the handling limit (%)"
    assert report_table(SUMMARY, "en").title == "demo · 2026-11-23 – 2026-11-29 · by Service"


def test_a_counters_summary_leaves_issued_empty():
    by_counter = replace(SUMMARY, by=By.COUNTER, rows=[Row(3, {"zh": "3号窗口", "en": "Window 3"},
                                                           replace(FEE, issued=None))])
    table = report_table(by_counter, "en")
    assert table.columns[0] == ("label", "Counter") and table.rows[0][:2] == ["Window 3", None]
    assert csv_rows(render(by_counter, "csv", "en")[0])[1][:2] == ["Window 3", ""]


def test_the_halls_side_by_side_name_no_hall():
    halls = replace(SUMMARY, hall=None, by=By.HALL, rows=[Row("demo", {"zh": "城区营业厅", "en": "City hall"}, FEE)])
    table = report_table(halls, "zh")
    assert table.columns[0] == ("label", "营业厅") and table.title == "2026-11-23 – 2026-11-29 · 按营业厅"
    assert render(halls, "csv", "zh")[2] == "report-2026-11-23-2026-11-29-hall.csv"


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # the byte-order mark: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def csv_numbers(rows: list[list[str]]) -> list[list]:
    """The CSV's cells as the table's values: a name, numbers, None for an empty cell."""
    return [[row[0], *(None if cell == "" else float(cell) for cell in row[1:])] for row in rows]


def xlsx_rows(body: bytes) -> tuple[str, str, list[list]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.freeze_panes == "B3"
    return sheet.title, values[0][0], values[1:]


def same_numbers(table: dict, header: list[str], rows: list[list]) -> None:
    """The file's header and rows (with the total last) hold the table's labels and numbers."""
    assert header == [column["label"] for column in table["columns"]]
    assert len(rows) == len(table["rows"]) + 1
    for got, want in zip(rows, [*table["rows"], table["total"]], strict=True):
        assert got[0] == want[0]
        assert got[1:] == pytest.approx(want[1:]), want[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_csv_and_the_xlsx_hold_the_tables_numbers(lang):
    table, mimetype, name = render(SUMMARY, "table", lang)
    assert mimetype == "application/json" and name == ""
    body, mimetype, name = render(SUMMARY, "csv", lang)
    assert mimetype.startswith("text/csv") and name == "report-demo-2026-11-23-2026-11-29-service.csv"
    rows = csv_rows(body)
    same_numbers(table, rows[0], csv_numbers(rows[1:]))
    body, mimetype, name = render(SUMMARY, "xlsx", lang)
    assert mimetype.endswith("spreadsheetml.sheet") and name.endswith(".xlsx")
    sheet, title, rows = xlsx_rows(body)
    assert sheet == "2026-11-23~2026-11-29" and title == table["title"]
    same_numbers(table, rows[0], rows[1:])
    assert all(isinstance(cell, int | float) for cell in rows[1][1:])  # numbers as numbers, not text


def test_save_writes_the_files_for_the_scheduler(tmp_path):
    written = save(tmp_path / "reports" / "demo", "2026-11-24", SUMMARY, hall_name="城区营业厅")
    assert [path.name for path in written] == ["2026-11-24.csv", "2026-11-24.xlsx"]
    table = report_files.table_json(report_table(SUMMARY, "zh", "城区营业厅"))
    rows = csv_rows(written[0].read_bytes())
    same_numbers(table, rows[0], csv_numbers(rows[1:]))
    _, title, rows = xlsx_rows(written[1].read_bytes())
    assert title == "城区营业厅 · 2026-11-23 – 2026-11-29 · 按业务"
    same_numbers(table, rows[0], rows[1:])


# ---- through the API, on a running server -----------------------------------------------------

def serve(hall, counter: int, clerk: str, service: str) -> None:
    hall.issue(service)
    hall.counter_action(clerk, counter, "call-next")
    hall.counter_action(clerk, counter, "start")
    hall.counter_action(clerk, counter, "finish")


@pytest.fixture(scope="module")
def served(hall):
    """A few tickets served and one no-show at the demo hall, today."""
    hall.open_counter(2, "clerk-a")  # fee and enquiry
    for service in ("fee", "fee", "enquiry"):
        serve(hall, 2, "clerk-a", service)
    hall.issue("fee")
    hall.counter_action("clerk-a", 2, "call-next")
    hall.counter_action("clerk-a", 2, "no-show")
    hall.counter_action("clerk-a", 2, "sign-out")
    return hall


def today(hall) -> str:
    return hall["mgr"].ok("GET", "/halls/demo/board/day")["day"]


@pytest.mark.parametrize("by", ["service", "counter", "clerk", "day"])
def test_the_api_exports_hold_the_same_numbers_as_its_table(served, by):
    day = today(served)
    params = {"from": day, "to": day, "by": by}
    manager = served["mgr"]
    table = manager.ok("GET", "/halls/demo/reports/summary", params={**params, "format": "table"})
    assert table["rows"], table
    summary = manager.ok("GET", "/halls/demo/reports/summary", params=params)
    keys = [column["key"] for column in table["columns"]]
    total = dict(zip(keys, table["total"], strict=True))
    assert total["served"] == summary["total"]["served"] == 3
    assert total["no_show"] == summary["total"]["no_show"] == 1
    csv_response = manager.get("/halls/demo/reports/summary", params={**params, "format": "csv"})
    assert csv_response.status_code == 200 and csv_response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in csv_response.headers["Content-Disposition"]
    rows = csv_rows(csv_response.content)
    same_numbers(table, rows[0], csv_numbers(rows[1:]))
    xlsx = manager.get("/halls/demo/reports/summary", params={**params, "format": "xlsx"})
    assert xlsx.status_code == 200
    _, _, rows = xlsx_rows(xlsx.content)
    same_numbers(table, rows[0], rows[1:])


def test_the_exports_speak_english_and_refuse_a_clerk_and_a_bad_format(served):
    day = today(served)
    params = {"from": day, "to": day, "format": "csv", "lang": "en"}
    rows = csv_rows(served["mgr"].get("/halls/demo/reports/summary", params=params).content)
    assert rows[0][:2] == ["Service", "Issued"] and rows[-1][0] == "Total"
    assert_error(served["clerk-a"].get("/halls/demo/reports/summary", params=params), 403)
    assert_error(served["mgr"].get("/halls/demo/reports/summary", params={**params, "format": "pdf"}), 422)
