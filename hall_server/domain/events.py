"""The event: one entry of a hall's append-only log. Its `seq` is gap-free per hall."""
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    TICKET_ISSUED = "ticket.issued"
    TICKET_CALLED = "ticket.called"
    TICKET_RECALLED = "ticket.recalled"
    TICKET_STARTED = "ticket.started"
    TICKET_FINISHED = "ticket.finished"
    TICKET_NO_SHOW = "ticket.no_show"
    TICKET_TRANSFERRED = "ticket.transferred"
    TICKET_CANCELLED = "ticket.cancelled"
    TICKET_REINSTATED = "ticket.reinstated"
    #: closed with the business day while still open
    TICKET_EXPIRED = "ticket.expired"
    COUNTER_SIGNED_IN = "counter.signed_in"
    COUNTER_SIGNED_OUT = "counter.signed_out"
    COUNTER_PAUSED = "counter.paused"
    COUNTER_RESUMED = "counter.resumed"
    ALERT_RAISED = "alert.raised"
    ALERT_UPDATED = "alert.updated"
    ALERT_RESOLVED = "alert.resolved"
    DEVICE_STATUS = "device.status"
    #: a ticket came out of a printer (or its job was dropped on a manager's word)
    TICKET_PRINTED = "ticket.printed"
    #: a manager stopped or resumed issuing a service, or set its daily cap
    SERVICE_SWITCHED = "service.switched"
    RATING_GIVEN = "rating.given"
    #: the clerk flagged the customer at the counter: needs help, upset, to be called back
    TICKET_FLAGGED = "ticket.flagged"
    #: a manager set (or, with empty texts, cleared) the hall's notice line on its displays
    HALL_NOTICE = "hall.notice"
    #: a complaint or report was registered (domain/complaints.py); its data never holds the
    #: customer's contact, the description or the notes: hall events reach displays and kiosks
    COMPLAINT_RECEIVED = "complaint.received"
    #: a complaint was taken in hand, answered or followed up
    COMPLAINT_MOVED = "complaint.moved"
    #: a camera's estimate of the people in its waiting area took a new value (data:
    #: camera, people); only the count, never a picture
    CROWD_ESTIMATE = "crowd.estimate"
    #: an administrator or manager added a device, made it a pairing link (`change`
    #: "pairing_link", or "pairing_renewed" when that ended its paired browser) or revoked it
    #: (data: device, kind, change, by); never a token or a link
    DEVICE_CHANGED = "device.changed"


@dataclass
class Event:
    hall: str
    type: EventType
    at: datetime
    ticket: int | None = None
    counter: int | None = None
    actor: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None
