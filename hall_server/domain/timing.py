"""Wait, walk, handling and total times of a ticket, and compliance with handling limits."""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Item:
    """A business item handled for the customer: `count` items of `service`."""

    service: str
    count: int = 1


def seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def handling_budget_s(items: Sequence[Item], limits_s: Mapping[str, int]) -> int:
    """Handling limit × items: a customer paying two bills has twice the budget."""
    return sum(limits_s[item.service] * item.count for item in items)


def is_compliant(handling_s: float, items: Sequence[Item], limits_s: Mapping[str, int]) -> bool:
    return handling_s <= handling_budget_s(items, limits_s)
