"""Use cases of the alerts: evaluate the rules in a hall, list, acknowledge, annotate, resolve.

`evaluate` reads the hall (alert_snapshot.py), lets the rules find what holds
(domain/alert_rules.py) and reconciles that with the standing alerts (domain/alerts.py). It
writes only when something changes, in one write transaction of the hall whose log has not
moved since the read (else it reads again), so that a slower evaluation never undoes what a
newer one decided. Every change is an event (`alert.raised`, `alert.updated`,
`alert.resolved`) that reaches the board, a line in the log, and, where the hall has a
webhook, an outbox entry sent after the commit (services/webhook.py).
"""
import logging
from datetime import datetime, timedelta

from ..config import Hall
from ..domain import alert_rules
from ..domain.actors import Actor
from ..domain.alerts import Alert, Changes, Finding, Severity, alert_json, order, reconcile, render, subject_id
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.events import Event
from ..domain.events import EventType as E
from ..domain.staffing import Staffing
from ..storage.store import WriteTx
from .alert_snapshot import read_snapshot
from .context import HallContext

log = logging.getLogger(__name__)
#: tries when the log moves between the read and the write (a busy hall)
ATTEMPTS = 3
NOTE_MAX = 500
#: the alert's changes worth forwarding to the hall's chat group (an update in figures is not)
FORWARDED = {"raised", "worse", "escalated", "resolved"}


def evaluate(ctx: HallContext, hall_id: str) -> list[Event]:
    """Run the rules once in the hall; the events of what changed (none if nothing did)."""
    hall = ctx.hall(hall_id)
    if not hall.alerts.enabled:
        return []
    for _ in range(ATTEMPTS):
        snapshot, seq = read_snapshot(ctx, hall, ctx.clock.now())
        findings = alert_rules.findings(snapshot)
        messages = {finding.key: render(finding.message) for finding in findings}
        with ctx.store.read() as reader:
            standing = reader.standing_alerts(hall_id)
        changes = reconcile(standing, findings, snapshot.now,
                            timedelta(minutes=hall.alerts.escalate_after_min), messages)
        if not changes:
            return []
        with ctx.store.write(hall_id, ctx.clock) as tx:
            if tx.seq != seq:
                continue  # the hall moved on meanwhile: judge it again
            _apply(tx, hall, changes, messages)
            return tx.events
    return []


def _apply(tx: WriteTx, hall: Hall, changes: Changes, messages: dict) -> None:
    for finding in changes.raised:
        alert = Alert(hall=hall.id, rule=finding.rule, subject=finding.subject, severity=finding.severity,
                      message=messages[finding.key], raised_at=tx.at, updated_at=tx.at,
                      escalated=finding.escalated, sticky=finding.sticky, data=finding.data)
        if alert.escalated:
            alert.escalated_at = tx.at
        if alert.severity is Severity.CRITICAL:
            alert.critical_at = tx.at
        tx.add_alert(alert)
        _record(tx, hall, E.ALERT_RAISED, alert, "raised")
    for alert, finding in changes.updated:
        change = _worse_or_not(alert, finding)
        before = alert.updated_at
        if finding.severity is not alert.severity:
            alert.critical_at = tx.at if finding.severity is Severity.CRITICAL else None
        alert.severity, alert.message, alert.data = finding.severity, messages[finding.key], finding.data
        if finding.escalated and not alert.escalated:
            alert.escalated, alert.escalated_at = True, tx.at
        _save(tx, hall, E.ALERT_UPDATED, alert, before, change)
    for alert in changes.escalated:
        if alert.escalated:  # escalated by its finding just above
            continue
        before = alert.updated_at
        alert.escalated, alert.escalated_at = True, tx.at
        _save(tx, hall, E.ALERT_UPDATED, alert, before, "escalated")
    for alert in changes.resolved:
        before = alert.updated_at
        alert.resolved_at = tx.at
        _save(tx, hall, E.ALERT_RESOLVED, alert, before, "resolved")
    for alert in changes.released:
        before = alert.updated_at
        alert.held = False
        tx.save_alert(alert, before)


def _worse_or_not(alert: Alert, finding: Finding) -> str:
    if finding.severity.rank > alert.severity.rank:
        return "worse"
    if finding.escalated and not alert.escalated:
        return "escalated"
    return "better" if finding.severity.rank < alert.severity.rank else "figures"


