"""When a business day is closed (domain/day_close.py): the hall's own hours of that weekday,
in its own timezone, a set time after closing and never later than the next opening."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall_server.domain.day_close import DAY_CLOSED, WEEKDAYS, close_at, last_ended_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
TWO_HOURS = timedelta(hours=2)


@dataclass(frozen=True)
class Hours:
    opens: time
    closes: time


#: every weekday different: Monday opens 08:00 and closes 17:00, Tuesday 08:05 and 17:05, ...
HOURS = {day: Hours(time(8, 5 * i), time(17, 5 * i)) for i, day in enumerate(WEEKDAYS)}
#: 2026-11-23 is a Monday
MONDAY = date(2026, 11, 23)


def local(day: date, hour: int, minute: int = 0, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def test_the_weekdays_and_the_reason():
    assert WEEKDAYS == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert DAY_CLOSED == "day_closed"
    assert MONDAY.weekday() == 0


@pytest.mark.parametrize("offset", range(7))
def test_a_day_closes_after_its_own_weekdays_closing_time(offset):
    day = MONDAY + timedelta(days=offset)
    expected = local(day, 17, 5 * offset) + TWO_HOURS
    assert close_at(day, HOURS, "Asia/Shanghai", TWO_HOURS) == expected
    assert close_at(day, HOURS, "Asia/Shanghai", timedelta(0)) == local(day, 17, 5 * offset)


@pytest.mark.parametrize("offset", range(7))
def test_a_close_is_never_later_than_the_next_days_opening(offset):
    day = MONDAY + timedelta(days=offset)
    tomorrow = day + timedelta(days=1)
    next_opening = local(tomorrow, 8, 5 * ((offset + 1) % 7))
    assert close_at(day, HOURS, "Asia/Shanghai", timedelta(hours=20)) == next_opening
    just_before = next_opening - local(day, 17, 5 * offset) - timedelta(minutes=1)
    assert close_at(day, HOURS, "Asia/Shanghai", just_before) == next_opening - timedelta(minutes=1)


def test_a_close_is_in_the_halls_timezone():
    berlin = close_at(MONDAY, HOURS, "Europe/Berlin", TWO_HOURS)
    assert berlin == local(MONDAY, 19, tz=ZoneInfo("Europe/Berlin"))
    assert berlin - close_at(MONDAY, HOURS, "Asia/Shanghai", TWO_HOURS) == timedelta(hours=7)


def test_the_last_ended_day_is_today_from_its_close_time_on():
    close = local(MONDAY, 19)  # Monday 17:00 + 2 hours
    assert last_ended_day(close, HOURS, "Asia/Shanghai", TWO_HOURS) == MONDAY
    assert last_ended_day(close - timedelta(seconds=1), HOURS, "Asia/Shanghai", TWO_HOURS) == MONDAY - timedelta(1)
    assert last_ended_day(local(MONDAY, 23, 59), HOURS, "Asia/Shanghai", TWO_HOURS) == MONDAY


def test_before_yesterdays_close_the_last_ended_day_is_the_day_before():
    late = {day: Hours(time(8), time(23)) for day in WEEKDAYS}  # 23:00 + 3 h: closed at 02:00
    tuesday = MONDAY + timedelta(days=1)
    assert last_ended_day(local(tuesday, 1), late, "Asia/Shanghai", timedelta(hours=3)) == MONDAY - timedelta(1)
    assert last_ended_day(local(tuesday, 2), late, "Asia/Shanghai", timedelta(hours=3)) == MONDAY


def test_the_last_ended_day_is_counted_in_the_halls_timezone():
    early = {day: Hours(time(1), time(5)) for day in WEEKDAYS}  # closes at 05:00 local
    now = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # Tuesday 06:00 in Shanghai, still Monday in UTC
    assert last_ended_day(now, early, "Asia/Shanghai", timedelta(0)) == MONDAY + timedelta(days=1)
    assert last_ended_day(now, early, "UTC", timedelta(0)) == MONDAY
