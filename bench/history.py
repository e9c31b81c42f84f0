"""`python -m bench.history`: a seeded history of a busy hall (or of many) for timing the reports.

It writes the projection, not the event log: the rows the service layer would have left in
`tickets` (every column, the visits as storage/store.py serialises them), `number_sequences`,
`ratings`, `alerts` and `halls` (last_seq, closed_day), and of the event log only what the
reports read from it: the counters' sign-ins, sign-outs, pauses and resumes, and the ratings
given (gap-free seqs per hall). The ticket events themselves (issued, called, finished ...)
are not written: replaying a million tickets through the use cases would take hours, and the
reports read the tickets' rows, not their events.

Each business day of each hall is simulated on its own random stream (seeded by the seed, the
hall and the day, so a day is the same whatever range it is generated in): arrivals over the
opening hours with a morning peak, quieter weekends; the customers of every service queue in
queue order (domain/selection.py) for the counters that serve it; a counter calls its best
waiting ticket when free; handling times scatter around the limits (5 minutes per fee item,
15 per business item; about one visit in fourteen runs over); a few transfers, no-shows and
customers who give up waiting; lunch and short pauses; customers waiting at closing are
served, so some days run over. What the customer was told at issue comes from the estimate
the kiosk uses (domain/estimates.py) on the queue at that moment.

    python -m bench.history --preset year --seed 1 --database sqlite:///var/bench/year.db
    python -m bench.history --halls 2 --days 3 --per-day 300 --database URL

`cached_history(preset, seed)` keeps a generated SQLite file under var/bench/, keyed by the
preset, the seed, the schema revision and GENERATOR_VERSION, and reuses it.
"""
import argparse
import heapq
import math
import re
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, insert, select, text, update

from hall_server.config import REPO_ROOT, Hall, HallsConfig, load_config
from hall_server.domain import alert_rules
from hall_server.domain.alerts import Alert, render
from hall_server.domain.appointments import hours_on
from hall_server.domain.counters import CounterState
from hall_server.domain.estimates import estimated_wait_s, mean_handling_s
from hall_server.domain.events import EventType
from hall_server.domain.hall_snapshot import CounterNow, HallSnapshot, WaitingTicket
from hall_server.domain.numbering import format_number
from hall_server.domain.tickets import TicketStatus, VisitOutcome
from hall_server.storage import migrate
from hall_server.storage import tables as t
from hall_server.storage.db import make_engine
from hall_server.storage.store import Store
from tests.running_hall import hall_config_text

#: part of the cache key: raise it when the history generated changes
GENERATOR_VERSION = 1
#: the last business day of every history (the day before the tests' clock), so a history
#: does not depend on the day it is generated
LAST_DAY = date(2026, 11, 23)
CACHE_DIR = REPO_ROOT / "var" / "bench"
#: the settings row that names the history a database holds (the cache checks it)
MARKER = "bench.history"


@dataclass(frozen=True)
class Preset:
    halls: int
    days: int
    per_day: int


#: a year of one busy hall, a month of thirty: about a million tickets each
PRESETS = {"year": Preset(halls=1, days=365, per_day=2700), "month30": Preset(halls=30, days=30, per_day=1100)}

#: the share of each service among arrivals (by the demo's service codes; others weigh 0.1)
SERVICE_MIX = {"fee": 0.55, "business": 0.25, "enquiry": 0.15, "enterprise": 0.05}
#: arrivals by local hour of day: the morning peak, the lunch dip, a smaller afternoon one
HOUR_WEIGHTS = {8: 0.8, 9: 1.4, 10: 1.5, 11: 1.3, 12: 0.8, 13: 0.9, 14: 1.2, 15: 1.1, 16: 0.9, 17: 0.5}
#: arrivals on Saturday and Sunday against a weekday
WEEKEND_SHARE = 0.6
GREEN_SHARE = 0.05
TRANSFER_SHARE = 0.03
NO_SHOW_SHARE = 0.03
#: customers who give up waiting after a while (cancelled, if not called by then)
IMPATIENT_SHARE = 0.04
RATED_SHARE = 0.6
#: handling time / budget: log-normal around this median (about 7% run over their budget)
HANDLING_MEDIAN_SHARE = 0.55
HANDLING_SIGMA = 0.4
#: counter-minutes a ticket takes on average (handling, walk, the clerk's wrap-up, pauses) and
#: the busy share the counters open are sized for (the peak hours then build queues)
MINUTES_PER_TICKET = 8
UTILISATION = 0.95
#: the busiest weekday against the mean day (weekdays carry the weekend's share, ±15%)
BUSIEST_DAY = 7 / (5 + 2 * WEEKEND_SHARE) * 1.15
#: counters in the demo hall's file; more are added (serving every service) for busy halls
DEMO_COUNTERS = 7
CHUNK = 5000
#: an Alert's fields as the alerts table keeps them (its id is the table's)
ALERT_COLUMNS = tuple(f.name for f in fields(Alert) if f.name != "id")


