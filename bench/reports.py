"""`python -m bench --scenario reports` (and part of `make bench`): how long the reports take
on a year of a busy hall, on SQLite and on PostgreSQL.

The history is bench/history.py's `year` preset (one hall, 365 days, about a million
tickets), generated once per seed and schema revision: a SQLite file under var/bench/, and
the schema `bench_reports` of the `test` database at 127.0.0.1:5432 (HALL_BENCH_POSTGRES_URL;
skipped, saying why, when PostgreSQL does not answer). Timed through the service layer
(services/reports.py), REPEAT times each:
- a day's report (the busiest day): the summary by service, and the full hall report;
- a month's report (the busiest calendar month): the same;
- the halls side by side over a month (`month30`: 30 halls, a month of each), and the
  month's hall report of one of them.
"Cold" is the first report on a new engine (a new connection: SQLite's page cache and the
connection pool empty; the operating system's file cache and PostgreSQL's shared buffers stay
as they are, as they would on a server), "warm" the same report again on that engine.
Targets: a day ≤ 1 s, a month ≤ 3 s (cold and warm medians) for one hall; the 30 halls side
by side are measured without a target.
"""
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from hall_server.bootstrap import open_context
from hall_server.config import HallsConfig
from hall_server.domain.actors import Actor, Role
from hall_server.domain.clock import FixedClock
from hall_server.domain.reports import By
from hall_server.services import reports
from hall_server.services.context import HallContext
from hall_server.storage import tables as t

from . import history
from .report import publish

