"""A simulated business day, so a newcomer sees a living hall (`python -m hall_server demo`).

Customers arrive by hour with a morning peak; clerks sign in at opening, call, serve with
handling times drawn per service (mostly within the limit, a few over), and some customers
never come to the window. Everything goes through the service layer, on a simulated clock
that runs `speed` times faster than real time.

The demo takes ticket numbers and signs clerks in, so it drives a database of its own by
default (`var/demo.db`, or HALL_DEMO_DATABASE_URL), never the live one unless asked
(`--live`, or `--database URL`).

On the demo hall's own configuration the start page also opens a browser as one of the hall's
devices without pairing by hand (`demo_device_link`, web/start.py).
"""
import heapq
import itertools
import os
import random
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .config import DEFAULT_CONFIG, REPO_ROOT, WEEKDAYS, HallsConfig, load_config
from .domain.actors import SYSTEM, Actor, Role
from .domain.appointments import APPOINTMENT_CLASS
from .domain.clock import FixedClock
from .domain.errors import HallError, Invalid, NotFound
from .domain.events import Event
from .services import accounts, appointments
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


#: the devices the demo shortcut opens a browser as (the counter ones at a counter)
DEMO_DEVICE_KINDS = ("kiosk", "display", "evaluator")


def runs_demo_configuration(config: HallsConfig, config_path: str | None) -> bool:
    """Whether a server runs the demo hall's configuration file itself (HALL_CONFIG unset or
    naming config/demo_hall.toml, compared as resolved paths, so a copy elsewhere does not
    count) and that file as it is now (an app built in-process from another configuration
    does not count either)."""
    path = Path(config_path) if config_path else DEFAULT_CONFIG
    return path.resolve() == DEFAULT_CONFIG.resolve() and config == load_config(DEFAULT_CONFIG)


def demo_device_link(ctx: HallContext, hall_id: str, kind: str, counter: int | None = None) -> str:
    """A one-time pairing path (`/pair/<code>`) of the hall's demo device of `kind` (a display
    with a counter: that counter's display), which is made on first use and reused after."""
    if kind not in DEMO_DEVICE_KINDS:
        raise NotFound(f"no demo device of kind {kind!r}", "unknown_kind")
    hall = ctx.hall(hall_id)
    if counter is not None and counter not in hall.counters_by_number:
        raise NotFound(f"hall {hall_id} has no counter {counter}", "unknown_counter")
    if kind == "evaluator" and counter is None:
        raise Invalid("an evaluator belongs to a counter: choose one", "no_counter")
    name = f"demo-{kind}" + (f"-{counter}" if counter is not None else "")
    try:
        return accounts.pairing_link(ctx, hall_id, name)
    except NotFound:
        accounts.add_device(ctx, hall_id, kind, name, counter)
        return accounts.pairing_link(ctx, hall_id, name)


#: how long the demo waits for the server it starts to answer
SERVER_START_S = 60


def local_address(host: str, port: int) -> str:
    """The address a browser on this machine opens for a server bound on `host`."""
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}/"


def serve_beside(url: str, host: str, port: int) -> subprocess.Popen:
    """Start `python -m hall_server run` on the demo's database (`url`) and wait until it
    answers: it relays the events the demo writes to the open pages (realtime.py polls the log).
    The server prints its own lines (the first admin's password on a new database)."""
    server = subprocess.Popen([sys.executable, "-m", "hall_server", "run", "--host", host, "--port", str(port)],
                              env={**os.environ, "HALL_DATABASE_URL": url, "PYTHONUNBUFFERED": "1"})
    address = local_address(host, port)
    deadline = time.monotonic() + SERVER_START_S
    while True:
        try:
            urllib.request.urlopen(f"{address}api/v1/openapi.json", timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.terminate()
                raise RuntimeError(f"the demo's server did not start on {address}") from None
            time.sleep(0.2)


def simulate_day(ctx: HallContext, hall_id: str, *, speed: float = 60.0, seed: int | None = None,
                 arrivals: int | None = None, report: Callable[[str], None] = lambda _: None,
                 start: datetime | None = None, from_now: bool = False) -> dict[str, int]:
    """Run one day; `speed` 0 runs as fast as possible. Returns counts of what happened.
    `from_now`: the rest of today from now, on the real clock (speed 1), so a server beside
    it shows the same times: the customers of the hours gone by do not come."""
    hall = ctx.hall(hall_id)
    rng = random.Random(seed)
    zone = ZoneInfo(hall.timezone)
    day = (start or datetime.now(zone)).astimezone(zone).date()
    hours = hall.opening_hours[WEEKDAYS[day.weekday()]]
    opens = datetime.combine(day, hours.opens, zone)
    closes = datetime.combine(day, hours.closes, zone)
    begins = max(opens, datetime.now(zone)) if from_now else opens
    if from_now:
        speed = 1.0
    clock = FixedClock(begins)
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
        at(begins + timedelta(seconds=rng.uniform(0, 60)), lambda n=number: work(n))
    for hour, share in enumerate(HOURLY_SHARE):
        for _ in range(round(arrivals * share)):
            when = opens + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
            if begins <= when < closes:
                at(when, arrive)
    try:
        while queue:
            when, _, action = heapq.heappop(queue)
            if speed > 0:
                time.sleep(max(0.0, (when - clock.now()).total_seconds() / speed))
            clock.set(max(when, clock.now(), datetime.now(zone) if from_now else when))
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
