"""Use cases of the hall's devices (DESIGN.md §5): a printer's work, what it did with it, and
how the device is.

A printer's work comes from the event log: the tickets its kiosks issued today, in issue
order, that it is not yet done with. It is done with each by one `ticket.printed` event
(printed; passed over because the ticket no longer waits; or dropped on a manager's word),
always in issue order, so the printer's last such event is where it resumes: whatever
restarts, no ticket the log holds is lost and none prints twice. A ticket of an earlier day
is never printed (the day close has expired it).

Device health goes to the log as `device.status`, only when it changed (the number of
pending jobs it carries is not a change); a device with no status today has been well.
"""
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ..config import Hall, LedDisplay, Printer
from ..domain.actors import Actor, Role
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound
from ..domain.events import EventType as E
from ..domain.numbering import business_day
from ..domain.tickets import Ticket, TicketStatus
from ..storage.store import Reader
from . import queries
from .context import HallContext
from .tracking import tracking_url

PAPER_STATES = ("ok", "near_end", "out")
FAULTS = ("offline", "cover_open", "paper_out", "error")
#: a printer with no status today is taken to be well: only a change from that is recorded,
#: and a change in any of these fields is
WELL = {"online": True, "paper": "ok", "cover_open": False, "fault": None}
#: who may run any printer of their halls (a kiosk runs only its own printer)
PRINT_SUPERVISORS = frozenset({Role.MANAGER, Role.ADMIN, Role.SYSTEM})
#: who may run a hall's LED counter displays (an agent with a display's token, or the server)
LED_RUNNERS = PRINT_SUPERVISORS | {Role.DISPLAY}
#: a LED display's or a camera's status is its being online (what a device.status of kind
#: "led" or "camera" carries)
ONLINE_WELL = {"online": True}


@dataclass(frozen=True)
class PrintJob:
    """One ticket to print, with everything the ticket shows (read when it is printed)."""

    ticket: int
    number: str
    #: the ticket's status now: only a waiting ticket is printed, any other is passed over
    status: str
    hall_zh: str
    hall_en: str
    service_zh: str
    service_en: str
    ahead: int | None
    estimated_wait_s: int | None
    #: in the hall's timezone
    issued_at: datetime
    notice_zh: str
    notice_en: str
    tracking_url: str


@dataclass(frozen=True)
class PrintQueue:
    """The next ticket a printer prints (None: nothing to do) and how many wait, it included."""

    job: PrintJob | None
    pending: int


def printer_actor(hall_id: str, printer: str) -> Actor:
    """Who a print worker acts as when it runs beside the database (not through the API)."""
    return Actor(printer, Role.SYSTEM, frozenset({hall_id}))


def printer_config(ctx: HallContext, hall_id: str, name: str, actor: Actor) -> Printer:
    """The printer's settings, for a worker that runs it; NotFound for a printer the hall lacks."""
    return _printer(ctx.hall(hall_id, actor), name, actor)


def print_queue(ctx: HallContext, hall_id: str, name: str, actor: Actor, base: str | None = None) -> PrintQueue:
    """What the printer prints next. `base` is the address the worker reached the server at,
    for the QR code's link when the hall names no public address."""
    hall = ctx.hall(hall_id, actor)
    printer = _printer(hall, name, actor)
    with ctx.store.read() as reader:
        pending = _pending(reader, hall, printer, ctx.clock.now())
    if not pending:
        return PrintQueue(None, 0)
    return PrintQueue(_job(ctx, hall, printer, pending[0], base), len(pending))


