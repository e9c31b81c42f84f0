"""Ticket numbers: prefix + at least three digits, restarting each business day."""
from datetime import date, datetime
from zoneinfo import ZoneInfo


def business_day(at: datetime, timezone: str) -> date:
    """The hall's calendar day at instant `at` (numbering restarts at local midnight)."""
    return at.astimezone(ZoneInfo(timezone)).date()


def format_number(prefix: str, number: int) -> str:
    return f"{prefix}{number:03d}"
