"""The rules of appointments and of issuing, pure: slots, the check-in window, the derived
status, codes, and why a service issues no number now. The demo hall (Asia/Shanghai, open
08:30-17:30 on weekdays, 09:00-17:00 at weekends, slots of 30 minutes, check-in from 15
minutes before)."""
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hall_server.config import load_config
from hall_server.domain.appointments import (
    CODE_ALPHABET,
    Appointment,
    AppointmentStatus,
    StopReason,
    book_slot,
    check_in_refusal,
    is_open,
    issue_refusal,
    new_code,
    normalize_code,
    qr_payload,
)
from hall_server.domain.errors import Conflict, Invalid

HALL = load_config().by_id["demo"]
HOURS, TZ = HALL.opening_hours, HALL.timezone
SLOT = timedelta(minutes=30)
EARLY = timedelta(minutes=15)
#: Tuesday 2026-11-24 09:00 in Shanghai
NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def shanghai(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant in November 2026, given in Shanghai time (UTC+8)."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC) - timedelta(hours=8)


def appointment(status: AppointmentStatus = AppointmentStatus.BOOKED, service: str = "fee") -> Appointment:
    """Booked for 10:00-10:30 on Tuesday 2026-11-24."""
    start = shanghai(24, 10)
    return Appointment(id=1, hall="demo", code="ABC234", service=service, slot_start=start, slot_end=start + SLOT,
                       name=None, phone=None, stored_status=status, ticket=None, booked_by="mgr", booked_at=NOW)


# --- codes ---------------------------------------------------------------------------------

def test_codes_are_six_characters_without_0_o_1_i():
    assert not set("0O1I") & set(CODE_ALPHABET)
    codes = {new_code() for _ in range(500)}
    assert all(len(code) == 6 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert len(codes) > 490, "codes are random"


@pytest.mark.parametrize(("typed", "code"), [
    ("ABC234", "ABC234"), ("abc234", "ABC234"), ("abc-234", "ABC234"), (" AB C2 34 ", "ABC234"),
    ("HALLAPPT:demo:ABC234", "ABC234"),
    ("ABC23", None), ("ABC2345", None), ("ABC230", None), ("ABCO34", None), ("ABC1I4", None), ("", None),
    ("ABC23\x00", None),
])
def test_a_typed_or_scanned_code_is_read_as_the_code(typed, code):
    assert normalize_code(typed) == code


def test_the_qr_payload_names_the_hall_and_the_code():
    assert qr_payload("demo", "ABC234") == "HALLAPPT:demo:ABC234"
    assert normalize_code(qr_payload("demo", "ABC234")) == "ABC234"


# --- slots ---------------------------------------------------------------------------------

def test_a_slot_within_the_hours_is_booked_in_utc():
    start, end = book_slot(shanghai(24, 10, 7), NOW, HOURS, TZ, SLOT)
    assert (start, end) == (shanghai(24, 10, 7), shanghai(24, 10, 37))
    assert start.tzinfo is UTC


def test_a_start_without_an_offset_is_the_halls_local_time():
    assert book_slot(datetime(2026, 11, 24, 10, 0), NOW, HOURS, TZ, SLOT)[0] == shanghai(24, 10)


@pytest.mark.parametrize(("start", "why"), [
    (shanghai(24, 8, 59), "past"),
    (shanghai(24, 17, 1), "not within the opening hours 08:30–17:30"),  # ends 17:31, after closing
    (shanghai(25, 8, 29), "not within the opening hours 08:30–17:30"),  # before opening
    (shanghai(28, 8, 30), "not within the opening hours 09:00–17:00"),  # a Saturday opens at 09:00
    (shanghai(24, 19), "not within the opening hours"),
    (NOW + timedelta(days=91), "at most 90 days ahead"),
    (datetime(1, 1, 1, tzinfo=UTC), "past"),
    (datetime(1, 1, 1), "not a time the hall can serve"),  # local: before year 1 in UTC
    (datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5))), "not a time the hall can serve"),
])
def test_a_slot_in_the_past_or_outside_the_hours_is_refused(start, why):
    with pytest.raises(Invalid) as refused:
        book_slot(start, NOW, HOURS, TZ, SLOT)
    assert refused.value.code == "invalid_slot" and why in refused.value.message


