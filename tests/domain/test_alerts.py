"""Reconciling findings with standing alerts: one open alert per rule and subject, updated while
it lasts, resolved when it clears, held after a manager's hand, escalated when ignored."""
from datetime import UTC, datetime, timedelta

from hall_server.domain.alerts import (
    Alert,
    Finding,
    Message,
    Severity,
    alert_json,
    order,
    reconcile,
    render,
    subject_id,
)

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
ESCALATE = timedelta(minutes=10)
W, C, N = Severity.WARNING, Severity.CRITICAL, Severity.NOTICE


def finding(rule: str = "waiting", subject: str = "service:fee", severity: Severity = W, **kw) -> Finding:
    return Finding(rule, subject, severity, Message("Counter paused"), **kw)


def alert(rule: str = "waiting", subject: str = "service:fee", severity: Severity = W, at: datetime = T0,
          **kw) -> Alert:
    return Alert(hall="demo", rule=rule, subject=subject, severity=severity, message=render(Message("Counter paused")),
                 raised_at=at, updated_at=at, id=kw.pop("id", 1), **kw)


def run(standing, findings, now=T0 + timedelta(minutes=1)):
    return reconcile(standing, findings, now, ESCALATE, {f.key: render(f.message) for f in findings})


def test_a_new_condition_raises_one_alert_even_when_found_twice() -> None:
    changes = run([], [finding(), finding(severity=C), finding(subject="service:business")])
    assert [(f.subject, f.severity) for f in changes.raised] == [("service:fee", C), ("service:business", W)]
    assert not changes.updated and not changes.resolved


def test_an_unchanged_condition_changes_nothing() -> None:
    assert not run([alert()], [finding()])


def test_a_worse_or_reworded_condition_updates_the_alert() -> None:
    standing = alert()
    changes = run([standing], [finding(severity=C)])
    assert [(a.id, f.severity) for a, f in changes.updated] == [(1, C)]
    reworded = Finding("waiting", "service:fee", W, Message("Counter %(counter)s", {"counter": 3}))
    assert [a.id for a, _ in run([standing], [reworded]).updated] == [1]
    assert [a.id for a, _ in run([standing], [finding(escalated=True)]).updated] == [1]


def test_a_cleared_condition_resolves_the_alert_but_not_a_sticky_one() -> None:
    assert [a.id for a in run([alert()], []).resolved] == [1]
    assert not run([alert(rule="unhappy_customer", subject="ticket:5", severity=C, sticky=True)], [])


def test_an_alert_resolved_by_hand_is_held_until_its_condition_clears() -> None:
    held = alert(resolved_at=T0, resolved_by="mgr", held=True)
    assert not run([held], [finding()])  # still there: not raised again
    worse = run([held], [finding(severity=C)])  # back and worse: raised anew
    assert [f.severity for f in worse.raised] == [C] and worse.released == [held]
    cleared = run([held], [])
    assert cleared.released == [held] and not cleared.resolved


def test_a_sticky_alert_is_raised_once_and_released_when_its_day_is_over() -> None:
    sticky = finding(rule="unhappy_customer", subject="ticket:5", severity=C, sticky=True)
    held = alert(rule="unhappy_customer", subject="ticket:5", severity=C, sticky=True, resolved_at=T0,
                 resolved_by="mgr", held=True)
    assert not run([held], [sticky])
    assert run([held], []).released == [held]


def test_a_critical_alert_left_unacknowledged_is_escalated_once() -> None:
    critical = alert(severity=C)
    assert not run([critical], [finding(severity=C)], now=T0 + ESCALATE - timedelta(seconds=1))
    assert run([critical], [finding(severity=C)], now=T0 + ESCALATE).escalated == [critical]
    acknowledged = alert(severity=C, acknowledged_at=T0, acknowledged_by="mgr")
    assert not run([acknowledged], [finding(severity=C)], now=T0 + 2 * ESCALATE)
    escalated = alert(severity=C, escalated=True)
    assert not run([escalated], [finding(severity=C)], now=T0 + 2 * ESCALATE)
    assert not run([alert(severity=W)], [finding(severity=W)], now=T0 + 2 * ESCALATE).escalated
    assert not run([critical], [], now=T0 + 2 * ESCALATE).escalated  # resolving, not escalating
    lately_critical = alert(severity=C, critical_at=T0 + ESCALATE)  # a warning that turned critical
    assert not run([lately_critical], [finding(severity=C)], now=T0 + 2 * ESCALATE - timedelta(seconds=1))
    assert run([lately_critical], [finding(severity=C)], now=T0 + 2 * ESCALATE).escalated == [lately_critical]


def test_board_order_json_and_subjects() -> None:
    older_critical = alert(id=1, severity=C, at=T0)
    newer_warning = alert(id=2, at=T0 + timedelta(minutes=5))
    newer_critical = alert(id=3, severity=C, at=T0 + timedelta(minutes=3))
    escalated = alert(id=4, severity=C, at=T0, escalated=True)
    assert [a.id for a in order([older_critical, newer_warning, newer_critical, escalated])] == [4, 3, 1, 2]
    data = alert_json(older_critical)
    assert data["raised_at"] == T0.isoformat() and data["severity"] == "critical" and data["resolved_at"] is None
    assert subject_id("ticket:12", "ticket") == 12 and subject_id("ticket:12", "counter") is None
    assert subject_id("hall", "ticket") is None and subject_id("counter:3", "counter") == 3


def test_messages_render_in_both_languages_with_names_per_language() -> None:
    message = Message("Counter %(counter)s: %(service)s", {"counter": 3, "service": {"zh": "居民收费", "en": "Fees"}})
    assert render(message)["en"] == "Counter 3: Fees"
    assert render(Message("Counter paused"))["zh"] == "暂停服务"
