"""The hall's webhook: what the outbox holds is POSTed as signed JSON, retried with backoff.

The use cases never call the receiver: they add to the outbox (storage/outbox.py) in their
own transaction, and a scheduled job calls `deliver_due` every few seconds, in the one
process that runs the jobs. The sender knows nothing of what it sends (alerts, reports).

What the receiver gets: the payload as compact UTF-8 JSON, with the headers
`X-Hall-Timestamp` (unix seconds), `X-Hall-Signature` ("sha256=" and the hex HMAC-SHA256 of
timestamp + "." + body under the shared secret) and `X-Hall-Delivery` (the outbox item's id:
an item is sent again when its answer was lost, so the receiver may drop a repeat).
`receiver_check` is how a receiver verifies a request.
"""
import hashlib
import hmac
import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests

from ..config import Webhook
from ..storage import outbox
from ..storage.outbox import OutboxItem
from .context import HallContext

log = logging.getLogger(__name__)
#: the most items one run sends
BATCH = 100
#: the wait before the next attempt: 2 s after the first failure, doubling up to this
MAX_BACKOFF_S = 600
#: an item still undelivered this long after it was queued is given up (its news is stale)
GIVE_UP_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Delivery:
    """What one run did: items delivered, failed (to be retried) and abandoned."""

    delivered: int = 0
    failed: int = 0
    abandoned: int = 0


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def receiver_check(secret: bytes, timestamp: str, body: bytes, signature: str, now: datetime,
                   tolerance_s: float = 300) -> bool:
    """Whether a request is the hall's: signed with the shared secret, and sent within
    `tolerance_s` of `now` (an old request replayed fails)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now.timestamp() - sent) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode())


def backoff_s(attempts: int) -> float:
    """The wait before the next attempt after `attempts` attempts failed: 2, 4, 8 ... seconds,
    at most MAX_BACKOFF_S."""
    return min(MAX_BACKOFF_S, 2.0 ** min(attempts, 16))


def deliver_due(ctx: HallContext, send: Callable[..., requests.Response] = requests.post) -> Delivery:
    """Send the outbox's due items, each outside any transaction. A hall's items go in order
    and its run stops at its first failure (its receiver is down: the rest wait); other
    halls go on."""
    with ctx.store.read() as reader:
        items = outbox.due(reader.conn, ctx.clock.now(), BATCH)
    outcomes: Counter[str] = Counter()
    stopped: set[str] = set()
    for item in items:
        if item.hall in stopped:
            continue
        outcome = _deliver(ctx, item, send)
        outcomes[outcome] += 1
        if outcome == "failed":
            stopped.add(item.hall)
    return Delivery(**outcomes)


def _deliver(ctx: HallContext, item: OutboxItem, send: Callable[..., requests.Response]) -> str:
    """Send one item and keep how it went: "delivered", "failed" or "abandoned"."""
    now = ctx.clock.now()
    hall = ctx.config.by_id.get(item.hall)
    webhook = hall.alerts.webhook if hall else None
    if webhook is None:
        return _abandon(ctx, item, "the hall has no webhook configured any more")
    if now - item.created_at > GIVE_UP_AFTER:
        hours = GIVE_UP_AFTER / timedelta(hours=1)
        return _abandon(ctx, item, f"undelivered for {hours:g} h; last error: {item.last_error}")
    error = _post(webhook, item, now, send)
    with ctx.store.engine.begin() as conn:
        if error is None:
            outbox.delivered(conn, item.id, ctx.clock.now())
            return "delivered"
        outbox.failed(conn, item.id, ctx.clock.now() + timedelta(seconds=backoff_s(item.attempts + 1)), error)
    log.warning("webhook of hall %s: delivery %s failed (attempt %s): %s", item.hall, item.id,
                item.attempts + 1, error)
    return "failed"


def _post(webhook: Webhook, item: OutboxItem, now: datetime, send: Callable[..., requests.Response]) -> str | None:
    """POST the item to the webhook; None if the receiver took it, else what went wrong."""
    body = json.dumps(item.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(now.timestamp()))
    headers = {"Content-Type": "application/json", "X-Hall-Timestamp": timestamp,
               "X-Hall-Signature": sign(webhook.secret, timestamp, body), "X-Hall-Delivery": str(item.id)}
    try:
        # a redirect would turn the POST into a GET without the body: it counts as a failure
        response = send(webhook.url, data=body, headers=headers, timeout=webhook.timeout_s, allow_redirects=False)
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code} {response.reason}"


def _abandon(ctx: HallContext, item: OutboxItem, error: str) -> str:
    with ctx.store.engine.begin() as conn:
        outbox.abandoned(conn, item.id, ctx.clock.now(), error)
    log.error("webhook of hall %s: delivery %s abandoned: %s", item.hall, item.id, error)
    return "abandoned"