def counters_for(per_day: int) -> int:
    """Counters a hall with `per_day` customers on a mean day has, for its busiest weekday (over
    the demo's 9 opening hours); on quieter days fewer of them open."""
    return max(DEMO_COUNTERS, math.ceil(per_day * BUSIEST_DAY * MINUTES_PER_TICKET / (9 * 60 * UTILISATION)))


def hall_ids(halls: int) -> list[str]:
    return ["demo"] if halls == 1 else [f"hall{n:02d}" for n in range(1, halls + 1)]


def history_config_text(halls: int, per_day: int) -> str:
    """The demo hall at its own opening hours (alerts on, no daily caps), with counters for
    `per_day` customers; several halls are copies of it (hall01, hall02 ...) in three counties."""
    demo = hall_config_text(extra_counters=counters_for(per_day) - DEMO_COUNTERS, demo_hours=True, alerts="")
    if halls == 1:
        return demo
    copies = []
    for n, hall in enumerate(hall_ids(halls), start=1):
        copy = demo.replace('id = "demo"', f'id = "{hall}"')
        copy = re.sub(r'^(name = ".*)营业厅"$', rf'\g<1>{n}号营业厅"', copy, count=1, flags=re.M)
        copy = re.sub(r'^(name_en = ".*)"$', rf'\g<1> No. {n}"', copy, count=1, flags=re.M)
        copy = copy.replace('"示范县"]', f'"示范{(n - 1) % 3 + 1}县"]')
        copies.append(copy)
    return "\n".join(copies)


def history_days(days: int, last: date = LAST_DAY) -> list[date]:
    return [last - timedelta(days=n) for n in range(days - 1, -1, -1)]


# -- one hall's day ------------------------------------------------------------------------


class _Ticket:
    """A ticket while its day is simulated (times are datetimes, as stored)."""

    __slots__ = ("id", "service", "prefix", "number", "priority", "issued_at", "effective_at", "queued_at",
                 "status", "counter", "clerk", "responsible_clerk", "called_at", "started_at", "finished_at",
                 "no_show_at", "recall_count", "transfer_count", "wait_s", "estimated_wait_s", "items",
                 "visits", "give_up_at", "fate")

    def __init__(self, id: int, service: str, prefix: str, number: int, priority: str, issued_at: datetime,
                 effective_at: datetime) -> None:
        self.id, self.service, self.prefix, self.number = id, service, prefix, number
        self.priority, self.issued_at, self.effective_at, self.queued_at = priority, issued_at, effective_at, issued_at
        self.status = TicketStatus.WAITING.value
        self.counter = self.clerk = self.responsible_clerk = None
        self.called_at = self.started_at = self.finished_at = self.no_show_at = None
        self.recall_count = self.transfer_count = 0
        self.wait_s = 0.0
        self.estimated_wait_s: int | None = None
        self.items: list[dict] = []
        self.visits: list[dict] = []
        self.give_up_at: datetime | None = None
        #: what happens at its (next) call: finish, transfer or no_show
        self.fate = "finish"

    def key(self) -> tuple:
        """Queue order, as the store's head_of_queue orders."""
        return self.effective_at, self.issued_at, self.id


@dataclass
class _Desk:
    """A counter for the day: its clerk, when it signs in, its pauses to come."""

    number: int
    services: tuple[str, ...]
    clerk: str
    signs_in: datetime
    pauses: list[tuple[datetime, str, timedelta]]
    #: pauses that came due while the clerk served: taken when the visit ends
    pending: list[tuple[datetime, str, timedelta]] = field(default_factory=list)
    free_at: datetime | None = None
    paused: bool = False