def _save(tx: WriteTx, hall: Hall, kind: E, alert: Alert, before: datetime, change: str,
          actor: str | None = None) -> None:
    alert.updated_at = tx.at
    tx.save_alert(alert, before)
    _record(tx, hall, kind, alert, change, actor)


def _record(tx: WriteTx, hall: Hall, kind: E, alert: Alert, change: str, actor: str | None = None) -> None:
    """The alert's event (with the ticket or counter it is about), its line in the log and,
    for a change worth it, its webhook message."""
    data = {**alert_json(alert), "change": change}
    tx.record(kind, ticket=subject_id(alert.subject, "ticket"), counter=subject_id(alert.subject, "counter"),
              actor=actor, data=data)
    log.log(logging.WARNING if change in FORWARDED else logging.INFO, "hall %s alert %s %s by %s [%s] %s: %s",
            hall.id, alert.id, change, actor or "the rules", alert.severity.value, alert.rule, alert.message["en"])
    if hall.alerts.webhook is not None and change in FORWARDED:
        tx.send_webhook({"kind": "alert", "hall": hall.id, "hall_name": {"zh": hall.name, "en": hall.name_en},
                         "event": kind.value, "change": change, "alert": alert_json(alert),
                         "text": f"【{hall.name}】{alert.message['zh']}\n[{hall.name_en}] {alert.message['en']}"})


def staffing(ctx: HallContext, hall: Hall) -> dict[str, Staffing]:
    """Per service, the counters it needs now by the Erlang C model (domain/staffing.py)."""
    snapshot, _ = read_snapshot(ctx, hall, ctx.clock.now())
    return {service.code: alert_rules.staffing(snapshot, service.code) for service in hall.services}


def alerts(ctx: HallContext, hall_id: str, actor: Actor, open_only: bool) -> list[Alert]:
    """The hall's open alerts (the board's order), or every alert of the last days, newest first."""
    hall = ctx.hall(hall_id, actor)
    now = ctx.clock.now()
    with ctx.store.read() as reader:
        if open_only:
            return order(reader.alerts(hall_id, open_only=True))
        since = now - timedelta(days=7)
        return reader.alerts(hall.id, open_only=False, since=since)


def acknowledge(ctx: HallContext, alert_id: int, actor: Actor) -> Alert:
    """The manager has seen it (and it will not be escalated); again is no change."""
    def change(alert: Alert, at: datetime) -> str | None:
        if alert.acknowledged_at is not None:
            return None
        alert.acknowledged_at, alert.acknowledged_by = at, actor.name
        return "acknowledged"
    return _change(ctx, alert_id, actor, change)


def add_note(ctx: HallContext, alert_id: int, actor: Actor, text: str) -> Alert:
    """What was done about it, kept with the alert (resolved ones too: why it was closed)."""
    text = text.strip()
    if not text or len(text) > NOTE_MAX:
        raise Invalid(f"a note is 1 to {NOTE_MAX} characters", "invalid_note")

    def change(alert: Alert, at: datetime) -> str:
        alert.notes = [*alert.notes, {"at": at.isoformat(), "by": actor.name, "text": text}]
        return "note"
    return _change(ctx, alert_id, actor, change)


def resolve(ctx: HallContext, alert_id: int, actor: Actor) -> Alert:
    """The manager closes it by hand; while its condition holds it is not raised again."""
    def change(alert: Alert, at: datetime) -> str:
        alert.resolved_at, alert.resolved_by, alert.held = at, actor.name, True
        return "resolved"
    return _change(ctx, alert_id, actor, change, open_only=True)


def _change(ctx: HallContext, alert_id: int, actor: Actor, change, open_only: bool = False) -> Alert:
    with ctx.store.read() as reader:
        hall_id = reader.alert(alert_id).hall
    if not actor.may_act_in(hall_id) or hall_id not in ctx.config.by_id:
        raise NotFound(f"no alert {alert_id}", "unknown_alert")  # another hall's is not shown
    hall = ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        alert = tx.alert(alert_id)
        if open_only and not alert.is_open:
            raise Conflict(f"alert {alert_id} was resolved already", "alert_resolved")
        before = alert.updated_at
        what = change(alert, tx.at)
        if what is None:
            return alert
        kind = E.ALERT_RESOLVED if what == "resolved" else E.ALERT_UPDATED
        _save(tx, hall, kind, alert, before, what, actor.name)
        return alert
