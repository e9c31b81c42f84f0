"""A simulated business day, so a newcomer sees a living hall (`python -m hall_server demo`).

Customers arrive by hour with a morning peak; clerks sign in at opening, call, serve with
handling times drawn per service (mostly within the limit, a few over), and some customers
never come to the window. Everything goes through the service layer, on a simulated clock
that runs `speed` times faster than real time.

The demo takes ticket numbers and signs clerks in, so it drives a database of its own by
default (`var/demo.db`, or HALL_DEMO_DATABASE_URL), never the live one unless asked
(`--live`, or `--database URL`).
"""
import heapq
import itertools
import os
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .config import REPO_ROOT, WEEKDAYS
from .domain.actors import SYSTEM, Actor, Role
from .domain.appointments import APPOINTMENT_CLASS
from .domain.clock import FixedClock
from .domain.errors import HallError, Invalid
from .domain.events import Event
from .services import appointments
from .services import counters as counter_cases
from .services import tickets as ticket_cases
from .services.context import HallContext

#: share of the day's customers arriving in each opening hour: a morning peak, a lull at noon
HOURLY_SHARE = [0.10, 0.17, 0.16, 0.12, 0.06, 0.07, 0.11, 0.12, 0.09]
SERVICE_MIX = {"fee": 0.5, "business": 0.3, "enquiry": 0.15, "enterprise": 0.05}
PRIORITY_MIX = {"normal": 0.86, "green": 0.07, "appointment": 0.04, "vip": 0.03}
NO_SHOW_RATE = 0.04
KIOSK = Actor("demo-kiosk", Role.KIOSK)
#: how far ahead of their arrival the demo's appointment customers booked their slot
BOOKED_AHEAD = timedelta(minutes=5)
#: the demo's own database, beside the live `var/hall.db`
DEFAULT_DEMO_SQLITE = REPO_ROOT / "var" / "demo.db"


def demo_database_url() -> str:
    """The database the demo drives unless told otherwise: never the live one."""
    return os.environ.get("HALL_DEMO_DATABASE_URL") or f"sqlite:///{DEFAULT_DEMO_SQLITE}"


def simulate_day(ctx: HallContext, hall_id: str, *, speed: float = 60.0, seed: int | None = None,
                 arrivals: int | None = None, report: Callable[[str], None] = lambda _: None,
                 start: datetime | None = None) -> dict[str, int]:
    """Run one day; `speed` 0 runs as fast as possible. Returns counts of what happened."""
    hall = ctx.hall(hall_id)
    rng = random.Random(seed)
    zone = ZoneInfo(hall.timezone)
    day = (start or datetime.now(zone)).astimezone(zone).date()
    hours = hall.opening_hours[WEEKDAYS[day.weekday()]]
    opens = datetime.combine(day, hours.opens, zone)
    closes = datetime.combine(day, hours.closes, zone)
    clock = FixedClock(opens)
    sim = HallContext(config=ctx.config, store=ctx.store, clock=clock)
    arrivals = arrivals or 25 * len(hall.counters)
    services = [s for s in SERVICE_MIX if s in hall.services_by_code] or list(hall.services_by_code)
    priorities = [p for p in PRIORITY_MIX if p in hall.head_starts]
    clerks = {c.number: Actor(f"demo-clerk-{c.number}", Role.CLERK) for c in hall.counters}
    counts = {"issued": 0, "served": 0, "no_show": 0}

    def show(events: list[Event]) -> None:
        for event in events:
            local = event.at.astimezone(zone).strftime("%H:%M:%S")
            where = f" window {event.counter}" if event.counter else ""
            report(f"{local} {event.type.value}{where} {event.data.get('number', '')}".rstrip())

    ctx.store.listeners.append(show)
    queue: list[tuple[datetime, int, Callable[[], None]]] = []
    order = itertools.count()

    def at(when: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(queue, (when, next(order), action))

    def arrive() -> None:
        service = rng.choices(services, [SERVICE_MIX.get(s, 0.1) for s in services])[0]
        priority = rng.choices(priorities, [PRIORITY_MIX[p] for p in priorities])[0]
        code = _booked_just_now(sim, hall_id, service) if priority == APPOINTMENT_CLASS else None
        ticket_cases.issue_ticket(sim, hall_id, service, KIOSK, appointment=code,
                                  priority="normal" if priority == APPOINTMENT_CLASS and not code else priority)
        counts["issued"] += 1

    def work(number: int) -> None:
        clerk = clerks[number]
        try:
            ticket = ticket_cases.call_next(sim, hall_id, number, clerk)
        except HallError:
            ticket = None
        if ticket is None:
            if clock.now() < closes or _anyone_waiting(sim, hall_id):
                at(clock.now() + timedelta(seconds=30), lambda: work(number))
            return
        if rng.random() < NO_SHOW_RATE:
            at(clock.now() + timedelta(seconds=90), lambda: _end(no_show=True))
        else:
            at(clock.now() + timedelta(seconds=rng.uniform(15, 60)), lambda: _begin())

        def _begin() -> None:
            ticket_cases.start(sim, hall_id, number, clerk)
            limit = hall.services_by_code[ticket.service].handling_limit_s
            handling = min(rng.lognormvariate(0, 0.45) * 0.6 * limit, 3 * limit)
            at(clock.now() + timedelta(seconds=handling), lambda: _end(no_show=False))

        def _end(no_show: bool) -> None:
            if no_show:
                ticket_cases.no_show(sim, hall_id, number, clerk)
                counts["no_show"] += 1
            else:
                ticket_cases.finish(sim, hall_id, number, clerk)
                counts["served"] += 1
            at(clock.now() + timedelta(seconds=rng.uniform(5, 20)), lambda: work(number))

    for number, clerk in clerks.items():
        counter_cases.sign_in(sim, hall_id, number, clerk)
        at(opens + timedelta(seconds=rng.uniform(0, 60)), lambda n=number: work(n))
    for hour, share in enumerate(HOURLY_SHARE):
        for _ in range(round(arrivals * share)):
            when = opens + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
            if when < closes:
                at(when, arrive)
    try:
        while queue:
            when, _, action = heapq.heappop(queue)
            if speed > 0:
                time.sleep(max(0.0, (when - clock.now()).total_seconds() / speed))
            clock.set(max(when, clock.now()))
            action()
        for number, clerk in clerks.items():
            counter_cases.sign_out(sim, hall_id, number, clerk)
    finally:
        ctx.store.listeners.remove(show)
    report(f"day over: {counts['issued']} issued, {counts['served']} served, "
           f"{counts['no_show']} no-shows")
    return counts


def _anyone_waiting(ctx: HallContext, hall_id: str) -> bool:
    from .domain.tickets import TicketStatus

    with ctx.store.read() as reader:
        return bool(reader.tickets(hall_id, [TicketStatus.WAITING]))


def _booked_just_now(ctx: HallContext, hall_id: str, service: str) -> str | None:
    """An appointment for a slot starting in a few minutes, as the online booking makes them;
    None when no slot fits before closing."""
    try:
        return appointments.book(ctx, hall_id, SYSTEM, service, ctx.clock.now() + BOOKED_AHEAD).appointment.code
    except Invalid:
        return None