@pytest.mark.parametrize("start", [NOW, shanghai(24, 17, 0), shanghai(25, 8, 30), shanghai(28, 16, 30)])
def test_the_edges_of_the_day_and_now_are_bookable(start):
    assert book_slot(start, NOW, HOURS, TZ, SLOT) == (start, start + SLOT)


# --- the check-in window and the status ----------------------------------------------------

@pytest.mark.parametrize("now", [shanghai(24, 9, 45), shanghai(24, 10, 0), shanghai(24, 10, 29, 59)])
def test_check_in_runs_from_early_before_the_slot_until_its_end(now):
    booked = appointment()
    assert (booked.check_in_from(EARLY), booked.check_in_until) == (shanghai(24, 9, 45), shanghai(24, 10, 30))
    check_in_refusal(booked, now, EARLY, TZ, "fee")


@pytest.mark.parametrize(("now", "why"), [(shanghai(24, 9, 44, 59), "it is too early"),
                                          (shanghai(24, 10, 30), "its slot is over")])
def test_outside_the_window_the_message_names_it_in_local_time(now, why):
    with pytest.raises(Conflict) as refused:
        check_in_refusal(appointment(), now, EARLY, TZ, "fee")
    assert refused.value.code == "outside_slot"
    assert refused.value.message == f"appointment ABC234 checks in from 2026-11-24 09:45 until 10:30: {why}"


@pytest.mark.parametrize(("status", "service", "error", "code"), [
    (AppointmentStatus.CHECKED_IN, "fee", Conflict, "appointment_used"),
    (AppointmentStatus.CANCELLED, "fee", Conflict, "appointment_cancelled"),
    (AppointmentStatus.BOOKED, "business", Invalid, "appointment_other_service"),
])
def test_a_used_cancelled_or_other_service_appointment_does_not_check_in(status, service, error, code):
    with pytest.raises(error) as refused:
        check_in_refusal(appointment(status), shanghai(24, 10), EARLY, TZ, service)
    assert refused.value.code == code


def test_a_booked_appointment_is_missed_once_its_slot_ends():
    booked = appointment()
    assert booked.status(shanghai(24, 10, 29, 59)) is AppointmentStatus.BOOKED
    assert booked.status(shanghai(24, 10, 30)) is AppointmentStatus.MISSED
    for kept in (AppointmentStatus.CHECKED_IN, AppointmentStatus.CANCELLED):
        assert appointment(kept).status(shanghai(25, 10)) is kept


# --- whether a service issues now ------------------------------------------------------------

@pytest.mark.parametrize(("now", "open_"), [
    (shanghai(24, 8, 29, 59), False), (shanghai(24, 8, 30), True), (shanghai(24, 17, 29, 59), True),
    (shanghai(24, 17, 30), False), (shanghai(28, 8, 45), False), (shanghai(28, 9, 0), True),
    (shanghai(29, 16, 59), True), (shanghai(29, 17, 0), False), (shanghai(25, 2, 0), False),
])
def test_the_hall_is_open_within_its_hours_of_each_day(now, open_):
    assert is_open(now, HOURS, TZ) is open_
    expected = None if open_ else StopReason.HALL_CLOSED
    assert issue_refusal(now, HOURS, TZ, True, 0, None) is expected


def test_a_hall_open_until_24_00_is_open_to_the_last_instant():
    raw = HALL.model_dump()
    raw["opening_hours"] = {day: {"opens": "00:00", "closes": "24:00"} for day in raw["opening_hours"]}
    always = type(HALL).model_validate(raw).opening_hours
    for now in (shanghai(24, 0), shanghai(24, 23, 59, 59) + timedelta(microseconds=999_998)):
        assert is_open(now, always, TZ)


@pytest.mark.parametrize(("issuing", "issued", "cap", "reason"), [
    (True, 0, None, None),
    (True, 9999, None, None),
    (True, 49, 50, None),
    (True, 50, 50, StopReason.DAILY_CAP_REACHED),
    (False, 0, None, StopReason.SERVICE_STOPPED),
    (False, 50, 50, StopReason.SERVICE_STOPPED),
])
def test_a_stopped_service_or_a_reached_cap_issues_nothing(issuing, issued, cap, reason):
    assert issue_refusal(NOW, HOURS, TZ, issuing, issued, cap) is reason


def test_a_closed_hall_is_the_reason_before_any_other():
    assert issue_refusal(shanghai(24, 20), HOURS, TZ, False, 50, 50) is StopReason.HALL_CLOSED
