"""Ticket numbers: prefix + at least three digits, restarting each business day."""
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

#: a number as a person types it: the prefix and the serial, leading zeros optional ("A12")
_TYPED_NUMBER = re.compile(r"^([A-Z])(\d{1,6})$")


def business_day(at: datetime, timezone: str) -> date:
    """The hall's calendar day at instant `at` (numbering restarts at local midnight)."""
    return at.astimezone(ZoneInfo(timezone)).date()


def day_start(day: date, timezone: str) -> datetime:
    """The instant business day `day` begins: local midnight in the hall's timezone."""
    return datetime.combine(day, time.min, ZoneInfo(timezone))


def format_number(prefix: str, number: int) -> str:
    return f"{prefix}{number:03d}"


def parse_number(text: str) -> tuple[str, int] | None:
    """(prefix, serial) of a number a person typed ("a012", " A12 "); None if it is none."""
    found = _TYPED_NUMBER.match(text.strip().upper())
    return (found[1], int(found[2])) if found else None
