"""How long a customer will wait: the people ahead, shared among the open counters that
serve them, times the recent handling time of the service."""
import math
from collections.abc import Sequence

#: with no handling measured yet today, assume this share of the handling limit
DEFAULT_SHARE_OF_LIMIT = 0.6
RECENT_TICKETS = 20


def mean_handling_s(recent_s: Sequence[float], limit_s: int) -> float:
    if not recent_s:
        return DEFAULT_SHARE_OF_LIMIT * limit_s
    return sum(recent_s) / len(recent_s)


def estimated_wait_s(ahead: int, open_counters: int, mean_s: float) -> int:
    """Customers ahead are served `open_counters` at a time (at least one will open)."""
    return math.ceil(ahead * mean_s / max(open_counters, 1))
