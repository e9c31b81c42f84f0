"""Use cases of appointments: book, read, list a day's, cancel. Checking in is taking a number
with the code (tickets.issue_ticket), in the ticket's own transaction.

Managers and admins of the hall and its booking devices (an online-booking system) book,
read and cancel; a kiosk of the hall may read one (the web layer leaves out name and phone).
Appointment writes run under the hall's lock, like every other write of the hall.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..config import Hall
from ..domain.actors import Actor
from ..domain.appointments import (
    Appointment,
    AppointmentStatus,
    book_slot,
    new_code,
    normalize_code,
    qr_payload,
)
from ..domain.errors import Conflict, Invalid, NotFound
from .context import HallContext

#: fresh codes tried before giving up (a clash is a one-in-a-billion chance per code)
CODE_ATTEMPTS = 20


@dataclass(frozen=True)
class AppointmentView:
    """An appointment as of `now`: its derived status and its check-in window."""

    appointment: Appointment
    status: AppointmentStatus
    check_in_from: datetime
    check_in_until: datetime
    qr: str
    timezone: str


def view(hall: Hall, appointment: Appointment, now: datetime) -> AppointmentView:
    early = timedelta(minutes=hall.appointment_early_min)
    return AppointmentView(appointment, appointment.status(now), appointment.check_in_from(early),
                           appointment.check_in_until, qr_payload(hall.id, appointment.code), hall.timezone)


def book(ctx: HallContext, hall_id: str, actor: Actor, service: str, slot_start: datetime,
         name: str | None = None, phone: str | None = None) -> AppointmentView:
    """Book a slot of the hall's slot length from `slot_start` (future, within opening hours)."""
    hall = ctx.hall(hall_id, actor)
    if service not in hall.services_by_code:
        raise Invalid(f"hall {hall_id} has no service {service!r}", "unknown_service")
    with ctx.store.write(hall_id, ctx.clock) as tx:
        slot = book_slot(slot_start, tx.at, hall.opening_hours, hall.timezone,
                         timedelta(minutes=hall.appointment_slot_min))
        for _ in range(CODE_ATTEMPTS):
            code = new_code()
            if tx.appointment(hall_id, code) is None:
                break
        else:
            raise Conflict("no free appointment code was found; try again", "no_free_code")
        return view(hall, tx.add_appointment(code, service, slot, name or None, phone or None, actor.name), tx.at)


def get(ctx: HallContext, hall_id: str, code: str, actor: Actor) -> AppointmentView:
    hall = ctx.hall(hall_id, actor)
    with ctx.store.read() as reader:
        appointment = _find(reader, hall_id, code)
    return view(hall, appointment, ctx.clock.now())


def on_day(ctx: HallContext, hall_id: str, day: date, actor: Actor) -> list[AppointmentView]:
    """The appointments whose slots fall on the hall's calendar day `day`, by slot."""
    hall = ctx.hall(hall_id, actor)
    zone = ZoneInfo(hall.timezone)
    start = datetime.combine(day, time(0), zone)
    with ctx.store.read() as reader:
        found = reader.appointments_between(hall_id, start, datetime.combine(day + timedelta(days=1), time(0), zone))
    now = ctx.clock.now()
    return [view(hall, appointment, now) for appointment in found]


def cancel(ctx: HallContext, hall_id: str, code: str, actor: Actor) -> None:
    """Cancel a booked appointment; cancelling it again changes nothing. One checked in, or
    whose slot is over, cannot be cancelled (409)."""
    ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        appointment = _find(tx, hall_id, code, lock=True)
        status = appointment.status(tx.at)
        if status is AppointmentStatus.CANCELLED:
            return
        if status is AppointmentStatus.CHECKED_IN:
            raise Conflict(f"appointment {appointment.code} was checked in already", "appointment_used")
        if status is AppointmentStatus.MISSED:
            raise Conflict(f"the slot of appointment {appointment.code} is over", "appointment_missed")
        tx.change_appointment(appointment, AppointmentStatus.CANCELLED)


def _find(reader, hall_id: str, code: str, lock: bool = False) -> Appointment:
    normal = normalize_code(code)
    found = None
    if normal is not None:
        found = reader.locked_appointment(normal) if lock else reader.appointment(hall_id, normal)
    if found is None:
        raise NotFound(f"no appointment {code!r} in hall {hall_id}", "unknown_appointment")
    return found
