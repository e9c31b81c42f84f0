"""Appointments (预约) and whether a service issues numbers now.

An appointment holds a slot of the hall's slot length, starting at any time within the
opening hours of its day and ending by closing. The customer checks in at the kiosk from
`early` before the slot until the slot ends; the ticket then gets the appointment class and
its place counts from the slot (selection.py). An appointment is used once; one still
booked when its slot has ended is missed (derived, never stored).

Codes are six characters of an alphabet without 0/O and 1/I, so they read aloud and type
without doubt; the QR payload is `HALLAPPT:<hall>:<code>`.
"""
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .day_close import WEEKDAYS, Hours
from .errors import Conflict, Invalid

#: no 0/O, no 1/I: nothing a customer can misread
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 6
QR_PREFIX = "HALLAPPT"
#: how far ahead a slot may be booked
BOOKING_HORIZON = timedelta(days=90)
#: the priority class a checked-in appointment's ticket gets
APPOINTMENT_CLASS = "appointment"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    #: booked, and its slot has ended (derived from the time, never stored)
    MISSED = "missed"


class StopReason(StrEnum):
    """Why a service issues no numbers now."""

    HALL_CLOSED = "hall_closed"
    SERVICE_STOPPED = "service_stopped"
    DAILY_CAP_REACHED = "daily_cap_reached"


@dataclass(frozen=True)
class Appointment:
    id: int
    hall: str
    code: str
    service: str
    slot_start: datetime
    slot_end: datetime
    name: str | None
    phone: str | None
    #: as stored: booked, checked_in or cancelled
    stored_status: AppointmentStatus
    ticket: int | None
    booked_by: str
    booked_at: datetime
    changed_at: datetime | None = None

    def status(self, now: datetime) -> AppointmentStatus:
        if self.stored_status is AppointmentStatus.BOOKED and now >= self.slot_end:
            return AppointmentStatus.MISSED
        return self.stored_status

    def check_in_from(self, early: timedelta) -> datetime:
        return self.slot_start - early

    @property
    def check_in_until(self) -> datetime:
        return self.slot_end


@dataclass(frozen=True)
class ServiceSwitch:
    """A manager's word on a service: issuing on or off, and today's cap (None: the configured one)."""

    service: str
    issuing: bool
    daily_cap: int | None
    changed_by: str
    changed_at: datetime


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str | None:
    """The code a customer typed or a scanner read (any case, spaces or dashes between, or the
    whole QR payload), or None if it cannot be a code."""
    code = text.rsplit(":", 1)[-1].upper().replace(" ", "").replace("-", "")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def qr_payload(hall: str, code: str) -> str:
    return f"{QR_PREFIX}:{hall}:{code}"


#: why a QR code read at a hall's kiosk checks nothing in
OTHER_HALL = "other_hall"
NOT_AN_APPOINTMENT = "not_an_appointment"


def code_in_payload(payload: str, hall: str) -> tuple[str | None, str | None]:
    """The appointment code in a QR code's payload (qr_payload) read at `hall`: (code, None)
    for one of this hall's appointments, else (None, OTHER_HALL) or (None, NOT_AN_APPOINTMENT)
    (a web link, a payment code, a mangled read)."""
    parts = payload.strip().split(":")
    code = normalize_code(parts[2]) if len(parts) == 3 and parts[0] == QR_PREFIX else None
    if code is None:
        return None, NOT_AN_APPOINTMENT
    if parts[1] != hall:
        return None, OTHER_HALL
    return code, None


def hours_on(day: date, hours: Mapping[str, Hours], timezone: str) -> tuple[datetime, datetime]:
    """When the hall opens and closes on `day` (its local calendar day)."""
    zone = ZoneInfo(timezone)
    today = hours[WEEKDAYS[day.weekday()]]
    return datetime.combine(day, today.opens, zone), datetime.combine(day, today.closes, zone)


def is_open(now: datetime, hours: Mapping[str, Hours], timezone: str) -> bool:
    opens, closes = hours_on(now.astimezone(ZoneInfo(timezone)).date(), hours, timezone)
    return opens <= now < closes


def book_slot(start: datetime, now: datetime, hours: Mapping[str, Hours], timezone: str,
              length: timedelta) -> tuple[datetime, datetime]:
    """The slot (start, end) in UTC for a requested start; a start without a UTC offset is the
    hall's local time. Refused (`invalid_slot`) in the past, more than BOOKING_HORIZON ahead,
    or not wholly within the opening hours of its day."""
    zone = ZoneInfo(timezone)
    if start.tzinfo is None or start.utcoffset() is None:
        start = start.replace(tzinfo=zone)
    try:
        start = start.astimezone(UTC).replace(microsecond=0)
    except (OverflowError, ValueError):
        raise Invalid("the slot is not a time the hall can serve", "invalid_slot") from None
    if start < now:
        raise Invalid(f"the slot starts {_local(start, zone)}, which is past", "invalid_slot")
    if start > now + BOOKING_HORIZON:
        raise Invalid(f"slots may be booked at most {BOOKING_HORIZON.days} days ahead", "invalid_slot")
    end = start + length
    opens, closes = hours_on(start.astimezone(zone).date(), hours, timezone)
    if not (opens <= start and end <= closes):
        raise Invalid(f"a slot of {length.total_seconds() / 60:g} minutes from {_local(start, zone)} is not "
                      f"within the opening hours {opens:%H:%M}–{closes:%H:%M} of that day", "invalid_slot")
    return start, end


def check_in_refusal(appointment: Appointment, now: datetime, early: timedelta, timezone: str,
                     service: str) -> None:
    """Raise why the appointment cannot check in now for `service`; nothing if it can."""
    status = appointment.stored_status
    if status is AppointmentStatus.CHECKED_IN:
        raise Conflict(f"appointment {appointment.code} was checked in already", "appointment_used")
    if status is AppointmentStatus.CANCELLED:
        raise Conflict(f"appointment {appointment.code} was cancelled", "appointment_cancelled")
    if appointment.service != service:
        raise Invalid(f"appointment {appointment.code} is for {appointment.service!r}, not {service!r}",
                      "appointment_other_service")
    start, until = appointment.check_in_from(early), appointment.check_in_until
    if not start <= now < until:
        zone = ZoneInfo(timezone)
        when = "its slot is over" if now >= until else "it is too early"
        raise Conflict(f"appointment {appointment.code} checks in from {_local(start, zone)} until "
                       f"{until.astimezone(zone):%H:%M}: {when}", "outside_slot")


def issue_refusal(now: datetime, hours: Mapping[str, Hours], timezone: str, issuing: bool,
                  issued_today: int, cap: int | None) -> StopReason | None:
    """Why a service issues no number now, or None if it does: the hall is closed, the manager
    stopped the service, or today's numbers reached its cap (`cap` None: no cap)."""
    if not is_open(now, hours, timezone):
        return StopReason.HALL_CLOSED
    if not issuing:
        return StopReason.SERVICE_STOPPED
    if cap is not None and issued_today >= cap:
        return StopReason.DAILY_CAP_REACHED
    return None


#: what a refused customer is told (CONTRACT error messages are English; pages translate the code)
REFUSALS = {
    StopReason.HALL_CLOSED: "the hall is closed; numbers are issued within the opening hours",
    StopReason.SERVICE_STOPPED: "the hall has stopped issuing numbers for this service for now",
    StopReason.DAILY_CAP_REACHED: "today's numbers for this service are all taken",
}


def _local(at: datetime, zone: ZoneInfo) -> str:
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M}"
