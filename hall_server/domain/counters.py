"""The counter (窗口): who sits there, what it is doing, and its one transition table."""
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .catalogue import N_
from .errors import Conflict


class CounterState(StrEnum):
    CLOSED = "closed"
    IDLE = "idle"
    SERVING = "serving"
    PAUSED = "paused"


class CounterAction(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    PAUSE = "pause"
    RESUME = "resume"
    TAKE = "take"  # a ticket was called here
    RELEASE = "release"  # its ticket was finished, transferred, cancelled or a no-show


PAUSE_REASONS = ("break", "meal", "meeting", "back_office", "handover", "other")
#: what each pause reason is called (translated where shown)
PAUSE_LABELS = {
    "break": N_("Short break"), "meal": N_("Meal"), "meeting": N_("Meeting"),
    "back_office": N_("Back-office work"), "handover": N_("Shift handover"), "other": N_("Other"),
}

C, CA = CounterState, CounterAction
#: a counter serving customers now: open, with a customer or waiting for the next one
OPEN_STATES = (C.IDLE, C.SERVING)

COUNTER_TRANSITIONS: dict[tuple[CounterState, CounterAction], CounterState] = {
    (C.CLOSED, CA.SIGN_IN): C.IDLE,
    (C.IDLE, CA.SIGN_OUT): C.CLOSED,
    (C.PAUSED, CA.SIGN_OUT): C.CLOSED,
    (C.IDLE, CA.PAUSE): C.PAUSED,
    (C.PAUSED, CA.RESUME): C.IDLE,
    (C.IDLE, CA.TAKE): C.SERVING,
    (C.SERVING, CA.RELEASE): C.IDLE,
}

_REFUSALS = {
    CA.SIGN_IN: "counter_occupied",
    CA.SIGN_OUT: "ticket_in_progress",
    CA.PAUSE: "ticket_in_progress",
    CA.TAKE: "counter_not_ready",
}


@dataclass
class Counter:
    hall: str
    number: int
    state: CounterState = C.CLOSED
    clerk: str | None = None
    ticket: int | None = None
    pause_reason: str | None = None
    since: datetime | None = None

    def apply(self, action: CounterAction, at: datetime, data: dict) -> None:
        try:
            self.state = COUNTER_TRANSITIONS[(self.state, action)]
        except KeyError:
            raise Conflict(
                f"counter {self.number} is {self.state.value} and cannot {action.value}",
                _REFUSALS.get(action, "counter_state"),
            ) from None
        self.since = at
        if action is CA.SIGN_IN:
            self.clerk = data["clerk"]
        elif action is CA.SIGN_OUT:
            self.clerk, self.pause_reason = None, None
        elif action is CA.PAUSE:
            self.pause_reason = data["reason"]
        elif action is CA.RESUME:
            self.pause_reason = None
        elif action is CA.TAKE:
            self.ticket = data["ticket"]
        elif action is CA.RELEASE:
            self.ticket = None
