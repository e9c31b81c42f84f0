"""The reports the scheduler saves (`[halls.reports]`) under the reports directory
(HALL_REPORTS_DIR, default var/reports/, one folder per hall): the day's report once the day is
closed, and on Monday morning the complaint summary of the week before, for the service meeting.

Each is made once. Its files are written whole (to a temporary name, then renamed), and a
report whose files are all there is not made again, so a restart mid-way makes what is
missing and nothing twice. The post to the hall's webhook is queued under a key of its own in
the outbox (storage/outbox.py), so it goes once too, and only after the files are there.
"""
import json
import os
from datetime import date, timedelta
from pathlib import Path

from ..domain.actors import Actor, Role
from ..domain.numbering import business_day
from ..domain.reports import By, row_json
from ..storage.db import REPO_ROOT
from . import complaints, report_files, reports
from .context import HallContext

DEFAULT_DIR = REPO_ROOT / "var" / "reports"
DAY_FORMATS = ("csv", "xlsx")


def reports_dir() -> Path:
    return Path(os.environ.get("HALL_REPORTS_DIR") or DEFAULT_DIR)


def save_day_report(ctx: HallContext, hall_id: str, day: date | None = None) -> list[Path]:
    """Save the report of business day `day` (default: the hall's last closed day) by service,
    as CSV and XLSX (`day-<date>.csv`, `.xlsx`); returns the files, or nothing when the hall
    makes no daily report or has closed no day yet."""
    hall = ctx.hall(hall_id)
    if not hall.reports.daily:
        return []
    if day is None:
        with ctx.store.read() as reader:
            day = reader.closed_day(hall_id)
        if day is None:
            return []
    directory, name = reports_dir() / hall_id, f"day-{day.isoformat()}"
    paths = [directory / f"{name}.{fmt}" for fmt in DAY_FORMATS]
    summary = None
    if not all(path.exists() for path in paths):
        summary = reports.summary(ctx, hall_id, _scheduler(hall_id), day, day, By.SERVICE)
        paths = report_files.save(directory, name, summary, DAY_FORMATS, hall_name=hall.name)
    if hall.reports.post_to_webhook:
        summary = summary or reports.summary(ctx, hall_id, _scheduler(hall_id), day, day, By.SERVICE)
        _post_once(ctx, hall_id, f"report:day:{day.isoformat()}", {
            "kind": "report.daily", "hall": hall_id, "day": day.isoformat(),
            "total": row_json(summary.total), "files": [path.name for path in paths]})
    return paths


def save_week_complaints(ctx: HallContext, hall_id: str, week_start: date | None = None) -> list[Path]:
    """Save the complaint summary of the week from Monday `week_start` (default: the week
    before this one) as JSON (`complaints-<monday>.json`), without the customers' contacts."""
    hall = ctx.hall(hall_id)
    if not hall.reports.weekly_complaints:
        return []
    if week_start is None:
        today = business_day(ctx.clock.now(), hall.timezone)
        week_start = today - timedelta(days=today.weekday() + 7)
    path = reports_dir() / hall_id / f"complaints-{week_start.isoformat()}.json"
    if path.exists() and not hall.reports.post_to_webhook:
        return [path]
    summary = complaints.week_summary(ctx, hall_id, week_start)
    if not path.exists():
        report_files.write_whole(path, json.dumps(summary, ensure_ascii=False, indent=2).encode())
    if hall.reports.post_to_webhook:
        _post_once(ctx, hall_id, f"report:complaints:{week_start.isoformat()}", {
            "kind": "report.complaints_week", "hall": hall_id, "from": summary["from"], "to": summary["to"],
            "figures": summary["figures"], "files": [path.name]})
    return [path]


def _scheduler(hall_id: str) -> Actor:
    return Actor("scheduler", Role.SYSTEM, frozenset({hall_id}))


def _post_once(ctx: HallContext, hall_id: str, key: str, payload: dict) -> None:
    with ctx.store.write(hall_id, ctx.clock) as tx:
        tx.send_webhook(payload, once_key=key)
