"""The rows of the webhook's outbox: what is to be POSTed to a hall's webhook, and how that went.

Plain reads and writes on a connection: a use case adds an item in the same transaction as
the event it reports (so a rolled-back change is never announced), and the sender
(services/webhook.py) reads what is due and marks each item in a small transaction of its own.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, exists, insert, select, update

from . import tables as t

W = t.webhook_outbox.c
#: the longest error the row keeps
MAX_ERROR = 255


@dataclass(frozen=True)
class OutboxItem:
    id: int
    hall: str
    payload: dict
    created_at: datetime
    #: the attempts made so far, and what went wrong at the last one
    attempts: int
    last_error: str | None


def add(conn: Connection, hall: str, payload: dict, at: datetime, once_key: str | None = None) -> int | None:
    """Queue `payload` for the hall's webhook, due at once; returns the item's id (which the
    receiver gets as the delivery's id). With `once_key`, nothing (None) if an item of that key
    was queued before: call it under the hall's lock (Store.write), the unique key backs it up."""
    if once_key is not None and conn.execute(
            select(W.id).where(W.hall == hall, W.once_key == once_key)).first() is not None:
        return None
    return conn.execute(insert(t.webhook_outbox).values(
        hall=hall, payload=payload, created_at=at, attempts=0, next_attempt_at=at, once_key=once_key)
        .returning(W.id)).scalar_one()


def due(conn: Connection, now: datetime, limit: int) -> list[OutboxItem]:
    """Items neither delivered nor abandoned whose next attempt is due, by id; an item whose
    hall has an earlier one waiting for its retry waits too, so a hall's items arrive in order."""
    pending = and_(W.delivered_at.is_(None), W.abandoned_at.is_(None))
    earlier = t.webhook_outbox.alias("earlier")
    e = earlier.c
    retrying_before = exists().where(e.hall == W.hall, e.id < W.id, e.delivered_at.is_(None),
                                     e.abandoned_at.is_(None), e.next_attempt_at > now)
    rows = conn.execute(select(t.webhook_outbox).where(pending, W.next_attempt_at <= now, ~retrying_before)
                        .order_by(W.id).limit(limit))
    return [OutboxItem(id=row.id, hall=row.hall, payload=row.payload, created_at=row.created_at,
                       attempts=row.attempts, last_error=row.last_error) for row in rows]


def delivered(conn: Connection, id: int, at: datetime) -> None:
    conn.execute(update(t.webhook_outbox).where(W.id == id).values(delivered_at=at, attempts=W.attempts + 1))


def failed(conn: Connection, id: int, next_attempt_at: datetime, error: str) -> None:
    """An attempt failed; the next one is due at `next_attempt_at`."""
    conn.execute(update(t.webhook_outbox).where(W.id == id).values(
        attempts=W.attempts + 1, next_attempt_at=next_attempt_at, last_error=error[:MAX_ERROR]))


def abandoned(conn: Connection, id: int, at: datetime, error: str) -> None:
    """Given up: never attempted again, kept for the record."""
    conn.execute(update(t.webhook_outbox).where(W.id == id).values(abandoned_at=at, last_error=error[:MAX_ERROR]))
