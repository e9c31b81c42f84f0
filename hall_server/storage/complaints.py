"""The rows of the complaint register. Plain reads and writes on a transaction's connection;
the store's Reader and WriteTx call them (store.py), so a complaint changes in the same
transaction as its event. The rules are in domain/complaints.py."""
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import Connection, and_, insert, select, update

from ..domain.complaints import UNANSWERED, Category, Channel, Complaint, Kind, Source, Status
from ..domain.numbering import format_number
from . import tables as t

C = t.complaints.c
T = t.tickets.c
#: the columns that change after a complaint is received
_MUTABLE = ("status", "taken_at", "taken_by", "answered_at", "answered_by", "followed_up_at", "followed_up_by",
            "history")
_ENUMS = {"kind": Kind, "category": Category, "channel": Channel, "status": Status, "source": Source}


def _query():
    """The complaints with their ticket's number."""
    return (select(t.complaints, T.prefix, T.number)
            .select_from(t.complaints.outerjoin(t.tickets, T.id == C.ticket)))


def complaint_from_row(row) -> Complaint:
    m = row._mapping
    values = {name: m[name] for name in t.complaints.columns.keys()}
    for name, enum in _ENUMS.items():
        values[name] = enum(values[name])
    values["history"] = list(values["history"])
    number = format_number(m["prefix"], m["number"]) if m["prefix"] is not None else None
    return Complaint(**values, ticket_number=number)


def listed(conn: Connection, hall: str, open_only: bool, since: datetime | None, until: datetime | None,
           status: Status | None, limit: int | None) -> list[Complaint]:
    """The hall's complaints received in [since, until), newest first (the `limit` newest; None:
    all); `open_only`: the unanswered ones."""
    query = _query().where(C.hall == hall)
    if open_only:
        query = query.where(C.status.in_([s.value for s in UNANSWERED]))
    if status is not None:
        query = query.where(C.status == status.value)
    if since is not None:
        query = query.where(C.received_at >= since)
    if until is not None:
        query = query.where(C.received_at < until)
    rows = conn.execute(query.order_by(C.received_at.desc(), C.id.desc()).limit(limit))
    return [complaint_from_row(row) for row in rows]


def unanswered(conn: Connection, hall: str) -> list[Complaint]:
    """The hall's complaints whose deadline runs, the earliest due first."""
    rows = conn.execute(_query().where(C.hall == hall, C.status.in_([s.value for s in UNANSWERED]))
                        .order_by(C.due_at, C.id))
    return [complaint_from_row(row) for row in rows]


def find(conn: Connection, complaint_id: int) -> Complaint | None:
    row = conn.execute(_query().where(C.id == complaint_id)).first()
    return complaint_from_row(row) if row else None


def registered_sources(conn: Connection, hall: str, seqs: Iterable[int]) -> set[int]:
    """Which of these event seqs of the hall a complaint was registered from."""
    seqs = list(seqs)
    if not seqs:
        return set()
    return set(conn.execute(select(C.source_seq).where(C.hall == hall, C.source_seq.in_(seqs))).scalars())


def add(conn: Connection, complaint: Complaint) -> None:
    """Insert a new complaint and give it its id."""
    values = asdict(complaint)
    for name in ("id", "ticket_number"):
        values.pop(name)
    for name in _ENUMS:
        values[name] = values[name].value
    complaint.id = conn.execute(insert(t.complaints).values(values).returning(C.id)).scalar_one()


def save(conn: Connection, complaint: Complaint, status_before: Status) -> bool:
    """Write its step; a compare-and-set on the status: False if it moved meanwhile."""
    values = {name: getattr(complaint, name) for name in _MUTABLE}
    values["status"] = complaint.status.value
    done = conn.execute(update(t.complaints).where(and_(C.id == complaint.id, C.status == status_before.value))
                        .values(values)).rowcount
    return done == 1
