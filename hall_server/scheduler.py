"""Scheduled jobs (APScheduler): each hall's day close, at its close time in its timezone,
followed by the day's saved report; the week's complaint summary on Monday mornings; the
alert rules of each hall, on a timer (rules that fire with time alone: a wait growing, a
pause running long, opening and closing) and soon after each event (`poke`); the webhook's
deliveries.

With several server processes on one database, every process runs a scheduler but only
the holder of the `scheduler` lease (storage: leases) runs the jobs; a holder that dies
is replaced once its lease runs out. An evaluation that runs twice changes nothing twice:
the alerts are reconciled under the hall's lock (services/alerts.py); a saved report that
exists is not made again (services/saved_reports.py), and at start-up the reports missed
while no server ran are made.
"""
import logging
import os
import socket
import threading
import time
import uuid
from datetime import date, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .config import Hall
from .domain.day_close import WEEKDAYS, close_at
from .domain.events import Event
from .services import alerts, saved_reports, webhook
from .services.context import HallContext
from .services.day_close import close_ended_day

log = logging.getLogger(__name__)
LEASE = "scheduler"
LEASE_S = 90
RENEW_S = 30
#: an event is judged this soon after it (events coming together are judged at once) ...
POKE_DELAY_S = 0.25
#: ... and a hall at most every MIN_GAP_S, or GAP_FACTOR times as long as judging it took:
#: a hall with thousands waiting and a ticket a second is never judged without pause
MIN_GAP_S = 0.5
GAP_FACTOR = 5
WEBHOOK_EVERY_S = 2
#: a Monday: the week whose days give each weekday's close time
_A_MONDAY = date(2026, 1, 5)


def close_triggers(hall: Hall) -> list[CronTrigger]:
    """One cron trigger per distinct close time of the week, in the hall's timezone (a close
    capped at the next opening may fall on the next weekday)."""
    after = timedelta(minutes=hall.close_after_min)
    by_time: dict[tuple[int, int, int], list[str]] = {}
    for offset in range(7):
        at = close_at(_A_MONDAY + timedelta(days=offset), hall.opening_hours, hall.timezone, after)
        by_time.setdefault((at.hour, at.minute, at.second), []).append(WEEKDAYS[at.weekday()])
    return [CronTrigger(day_of_week=",".join(days), hour=h, minute=m, second=s, timezone=hall.timezone)
            for (h, m, s), days in sorted(by_time.items())]


