"""The complaint register (投诉举报登记): a customer's complaint (投诉) or report (举报), from
receipt to the follow-up with the customer, and the figures the manager and the supervisor
review.

A complaint moves received → in hand → answered → followed up, one step at a time, by the one
table of allowed transitions below; every step keeps who took it, when, and its note. It must
be answered within a deadline counted in calendar days (weekends and holidays included) from
the instant it was received: 5 days for a complaint, 10 for a report. A complaint is open
until it is answered; an open complaint past its deadline is overdue. The follow-up rate is
the share of the answered complaints whose customer was called back, against a 90% target.

Complaints come by hand or from what the hall already knows of an unhappy customer: a clerk's
upset-customer flag or a low rating (an `Offer`, read from the event log).
"""
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .catalogue import N_
from .errors import Invalid, TransitionNotAllowed
from .events import Event, EventType
from .tickets import FlagKind


class Kind(StrEnum):
    COMPLAINT = "complaint"
    REPORT = "report"


class Category(StrEnum):
    ATTITUDE = "attitude"
    WAITING = "waiting"
    HANDLING_ERROR = "handling_error"
    BILLING = "billing"
    OUTAGE = "outage"
    OTHER = "other"


class Channel(StrEnum):
    COUNTER = "counter"
    PHONE = "phone"
    ONLINE = "online"
    LETTER = "letter"


class Status(StrEnum):
    RECEIVED = "received"
    IN_HAND = "in_hand"
    ANSWERED = "answered"
    FOLLOWED_UP = "followed_up"


class Step(StrEnum):
    TAKE = "take"
    ANSWER = "answer"
    FOLLOW_UP = "follow-up"


class Source(StrEnum):
    """Where a complaint came from: registered by hand, or from a flag's or a rating's event."""

    HAND = "hand"
    FLAG = "flag"
    RATING = "rating"


S = Status

#: Every step a complaint may take; anything not listed here is refused.
TRANSITIONS: dict[tuple[Status, Step], Status] = {
    (S.RECEIVED, Step.TAKE): S.IN_HAND,
    (S.IN_HAND, Step.ANSWER): S.ANSWERED,
    (S.ANSWERED, Step.FOLLOW_UP): S.FOLLOWED_UP,
}
#: the states in which the answer deadline runs
UNANSWERED = frozenset({S.RECEIVED, S.IN_HAND})

#: calendar days from receipt to the answer deadline
ANSWER_DAYS = {Kind.COMPLAINT: 5, Kind.REPORT: 10}
FOLLOW_UP_TARGET = 0.9
DESCRIPTION_MAX = 2000
CONTACT_MAX = 128
NOTE_MAX = 500
NAME_MAX = 64

#: the words of the register (pages and messages), as catalogue msgids
KIND_LABELS = {Kind.COMPLAINT: N_("Complaint"), Kind.REPORT: N_("Report of misconduct")}
CATEGORY_LABELS = {
    Category.ATTITUDE: N_("Staff attitude"), Category.WAITING: N_("Long waits"),
    Category.HANDLING_ERROR: N_("Handling error"), Category.BILLING: N_("Billing and fees"),
    Category.OUTAGE: N_("Power outage"), Category.OTHER: N_("Other"),
}
CHANNEL_LABELS = {Channel.COUNTER: N_("At the counter"), Channel.PHONE: N_("By phone"),
                  Channel.ONLINE: N_("Internet"), Channel.LETTER: N_("By letter")}
STATUS_LABELS = {S.RECEIVED: N_("Received"), S.IN_HAND: N_("In hand"), S.ANSWERED: N_("Answered"),
                 S.FOLLOWED_UP: N_("Followed up")}


def due_at(kind: Kind, received_at: datetime) -> datetime:
    """The answer deadline: the same instant, 5 (complaint) or 10 (report) calendar days on."""
    return received_at + timedelta(days=ANSWER_DAYS[kind])


def next_status(status: Status, step: Step) -> Status:
    try:
        return TRANSITIONS[(status, step)]
    except KeyError:
        raise TransitionNotAllowed(f"a {status.value} complaint cannot {step.value}") from None