@dataclass
class DayRows:
    tickets: list[dict] = field(default_factory=list)
    ratings: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)
    sequences: list[dict] = field(default_factory=list)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _visit(counter: int, clerk: str, service: str, called: datetime, started: datetime | None,
           ended: datetime, outcome: VisitOutcome, items: list[dict]) -> dict:
    """A visit as storage/store.py serialises domain.tickets.Visit (tests/test_history.py checks it)."""
    return {"counter": counter, "clerk": clerk, "service": service, "called_at": called.isoformat(),
            "started_at": _iso(started), "ended_at": ended.isoformat(), "outcome": outcome.value, "items": items}


def _ticket_row(hall: str, day: date, ticket: _Ticket, issued_by: str) -> dict:
    """A ticket as storage/store.py writes it (its serialiser, dataclasses.asdict, costs ~150 µs
    a ticket: too slow for a million; tests/test_history.py checks that the two agree)."""
    return {"id": ticket.id, "hall": hall, "service": ticket.service, "prefix": ticket.prefix,
            "number": ticket.number, "business_day": day, "priority": ticket.priority,
            "issued_at": ticket.issued_at, "status": ticket.status, "queued_at": ticket.queued_at,
            "effective_at": ticket.effective_at, "appointment": None, "slot_start": None,
            "client_request_id": None, "issued_by": issued_by, "counter": ticket.counter, "clerk": ticket.clerk,
            "responsible_clerk": ticket.responsible_clerk, "called_at": ticket.called_at,
            "started_at": ticket.started_at, "finished_at": ticket.finished_at, "no_show_at": ticket.no_show_at,
            "recall_count": ticket.recall_count, "transfer_count": ticket.transfer_count, "wait_s": ticket.wait_s,
            "estimated_wait_s": ticket.estimated_wait_s, "items": ticket.items, "visits": ticket.visits}


