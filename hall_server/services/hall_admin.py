"""The administration of a hall (issue 13): its configuration as the server understood it,
checked against the file on disk, and "who did what", the hall's event log searched.

The log is searched newest first, a page at a time, keyset on `seq`: a time range becomes a
seq range (the log is bisected on its primary key, storage/store.first_seq_at), and a ticket
number its ticket id, so no filter reads the days before the range asked for.
"""
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..config import Hall, check_config, config_file
from ..domain.actors import Actor
from ..domain.errors import Invalid
from ..domain.events import Event, EventType
from ..storage.accounts import StaffName
from ..storage.store import MAX_ID
from .context import HallContext

#: lines of the log per page at most (and by default)
LOG_PAGE = 100
_NUMBER = re.compile(r"^([A-Z])([0-9]{1,5})$")
_CREDENTIALS = re.compile(r"^([a-z]+://)[^/@\s]*@", re.IGNORECASE)


@dataclass(frozen=True)
class ConfigState:
    #: the file the server read at start
    path: str
    hall: Hall
    #: the file now: "same" as loaded, "changed" (valid: a restart applies it) or "invalid"
    file: str
    #: for an invalid file: each field and its reason, as start-up reports them
    problems: list[tuple[str, str]]


def hall_config(ctx: HallContext, hall_id: str, actor: Actor) -> ConfigState:
    """The hall's configuration as loaded, and what the file on disk says now."""
    hall = ctx.hall(hall_id, actor)
    source = os.environ.get("HALL_CONFIG")
    now, problems = check_config(source)
    if now is None:
        state = "invalid"
    else:
        state = "same" if now.model_dump() == ctx.config.model_dump() else "changed"
    return ConfigState(str(config_file(source).resolve()), hall, state, problems)


def masked_source(source: str) -> str:
    """A camera's source with any user:password of its URL masked."""
    return _CREDENTIALS.sub(r"\1***@", source)


@dataclass(frozen=True)
class LogFilter:
    actor: str | None = None
    counter: int | None = None
    #: a ticket number ("A012"), on `day` (the hall's business day; today when not given)
    number: str | None = None
    day: date | None = None
    type: str | None = None
    #: local times of the hall (naive) or aware ones
    start: datetime | None = None
    end: datetime | None = None
    #: the page after the one whose last line had this seq
    before: int | None = None
    limit: int = LOG_PAGE


@dataclass(frozen=True)
class LogLine:
    event: Event
    #: the ticket's number, when the event is about a ticket
    number: str | None
    #: the name and badge of the person who acted, when they are a user
    who: StaffName | None


@dataclass(frozen=True)
class LogPage:
    lines: list[LogLine]
    #: `before` for the next page; None: this is the last
    next_before: int | None


def hall_log(ctx: HallContext, hall_id: str, actor: Actor, wanted: LogFilter) -> LogPage:
    """The hall's events matching `wanted`, newest first, one page."""
    hall = ctx.hall(hall_id, actor)
    zone = ZoneInfo(hall.timezone)
    _check(hall, wanted)
    start, end = (_aware(moment, zone) for moment in (wanted.start, wanted.end))
    with ctx.store.read() as reader:
        ticket = None
        low, high = 1, min(wanted.before or MAX_ID, reader.last_seq(hall_id) + 1)
        if wanted.number is not None:
            day = wanted.day or ctx.clock.now().astimezone(zone).date()
            match = _NUMBER.match(wanted.number)
            ticket = reader.ticket_by_number(hall_id, day, match[1], int(match[2]))
            if ticket is None:
                return LogPage([], None)
            # a ticket's events are recorded from its business day on
            low = reader.first_seq_since(hall_id, datetime.combine(day, time.min, zone))
        elif wanted.day is not None:
            low = reader.first_seq_since(hall_id, datetime.combine(wanted.day, time.min, zone))
            high = min(high, reader.first_seq_since(hall_id, datetime.combine(wanted.day + timedelta(days=1),
                                                                              time.min, zone)))
        if start is not None:
            low = max(low, reader.first_seq_since(hall_id, start))
        if end is not None:
            high = min(high, reader.first_seq_since(hall_id, end))
        events = reader.log_page(hall_id, low, high, wanted.limit + 1, actor=wanted.actor, counter=wanted.counter,
                                 ticket=ticket, type=wanted.type) if low < high else []
        page = events[:wanted.limit]
        numbers = {i: t.display_number for i, t in reader.tickets_by_id({e.ticket for e in page if e.ticket}).items()}
    staff = ctx.store.accounts.staff_names({e.actor for e in page if e.actor})
    lines = [LogLine(e, numbers.get(e.ticket), staff.get(e.actor)) for e in page]
    return LogPage(lines, page[-1].seq if len(events) > wanted.limit else None)


def _check(hall: Hall, wanted: LogFilter) -> None:
    """Bad filters fail before anything is read."""
    if not 1 <= wanted.limit <= LOG_PAGE:
        raise Invalid(f"limit must be 1-{LOG_PAGE}", "invalid_filter")
    if wanted.counter is not None and wanted.counter not in hall.counters_by_number:
        raise Invalid(f"hall {hall.id} has no counter {wanted.counter}", "unknown_counter")
    if wanted.number is not None:
        match = _NUMBER.match(wanted.number)
        if match is None:
            raise Invalid(f"{wanted.number!r} is not a ticket number like A012", "invalid_filter")
        if match[1] not in {s.prefix for s in hall.services}:
            raise Invalid(f"{wanted.number}: no service of hall {hall.id} numbers with {match[1]}", "invalid_filter")
    if wanted.type is not None and wanted.type not in {kind.value for kind in EventType}:
        raise Invalid(f"unknown event type {wanted.type!r}", "invalid_filter")
    if wanted.start is not None and wanted.end is not None:
        zone = ZoneInfo(hall.timezone)
        if _aware(wanted.start, zone) >= _aware(wanted.end, zone):
            raise Invalid("from must be before to", "invalid_filter")
    if wanted.before is not None and not 1 <= wanted.before <= MAX_ID:
        raise Invalid("before must be a seq of the log", "invalid_filter")


def _aware(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone)