def checked_text(value: str | None, name: str, high: int, required: bool = False) -> str | None:
    """A text of the register, stripped; None when empty and optional. Invalid if too long,
    or empty where required."""
    text = (value or "").strip()
    if not text:
        if required:
            raise Invalid(f"{name} is required", f"invalid_{name}")
        return None
    if len(text) > high or "\x00" in text:
        raise Invalid(f"{name} is at most {high} characters", f"invalid_{name}")
    return text


@dataclass
class Complaint:
    hall: str
    kind: Kind
    category: Category
    channel: Channel
    description: str
    received_at: datetime
    received_by: str
    due_at: datetime
    status: Status = S.RECEIVED
    id: int | None = None
    ticket: int | None = None
    #: the ticket's number ("A012"), read with it; not stored
    ticket_number: str | None = None
    clerk: str | None = None
    contact: str | None = None
    source: Source = Source.HAND
    #: the seq of the flag's or rating's event it came from
    source_seq: int | None = None
    taken_at: datetime | None = None
    taken_by: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    followed_up_at: datetime | None = None
    followed_up_by: str | None = None
    #: every step: {"status", "at" (ISO 8601), "by", "note"}
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        """Not answered yet: its deadline runs."""
        return self.status in UNANSWERED

    def overdue(self, now: datetime) -> bool:
        return self.is_open and now > self.due_at

    def answered_on_time(self) -> bool | None:
        """Answered by its deadline; None while unanswered."""
        return None if self.answered_at is None else self.answered_at <= self.due_at

    def move(self, step: Step, at: datetime, by: str, note: str | None) -> None:
        """Take the next step (TransitionNotAllowed out of order), kept with who, when and why."""
        self.status = next_status(self.status, step)
        if step is Step.TAKE:
            self.taken_at, self.taken_by = at, by
        elif step is Step.ANSWER:
            self.answered_at, self.answered_by = at, by
        else:
            self.followed_up_at, self.followed_up_by = at, by
        self.history = [*self.history, _history_entry(self.status, at, by, note)]


def _history_entry(status: Status, at: datetime, by: str, note: str | None) -> dict[str, Any]:
    return {"status": status.value, "at": at.isoformat(), "by": by, "note": note}


def receive(hall: str, kind: Kind, category: Category, channel: Channel, description: str, at: datetime, by: str,
            **details: Any) -> Complaint:
    """A new complaint, received now; `details`: ticket, ticket_number, clerk, contact, source, source_seq."""
    return Complaint(hall=hall, kind=kind, category=category, channel=channel, description=description,
                     received_at=at, received_by=by, due_at=due_at(kind, at),
                     history=[_history_entry(S.RECEIVED, at, by, None)], **details)


def event_data(complaint: Complaint, by: str) -> dict[str, Any]:
    """What a complaint's event carries. Hall events reach the displays and kiosks, so never
    the customer's contact, the description or the notes."""
    return {"complaint": complaint.id, "kind": complaint.kind.value, "category": complaint.category.value,
            "status": complaint.status.value, "due_at": complaint.due_at.isoformat(), "by": by}


def complaint_json(complaint: Complaint, now: datetime, with_contact: bool) -> dict[str, Any]:
    """The complaint as the API gives it; `contact` is null for those who may not see it."""
    def iso(at: datetime | None) -> str | None:
        return at.isoformat() if at else None

    c = complaint
    return {
        "id": c.id, "hall": c.hall, "kind": c.kind.value, "category": c.category.value, "channel": c.channel.value,
        "status": c.status.value, "description": c.description, "ticket": c.ticket, "ticket_number": c.ticket_number,
        "clerk": c.clerk, "contact": c.contact if with_contact else None, "source": c.source.value,
        "source_seq": c.source_seq, "received_at": iso(c.received_at), "received_by": c.received_by,
        "due_at": iso(c.due_at), "overdue": c.overdue(now), "taken_at": iso(c.taken_at), "taken_by": c.taken_by,
        "answered_at": iso(c.answered_at), "answered_by": c.answered_by, "followed_up_at": iso(c.followed_up_at),
        "followed_up_by": c.followed_up_by, "history": [dict(entry) for entry in c.history],
    }


