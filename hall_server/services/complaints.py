"""Use cases of the complaint register: open a complaint (by hand or from an offer), take it in
hand, answer it, follow it up; read one, list them, the offers, the figures and the week's
summary for the Monday service meeting.

Every change is a write transaction of the complaint's hall that also records its event
(`complaint.received`, `complaint.moved`), so the log keeps every change; the events carry
no contact, description or note (domain/complaints.py `event_data`). The answer deadline
raises its alerts by the rule `complaint_deadline` (domain/alert_rules.py).
"""
from datetime import date, datetime, timedelta

from ..config import Hall
from ..domain import complaints as register
from ..domain.actors import Actor
from ..domain.complaints import (
    CONTACT_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    NOTE_MAX,
    OFFER_EVENTS,
    Category,
    Channel,
    Complaint,
    Figures,
    Kind,
    Offer,
    Source,
    Status,
    Step,
    checked_text,
    complaint_json,
    event_data,
    offer_from,
    receive,
)
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.events import EventType as E
from ..domain.numbering import business_day, day_start, parse_number
from ..storage.store import Reader
from .context import HallContext

#: how far back the flags and low ratings offered for registering go
OFFER_DAYS = 7


def open_complaint(ctx: HallContext, hall_id: str, actor: Actor, *, kind: Kind, category: Category,
                   channel: Channel, description: str, ticket: int | None = None, ticket_number: str | None = None,
                   ticket_day: date | None = None, clerk: str | None = None, contact: str | None = None,
                   source_seq: int | None = None) -> Complaint:
    """Register a complaint, received now. The ticket concerned is given by its id, or by its
    number and business day (today by default); `source_seq` registers an offer (a flag or a
    low rating, by its event): its ticket and clerk are the offer's, and an offer registered
    already is a Conflict. The clerk defaults to the one who served the ticket."""
    hall = ctx.hall(hall_id, actor)
    description = checked_text(description, "description", DESCRIPTION_MAX, required=True)
    contact = checked_text(contact, "contact", CONTACT_MAX)
    clerk = checked_text(clerk, "clerk", NAME_MAX)
    offer = _offer(ctx, hall_id, source_seq) if source_seq is not None else None
    with ctx.store.write(hall_id, ctx.clock) as tx:
        if offer is not None:
            if tx.registered_sources(hall_id, [offer.source_seq]):
                raise Conflict(f"event {offer.source_seq} was registered as a complaint already",
                               "already_registered")
            ticket, clerk = offer.ticket, offer.clerk or clerk
        elif ticket is None and ticket_number:
            ticket = _ticket_by_number(tx, hall, ticket_number, ticket_day or business_day(tx.at, hall.timezone))
        concerned = tx.ticket(ticket) if ticket is not None else None  # NotFound: another hall's
        complaint = receive(
            hall_id, kind, category, channel, description, tx.at, actor.name,
            ticket=ticket, ticket_number=concerned.display_number if concerned else None,
            clerk=clerk or (concerned.clerk if concerned else None), contact=contact,
            source=offer.source if offer else Source.HAND, source_seq=source_seq)
        tx.add_complaint(complaint)
        tx.record(E.COMPLAINT_RECEIVED, actor=actor.name, data=event_data(complaint, actor.name))
        return complaint


def _offer(ctx: HallContext, hall_id: str, seq: int) -> Offer:
    """The offer of the hall's event `seq` (an event never changes: it is read before the write)."""
    with ctx.store.read() as reader:
        events = reader.events(hall_id, after=seq - 1, limit=1) if seq > 0 else []
    offer = offer_from(events[0]) if events and events[0].seq == seq else None
    if offer is None:
        raise Invalid(f"event {seq} is no upset-customer flag or low rating of hall {hall_id}", "not_an_offer")
    return offer


def _ticket_by_number(reader: Reader, hall: Hall, number: str, day: date) -> int:
    typed = parse_number(number)
    found = reader.ticket_by_number(hall.id, day, *typed) if typed else None
    if found is None:
        raise Invalid(f"no ticket {number!r} on {day.isoformat()} in hall {hall.id}", "unknown_ticket")
    return found


def take(ctx: HallContext, complaint_id: int, actor: Actor, note: str | None = None) -> Complaint:
    """A manager takes it in hand."""
    return _move(ctx, complaint_id, actor, Step.TAKE, note)


def answer(ctx: HallContext, complaint_id: int, actor: Actor, note: str | None = None) -> Complaint:
    """The customer was answered (the note: how); the deadline no longer runs."""
    return _move(ctx, complaint_id, actor, Step.ANSWER, note)


def follow_up(ctx: HallContext, complaint_id: int, actor: Actor, note: str | None = None) -> Complaint:
    """The customer was called back after the answer (the note: what they said)."""
    return _move(ctx, complaint_id, actor, Step.FOLLOW_UP, note)


