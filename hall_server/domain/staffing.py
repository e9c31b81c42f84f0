"""How many open counters a service needs: the Erlang C model of a queue (M/M/c).

Customers arrive at random at the rate of the last half hour and are handled in the
service's recent mean time by `c` counters; the load A (Erlangs) is the arrival rate times
the mean handling time. Erlang C is the probability an arriving customer waits at all; the
wait of those who wait is exponential, so the share waiting past t is
C · exp(−(c − A) · t / mean). A service needs the fewest counters that keep the share
waiting past its warning threshold at or under the hall's target.
"""
import math
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

#: the arrivals the rate is taken from
ARRIVAL_WINDOW = timedelta(minutes=30)
#: the most counters a recommendation considers
MAX_COUNTERS = 100


class Advice(StrEnum):
    #: open `more` counters for the service
    OPEN = "open"
    #: one of its open counters can pause
    PAUSE = "pause"
    OK = "ok"


def erlang_c(servers: int, load: float) -> float:
    """The probability an arrival waits, by the Erlang B recursion (no factorials, stable
    for any number of counters): B(k) = A·B(k−1) / (k + A·B(k−1)), C = c·B / (c − A(1 − B)).
    1.0 when the load is at or past the counters (the queue only grows)."""
    if load >= servers:
        return 1.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return servers * blocking / (servers - load * (1 - blocking))


def share_waiting_past(servers: int, load: float, mean_s: float, threshold_s: float) -> float:
    """P(wait > threshold) = C · exp(−(c − A) · t / mean); 1.0 when load ≥ servers."""
    if load >= servers:
        return 1.0
    waits = erlang_c(servers, load)
    return waits * math.exp(-(servers - load) * threshold_s / mean_s) if waits else 0.0


@dataclass(frozen=True)
class Staffing:
    service: str
    arrivals_per_h: float
    mean_handling_s: float
    #: Erlangs: the counters kept busy on average
    load: float
    open: int
    needed: int
    #: the share expected to wait past the warning threshold at the open counters; None
    #: with no open counter
    share_past_warning: float | None

    @property
    def advice(self) -> Advice:
        if self.needed > self.open:
            return Advice.OPEN
        if self.open >= 2 and self.needed <= self.open - 1:
            return Advice.PAUSE
        return Advice.OK

    @property
    def more(self) -> int:
        """The counters to open (0 unless the advice is to open)."""
        return max(self.needed - self.open, 0)

    def as_data(self) -> dict[str, Any]:
        """The figures as JSON values (the board, an alert's data)."""
        share = self.share_past_warning
        return {"arrivals_per_h": round(self.arrivals_per_h, 1), "mean_handling_s": round(self.mean_handling_s, 1),
                "load": round(self.load, 2), "open": self.open, "needed": self.needed,
                "share_past_warning": None if share is None else round(share, 3),
                "advice": self.advice.value, "more": self.more}


def recommend(service: str, arrivals: int, window_s: float, mean_s: float, open_counters: int, threshold_s: float,
              target: float) -> Staffing:
    """`arrivals` in the last `window_s` seconds; needed: the fewest counters (MAX_COUNTERS at
    most) at which at most `target` of the customers wait past `threshold_s`; none while nobody
    comes (the rule of a service with customers waiting and no counter open covers the rest)."""
    rate_s = arrivals / window_s
    load = rate_s * mean_s
    # fewer counters than the load cannot keep up (share 1.0): start above it
    needed = 0 if not arrivals else next((c for c in range(int(load) + 1, MAX_COUNTERS + 1)
                                          if share_waiting_past(c, load, mean_s, threshold_s) <= target),
                                         MAX_COUNTERS)
    share = share_waiting_past(open_counters, load, mean_s, threshold_s) if open_counters else None
    return Staffing(service, rate_s * 3600, mean_s, load, open_counters, needed, share)
