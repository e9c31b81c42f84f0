"""Alerts: what the rules find, the alerts that stand for it, and how one becomes the other.

The rules (alert_rules.py) look at the hall now and return findings: "this condition holds
for this subject, this badly". `reconcile` compares them with the alerts standing and says
what to raise, update, resolve and escalate, so that there is at most one open alert per
rule and subject and an alert resolves itself when its condition clears.

An alert a manager resolves by hand while its condition still holds is `held`: it is not
raised again until the condition has cleared once (a manager who dealt with a slow clerk is
not told again ten seconds later), unless it comes back more severe. A sticky finding
(a bad rating, an upset customer) never clears by itself: only a manager resolves it, and
it is never raised twice.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .catalogue import gettext

LANGUAGES = ("zh", "en")

class Severity(StrEnum):
    NOTICE = "notice"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Severity.NOTICE: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}

#: a message: an English msgid of the hall server's catalogue with %(name)s placeholders, and
#: its values; a value that is a {"zh", "en"} dict is taken in the message's language (a
#: plain dict: render() checks for dict, which costs less than the Mapping protocol)
Params = Mapping[str, Any]


@dataclass(frozen=True)
class Message:
    msgid: str
    params: Params = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A condition that holds now for one subject ("ticket:12", "counter:3", "service:fee",
    "device:kiosk-1", "hall")."""

    rule: str
    subject: str
    severity: Severity
    message: Message
    #: past the point where the manager's superior should hear of it (handling past 200%)
    escalated: bool = False
    #: clears only by a manager's hand (a bad rating, an upset customer)
    sticky: bool = False
    #: the figures behind it, for the board and the webhook (JSON values)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.rule, self.subject


@dataclass
class Alert:
    hall: str
    rule: str
    subject: str
    severity: Severity
    message: dict[str, str]
    raised_at: datetime
    updated_at: datetime
    id: int | None = None
    escalated: bool = False
    sticky: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    #: who resolved it by hand; None for an alert that resolved itself
    resolved_by: str | None = None
    #: resolved by hand while its condition held (or sticky): not raised again until it clears
    held: bool = False
    escalated_at: datetime | None = None
    #: since when it is critical: a critical alert unacknowledged this long is escalated
    critical_at: datetime | None = None
    notes: list[dict[str, str]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return self.rule, self.subject

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


def render(message: Message) -> dict[str, str]:
    """The message in Chinese and English."""
    return {lang: gettext(message.msgid, lang) % {
        name: value[lang] if isinstance(value, dict) else value for name, value in message.params.items()}
        for lang in LANGUAGES}


def subject_id(subject: str, kind: str) -> int | None:
    """The ticket id or counter number a subject names ("ticket:12", "counter:3"), if of `kind`."""
    head, _, tail = subject.partition(":")
    return int(tail) if head == kind and tail.isdigit() else None


def alert_json(alert: Alert) -> dict[str, Any]:
    """The alert as the API, its events and the webhook carry it (CONTRACT.md "Alerts")."""
    def iso(at: datetime | None) -> str | None:
        return at.isoformat() if at else None

    return {
        "id": alert.id, "hall": alert.hall, "rule": alert.rule, "severity": alert.severity.value,
        "escalated": alert.escalated, "subject": alert.subject, "message": dict(alert.message),
        "data": alert.data, "raised_at": iso(alert.raised_at), "updated_at": iso(alert.updated_at),
        "acknowledged_at": iso(alert.acknowledged_at), "acknowledged_by": alert.acknowledged_by,
        "resolved_at": iso(alert.resolved_at), "resolved_by": alert.resolved_by,
        "escalated_at": iso(alert.escalated_at), "notes": list(alert.notes),
    }


@dataclass
class Changes:
    """What one evaluation does to the hall's alerts."""

    raised: list[Finding] = field(default_factory=list)
    #: open alerts whose severity, escalation or message changed, with the finding now
    updated: list[tuple[Alert, Finding]] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    #: critical alerts left unacknowledged too long
    escalated: list[Alert] = field(default_factory=list)
    #: held alerts whose condition cleared, or that came back worse: no longer held
    released: list[Alert] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.raised or self.updated or self.resolved or self.escalated or self.released)


def reconcile(standing: Iterable[Alert], findings: Iterable[Finding], now: datetime,
              escalate_after: timedelta, messages: Mapping[tuple[str, str], dict[str, str]]) -> Changes:
    """What to do so the alerts match the findings.

    `standing`: the hall's open alerts and its held ones; `messages`: each finding's message
    as rendered ({"zh", "en"} by key), compared with the alert's to tell an update."""
    changes = Changes()
    found = {}
    for finding in findings:
        kept = found.get(finding.key)
        if kept is None or finding.severity.rank > kept.severity.rank:
            found[finding.key] = finding
    by_key: dict[tuple[str, str], Alert] = {}
    for alert in standing:
        by_key[alert.key] = alert
    for key, finding in found.items():
        alert = by_key.get(key)
        if alert is None:
            changes.raised.append(finding)
        elif alert.is_open:
            if (finding.severity is not alert.severity or (finding.escalated and not alert.escalated)
                    or messages[key] != alert.message):
                changes.updated.append((alert, finding))
        elif alert.held and finding.severity.rank > alert.severity.rank:
            changes.raised.append(finding)  # back, and worse than when it was dealt with
            changes.released.append(alert)
    for key, alert in by_key.items():
        if key in found:
            continue
        if alert.is_open and not alert.sticky:
            changes.resolved.append(alert)
        elif alert.held:  # its condition cleared (a sticky one's: its day is over)
            changes.released.append(alert)
    resolving = {alert.key for alert in changes.resolved}
    for alert in by_key.values():
        if (alert.is_open and alert.severity is Severity.CRITICAL and not alert.escalated
                and alert.acknowledged_at is None and alert.key not in resolving
                and now - (alert.critical_at or alert.raised_at) >= escalate_after):
            changes.escalated.append(alert)
    return changes


def order(alerts: Iterable[Alert]) -> list[Alert]:
    """The board's order: most severe first, escalated before the rest, then newest."""
    return sorted(alerts, key=lambda a: (-a.severity.rank, not a.escalated, -a.raised_at.timestamp(),
                                         -(a.id or 0)))
