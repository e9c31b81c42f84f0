"""The ticket (排队号): one customer's time in the hall, the visits to counters it made, and
the one table of its allowed transitions."""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from .errors import TransitionNotAllowed
from .timing import Item, handling_budget_s


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    #: still open when the business day was closed
    EXPIRED = "expired"


class TicketAction(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    REINSTATE = "reinstate"
    CANCEL = "cancel"
    EXPIRE = "expire"


S, A = TicketStatus, TicketAction

#: Every transition a ticket may make; anything not listed here is refused.
TRANSITIONS: dict[tuple[TicketStatus, TicketAction], TicketStatus] = {
    (S.WAITING, A.CALL): S.CALLED,
    (S.CALLED, A.RECALL): S.CALLED,
    (S.CALLED, A.START): S.SERVING,
    (S.CALLED, A.NO_SHOW): S.NO_SHOW,
    (S.CALLED, A.TRANSFER): S.WAITING,
    (S.SERVING, A.TRANSFER): S.WAITING,
    (S.SERVING, A.FINISH): S.DONE,
    (S.NO_SHOW, A.REINSTATE): S.WAITING,
    (S.WAITING, A.CANCEL): S.CANCELLED,
    (S.CALLED, A.CANCEL): S.CANCELLED,
    (S.WAITING, A.EXPIRE): S.EXPIRED,
    (S.CALLED, A.EXPIRE): S.EXPIRED,
    (S.SERVING, A.EXPIRE): S.EXPIRED,
}

#: States a ticket never leaves.
FINAL = frozenset({S.DONE, S.CANCELLED, S.EXPIRED})
#: States in which a ticket is at a counter (called there or served there).
AT_COUNTER = frozenset({S.CALLED, S.SERVING})


class FlagKind(StrEnum):
    """What a clerk flags about the customer at their counter (the service norms: help the
    elderly and disabled, hand an upset customer to someone who can take it, call back)."""
    NEEDS_HELP = "needs_help"
    UPSET_CUSTOMER = "upset_customer"
    CALLBACK = "callback"


class VisitOutcome(StrEnum):
    FINISHED = "finished"
    TRANSFERRED = "transferred"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


#: outcomes of a visit in which the customer was at the window (its handling time counts)
HANDLED = frozenset({VisitOutcome.FINISHED, VisitOutcome.TRANSFERRED, VisitOutcome.EXPIRED})


@dataclass
class Visit:
    """One stretch of a ticket at one counter: from the call to the finish, transfer,
    no-show, cancellation or day close. Each is judged against its own items."""

    counter: int
    clerk: str | None
    service: str
    called_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: VisitOutcome | None = None
    items: list[Item] = field(default_factory=list)

    @property
    def handling_s(self) -> float | None:
        """Time at the window; None while it runs or when the customer never came."""
        if self.started_at is None or self.ended_at is None or self.outcome not in HANDLED:
            return None
        return (self.ended_at - self.started_at).total_seconds()

    @property
    def budget_items(self) -> list[Item]:
        """What the handling limit is judged against: the items handled, or one of its service."""
        return self.items or [Item(self.service, 1)]

    def limit_s(self, limits_s: Mapping[str, int]) -> int | None:
        """The handling budget of its items; None if a service has no limit configured
        (a service since removed from the hall's file)."""
        items = self.budget_items
        if any(item.service not in limits_s for item in items):
            return None
        return handling_budget_s(items, limits_s)

    def compliant(self, limits_s: Mapping[str, int]) -> bool | None:
        """Within its budget; None while it runs, if the customer never came, or if no limit is known."""
        handling, limit = self.handling_s, self.limit_s(limits_s)
        return None if handling is None or limit is None else handling <= limit

    def end(self, at: datetime, outcome: VisitOutcome, items: list[Item] | None = None) -> None:
        self.ended_at, self.outcome = at, outcome
        if items is not None:
            self.items = items


def next_status(status: TicketStatus, action: TicketAction) -> TicketStatus:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise TransitionNotAllowed(f"a {status.value} ticket cannot {action.value}") from None


@dataclass
class Ticket:
    id: int
    hall: str
    service: str
    prefix: str
    number: int
    business_day: date
    priority: str
    issued_at: datetime
    status: TicketStatus = S.WAITING
    #: when the ticket last joined the queue: issue, transfer or reinstatement
    queued_at: datetime | None = None
    #: its place in the queue, fixed at issue (selection.effective_at)
    effective_at: datetime | None = None
    appointment: str | None = None
    slot_start: datetime | None = None
    client_request_id: str | None = None
    #: the device or person who took the number (a client_request_id is theirs alone)
    issued_by: str | None = None
    #: the counter that called or serves it; for a waiting ticket, the counter it was
    #: transferred to (None: any counter serving its service)
    counter: int | None = None
    clerk: str | None = None
    #: the first clerk who served it stays responsible (首问负责制)
    responsible_clerk: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    no_show_at: datetime | None = None
    recall_count: int = 0
    transfer_count: int = 0
    #: time spent waiting so far, over every stay in the queue
    wait_s: float = 0.0
    #: the wait the customer was told at issue (None: no configured counter serves the
    #: service, or issued before it was kept); the reports judge the estimates by it
    estimated_wait_s: int | None = None
    #: the items handled at the last finish
    items: list[Item] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.queued_at is None:
            self.queued_at = self.issued_at
        if self.effective_at is None:
            self.effective_at = self.issued_at

    @property
    def display_number(self) -> str:
        from .numbering import format_number

        return format_number(self.prefix, self.number)

    @property
    def handling_s(self) -> float | None:
        """Time at the windows over every visit; None if the customer was never served."""
        handled = [v.handling_s for v in self.visits if v.handling_s is not None]
        return sum(handled) if handled else None

    @property
    def visit(self) -> Visit | None:
        """The visit under way, if the ticket is at a counter now."""
        return self.visits[-1] if self.visits and self.status in AT_COUNTER else None

    @property
    def at_counter(self) -> int | None:
        """The counter the ticket occupies; a waiting ticket transferred to a counter occupies none."""
        return self.counter if self.status in AT_COUNTER else None

    def apply(self, action: TicketAction, at: datetime, counter: int | None, data: dict) -> None:
        """Move the ticket by `action`; raises TransitionNotAllowed if its state forbids it."""
        visit = self.visit
        self.status = next_status(self.status, action)
        if action is A.CALL:
            self.wait_s += (at - self.queued_at).total_seconds()
            self.counter, self.clerk = counter, data.get("clerk")
            self.responsible_clerk = self.responsible_clerk or self.clerk
            # a hall that starts on call runs the handling clock from the call on
            self.started_at = at if data.get("starts_clock") else None
            self.called_at, self.recall_count = at, 0
            self.visits.append(Visit(counter, self.clerk, self.service, at, self.started_at))
        elif action is A.RECALL:
            self.recall_count += 1
        elif action is A.START:
            self.started_at = visit.started_at = visit.started_at or at
        elif action is A.FINISH:
            self.finished_at = at
            self.items = [Item(**item) for item in data["items"]]
            visit.end(at, VisitOutcome.FINISHED, self.items)
        elif action is A.NO_SHOW:
            self.no_show_at = at
            visit.end(at, VisitOutcome.NO_SHOW)
        elif action is A.TRANSFER:
            visit.end(at, VisitOutcome.TRANSFERRED)
            self.service = data["service"]
            self.counter = data.get("to_counter")
            self.queued_at, self.called_at, self.started_at = at, None, None
            self.transfer_count += 1
        elif action is A.REINSTATE:
            self.queued_at, self.counter, self.called_at, self.no_show_at = at, None, None, None
            self.effective_at = datetime.fromisoformat(data["effective_at"])
        elif action in (A.CANCEL, A.EXPIRE) and visit is not None:
            visit.end(at, VisitOutcome.CANCELLED if action is A.CANCEL else VisitOutcome.EXPIRED)