def _move(ctx: HallContext, complaint_id: int, actor: Actor, step: Step, note: str | None) -> Complaint:
    note = checked_text(note, "note", NOTE_MAX)
    hall_id = _hall_of(ctx, complaint_id, actor)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        complaint = tx.complaint(complaint_id)
        before = complaint.status
        complaint.move(step, tx.at, actor.name, note)
        tx.save_complaint(complaint, before)
        tx.record(E.COMPLAINT_MOVED, actor=actor.name, data=event_data(complaint, actor.name))
        return complaint


def _hall_of(ctx: HallContext, complaint_id: int, actor: Actor) -> str:
    """The complaint's hall, if the actor may act in it; another hall's complaint is unknown."""
    with ctx.store.read() as reader:
        hall_id = reader.complaint(complaint_id).hall
    if not actor.may_act_in(hall_id) or hall_id not in ctx.config.by_id:
        raise NotFound(f"no complaint {complaint_id}", "unknown_complaint")
    return hall_id


def complaint(ctx: HallContext, complaint_id: int, actor: Actor) -> Complaint:
    _hall_of(ctx, complaint_id, actor)
    with ctx.store.read() as reader:
        return reader.complaint(complaint_id)


def complaints(ctx: HallContext, hall_id: str, actor: Actor, *, status: Status | None = None,
               open_only: bool = False, first: date | None = None, last: date | None = None) -> list[Complaint]:
    """The hall's complaints, newest first: of a status, the unanswered ones, received from
    business day `first` through `last` (both included, the hall's days)."""
    hall = ctx.hall(hall_id, actor)
    since, until = _period(hall, first, last)
    with ctx.store.read() as reader:
        return reader.complaints(hall_id, open_only=open_only, since=since, until=until, status=status)


def _period(hall: Hall, first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """Business days from `first` through `last` as instants [since, until)."""
    since = day_start(first, hall.timezone) if first else None
    until = day_start(last + timedelta(days=1), hall.timezone) if last else None
    if since and until and until <= since:
        raise Invalid("the period ends before it begins", "invalid_period")
    return since, until


def offers(ctx: HallContext, hall_id: str, actor: Actor) -> list[Offer]:
    """The upset-customer flags and low ratings of the last 7 days not registered yet, newest first."""
    ctx.hall(hall_id, actor)
    since = ctx.clock.now() - timedelta(days=OFFER_DAYS)
    with ctx.store.read() as reader:
        after = reader.first_seq_since(hall_id, since) - 1
        found = [offer for event in reader.events_of_types(hall_id, OFFER_EVENTS, after, since)
                 if (offer := offer_from(event)) is not None]
        registered = reader.registered_sources(hall_id, [offer.source_seq for offer in found])
    return [offer for offer in reversed(found) if offer.source_seq not in registered]


def figures(ctx: HallContext, hall_id: str, actor: Actor | None, first: date, last: date) -> Figures:
    """The register's figures over the complaints received from `first` through `last`, as
    things stand now."""
    hall = ctx.hall(hall_id, actor)
    since, until = _period(hall, first, last)
    now = ctx.clock.now()
    with ctx.store.read() as reader:
        received = reader.complaints(hall_id, since=since, until=until, limit=None)
    return register.figures(received, now)


def week_summary(ctx: HallContext, hall_id: str, week_start: date) -> dict:
    """The complaint summary for the Monday service meeting: the figures and complaints of the
    week from Monday `week_start`, and every complaint of any week still unanswered (the
    earliest due first) or answered and not followed up yet. Without the customers' contacts:
    the file goes round the meeting."""
    hall = ctx.hall(hall_id)
    if week_start.weekday() != 0:
        raise Invalid(f"{week_start.isoformat()} is not a Monday", "not_a_monday")
    week_end = week_start + timedelta(days=6)
    since, until = _period(hall, week_start, week_end)
    now = ctx.clock.now()
    with ctx.store.read() as reader:
        received = reader.complaints(hall_id, since=since, until=until, limit=None)
        unanswered = reader.unanswered_complaints(hall_id)
        to_follow_up = reader.complaints(hall_id, status=Status.ANSWERED, limit=None)
    return {
        "hall": hall.id, "hall_name": {"zh": hall.name, "en": hall.name_en},
        "from": week_start.isoformat(), "to": week_end.isoformat(), "at": now.isoformat(),
        "figures": register.figures(received, now).as_json(),
        "received": [complaint_json(c, now, with_contact=False) for c in reversed(received)],
        "unanswered": [complaint_json(c, now, with_contact=False) for c in unanswered],
        "to_follow_up": [complaint_json(c, now, with_contact=False) for c in reversed(to_follow_up)],
    }
