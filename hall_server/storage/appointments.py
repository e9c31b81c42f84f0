"""The rows of appointments and of the manager's service switches.

Plain reads and writes on the connection of a transaction; the store's Reader and WriteTx
call them (store.py), so a check-in is written in the same transaction as its ticket. The
rules (slots, check-in window, refusals) are in domain/appointments.py.
"""
from datetime import date, datetime

from sqlalchemy import Connection, insert, select, update

from ..domain.appointments import Appointment, AppointmentStatus, ServiceSwitch
from ..domain.errors import Conflict
from . import tables as t

A = t.appointments.c


def appointment_from_row(row) -> Appointment:
    m = row._mapping
    return Appointment(
        id=m["id"], hall=m["hall"], code=m["code"], service=m["service"], slot_start=m["slot_start"],
        slot_end=m["slot_end"], name=m["name"], phone=m["phone"],
        stored_status=AppointmentStatus(m["status"]), ticket=m["ticket"], booked_by=m["booked_by"],
        booked_at=m["booked_at"], changed_at=m["changed_at"])


def find(conn: Connection, hall: str, code: str, lock: bool = False) -> Appointment | None:
    """The hall's appointment of this code; `lock`: and hold its row until the transaction ends."""
    query = select(t.appointments).where(A.hall == hall, A.code == code)
    row = conn.execute(query.with_for_update() if lock else query).first()
    return appointment_from_row(row) if row else None


def between(conn: Connection, hall: str, start: datetime, end: datetime) -> list[Appointment]:
    """The hall's appointments whose slots start in [start, end), by slot."""
    rows = conn.execute(select(t.appointments).where(A.hall == hall, A.slot_start >= start, A.slot_start < end)
                        .order_by(A.slot_start, A.id))
    return [appointment_from_row(row) for row in rows]


def add(conn: Connection, hall: str, code: str, service: str, slot: tuple[datetime, datetime],
        name: str | None, phone: str | None, booked_by: str, at: datetime) -> Appointment:
    values = {"hall": hall, "code": code, "service": service, "slot_start": slot[0], "slot_end": slot[1],
              "name": name, "phone": phone, "status": AppointmentStatus.BOOKED.value, "ticket": None,
              "booked_by": booked_by, "booked_at": at, "changed_at": None}
    new_id = conn.execute(insert(t.appointments).values(values).returning(A.id)).scalar_one()
    return appointment_from_row(conn.execute(select(t.appointments).where(A.id == new_id)).one())


def change_status(conn: Connection, appointment: Appointment, status: AppointmentStatus, at: datetime,
                  ticket: int | None = None) -> None:
    """Move a booked appointment on (checked in with its ticket, or cancelled): a compare-and-set
    on the stored status, so an appointment changed meanwhile is never used twice."""
    done = conn.execute(update(t.appointments).where(
        A.id == appointment.id, A.status == AppointmentStatus.BOOKED.value).values(
        status=status.value, ticket=ticket, changed_at=at)).rowcount
    if done != 1:
        raise Conflict(f"appointment {appointment.code} changed meanwhile", "appointment_used")


def switches(conn: Connection, hall: str) -> dict[str, ServiceSwitch]:
    """The manager's switches of the hall's services; a service never switched has none."""
    c = t.service_switches.c
    rows = conn.execute(select(t.service_switches).where(c.hall == hall))
    return {row.service: ServiceSwitch(row.service, row.issuing, row.daily_cap, row.changed_by, row.changed_at)
            for row in rows}


def save_switch(conn: Connection, hall: str, switch: ServiceSwitch) -> None:
    """Keep the service's switch (the hall's lock makes the read-then-write exclusive)."""
    c = t.service_switches.c
    values = {"issuing": switch.issuing, "daily_cap": switch.daily_cap, "changed_by": switch.changed_by,
              "changed_at": switch.changed_at}
    key = (c.hall == hall, c.service == switch.service)
    if conn.execute(update(t.service_switches).where(*key).values(values)).rowcount == 0:
        conn.execute(insert(t.service_switches).values(hall=hall, service=switch.service, **values))


def issued_on(conn: Connection, hall: str, day: date) -> dict[str, int]:
    """Numbers issued on business day `day`, per ticket prefix (the numbering's own counters)."""
    c = t.number_sequences.c
    rows = conn.execute(select(c.prefix, c.last_number).where(c.hall == hall, c.business_day == day))
    return {prefix: last for prefix, last in rows}
