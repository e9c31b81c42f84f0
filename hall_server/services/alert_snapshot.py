"""The hall as the alert rules see it (domain/hall_snapshot.py), read in one read transaction.

What the log says of today's devices, unhappy customers and cameras' counts is followed
incrementally: each read takes only the device-status, rating, flag and crowd-estimate events
recorded since the last one (`LogMemory`, kept per hall in the context), never the whole
day's log again. The board reads the cameras' counts from the same memory.
"""
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..config import Hall
from ..domain.actors import Role
from ..domain.estimates import RECENT_TICKETS, mean_handling_s
from ..domain.events import Event
from ..domain.events import EventType as E
from ..domain.hall_snapshot import CounterNow, CrowdNow, CrowdStep, DeviceNow, HallSnapshot, Incident, WaitingTicket
from ..domain.numbering import business_day, format_number
from ..domain.staffing import ARRIVAL_WINDOW
from ..domain.tickets import FlagKind, TicketStatus
from ..storage import tables as t
from ..storage.store import Reader
from .context import HallContext

#: the paired devices whose silence the rules notice (a booking system lives elsewhere)
WATCHED_KINDS = (Role.KIOSK, Role.DISPLAY, Role.EVALUATOR)
FOLLOWED = (E.DEVICE_STATUS, E.RATING_GIVEN, E.TICKET_FLAGGED, E.CROWD_ESTIMATE)
#: the longest the rules look back over a camera's counts (crowd_sustain_min's upper bound)
CROWD_MEMORY = timedelta(hours=1)


@dataclass
class LogMemory:
    """Today's device statuses and incidents of one hall, as far as the log was read."""

    day: date | None = None
    seq: int = 0
    statuses: dict[str, dict] = field(default_factory=dict)
    incidents: dict[tuple[int, str], Incident] = field(default_factory=dict)
    #: per camera, its counts of the last hour or more as steps (hall_snapshot.CrowdNow)
    crowd: dict[str, list[CrowdStep]] = field(default_factory=dict)
    #: per camera, its last estimate today, offline or not
    counted: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def follow(self, reader: Reader, hall: Hall, day: date, day_start: datetime) -> None:
        with self.lock:
            if self.day != day:
                self.day, self.seq, self.statuses, self.incidents = day, 0, {}, {}
                self.crowd, self.counted = {}, {}
            for event in reader.events_of_types(hall.id, FOLLOWED, self.seq, day_start):
                self._take(event)
                self.seq = event.seq

    def crowd_now(self, hall: Hall, now: datetime) -> dict[str, CrowdNow]:
        """Each camera of the hall with its counts since an hour ago (older steps are dropped)."""
        with self.lock:
            result = {}
            for camera in hall.cameras:
                steps = self.crowd.get(camera.name, [])
                first = max((i for i, (at, _people) in enumerate(steps) if at <= now - CROWD_MEMORY), default=0)
                del steps[:first]
                result[camera.name] = CrowdNow(camera.name, tuple(steps))
            return result

    def _take(self, event: Event) -> None:
        data = event.data
        if event.type is E.CROWD_ESTIMATE:
            self.counted[data["camera"]] = data["people"]
            self.crowd.setdefault(data["camera"], []).append((event.at, data["people"]))
        elif event.type is E.DEVICE_STATUS:
            self.statuses[data["device"]] = data
            if data.get("kind") == "camera":
                self._camera_status(event.at, data["device"], data["online"])
        elif event.type is E.RATING_GIVEN and data.get("low"):
            detail = "/".join(part for part in (data.get("level"), data.get("reason")) if part)
            self.incidents[(event.ticket, "low_rating")] = Incident(
                "low_rating", event.ticket, data.get("number", ""), event.at, data.get("served_at"),
                data.get("clerk"), detail or None)
        elif event.type is E.TICKET_FLAGGED and data.get("kind") == FlagKind.UPSET_CUSTOMER:
            self.incidents[(event.ticket, FlagKind.UPSET_CUSTOMER)] = Incident(
                FlagKind.UPSET_CUSTOMER.value, event.ticket, data.get("number", ""), event.at, event.counter,
                event.actor, data.get("reason"))


    def _camera_status(self, at: datetime, camera: str, online: bool) -> None:
        """Offline, a camera counts nobody until it is back; back, its last estimate holds
        again (the worker records a new one only when its count differs)."""
        steps = self.crowd.setdefault(camera, [])
        if not online:
            steps.append((at, None))
        elif steps and steps[-1][1] is None and camera in self.counted:
            steps.append((at, self.counted[camera]))