class HallDay:
    """One business day of one hall, simulated on its own random stream: a discrete-event
    simulation of arrivals, counters calling, serving and pausing (times in UTC)."""

    def __init__(self, hall: Hall, day: date, per_day: int, seed: int, first_id: int) -> None:
        self.hall, self.day = hall, day
        self.zone = ZoneInfo(hall.timezone)
        self.rng = Random(f"{seed}:{hall.id}:{day.isoformat()}")
        self.opens, self.closes = (at.astimezone(UTC) for at in hours_on(day, hall.opening_hours, hall.timezone))
        self.next_id = first_id
        self.limits = hall.handling_limits_s
        self.services = {s.code: s for s in hall.services}
        self.rows = DayRows()
        self.queues: dict[str, list[tuple]] = {code: [] for code in self.services}
        self.recent: dict[str, deque] = {code: deque(maxlen=20) for code in self.services}
        self.numbers: dict[str, int] = {}
        self.tickets: list[_Ticket] = []
        self.idle: dict[int, _Desk] = {}
        self.waiting_alerts: dict[str, tuple[dict, _Ticket, datetime]] = {}
        self.events: list[tuple] = []
        self.order = 0
        weekend = day.weekday() >= 5
        mean = per_day * 7 / (5 + 2 * WEEKEND_SHARE) * (WEEKEND_SHARE if weekend else 1)
        self.count = max(1, round(mean * self.rng.uniform(0.85, 1.15)))
        self.desks = self._desks()

    def _push(self, at: datetime, kind: str, subject) -> None:
        self.order += 1
        heapq.heappush(self.events, (at, self.order, kind, subject))

    def _local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def _arrival_times(self) -> list[datetime]:
        """Issue times over the opening hours, weighted by HOUR_WEIGHTS."""
        spans, weights = [], []
        start = self.opens
        while start < self.closes:
            local = self._local(start)
            end = min((local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)).astimezone(UTC),
                      self.closes)
            length = (end - start).total_seconds()
            spans.append((start, length))
            weights.append(HOUR_WEIGHTS.get(local.hour, 0.3) * length)
            start = end
        picked = self.rng.choices(spans, weights=weights, k=self.count)
        return sorted(begin + timedelta(seconds=self.rng.uniform(0, length)) for begin, length in picked)

    def _desks(self) -> list[_Desk]:
        """The counters open today (enough for the day's customers), their clerks and pauses."""
        rng, configs = self.rng, self.hall.counters
        open_min = (self.closes - self.opens).total_seconds() / 60
        needed = math.ceil(self.count * MINUTES_PER_TICKET / (open_min * UTILISATION))
        active = configs[:min(len(configs), max(DEMO_COUNTERS, needed))]
        desks = []
        lunch = datetime.combine(self.day, datetime.min.time().replace(hour=11, minute=30), self.zone)
        for i, config in enumerate(active):
            late = rng.random() < 0.1
            signs_in = self.opens + timedelta(minutes=rng.uniform(0, 20) if late else -rng.uniform(1, 12))
            pauses = []
            if self.closes - self.opens > timedelta(hours=6):
                start = lunch + timedelta(minutes=30 * (i % 3) + rng.uniform(0, 10))
                pauses.append((start.astimezone(UTC), "meal", timedelta(minutes=rng.uniform(30, 45))))
            for _ in range(rng.randint(1, 2)):
                start = self.opens + timedelta(minutes=rng.uniform(60, open_min - 60))
                pauses.append((start, "break", timedelta(minutes=rng.uniform(5, 15))))
            for reason, share, low, high in (("meeting", 0.05, 30, 60), ("back_office", 0.05, 15, 30),
                                             ("handover", 0.03, 5, 10), ("other", 0.03, 5, 20)):
                if rng.random() < share:
                    start = self.opens + timedelta(minutes=rng.uniform(30, open_min - 60))
                    pauses.append((start, reason, timedelta(minutes=rng.uniform(low, high))))
            desks.append(_Desk(config.number, tuple(config.services), f"clerk-{self.hall.id}-{config.number:02d}",
                               signs_in, sorted(pauses)))
        return desks

    def _counter_event(self, at: datetime, kind: EventType, desk: _Desk, data: dict) -> None:
        self.rows.events.append({"at": at, "type": kind.value, "ticket": None, "counter": desk.number,
                                 "actor": desk.clerk, "data": data})

    # the simulation

    def run(self) -> DayRows:
        services = list(self.services)
        weights = [SERVICE_MIX.get(code, 0.1) for code in services]
        head_starts = self.hall.head_starts
        for at in self._arrival_times():
            service = self.rng.choices(services, weights)[0]
            prefix = self.services[service].prefix
            number = self.numbers[prefix] = self.numbers.get(prefix, 0) + 1
            priority = "green" if "green" in head_starts and self.rng.random() < GREEN_SHARE else "normal"
            ticket = _Ticket(self.next_id, service, prefix, number, priority, at, at - head_starts[priority])
            self.next_id += 1
            if self.rng.random() < IMPATIENT_SHARE:
                ticket.give_up_at = at + timedelta(minutes=self.rng.uniform(10, 40))
            self.tickets.append(ticket)
            self._push(at, "arrive", ticket)
        for desk in self.desks:
            self._push(desk.signs_in, "sign_in", desk)
            for pause in desk.pauses:
                self._push(pause[0], "pause", (desk, pause))
        while self.events:
            at, _, kind, subject = heapq.heappop(self.events)
            getattr(self, f"_on_{kind}")(at, subject)
        for desk in self.desks:
            leaves = max(self.closes, desk.free_at or desk.signs_in) + timedelta(minutes=self.rng.uniform(1, 10))
            self._counter_event(leaves, EventType.COUNTER_SIGNED_OUT, desk, {})
        for alert, ticket, called in self.waiting_alerts.values():
            self._close_waiting_alert(alert, ticket, called)
        self._rows()
        return self.rows

    def _on_sign_in(self, at: datetime, desk: _Desk) -> None:
        self._counter_event(at, EventType.COUNTER_SIGNED_IN, desk, {"clerk": desk.clerk})
        self._on_free(at, desk)

    def _on_arrive(self, at: datetime, ticket: _Ticket) -> None:
        service = ticket.service
        queue = self.queues[service]
        if ticket.transfer_count == 0:
            open_desks = sum(1 for d in self.desks if service in d.services and d.signs_in <= at and not d.paused)
            mean_s = mean_handling_s(self.recent[service], self.limits[service])
            ticket.estimated_wait_s = estimated_wait_s(len(queue), open_desks, mean_s)
        heapq.heappush(queue, (*ticket.key(), ticket))
        candidates = [d for d in self.idle.values() if service in d.services]
        if candidates:
            desk = min(candidates, key=lambda d: d.free_at)
            del self.idle[desk.number]
            self._call(at, desk)

    def _on_free(self, at: datetime, desk: _Desk) -> None:
        desk.free_at = at
        if desk.pending:
            self._pause(at, desk, desk.pending.pop(0))
        elif not self._call(at, desk):
            self.idle[desk.number] = desk

    def _on_pause(self, at: datetime, subject: tuple) -> None:
        desk, pause = subject
        if at > self.closes - timedelta(minutes=20):
            return
        if desk.number in self.idle:
            del self.idle[desk.number]
            self._pause(at, desk, pause)
        else:
            desk.pending.append(pause)

    def _pause(self, at: datetime, desk: _Desk, pause: tuple) -> None:
        _, reason, length = pause
        desk.paused = True
        self._counter_event(at, EventType.COUNTER_PAUSED, desk, {"reason": reason})
        self._push(at + length, "resume", desk)

    def _on_resume(self, at: datetime, desk: _Desk) -> None:
        desk.paused = False
        self._counter_event(at, EventType.COUNTER_RESUMED, desk, {})
        self._on_free(at, desk)

    def _call(self, at: datetime, desk: _Desk) -> bool:
        """The desk calls its best waiting ticket; False if nobody waits for it."""
        best = None
        for service in desk.services:
            queue = self.queues[service]
            while queue and queue[0][3].give_up_at is not None and queue[0][3].give_up_at <= at:
                heapq.heappop(queue)[3].status = TicketStatus.CANCELLED.value
            if queue and (best is None or queue[0] < best):
                best = queue[0]
        if best is None:
            return False
        ticket = heapq.heappop(self.queues[best[3].service])[3]
        self._serve(at, desk, ticket)
        return True

    def _serve(self, at: datetime, desk: _Desk, ticket: _Ticket) -> None:
        rng = self.rng
        ticket.wait_s += (at - ticket.queued_at).total_seconds()
        self._check_waiting(at, ticket)
        ticket.status, ticket.counter, ticket.clerk = TicketStatus.CALLED.value, desk.number, desk.clerk
        ticket.responsible_clerk = ticket.responsible_clerk or desk.clerk
        ticket.called_at, ticket.started_at, ticket.recall_count = at, None, 0
        service, fate = ticket.service, rng.random()
        if fate < NO_SHOW_SHARE:
            ticket.recall_count = rng.randint(1, 3)
            ended = at + timedelta(seconds=60 * ticket.recall_count + rng.uniform(0, 30))
            ticket.status, ticket.no_show_at = TicketStatus.NO_SHOW.value, ended
            ticket.visits.append(_visit(desk.number, desk.clerk, service, at, None, ended, VisitOutcome.NO_SHOW, []))
            self._push(ended + timedelta(seconds=rng.uniform(5, 15)), "free", desk)
            return
        started = at + timedelta(seconds=rng.uniform(10, 60))
        if fate < NO_SHOW_SHARE + TRANSFER_SHARE and ticket.transfer_count == 0:
            budget = self.limits[service]
            ended = started + timedelta(seconds=max(30.0, budget * rng.uniform(0.1, 0.5)))
            ticket.visits.append(_visit(desk.number, desk.clerk, service, at, started, ended,
                                        VisitOutcome.TRANSFERRED, []))
            others = [code for code in self.services if code != service]
            ticket.service = rng.choices(others, [SERVICE_MIX.get(code, 0.1) for code in others])[0]
            ticket.status, ticket.counter, ticket.queued_at = TicketStatus.WAITING.value, None, ended
            ticket.called_at = ticket.started_at = ticket.give_up_at = None
            ticket.transfer_count += 1
            self._push(ended, "arrive", ticket)
        else:
            items = self._items(service)
            budget = sum(self.limits[item["service"]] * item["count"] for item in items)
            handling = max(20.0, budget * rng.lognormvariate(math.log(HANDLING_MEDIAN_SHARE), HANDLING_SIGMA))
            ended = started + timedelta(seconds=handling)
            ticket.status, ticket.started_at, ticket.finished_at = TicketStatus.DONE.value, started, ended
            ticket.items = items
            ticket.visits.append(_visit(desk.number, desk.clerk, service, at, started, ended,
                                        VisitOutcome.FINISHED, items))
            self.recent[service].append(handling)
            if rng.random() < RATED_SHARE:
                self._rate(ticket, ended, over=handling > budget)
        self._check_handling(desk, ticket, started, ended, budget)
        self._push(ended + timedelta(seconds=rng.uniform(5, 25)), "free", desk)

    def _items(self, service: str) -> list[dict]:
        """The business items handled: mostly one; a few bills at once; now and then a fee
        paid beside a business item."""
        rng = self.rng
        roll = rng.random()
        count = 3 if roll < 0.04 else 2 if roll < 0.16 else 1
        items = [{"service": service, "count": count}]
        if service != "fee" and "fee" in self.limits and rng.random() < 0.05:
            items.append({"service": "fee", "count": 1})
        return items

    def _rate(self, ticket: _Ticket, ended: datetime, over: bool) -> None:
        levels = self.hall.rating_levels
        unhappy = over or ticket.wait_s > self.services[ticket.service].waiting_warning_min * 60
        shares = (0.3, 0.35, 0.2, 0.15) if unhappy else (0.55, 0.3, 0.1, 0.05)
        level = self.rng.choices(levels, [shares[i] if i < len(shares) else 0.05 for i in range(len(levels))])[0]
        reasons = self.hall.rating_reasons
        reason = self.rng.choice(reasons).code if level.low and reasons else None
        at = ended + timedelta(seconds=self.rng.uniform(3, 20))
        self.rows.ratings.append({"ticket": ticket.id, "hall": self.hall.id, "counter": ticket.counter,
                                  "clerk": ticket.clerk, "score": level.score, "at": at})
        self.rows.events.append({"at": at, "type": EventType.RATING_GIVEN.value, "ticket": ticket.id,
                                 "counter": None, "actor": f"evaluator-{ticket.counter}", "data": {
                                     "number": format_number(ticket.prefix, ticket.number), "score": level.score,
                                     "level": level.code, "low": level.low, "reason": reason,
                                     "served_at": ticket.counter, "clerk": ticket.clerk}})

    # alerts: as the rules (domain/alert_rules.py) raise them, judged once at their last update

    def _alert(self, finding, raised_at: datetime, updated_at: datetime, resolved_at: datetime) -> dict:
        alert = Alert(hall=self.hall.id, rule=finding.rule, subject=finding.subject, severity=finding.severity,
                      message=render(finding.message), raised_at=raised_at, updated_at=updated_at,
                      escalated=finding.escalated, data=finding.data, resolved_at=resolved_at)
        critical = finding.severity.value == "critical"
        delay = timedelta(seconds=self.rng.lognormvariate(math.log(90), 0.8))
        if self.rng.random() < (0.8 if critical else 0.4) and raised_at + delay < resolved_at:
            alert.acknowledged_at, alert.acknowledged_by = raised_at + delay, f"manager-{self.hall.id}"
        values = {name: getattr(alert, name) for name in ALERT_COLUMNS}
        values["severity"] = alert.severity.value
        return values

    def _check_handling(self, desk: _Desk, ticket: _Ticket, started: datetime, ended: datetime,
                        budget: int) -> None:
        handling = (ended - started).total_seconds()
        warning = self.hall.alerts.handling_warning_share
        if handling < warning * budget:
            return
        now = ended - timedelta(seconds=1)
        counter = CounterNow(desk.number, CounterState.SERVING, desk.clerk, ticket.called_at or started, None,
                             desk.services, ticket=ticket.id,
                             ticket_number=format_number(ticket.prefix, ticket.number),
                             handling_since=started, budget_s=budget)
        snapshot = HallSnapshot(hall=self.hall, now=now, waiting=[], counters=[counter], mean_handling_s={},
                                arrivals=[], usual_arrivals_15min=None)
        for finding in alert_rules.handling_time(snapshot):
            values = self._alert(finding, started + timedelta(seconds=warning * budget), now, ended)
            if values["severity"] == "critical":
                values["critical_at"] = started + timedelta(seconds=budget)
            if values["escalated"]:
                values["escalated_at"] = started + timedelta(seconds=budget * self.hall.alerts.handling_escalate_share)
            self.rows.alerts.append(values)

    def _check_waiting(self, at: datetime, ticket: _Ticket) -> None:
        """A customer called past the service's warning threshold: the service's waiting alert
        stood from when they passed it (one alert while such calls follow each other)."""
        service = self.services[ticket.service]
        past = ticket.queued_at + timedelta(minutes=service.waiting_warning_min)
        if at <= past:
            return
        standing = self.waiting_alerts.get(service.code)
        if standing is not None and standing[2] >= past:
            self.waiting_alerts[service.code] = (standing[0], ticket, at)
            return
        if standing is not None:
            self._close_waiting_alert(*standing)
        self.waiting_alerts[service.code] = ({"raised_at": past, "service": service.code}, ticket, at)

    def _close_waiting_alert(self, alert: dict, ticket: _Ticket, called: datetime) -> None:
        now = called - timedelta(seconds=1)
        waiting = WaitingTicket(ticket.id, format_number(ticket.prefix, ticket.number), alert["service"], None,
                                ticket.queued_at, ticket.effective_at)
        snapshot = HallSnapshot(hall=self.hall, now=now, waiting=[waiting], counters=[], mean_handling_s={},
                                arrivals=[], usual_arrivals_15min=None)
        for finding in alert_rules.waiting(snapshot):
            values = self._alert(finding, alert["raised_at"], now, called)
            if values["severity"] == "critical":
                critical_min = self.services[alert["service"]].waiting_critical_min
                values["critical_at"] = max(alert["raised_at"], ticket.queued_at + timedelta(minutes=critical_min))
            self.rows.alerts.append(values)

    def _rows(self) -> None:
        hall, day = self.hall.id, self.day
        kiosks = ("kiosk-1", "kiosk-2")
        self.rows.tickets = [_ticket_row(hall, day, ticket, kiosks[ticket.id % 2]) for ticket in self.tickets]
        self.rows.sequences = [{"hall": hall, "business_day": day, "prefix": prefix, "last_number": last}
                               for prefix, last in sorted(self.numbers.items())]
        self.rows.events.sort(key=lambda event: event["at"])
        self.rows.alerts.sort(key=lambda alert: alert["raised_at"])


