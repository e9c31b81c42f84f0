"""The reports the scheduler saves: the day's once its day is closed, the week's complaints on
Monday; each made once, whatever restarts and repeats, and posted once to the webhook."""
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from hall_server.config import ConfigError, load_config
from hall_server.domain.complaints import Category, Channel, Kind
from hall_server.domain.reports import By
from hall_server.scheduler import HallScheduler
from hall_server.services import complaints, counters, report_files, reports, saved_reports, tickets
from hall_server.storage import tables as t

from ..conftest import KIOSK, MANAGER, clerk
from ..running_hall import hall_config_text

WANG = clerk("wang")
SECRET_ENV = "HALL_TEST_REPORT_SECRET"
#: 19:30 in Shanghai on Tuesday 2026-11-24: the demo hall closed at 17:30, its day closes now
CLOSE = datetime(2026, 11, 24, 11, 30, tzinfo=UTC)


def reports_config(tmp_path, monkeypatch, reports: str = "", webhook: bool = False):
    """The demo halls at the demo's opening hours, with `reports = { … }` for the demo hall."""
    monkeypatch.setenv(SECRET_ENV, "s" * 32)
    alerts = f'enabled = false, webhook = {{ url = "http://127.0.0.1:9/hook", secret_env = "{SECRET_ENV}" }}'
    text = hall_config_text(extra_hall="north", demo_hours=True, alerts=alerts if webhook else None)
    text = text.replace('id = "demo"\n', f'id = "demo"\nreports = {{ {reports} }}\n', 1)
    path = tmp_path / "halls.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


@pytest.fixture
def reports_dir(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    monkeypatch.setenv("HALL_REPORTS_DIR", str(folder))
    return folder / "demo"


@pytest.fixture
def config(tmp_path, monkeypatch):
    return reports_config(tmp_path, monkeypatch, "post_to_webhook = true", webhook=True)


def serve_two(ctx, clock) -> None:
    """Two fee payments served at counter 1 on Tuesday morning."""
    counters.sign_in(ctx, "demo", 1, WANG)
    for _ in range(2):
        tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    for _ in range(2):
        clock.advance(60)
        tickets.call_next(ctx, "demo", 1, WANG)
        tickets.start(ctx, "demo", 1, WANG)
        clock.advance(240)
        tickets.finish(ctx, "demo", 1, WANG)


def posted(ctx) -> list[dict]:
    with ctx.store.engine.connect() as conn:
        return [row.payload for row in conn.execute(sa.select(t.webhook_outbox).order_by(t.webhook_outbox.c.id))]


def test_the_close_of_the_day_saves_its_report_once_and_posts_it_once(ctx, clock, reports_dir):
    serve_two(ctx, clock)
    scheduler = HallScheduler(ctx)
    clock.set(CLOSE)
    scheduler.close_day("demo")

    saved = sorted(path.name for path in reports_dir.iterdir())
    assert saved == ["day-2026-11-24.csv", "day-2026-11-24.xlsx"]
    summary = reports.summary(ctx, "demo", MANAGER, date(2026, 11, 24), date(2026, 11, 24), By.SERVICE)
    table = report_files.report_table(summary, "zh", ctx.hall("demo").name)
    lines = list(csv.reader(io.StringIO((reports_dir / "day-2026-11-24.csv").read_bytes().decode("utf-8-sig"))))
    assert lines[-1] == ["" if cell is None else str(cell) for cell in table.total]
    assert table.total[[key for key, _ in table.columns].index("served")] == 2

    (reports_dir / "day-2026-11-24.csv").write_text("kept", encoding="utf-8")
    scheduler.close_day("demo")  # again, as after a restart: nothing made twice
    scheduler.save_day_report("demo")
    assert (reports_dir / "day-2026-11-24.csv").read_text(encoding="utf-8") == "kept"
    [payload] = posted(ctx)
    assert payload["kind"] == "report.daily" and payload["day"] == "2026-11-24"
    assert payload["total"]["served"] == 2
    assert payload["files"] == ["day-2026-11-24.csv", "day-2026-11-24.xlsx"]


def test_a_scheduler_without_the_lease_saves_nothing(ctx, clock, reports_dir):
    serve_two(ctx, clock)
    first, second = HallScheduler(ctx, holder="one"), HallScheduler(ctx, holder="two")
    clock.set(CLOSE)
    assert first.hold_lease() and not second.hold_lease()
    second.close_day("demo")
    second.save_day_report("demo")
    assert not reports_dir.exists()
    first.close_day("demo")
    assert len(list(reports_dir.iterdir())) == 2


def test_a_half_written_report_does_not_count_as_made(ctx, clock, reports_dir):
    serve_two(ctx, clock)
    clock.set(CLOSE)
    HallScheduler(ctx).close_day("demo")
    (reports_dir / "day-2026-11-24.xlsx").unlink()  # lost mid-way: the next run makes it
    assert [p.name for p in saved_reports.save_day_report(ctx, "demo")] == ["day-2026-11-24.csv",
                                                                           "day-2026-11-24.xlsx"]
    assert (reports_dir / "day-2026-11-24.xlsx").stat().st_size > 0
    assert not [p for p in reports_dir.iterdir() if p.name.startswith(".")]


def test_the_week_of_complaints_is_saved_without_contacts(ctx, clock, reports_dir):
    opened = complaints.open_complaint(
        ctx, "demo", MANAGER, kind=Kind.COMPLAINT, category=Category.WAITING, channel=Channel.PHONE,
        description="waited an hour", contact="13800000000")
    complaints.take(ctx, opened.id, MANAGER)
    clock.set(datetime(2026, 11, 30, 0, 0, tzinfo=UTC))  # Monday 08:00 in Shanghai, the week after
    scheduler = HallScheduler(ctx)
    scheduler.hold_lease()
    scheduler.save_week_complaints("demo")

    path = reports_dir / "complaints-2026-11-23.json"
    text = path.read_text(encoding="utf-8")
    assert "13800000000" not in text
    summary = json.loads(text)
    assert (summary["from"], summary["to"]) == ("2026-11-23", "2026-11-29")
    assert [c["id"] for c in summary["received"]] == [opened.id]
    assert summary["figures"]["received"] == 1
    scheduler.save_week_complaints("demo")
    assert [p["kind"] for p in posted(ctx)] == ["report.complaints_week"]


def test_a_hall_may_make_no_reports(database_url, tmp_path, monkeypatch, clock, reports_dir):
    from hall_server.bootstrap import open_context

    config = reports_config(tmp_path, monkeypatch, "daily = false, weekly_complaints = false")
    ctx = open_context(config, database_url, clock)
    try:
        serve_two(ctx, clock)
        clock.set(CLOSE)
        HallScheduler(ctx).close_day("demo")
        clock.advance(timedelta(days=6).total_seconds())
        assert saved_reports.save_week_complaints(ctx, "demo") == []
        assert not reports_dir.exists()
    finally:
        ctx.store.engine.dispose()


def test_posting_reports_needs_a_webhook(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="reports.post_to_webhook"):
        reports_config(tmp_path, monkeypatch, "post_to_webhook = true")
