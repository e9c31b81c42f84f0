"""When a business day is closed.

Customers still waiting at closing are served (the service norms say so); a configured
time after closing, never later than the next day's opening, the day is closed: whatever
is still open is expired and counters still signed in are signed out.
"""
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: why tickets were expired and counters signed out
DAY_CLOSED = "day_closed"


class Hours(Protocol):
    opens: time
    closes: time


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def close_at(day: date, hours: Mapping[str, Hours], timezone: str, after: timedelta) -> datetime:
    """The instant business day `day` is closed: `after` past its closing time, but no later
    than the next day's opening."""
    tz = ZoneInfo(timezone)
    today = hours[WEEKDAYS[day.weekday()]]
    tomorrow = day + timedelta(days=1)
    next_opening = _local(tomorrow, hours[WEEKDAYS[tomorrow.weekday()]].opens, tz)
    return min(_local(day, today.closes, tz) + after, next_opening)


def last_ended_day(now: datetime, hours: Mapping[str, Hours], timezone: str,
                   after: timedelta) -> date:
    """The latest business day whose close time has come by `now` (today, yesterday, or the
    day before when `now` is before yesterday's close: a close is never after an opening)."""
    day = now.astimezone(ZoneInfo(timezone)).date()
    while close_at(day, hours, timezone, after) > now:
        day -= timedelta(days=1)
    return day