class HallScheduler:
    def __init__(self, ctx: HallContext, holder: str | None = None) -> None:
        self.ctx = ctx
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.scheduler = BackgroundScheduler(timezone="UTC")
        #: whether this process held the lease when it last tried (every RENEW_S)
        self.leading = False
        #: per hall: a run after events is pending; when the next may start (monotonic); one
        #: run at a time
        self.pending: set[str] = set()
        self.next_run: dict[str, float] = {}
        self.running = {hall.id: threading.Lock() for hall in ctx.config.halls}
        self.lock = threading.Lock()
        self.scheduler.add_job(self.hold_lease, IntervalTrigger(seconds=RENEW_S), id="lease")
        for hall in ctx.config.halls:
            for i, trigger in enumerate(close_triggers(hall)):
                self.scheduler.add_job(self.close_day, trigger, args=[hall.id], id=f"close:{hall.id}:{i}",
                                       misfire_grace_time=3600, coalesce=True)
            if hall.reports.weekly_complaints:
                at = hall.reports.weekly_at
                self.scheduler.add_job(self.save_week_complaints, CronTrigger(
                    day_of_week="mon", hour=at.hour, minute=at.minute, timezone=hall.timezone),
                    args=[hall.id], id=f"complaints:{hall.id}", misfire_grace_time=6 * 3600, coalesce=True)
            if hall.alerts.enabled:
                self.scheduler.add_job(self.evaluate, IntervalTrigger(seconds=hall.alerts.evaluate_every_s),
                                       args=[hall.id], id=f"alerts:{hall.id}", coalesce=True, max_instances=1)
        if any(hall.alerts.webhook for hall in ctx.config.halls):
            self.scheduler.add_job(self.send_webhooks, IntervalTrigger(seconds=WEBHOOK_EVERY_S), id="webhook",
                                   coalesce=True, max_instances=1)

    def hold_lease(self) -> bool:
        now = self.ctx.clock.now()
        self.leading = self.ctx.store.hold_lease(LEASE, self.holder, now + timedelta(seconds=LEASE_S), now)
        return self.leading

    def poke(self, events: list[Event]) -> None:
        """Judge the halls of these events soon (the relay hands over every committed event):
        one pending run per hall takes every event until it starts."""
        if not self.leading:
            return
        for hall_id in {e.hall for e in events if not e.type.value.startswith("alert.")}:
            hall = self.ctx.config.by_id.get(hall_id)
            if hall is None or not hall.alerts.enabled:
                continue
            with self.lock:
                if hall_id in self.pending:
                    continue
                self.pending.add(hall_id)
            delay_s = max(POKE_DELAY_S, self.next_run.get(hall_id, 0.0) - time.monotonic())
            self.scheduler.add_job(self.evaluate_after_events, DateTrigger(
                self.ctx.clock.now() + timedelta(seconds=delay_s)), args=[hall_id], misfire_grace_time=60)

    def evaluate_after_events(self, hall_id: str) -> None:
        with self.lock:
            self.pending.discard(hall_id)
        self.evaluate(hall_id)

    def evaluate(self, hall_id: str) -> None:
        if not self.leading:
            return  # another process runs the jobs
        with self.running[hall_id]:
            started = time.monotonic()
            try:
                alerts.evaluate(self.ctx, hall_id)
            except Exception:  # the next event or tick tries again
                log.exception("evaluating the alerts of hall %s failed", hall_id)
            finally:
                took = time.monotonic() - started
                self.next_run[hall_id] = time.monotonic() + max(MIN_GAP_S, GAP_FACTOR * took)

    def send_webhooks(self) -> None:
        if not self.leading:
            return
        try:
            webhook.deliver_due(self.ctx)
        except Exception:  # the next run tries again; what is due stays in the outbox
            log.exception("sending the webhooks failed")

    def close_day(self, hall_id: str) -> None:
        if not self.hold_lease():
            return  # another process runs the jobs
        try:
            closed = close_ended_day(self.ctx, hall_id)
        except Exception:  # the next start-up or close time tries again
            log.exception("closing the day of hall %s failed", hall_id)
            return
        if closed:
            log.warning("hall %s: day %s closed; %d tickets expired, counters signed out: %s",
                        hall_id, closed.day, len(closed.expired), closed.signed_out or "none")
        self.save_day_report(hall_id)

    def save_day_report(self, hall_id: str) -> None:
        """The report of the hall's last closed day, unless it was saved before."""
        if not self.leading:
            return
        try:
            saved = saved_reports.save_day_report(self.ctx, hall_id)
        except Exception:  # the next close or start-up tries again
            log.exception("saving the day's report of hall %s failed", hall_id)
            return
        if saved:
            log.info("hall %s: the day's report is in %s", hall_id, ", ".join(str(path) for path in saved))

    def save_week_complaints(self, hall_id: str) -> None:
        if not self.hold_lease():
            return
        try:
            saved = saved_reports.save_week_complaints(self.ctx, hall_id)
        except Exception:  # the job's grace time lets a restart the same morning try again
            log.exception("saving the week's complaints of hall %s failed", hall_id)
            return
        log.info("hall %s: the week's complaints are in %s", hall_id, ", ".join(str(path) for path in saved))

    def start(self) -> None:
        self.hold_lease()
        self.scheduler.start()
        # the days closed while no server ran (open_context closed them) get their reports
        for hall in self.ctx.config.halls:
            self.scheduler.add_job(self.save_day_report, args=[hall.id], id=f"missed-report:{hall.id}")

    def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