REPEAT = 5
SEED = 1
TARGETS_S = {"day": 1.0, "month": 3.0}
POSTGRES_URL = os.environ.get("HALL_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMAS = {"year": "bench_reports", "month30": "bench_reports_month30"}
ADMIN = Actor("bench", Role.ADMIN)


def postgres_history(preset: str) -> tuple[str | None, dict | str | None]:
    """The preset's history in its own schema of the PostgreSQL database, generated when the
    schema lacks it: (url, the generation's figures or None if cached), or (None, why not)."""
    base = sa.engine.make_url(POSTGRES_URL)
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    schema = SCHEMAS[preset]
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except DBAPIError as exc:
        return None, f"PostgreSQL not reachable at {base.render_as_string()}: {str(exc.orig).splitlines()[0]}"
    finally:
        admin.dispose()
    url = base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    key = history.cache_key(preset, SEED)
    probe = sa.create_engine(url)
    try:
        with probe.connect() as conn:
            held = conn.execute(sa.select(t.settings.c.value).where(t.settings.c.name == history.MARKER)).scalar()
    except DBAPIError:
        held = None  # no schema, or no tables yet
    finally:
        probe.dispose()
    if held == key:
        return url, None
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    config = history.write_config(history.CACHE_DIR / f"history-{preset}.toml", history.PRESETS[preset])
    engine = history.prepare(url, config)
    try:
        figures = history.generate(engine, config, history.history_days(history.PRESETS[preset].days),
                                   history.PRESETS[preset].per_day, SEED, marker=key, progress=True)
    finally:
        engine.dispose()
    return url, figures


def open_history(url: str, config: HallsConfig) -> HallContext:
    """A context on the history, its clock the morning after its last day."""
    morning = datetime.combine(history.LAST_DAY + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=2)
    return open_context(config, url, FixedClock(morning))


def busiest(url: str, hall: str) -> tuple[date, tuple[date, date]]:
    """The busiest business day, and the busiest whole calendar month, of the hall's history."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            c = t.tickets.c
            per_day = dict(conn.execute(sa.select(c.business_day, sa.func.count()).where(c.hall == hall)
                                        .group_by(c.business_day)).all())
    finally:
        engine.dispose()
    days = {date.fromisoformat(str(day)): n for day, n in per_day.items()}
    months: dict[tuple[int, int], int] = {}
    for day, n in days.items():
        months[day.year, day.month] = months.get((day.year, day.month), 0) + n
    whole = [m for m in months if date(*m, 1) in days and _month_end(*m) in days]
    year, month = max(whole, key=months.__getitem__)
    return max(days, key=days.__getitem__), (date(year, month, 1), _month_end(year, month))


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def _stats(seconds: list[float]) -> dict:
    return {"median": round(statistics.median(seconds), 3), "max": round(max(seconds), 3)}


def timed(url: str, config: HallsConfig, report: Callable[[HallContext], object]) -> dict:
    """Cold: REPEAT new engines, the first report on each; warm: REPEAT more on one engine."""
    cold = []
    for _ in range(REPEAT):
        ctx = open_history(url, config)
        try:
            started = time.perf_counter()
            report(ctx)
            cold.append(time.perf_counter() - started)
        finally:
            ctx.store.engine.dispose()
    ctx = open_history(url, config)
    try:
        report(ctx)
        warm = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            report(ctx)
            warm.append(time.perf_counter() - started)
    finally:
        ctx.store.engine.dispose()
    return {"cold_s": _stats(cold), "warm_s": _stats(warm)}


def hall_reports(url: str, config: HallsConfig) -> dict:
    """A day's and a month's summary by service and full hall report of the year's hall."""
    hall = config.halls[0].id
    day, (first, last) = busiest(url, hall)
    ranges = {"day": (day, day), "month": (first, last)}
    found = {}
    for name, (start, end) in ranges.items():
        found[name] = {
            "from": start.isoformat(), "to": end.isoformat(),
            "summary_by_service": timed(url, config, lambda ctx, s=start, e=end: reports.summary(
                ctx, hall, ADMIN, s, e, By.SERVICE)),
            "hall_report": timed(url, config, lambda ctx, s=start, e=end: reports.hall_report(ctx, hall, ADMIN, s, e)),
        }
    ctx = open_history(url, config)
    try:
        found["day"]["tickets"] = reports.summary(ctx, hall, ADMIN, day, day).total.figures.issued
        found["month"]["tickets"] = reports.summary(ctx, hall, ADMIN, first, last).total.figures.issued
    finally:
        ctx.store.engine.dispose()
    return found


def side_by_side(url: str, config: HallsConfig) -> dict:
    """The month of the 30 halls side by side (a region's supervisor's view), and one of them
    alone (its manager's month)."""
    last = history.LAST_DAY
    first = last - timedelta(days=history.PRESETS["month30"].days - 1)
    hall = config.halls[0].id
    return {"from": first.isoformat(), "to": last.isoformat(), "halls": len(config.halls),
            "halls_summary": timed(url, config, lambda ctx: reports.halls_summary(ctx, ADMIN, first, last)),
            "one_hall_report": timed(url, config, lambda ctx: reports.hall_report(ctx, hall, ADMIN, first, last))}


def within(figures: dict, target_s: float) -> bool:
    return all(figures[kind]["median"] <= target_s for kind in ("cold_s", "warm_s"))


def run_database(name: str, year_url: str | None, month30_url: str | None, configs: dict) -> dict:
    found: dict = {}
    if year_url:
        found.update(hall_reports(year_url, configs["year"]))
    if month30_url:
        found["side_by_side_month"] = side_by_side(month30_url, configs["month30"])
    print(f"reports on {name}: done", flush=True)
    return found


def main() -> int:
    configs, generated, databases = {}, {}, {}
    urls: dict[str, dict[str, str | None]] = {"sqlite": {}, "postgresql": {}}
    for preset in ("year", "month30"):
        url, config, figures = history.cached_history(preset, SEED)
        configs[preset], urls["sqlite"][preset] = config, url
        generated[f"sqlite_{preset}"] = figures or "cached"
        pg_url, pg_figures = postgres_history(preset)
        urls["postgresql"][preset] = pg_url
        generated[f"postgresql_{preset}"] = pg_figures or "cached"
    for name, found in urls.items():
        if found["year"] is None:
            databases[name] = {"skipped": generated[f"{name}_year"]}
            continue
        databases[name] = run_database(name, found["year"], found["month30"], configs)
    targets = {}
    for name, found in databases.items():
        for span in ("day", "month"):
            if span in found:
                for kind in ("summary_by_service", "hall_report"):
                    targets[f"{name}_{span}_{kind}_within_{TARGETS_S[span]:g}s"] = within(found[span][kind],
                                                                                       TARGETS_S[span])
        # the 30 halls side by side are measured, not judged: the issue sets no target for them
        # (a million tickets read in Python: ~25 s; daily figures kept at the day close are the way)
        if "side_by_side_month" in found:
            targets[f"{name}_month30_one_hall_report_within_{TARGETS_S['month']:g}s"] = within(
                found["side_by_side_month"]["one_hall_report"], TARGETS_S["month"])
    summary = {"scenario": "reports", "seed": SEED, "schema_revision": history.schema_revision(),
               "generated": generated, "databases": databases, "targets": targets}
    publish("reports", summary)
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