# -- writing -------------------------------------------------------------------------------


def _chunks(rows: list[dict]) -> Iterator[list[dict]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def _write_day(conn: Connection, hall: str, rows: DayRows, last_seq: int, day: date) -> int:
    """One hall's day in the caller's transaction; returns the hall's new last seq."""
    for seq, event in enumerate(rows.events, start=last_seq + 1):
        event["hall"], event["seq"] = hall, seq
    last_seq += len(rows.events)
    for table, values in ((t.tickets, rows.tickets), (t.number_sequences, rows.sequences),
                          (t.ratings, rows.ratings), (t.events, rows.events), (t.alerts, rows.alerts)):
        for chunk in _chunks(values):
            conn.execute(insert(table), chunk)
    conn.execute(update(t.halls).where(t.halls.c.id == hall).values(last_seq=last_seq, closed_day=day))
    return last_seq


def generate(engine: Engine, config: HallsConfig, days: list[date], per_day: int, seed: int,
             marker: str | None = None, progress: bool = False) -> dict:
    """Fill the database (migrated, its halls synced) with the history of every configured hall
    over `days`; one transaction per hall and day. Refuses a database holding tickets already."""
    started = time.perf_counter()
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(t.tickets)).scalar_one():
            raise SystemExit("the database holds tickets already: generate a history into an empty one")
        next_id = 1
        last_seqs = dict(conn.execute(select(t.halls.c.id, t.halls.c.last_seq)).all())
    totals = {"tickets": 0, "ratings": 0, "events": 0, "alerts": 0}
    for n, day in enumerate(days, start=1):
        for hall in config.halls:
            rows = HallDay(hall, day, per_day, seed, next_id).run()
            next_id += len(rows.tickets)
            with engine.begin() as conn:
                last_seqs[hall.id] = _write_day(conn, hall.id, rows, last_seqs[hall.id], day)
            for name in totals:
                totals[name] += len(getattr(rows, name))
        if progress and (n % 10 == 0 or n == len(days)):
            rate = totals["tickets"] / (time.perf_counter() - started)
            print(f"{day}: {totals['tickets']} tickets, {rate:.0f}/s", file=sys.stderr, flush=True)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # the ids were given: move the sequences past them
            for table in ("tickets", "alerts"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"))
            # the planner's statistics, as autovacuum would have gathered them over the year
            conn.execute(text("ANALYZE"))
        if marker:
            conn.execute(insert(t.settings).values(name=MARKER, value=marker))
    seconds = time.perf_counter() - started
    return {**totals, "halls": len(config.halls), "days": len(days), "seconds": round(seconds, 1),
            "tickets_per_s": round(totals["tickets"] / seconds) if seconds else None}


def prepare(url: str, config: HallsConfig) -> Engine:
    """The database migrated to the head revision with the configured halls' rows."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    Store(engine).sync_halls(config)
    return engine


def schema_revision() -> str:
    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def cache_key(preset: str, seed: int) -> str:
    return f"{preset}-seed{seed}-rev{schema_revision()}-gen{GENERATOR_VERSION}"


def marker_of(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(t.settings.c.value).where(t.settings.c.name == MARKER)).scalar()


def write_config(path: Path, preset: Preset) -> HallsConfig:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(history_config_text(preset.halls, preset.per_day), encoding="utf-8")
    return load_config(path)


def cached_history(preset: str, seed: int = 1, progress: bool = True) -> tuple[str, HallsConfig, dict | None]:
    """The SQLite database of a preset's history under var/bench/ (made once per preset, seed,
    schema revision and GENERATOR_VERSION), its configuration, and the generation's figures
    (None when the file was there already)."""
    key = cache_key(preset, seed)
    path = CACHE_DIR / f"history-{key}.db"
    config = write_config(CACHE_DIR / f"history-{preset}.toml", PRESETS[preset])
    if path.exists():
        engine = make_engine(f"sqlite:///{path}")
        try:
            if marker_of(engine) == key:
                return f"sqlite:///{path}", config, None
        finally:
            engine.dispose()
    partial = path.with_suffix(".partial")
    for leftover in CACHE_DIR.glob(f"{partial.name}*"):
        leftover.unlink()
    engine = prepare(f"sqlite:///{partial}", config)
    try:
        figures = generate(engine, config, history_days(PRESETS[preset].days), PRESETS[preset].per_day, seed,
                           marker=key, progress=progress)
    finally:
        engine.dispose()
    partial.rename(path)
    return f"sqlite:///{path}", config, figures


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=PRESETS, help="year: one busy hall, 365 days; month30: 30 halls, 30 days")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", help="database URL (default with --preset: the cached file under var/bench/)")
    parser.add_argument("--halls", type=int, help="halls (1: demo; more: hall01, hall02 ...)")
    parser.add_argument("--days", type=int, help="business days, ending with --last-day")
    parser.add_argument("--per-day", type=int, help="customers on an average day of each hall")
    parser.add_argument("--last-day", type=date.fromisoformat, default=LAST_DAY)
    parser.add_argument("--config-out", type=Path, help="where to write the halls' configuration "
                                                        "(default: var/bench/halls-<halls>x<per-day>.toml)")
    options = parser.parse_args(argv)
    if options.preset is None and None in (options.halls, options.days, options.per_day):
        parser.error("give --preset, or --halls, --days and --per-day")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    if options.preset and options.database is None and options.last_day == LAST_DAY and not (
            options.halls or options.days or options.per_day):
        url, _, figures = cached_history(options.preset, options.seed)
        print(f"{url}: {figures or 'cached'}")
        return 0
    base = PRESETS[options.preset] if options.preset else Preset(1, 1, 1)
    preset = Preset(options.halls or base.halls, options.days or base.days, options.per_day or base.per_day)
    config = write_config(options.config_out or CACHE_DIR / f"halls-{preset.halls}x{preset.per_day}.toml", preset)
    url = options.database or f"sqlite:///{CACHE_DIR / f'history-{preset.halls}x{preset.days}x{preset.per_day}.db'}"
    engine = prepare(url, config)
    try:
        figures = generate(engine, config, history_days(preset.days, options.last_day), preset.per_day,
                           options.seed, progress=True)
    finally:
        engine.dispose()
    print(f"{url}: {figures}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
