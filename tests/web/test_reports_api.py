"""The reports over HTTP against a running server: the contract's fields, roles and halls, bad
parameters, and the halls side by side."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from .conftest import Hall, assert_error

ROW_FIELDS = {"key", "label", "issued", "served", "no_show", "cancelled", "wait_mean_s", "wait_p50_s", "wait_p90_s",
              "wait_max_s", "handling_mean_s", "handling_p50_s", "handling_p90_s", "compliance_rate",
              "satisfied_rate", "transferred", "expired", "walk_mean_s", "estimate_error_s", "rated", "handled",
              "compliant"}
SUMMARY = "/halls/demo/reports/summary"


@pytest.fixture(scope="module")
def today(hall: Hall) -> str:
    """Today in the hall (its timezone), with two fee tickets issued and one of them served at
    counter 3 by clerk-a."""
    for _ in range(2):
        hall.issue("fee")
    hall.counter_action("clerk-a", 3, "sign-in")
    hall.counter_action("clerk-a", 3, "call-next")
    hall.counter_action("clerk-a", 3, "start")
    hall.counter_action("clerk-a", 3, "finish")
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def test_the_summary_has_the_contracts_fields(hall: Hall, today: str) -> None:
    found = hall["mgr"].ok("GET", SUMMARY, params={"from": today, "to": today})
    assert (found["from"], found["to"], found["by"]) == (today, today, "service")
    assert all(set(row) == ROW_FIELDS for row in [*found["rows"], found["total"]])
    fee = next(row for row in found["rows"] if row["key"] == "fee")
    assert (fee["issued"], fee["served"], fee["handled"]) == (2, 1, 1)
    assert fee["label"] == {"zh": "居民收费", "en": "Residential fee payment"}
    assert found["total"]["issued"] == 2 and found["total"]["label"]["en"] == "Total"

    by_counter = hall["admin"].ok("GET", SUMMARY, params={"from": today, "to": today, "by": "counter"})
    three = next(row for row in by_counter["rows"] if row["key"] == 3)
    assert (three["label"], three["served"], three["issued"]) == ({"zh": "3号窗口", "en": "Window 3"}, 1, None)
    [clerk] = hall["mgr"].ok("GET", SUMMARY, params={"from": today, "to": today, "by": "clerk"})["rows"]
    assert clerk["key"] == "clerk-a"
    [day] = hall["mgr"].ok("GET", SUMMARY, params={"from": today, "to": today, "by": "day"})["rows"]
    assert (day["key"], day["issued"]) == (today, 2)


def test_the_same_summary_as_a_file_or_the_pages_table(hall: Hall, today: str) -> None:
    csv = hall["mgr"].get(SUMMARY, params={"from": today, "to": today, "format": "csv", "lang": "en"})
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in csv.headers["Content-Disposition"] and "Residential fee payment" in csv.text
    table = hall["mgr"].ok("GET", SUMMARY, params={"from": today, "to": today, "format": "table"})
    assert set(table) >= {"columns", "rows", "total"} and len(table["rows"]) == 4


def test_the_hall_report(hall: Hall, today: str) -> None:
    report = hall["mgr"].ok("GET", "/halls/demo/reports", params={"from": today, "to": today})
    assert set(report) == {"hall", "from", "to", "days", "total", "by_service", "by_counter", "by_clerk", "by_day",
                           "satisfaction", "alerts", "counters", "overtime", "heatmap"}
    assert (report["hall"], report["days"], report["total"]["issued"]) == ("demo", 1, 2)
    assert len(report["heatmap"]["arrivals"]) == 7 and {len(r) for r in report["heatmap"]["wait_mean_s"]} == {24}
    assert sum(map(sum, report["heatmap"]["arrivals"])) == 2
    three = next(c for c in report["counters"] if c["number"] == 3)
    # on the wall clock the counter was signed in for a moment only: the times are pinned in
    # tests/storage/test_reports.py on a fixed clock
    assert three["label"] == {"zh": "3号窗口", "en": "Window 3"}
    assert three["signed_in_s"] >= three["serving_s"] + three["paused_s"]
    assert [level["code"] for level in report["satisfaction"]["levels"]][0] == "very_satisfied"


@pytest.mark.parametrize(("who", "path", "status"), [
    ("clerk-a", SUMMARY, 403), ("kiosk", SUMMARY, 403), ("display", "/halls/demo/reports", 403),
    ("mgr-north", SUMMARY, 403), ("mgr-north", "/halls/demo/reports", 403), ("nobody", SUMMARY, 401),
    ("clerk-a", "/reports/summary", 403), ("evaluator", "/reports/summary", 403),
])
def test_only_managers_and_admins_of_the_hall(hall: Hall, today: str, who: str, path: str, status: int) -> None:
    assert_error(hall[who].get(path, params={"from": today, "to": today}), status)


@pytest.mark.parametrize(("params", "code"), [
    ({"from": "2026-13-01", "to": "2026-12-01"}, "invalid_date"),
    ({"from": "2026-02-30", "to": "2026-03-01"}, "invalid_date"),
    ({"from": "20261124", "to": "2026-11-24"}, "invalid_date"),
    ({"from": "2026-11-25", "to": "2026-11-24"}, "invalid_range"),
    ({"from": "2025-01-01", "to": "2026-01-02"}, "range_too_long"),
    ({"to": "2026-11-24"}, "validation_error"),
    ({"from": "2026-11-24", "to": "2026-11-24", "by": "hall"}, "validation_error"),
    ({"from": "2026-11-24", "to": "2026-11-24", "format": "pdf"}, "validation_error"),
])
def test_bad_parameters(hall: Hall, params: dict, code: str) -> None:
    assert_error(hall["mgr"].get(SUMMARY, params=params), 422, code)


def test_the_halls_side_by_side(hall: Hall, today: str) -> None:
    def keys(who: str, **params) -> list[str]:
        found = hall[who].ok("GET", "/reports/summary", params={"from": today, "to": today, **params})
        assert found["by"] == "hall" and all(set(row) == ROW_FIELDS for row in found["rows"])
        return [row["key"] for row in found["rows"]]

    assert keys("mgr") == ["demo"]
    assert keys("mgr-north") == ["north"]
    assert keys("admin") == ["demo", "north"]
    assert keys("admin", region="示范省/示范市/示范县") == ["demo", "north"]
    assert keys("admin", region="其他省") == []
    assert_error(hall["admin"].get("/reports/summary", params={"from": today, "to": "x"}), 422, "invalid_date")


def test_the_reports_are_in_the_openapi_document(hall: Hall) -> None:
    paths = hall["nobody"].ok("GET", "/openapi.json")["paths"]
    assert {"/api/v1/halls/{hall}/reports/summary", "/api/v1/halls/{hall}/reports", "/api/v1/reports/summary"} <= set(
        paths)
    assert {"from", "to", "by", "format"} <= {p["name"] for p in paths["/api/v1/halls/{hall}/reports/summary"]["get"][
        "parameters"]}