def record_printed(ctx: HallContext, hall_id: str, name: str, ticket_id: int, actor: Actor, sent: int,
                   skipped: bool = False) -> bool:
    """The printer is done with a ticket: it sent `sent` bytes for it, or (`skipped`) passed it
    over because it no longer waits. False if it was done with it already."""
    hall = ctx.hall(hall_id, actor)
    printer = _printer(hall, name, actor)
    if sent < 0:
        raise Invalid("bytes sent cannot be negative", "invalid_bytes")
    with ctx.store.write(hall_id, ctx.clock) as tx:
        ticket = tx.ticket(ticket_id)
        if ticket.issued_by not in printer.kiosks:
            raise Invalid(f"ticket {ticket.display_number} was not issued at a kiosk of printer {name}",
                          "not_a_print_job")
        pending = {t.id for t in _pending(tx, hall, printer, tx.at)}
        if ticket.id not in pending:
            if ticket.business_day != business_day(tx.at, hall.timezone):
                raise Conflict(f"ticket {ticket.display_number} is of another day", "not_a_print_job")
            return False
        data = {"printer": name, "number": ticket.display_number, "bytes": sent}
        if skipped:
            if ticket.status is TicketStatus.WAITING:
                raise Conflict(f"ticket {ticket.display_number} still waits: print it", "still_waiting")
            data |= {"bytes": 0, "skipped": ticket.status.value}
        tx.record(E.TICKET_PRINTED, ticket=ticket.id, actor=actor.name, data=data)
        return True


def drop_jobs(ctx: HallContext, hall_id: str, name: str, actor: Actor, through: int | None = None) -> list[str]:
    """A manager's word: the printer forgets its pending jobs (those up to ticket `through`,
    or all); the customers keep the numbers the kiosk showed them. Returns the numbers dropped."""
    hall = ctx.hall(hall_id, actor)
    if actor.role not in PRINT_SUPERVISORS:
        raise Forbidden(f"a {actor.role.value} may not drop print jobs", "forbidden")
    printer = _printer(hall, name, actor)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        dropped = tx.track([t for t in _pending(tx, hall, printer, tx.at) if through is None or t.id <= through])
        for ticket in dropped:
            tx.record(E.TICKET_PRINTED, ticket=ticket.id, actor=actor.name, data={
                "printer": name, "number": ticket.display_number, "bytes": 0, "dropped": True})
    return [t.display_number for t in dropped]


def report_status(ctx: HallContext, hall_id: str, actor: Actor, device: str, *, online: bool, paper: str,
                  cover_open: bool, fault: str | None, pending: int) -> bool:
    """A printer's health as its worker read it; recorded (True) only if it changed since the
    last `device.status` of the device today (or, with none today, from being well)."""
    hall = ctx.hall(hall_id, actor)
    _printer(hall, device, actor)
    if paper not in PAPER_STATES:
        raise Invalid(f"paper is one of {', '.join(PAPER_STATES)}", "invalid_status")
    if fault is not None and fault not in FAULTS:
        raise Invalid(f"fault is null or one of {', '.join(FAULTS)}", "invalid_status")
    if pending < 0:
        raise Invalid("pending cannot be negative", "invalid_status")
    data = {"device": device, "kind": "printer", "online": online, "paper": paper, "cover_open": cover_open,
            "fault": fault, "pending": pending}
    return record_status(ctx, hall, actor, data, WELL)


def led_config(ctx: HallContext, hall_id: str, name: str, actor: Actor) -> LedDisplay:
    """A LED display's settings, for the worker that runs it; NotFound for one the hall lacks."""
    return _led(ctx.hall(hall_id, actor), name, actor)


def report_led(ctx: HallContext, hall_id: str, actor: Actor, device: str, online: bool) -> bool:
    """A LED display's being online (every strip on its line answers), as its worker found
    it; recorded (True) only if it changed, as a printer's status is."""
    hall = ctx.hall(hall_id, actor)
    _led(hall, device, actor)
    return record_status(ctx, hall, actor, {"device": device, "kind": "led", "online": online}, ONLINE_WELL)