@dataclass(frozen=True)
class Offer:
    """An unhappy customer the hall already knows of, offered to the manager to register: a
    clerk's upset-customer flag or a low rating, by its event."""

    source: Source
    source_seq: int
    at: datetime
    ticket: int
    ticket_number: str
    counter: int | None
    clerk: str | None
    #: the rating's level code, or None for a flag
    level: str | None = None
    #: the rating's reason code, or the clerk's words with the flag
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source.value, "source_seq": self.source_seq, "at": self.at.isoformat(),
                "ticket": self.ticket, "ticket_number": self.ticket_number, "counter": self.counter,
                "clerk": self.clerk, "level": self.level, "reason": self.reason}


OFFER_EVENTS = (EventType.TICKET_FLAGGED, EventType.RATING_GIVEN)


def offer_from(event: Event) -> Offer | None:
    """The offer an event makes: an upset-customer flag, or a low rating; None for any other."""
    data = event.data
    if event.ticket is None or event.seq is None:
        return None
    if event.type is EventType.TICKET_FLAGGED and data.get("kind") == FlagKind.UPSET_CUSTOMER:
        return Offer(Source.FLAG, event.seq, event.at, event.ticket, data.get("number", ""), event.counter,
                     event.actor, reason=data.get("reason"))
    if event.type is EventType.RATING_GIVEN and data.get("low"):
        return Offer(Source.RATING, event.seq, event.at, event.ticket, data.get("number", ""),
                     data.get("served_at"), data.get("clerk"), level=data.get("level"), reason=data.get("reason"))
    return None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Figures:
    """The register over the complaints received in a period, as things stand `at`."""

    received: int
    by_kind: dict[str, int]
    by_category: dict[str, int]
    by_channel: dict[str, int]
    #: not answered yet (received or in hand)
    open: int
    #: open and past the deadline
    overdue: int
    #: answered and not followed up yet
    answered: int
    #: answered or followed up, by the deadline, of all answered or followed up; None: none
    answered_on_time_rate: float | None
    followed_up: int
    #: followed_up / (answered + followed_up); None: none answered yet
    follow_up_rate: float | None
    follow_up_target: float = FOLLOW_UP_TARGET

    @property
    def follow_up_met(self) -> bool | None:
        return None if self.follow_up_rate is None else self.follow_up_rate >= self.follow_up_target

    def as_json(self) -> dict[str, Any]:
        return {"received": self.received, "by_kind": dict(self.by_kind), "by_category": dict(self.by_category),
                "by_channel": dict(self.by_channel), "open": self.open, "overdue": self.overdue,
                "answered": self.answered, "answered_on_time_rate": self.answered_on_time_rate,
                "followed_up": self.followed_up, "follow_up_rate": self.follow_up_rate,
                "follow_up_target": self.follow_up_target, "follow_up_met": self.follow_up_met}


def figures(complaints: Iterable[Complaint], now: datetime) -> Figures:
    complaints = list(complaints)
    statuses = Counter(c.status for c in complaints)
    answered, followed_up = statuses[S.ANSWERED], statuses[S.FOLLOWED_UP]
    on_time = sum(c.answered_on_time() is True for c in complaints)

    def counts(values: Iterable[StrEnum], members: Iterable[StrEnum]) -> dict[str, int]:
        found = Counter(values)
        return {member.value: found[member] for member in members}

    return Figures(
        received=len(complaints),
        by_kind=counts((c.kind for c in complaints), Kind),
        by_category=counts((c.category for c in complaints), Category),
        by_channel=counts((c.channel for c in complaints), Channel),
        open=sum(c.is_open for c in complaints),
        overdue=sum(c.overdue(now) for c in complaints),
        answered=answered,
        answered_on_time_rate=_rate(on_time, answered + followed_up),
        followed_up=followed_up,
        follow_up_rate=_rate(followed_up, answered + followed_up),
    )
