"""Business items and the handling budget they give (5 minutes per fee payment, 15 per
electricity business item: limit × count)."""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """A business item handled for the customer: `count` items of `service`."""

    service: str
    count: int = 1


def handling_budget_s(items: Sequence[Item], limits_s: Mapping[str, int]) -> int:
    """Handling limit × items: a customer paying two bills has twice the budget."""
    return sum(limits_s[item.service] * item.count for item in items)