def read_snapshot(ctx: HallContext, hall: Hall, now: datetime) -> tuple[HallSnapshot, int]:
    """The hall now, and the last seq of its log it reflects."""
    zone = ZoneInfo(hall.timezone)
    day = business_day(now, hall.timezone)
    day_start = datetime.combine(day, time.min, zone)
    memory = log_memory(ctx, hall)
    with ctx.store.read() as reader:
        last_seq = reader.last_seq(hall.id)
        waiting = _waiting(reader, hall.id, day)
        counters = _counters(reader, hall)
        means = {s.code: mean_handling_s(reader.recent_handling_s(hall.id, s.code, RECENT_TICKETS), s.handling_limit_s)
                 for s in hall.services}
        arrivals = _arrivals(reader, hall.id, now - ARRIVAL_WINDOW, now)
        usual = _usual_arrivals(ctx, reader, hall, now)
        memory.follow(reader, hall, day, day_start)
        complaints = reader.unanswered_complaints(hall.id)
        statuses, incidents = dict(memory.statuses), sorted(memory.incidents.values(), key=lambda i: i.at)
    devices = _devices(ctx, hall, now, statuses)
    snapshot = HallSnapshot(hall=hall, now=now, waiting=waiting, counters=counters, mean_handling_s=means,
                            arrivals=arrivals, usual_arrivals_15min=usual, devices=devices, incidents=incidents,
                            complaints=complaints, crowd=memory.crowd_now(hall, now))
    return snapshot, last_seq


def log_memory(ctx: HallContext, hall: Hall) -> LogMemory:
    """The hall's memory of today's log, shared by the rules and the board."""
    return ctx.memo.setdefault(("alert_log", hall.id), LogMemory())


def cameras_now(ctx: HallContext, hall: Hall, now: datetime) -> tuple[dict[str, CrowdNow], dict[str, bool]]:
    """Each camera's counts and whether it is online, from the memory brought up to date
    with one read of the events recorded since it last looked."""
    memory = _followed(ctx, hall, now)
    with memory.lock:
        online = {c.name: memory.statuses.get(c.name, {}).get("online", True) for c in hall.cameras}
    return memory.crowd_now(hall, now), online


def devices_now(ctx: HallContext, hall: Hall, now: datetime) -> list[DeviceNow]:
    """The devices the rules watch, each online or not as the rules judge it (`_devices`), for
    the administration's health list."""
    memory = _followed(ctx, hall, now)
    with memory.lock:
        statuses = dict(memory.statuses)
    return _devices(ctx, hall, now, statuses)


def _followed(ctx: HallContext, hall: Hall, now: datetime) -> LogMemory:
    """The hall's memory, brought up to date with one read of the events since it last looked."""
    day = business_day(now, hall.timezone)
    memory = log_memory(ctx, hall)
    with ctx.store.read() as reader:
        memory.follow(reader, hall, day, datetime.combine(day, time.min, ZoneInfo(hall.timezone)))
    return memory


def _waiting(reader: Reader, hall: str, day: date) -> list[WaitingTicket]:
    c = t.tickets.c
    rows = reader.conn.execute(
        select(c.id, c.prefix, c.number, c.service, c.counter, c.queued_at, c.effective_at)
        .where(c.hall == hall, c.status == TicketStatus.WAITING.value, c.business_day == day)
        .order_by(c.effective_at, c.issued_at, c.id))
    return [WaitingTicket(r.id, format_number(r.prefix, r.number), r.service, r.counter, r.queued_at,
                          r.effective_at) for r in rows]


