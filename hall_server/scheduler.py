"""Scheduled jobs (APScheduler): each hall's day close, at its close time in its timezone.

With several server processes on one database, every process runs a scheduler but only
the holder of the `scheduler` lease (storage: leases) runs the jobs; a holder that dies
is replaced once its lease runs out.
"""
import logging
import os
import socket
import uuid
from datetime import date, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .config import Hall
from .domain.day_close import WEEKDAYS, close_at
from .services.context import HallContext
from .services.day_close import close_ended_day

log = logging.getLogger(__name__)
LEASE = "scheduler"
LEASE_S = 90
RENEW_S = 30
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
        self.scheduler.add_job(self.hold_lease, IntervalTrigger(seconds=RENEW_S), id="lease")
        for hall in ctx.config.halls:
            for i, trigger in enumerate(close_triggers(hall)):
                self.scheduler.add_job(self.close_day, trigger, args=[hall.id], id=f"close:{hall.id}:{i}",
                                       misfire_grace_time=3600, coalesce=True)

    def hold_lease(self) -> bool:
        now = self.ctx.clock.now()
        return self.ctx.store.hold_lease(LEASE, self.holder, now + timedelta(seconds=LEASE_S), now)

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

    def start(self) -> None:
        self.hold_lease()
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
