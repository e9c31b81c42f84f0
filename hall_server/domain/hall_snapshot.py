"""The hall as the alert rules see it at one instant: read once by the service layer
(services/alert_snapshot.py), judged by pure functions (alert_rules.py)."""
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from .complaints import Complaint
from .counters import OPEN_STATES, CounterState

if TYPE_CHECKING:
    from ..config import Hall


@dataclass(frozen=True)
class WaitingTicket:
    id: int
    number: str
    service: str
    #: the counter it was transferred to, if it waits for one counter only
    counter: int | None
    #: since when it waits (its issue, or its transfer)
    queued_at: datetime
    #: its place in the queue (domain/selection.py)
    effective_at: datetime


@dataclass(frozen=True)
class CounterNow:
    number: int
    state: CounterState
    clerk: str | None
    #: since when it is in its state
    since: datetime | None
    pause_reason: str | None
    #: the services it serves (from the configuration)
    services: tuple[str, ...]
    ticket: int | None = None
    ticket_number: str | None = None
    #: the service its ticket is served for
    ticket_service: str | None = None
    #: when the handling of its ticket began (started, or called in a hall that starts on
    #: call); None while the called customer is still walking up
    handling_since: datetime | None = None
    #: the handling budget of its ticket's visit (limit × items)
    budget_s: int | None = None


@dataclass(frozen=True)
class DeviceNow:
    """A device the hall expects to hear from: a paired kiosk, display or evaluator (online
    while it is connected or was heard from lately), a printer, LED display or camera of the
    configuration (online, paper and faults as its worker last reported them)."""

    name: str
    kind: str
    online: bool
    last_seen: datetime | None = None
    paper: str | None = None
    cover_open: bool = False
    fault: str | None = None


#: a step of a camera's count: from when, the people it estimated (None: not counted, the
#: camera was offline)
CrowdStep = tuple[datetime, int | None]


@dataclass(frozen=True)
class CrowdNow:
    """A camera's estimates of the people in its waiting area, as steps in time order: each
    holds from its time until the next. The first step is the last one at or before the
    earliest time the rules look back to (earlier ones are left out)."""

    camera: str
    steps: tuple[CrowdStep, ...] = ()

    @property
    def people(self) -> int | None:
        """The estimate now; None while the camera is offline or before its first estimate."""
        return self.steps[-1][1] if self.steps else None

    @property
    def at(self) -> datetime | None:
        """Since when the estimate (or the camera's silence) holds."""
        return self.steps[-1][0] if self.steps else None

    def lowest_since(self, since: datetime) -> int | None:
        """The lowest estimate from `since` until now; None unless the camera counted the
        whole time (no estimate yet at `since`, or offline at some point since)."""
        start = None
        for i, (at, _people) in enumerate(self.steps):
            if at > since:
                break
            start = i
        if start is None:
            return None
        values = [people for _at, people in self.steps[start:]]
        return None if None in values else min(values)  # type: ignore[type-var]


@dataclass(frozen=True)
class Incident:
    """A customer who left unhappy today: a low rating, or a clerk's upset-customer flag."""

    kind: str  # "low_rating" or "upset_customer"
    ticket: int
    number: str
    at: datetime
    counter: int | None
    clerk: str | None
    #: the rating's level code and reason, or the flag's reason
    detail: str | None = None


@dataclass(frozen=True)
class Queues:
    """The waiting tickets grouped in one pass: per service in queue order, and who waits for whom."""

    by_service: dict[str, list[WaitingTicket]]
    #: per service, how long each of them (in the same order) has waited, in seconds
    waited_s: dict[str, list[float]]
    #: per service, the tickets waiting for no particular counter
    for_any: dict[str, int]
    #: per counter, the tickets transferred to it
    for_counter: dict[int, int]
    #: per service, the open counters serving it
    open: dict[str, int]
    #: since when someone waits: per service (for any counter), per counter (transferred to it)
    since_any: dict[str, datetime]
    since_counter: dict[int, datetime]

    def waiting_for(self, counter: CounterNow) -> int:
        return sum(self.for_any.get(code, 0) for code in counter.services) + self.for_counter.get(counter.number, 0)

    def waiting_since(self, counter: CounterNow) -> datetime | None:
        """When the first of those waiting for the counter now joined the queue."""
        times = [self.since_any[code] for code in counter.services if code in self.since_any]
        if counter.number in self.since_counter:
            times.append(self.since_counter[counter.number])
        return min(times, default=None)


@dataclass(frozen=True)
class HallSnapshot:
    hall: "Hall"
    now: datetime
    #: the hall's waiting tickets of today, in queue order
    waiting: list[WaitingTicket]
    #: the hall's configured counters
    counters: list[CounterNow]
    #: per service, the recent mean handling time (estimates.mean_handling_s)
    mean_handling_s: dict[str, float]
    #: (issued_at, service) of today's tickets issued in the last 30 minutes
    arrivals: list[tuple[datetime, str]]
    #: the usual arrivals in 15 minutes at this hour and weekday, from past weeks; None
    #: without history
    usual_arrivals_15min: float | None
    devices: list[DeviceNow] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    #: the hall's complaints not answered yet, the earliest due first
    complaints: list[Complaint] = field(default_factory=list)
    #: per camera of the configuration, its estimates of the last `crowd_sustain_min` or more
    crowd: dict[str, CrowdNow] = field(default_factory=dict)

    @cached_property
    def queues(self) -> Queues:
        """The waiting tickets grouped once for every rule (a cached_property writes past the
        frozen dataclass's guard: the snapshot itself never changes)."""
        by_service: dict[str, list[WaitingTicket]] = {}
        waited_s: dict[str, list[float]] = {}
        for_any: dict[str, int] = {}
        for_counter: dict[int, int] = {}
        since_any: dict[str, datetime] = {}
        since_counter: dict[int, datetime] = {}
        for ticket in self.waiting:
            by_service.setdefault(ticket.service, []).append(ticket)
            waited_s.setdefault(ticket.service, []).append((self.now - ticket.queued_at).total_seconds())
            if ticket.counter is None:
                key, counts, since = ticket.service, for_any, since_any
            else:
                key, counts, since = ticket.counter, for_counter, since_counter
            counts[key] = counts.get(key, 0) + 1
            if key not in since or ticket.queued_at < since[key]:
                since[key] = ticket.queued_at
        open_counters: dict[str, int] = {}
        for counter in self.counters:
            if counter.state in OPEN_STATES:
                for code in counter.services:
                    open_counters[code] = open_counters.get(code, 0) + 1
        return Queues(by_service, waited_s, for_any, for_counter, open_counters, since_any, since_counter)