def _counters(reader: Reader, hall: Hall) -> list[CounterNow]:
    counters = [c for c in reader.counters(hall.id) if c.number in hall.counters_by_number]
    tickets = reader.tickets_by_id(c.ticket for c in counters if c.ticket is not None)
    result = []
    for counter in counters:
        services = tuple(hall.counters_by_number[counter.number].services)
        ticket = tickets.get(counter.ticket) if counter.ticket is not None else None
        visit = ticket.visits[-1] if ticket and ticket.visits else None
        result.append(CounterNow(
            number=counter.number, state=counter.state, clerk=counter.clerk, since=counter.since,
            pause_reason=counter.pause_reason, services=services,
            ticket=ticket.id if ticket else None, ticket_number=ticket.display_number if ticket else None,
            ticket_service=visit.service if visit else None,
            handling_since=visit.started_at if visit else None,
            budget_s=visit.limit_s(hall.handling_limits_s) if visit else None))
    return result


def _arrivals(reader: Reader, hall: str, since: datetime, until: datetime) -> list[tuple[datetime, str]]:
    c = t.tickets.c
    rows = reader.conn.execute(select(c.issued_at, c.service).where(
        c.hall == hall, c.issued_at >= since, c.issued_at <= until).order_by(c.issued_at))
    return [(row.issued_at, row.service) for row in rows]


def _usual_arrivals(ctx: HallContext, reader: Reader, hall: Hall, now: datetime) -> float | None:
    """Arrivals per 15 minutes usual at this hour on this weekday: the mean over the past
    weeks (up to `surge_history_weeks`) that had any arrival in that hour; None without any.
    Computed once per hall and hour."""
    local = now.astimezone(ZoneInfo(hall.timezone)).replace(minute=0, second=0, microsecond=0)
    key = ("usual_arrivals", hall.id)
    hour, usual = ctx.memo.get(key, (None, None))
    if hour != local:
        c = t.tickets.c
        counts = []
        for weeks in range(1, hall.alerts.surge_history_weeks + 1):
            start = local - timedelta(weeks=weeks)
            count = reader.conn.execute(select(func.count()).select_from(t.tickets).where(
                c.hall == hall.id, c.issued_at >= start, c.issued_at < start + timedelta(hours=1))).scalar_one()
            if count:
                counts.append(count)
        usual = sum(counts) / len(counts) / 4 if counts else None
        ctx.memo[key] = (local, usual)
    return usual


def _devices(ctx: HallContext, hall: Hall, now: datetime, statuses: dict[str, dict]) -> list[DeviceNow]:
    """The paired kiosks, displays and evaluators by when they were last heard from; the
    printers, LED displays and cameras of the configuration by what their workers last reported
    (well, until they report otherwise)."""
    offline_after = timedelta(seconds=hall.alerts.device_offline_after_s)
    devices = [DeviceNow(d.name, d.kind.value, d.last_seen_at is not None and now - d.last_seen_at <= offline_after,
                         last_seen=d.last_seen_at)
               for d in ctx.store.accounts.hall_devices(hall.id) if d.kind in WATCHED_KINDS]
    for printer in hall.printers:
        status = statuses.get(printer.name, {})
        devices.append(DeviceNow(printer.name, "printer", status.get("online", True), paper=status.get("paper", "ok"),
                                 cover_open=status.get("cover_open", False), fault=status.get("fault")))
    for display in hall.led_displays:
        devices.append(DeviceNow(display.name, "led", statuses.get(display.name, {}).get("online", True)))
    for camera in hall.cameras:
        devices.append(DeviceNow(camera.name, "camera", statuses.get(camera.name, {}).get("online", True)))
    return devices
