"""The ticket (排队号): one customer visit, and the one table of its allowed transitions."""
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from .errors import TransitionNotAllowed
from .timing import Item


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class TicketAction(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    REINSTATE = "reinstate"
    CANCEL = "cancel"


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
}

#: States a ticket never leaves.
FINAL = frozenset({S.DONE, S.CANCELLED})


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
    items: list[Item] = field(default_factory=list)

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
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def apply(self, action: TicketAction, at: datetime, counter: int | None, data: dict) -> None:
        """Move the ticket by `action`; raises TransitionNotAllowed if its state forbids it."""
        self.status = next_status(self.status, action)
        if action is A.CALL:
            self.wait_s += (at - self.queued_at).total_seconds()
            self.counter, self.clerk = counter, data.get("clerk")
            self.responsible_clerk = self.responsible_clerk or self.clerk
            self.called_at, self.started_at, self.recall_count = at, None, 0
        elif action is A.RECALL:
            self.recall_count += 1
        elif action is A.START:
            self.started_at = at
        elif action is A.FINISH:
            self.finished_at = at
            self.items = [Item(**item) for item in data["items"]]
        elif action is A.NO_SHOW:
            self.no_show_at = at
        elif action is A.TRANSFER:
            self.service = data["service"]
            self.counter = data.get("to_counter")
            self.queued_at, self.called_at, self.started_at = at, None, None
            self.transfer_count += 1
        elif action is A.REINSTATE:
            self.queued_at, self.counter, self.called_at, self.no_show_at = at, None, None, None