def record_status(ctx: HallContext, hall: Hall, actor: Actor, data: dict, well: dict) -> bool:
    """Record the device's `device.status` if it differs, in a field of `well`, from its last one today."""
    with ctx.store.write(hall.id, ctx.clock) as tx:
        last = _last_status(tx, hall, data["device"], tx.at) or well
        if all(last.get(key) == data[key] for key in well):
            return False
        tx.record(E.DEVICE_STATUS, actor=actor.name, data=data)
        return True


def device_status(ctx: HallContext, hall_id: str, device: str, actor: Actor) -> dict | None:
    """The device's last reported status today (the data of its `device.status`); None: it
    has been well all day."""
    hall = ctx.hall(hall_id, actor)
    with ctx.store.read() as reader:
        return _last_status(reader, hall, device, ctx.clock.now())


def printers(ctx: HallContext, hall_id: str, actor: Actor) -> list[tuple[Printer, dict | None]]:
    """The hall's printers the actor may run (a kiosk: the one printing its tickets), each
    with its last status today: a kiosk tells its customers when its printer is out."""
    hall = ctx.hall(hall_id, actor)
    mine = [p for p in hall.printers if actor.role in PRINT_SUPERVISORS or actor.name in p.kiosks]
    now = ctx.clock.now()
    with ctx.store.read() as reader:
        return [(printer, _last_status(reader, hall, printer.name, now)) for printer in mine]


def _printer(hall: Hall, name: str, actor: Actor) -> Printer:
    printer = hall.printers_by_name.get(name)
    if printer is None:
        raise NotFound(f"hall {hall.id} has no printer {name!r}", "unknown_printer")
    if actor.role not in PRINT_SUPERVISORS and not (actor.role is Role.KIOSK and actor.name in printer.kiosks):
        raise Forbidden(f"{actor.name} does not print on printer {name}", "not_your_printer")
    return printer


def _led(hall: Hall, name: str, actor: Actor) -> LedDisplay:
    display = next((d for d in hall.led_displays if d.name == name), None)
    if display is None:
        raise NotFound(f"hall {hall.id} has no LED display {name!r}", "unknown_led_display")
    if actor.role not in LED_RUNNERS:
        raise Forbidden(f"a {actor.role.value} may not run LED displays", "forbidden")
    return display


def _day_start(hall: Hall, now: datetime) -> tuple[date, datetime]:
    """Today's business day and the instant it began."""
    day = business_day(now, hall.timezone)
    return day, datetime.combine(day, time.min, ZoneInfo(hall.timezone))


def _pending(reader: Reader, hall: Hall, printer: Printer, now: datetime) -> list[Ticket]:
    """The tickets the printer's kiosks issued today after the last one it was done with."""
    day, since = _day_start(hall, now)
    done = reader.last_event(hall.id, E.TICKET_PRINTED, since, lambda e: e.data.get("printer") == printer.name)
    return reader.issued_by(hall.id, day, printer.kiosks, after=done.ticket if done else 0)


def _last_status(reader: Reader, hall: Hall, device: str, now: datetime) -> dict | None:
    _, since = _day_start(hall, now)
    event = reader.last_event(hall.id, E.DEVICE_STATUS, since, lambda e: e.data.get("device") == device)
    return event.data if event else None


def _job(ctx: HallContext, hall: Hall, printer: Printer, ticket: Ticket, base: str | None) -> PrintJob:
    placed = queries.place(ctx, ticket)
    service = hall.services_by_code.get(ticket.service)
    zone = ZoneInfo(hall.timezone)
    return PrintJob(
        ticket=ticket.id, number=ticket.display_number, status=ticket.status.value,
        hall_zh=hall.name, hall_en=hall.name_en,
        service_zh=service.name.zh if service else ticket.service,
        service_en=service.name.en if service else ticket.service,
        ahead=placed.ahead, estimated_wait_s=placed.estimated_wait_s,
        issued_at=ticket.issued_at.astimezone(zone),
        notice_zh=printer.notice.zh if printer.notice else "", notice_en=printer.notice.en if printer.notice else "",
        tracking_url=tracking_url(ctx, hall.id, ticket.id, base))
