"""The complaint register on both databases through its use cases: registered by hand or from
an offer, moved on step by step with every change in the hall's log (never the customer's
contact), listed and counted by the hall's days, and its deadline's alert raised, made
critical and resolved on a clock moved past the deadline."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from hall_server.domain.actors import Actor, Role
from hall_server.domain.complaints import Category, Channel, Kind, Source, Status
from hall_server.domain.errors import Conflict, Forbidden, Invalid, NotFound, TransitionNotAllowed
from hall_server.domain.events import EventType
from hall_server.domain.tickets import FlagKind
from hall_server.services import alerts
from hall_server.services import complaints as cases
from hall_server.services import counters as counter_cases
from hall_server.services import tickets as ticket_cases
from hall_server.storage import tables as t

from ..conftest import KIOSK, MANAGER, clerk
from .helpers import snapshot

DAY_S = 86400
EVALUATOR = Actor("evaluator-2", Role.EVALUATOR, frozenset({"demo"}), counter=2)
NORTH_MANAGER = Actor("manager-zhao", Role.MANAGER, frozenset({"north"}))


def register(ctx, actor=MANAGER, kind=Kind.COMPLAINT, category=Category.ATTITUDE, channel=Channel.COUNTER,
             description="rude at the counter", **details):
    return cases.open_complaint(ctx, "demo", actor, kind=kind, category=category, channel=channel,
                                description=description, **details)


def served_ticket(ctx, counter: int = 2, who=None):
    """A fee ticket called and finished at `counter` by a clerk signed in there."""
    who = who or clerk()
    counter_cases.sign_in(ctx, "demo", counter, who)
    ticket = ticket_cases.issue_ticket(ctx, "demo", "fee", KIOSK)
    ticket_cases.call_next(ctx, "demo", counter, who)
    ticket_cases.start(ctx, "demo", counter, who)
    ticket_cases.finish(ctx, "demo", counter, who, items=[{"service": "fee", "count": 1}])
    return ticket


def complaint_events(ctx):
    with ctx.store.read() as reader:
        return [e for e in reader.events("demo") if e.type.value.startswith("complaint.")]


def test_a_complaint_is_registered_moved_on_and_every_change_is_logged_without_the_contact(ctx, clock) -> None:
    ticket = served_ticket(ctx)
    made = register(ctx, ticket=ticket.id, contact="138 0000 1234", description="  rude at the counter ")
    assert made.id and made.status is Status.RECEIVED and made.description == "rude at the counter"
    assert (made.ticket, made.ticket_number, made.clerk) == (ticket.id, ticket.display_number, "clerk-wang")
    assert made.due_at == clock.now() + timedelta(days=5) and made.source is Source.HAND

    clock.advance(3600)
    cases.take(ctx, made.id, MANAGER)
    clock.advance(DAY_S)
    cases.answer(ctx, made.id, MANAGER, "explained, apologised")
    clock.advance(2 * DAY_S)
    done = cases.follow_up(ctx, made.id, MANAGER, " satisfied ")
    assert done.status is Status.FOLLOWED_UP

    again = cases.complaint(ctx, made.id, MANAGER)
    assert again.contact == "138 0000 1234" and again.ticket_number == ticket.display_number
    assert [(h["status"], h["by"], h["note"]) for h in again.history] == [
        ("received", "manager-li", None), ("in_hand", "manager-li", None),
        ("answered", "manager-li", "explained, apologised"), ("followed_up", "manager-li", "satisfied")]
    assert again.followed_up_at == clock.now() and again.answered_at == clock.now() - timedelta(days=2)

    logged = complaint_events(ctx)
    assert [(e.type, e.data["status"]) for e in logged] == [
        (EventType.COMPLAINT_RECEIVED, "received"), (EventType.COMPLAINT_MOVED, "in_hand"),
        (EventType.COMPLAINT_MOVED, "answered"), (EventType.COMPLAINT_MOVED, "followed_up")]
    for event in logged:
        assert set(event.data) == {"complaint", "kind", "category", "status", "due_at", "by"}
        assert event.data["complaint"] == made.id and event.actor == "manager-li"
        logged = str(event.data)
        assert "138 0000 1234" not in logged and "rude" not in logged and "apologised" not in logged


def test_a_step_out_of_order_is_a_conflict_and_changes_nothing(ctx) -> None:
    made = register(ctx)
    before = snapshot(ctx)
    for step in (cases.answer, cases.follow_up):
        with pytest.raises(TransitionNotAllowed):
            step(ctx, made.id, MANAGER)
    assert snapshot(ctx) == before
    cases.take(ctx, made.id, MANAGER)
    with pytest.raises(TransitionNotAllowed):
        cases.take(ctx, made.id, MANAGER)


def test_bad_input_is_refused_with_nothing_changed(ctx) -> None:
    ticket_cases.issue_ticket(ctx, "north", "fee", Actor("kiosk-n", Role.KIOSK, frozenset({"north"})))
    with ctx.store.read() as reader:
        north_ticket = reader.tickets("north")[0]
    before = snapshot(ctx)
    with pytest.raises(Invalid):
        register(ctx, description="   ")
    with pytest.raises(Invalid):
        register(ctx, description="x" * 2001)
    with pytest.raises(Invalid):
        register(ctx, contact="1" * 129)
    with pytest.raises(Invalid):
        register(ctx, ticket_number="Z999")
    with pytest.raises(Invalid):
        register(ctx, ticket_number="not a number")
    with pytest.raises(NotFound):
        register(ctx, ticket=north_ticket.id)  # another hall's ticket
    with pytest.raises(NotFound):
        register(ctx, ticket=10**6)
    with pytest.raises(Invalid):
        register(ctx, source_seq=1)  # the hall's first event is no flag nor rating
    with pytest.raises(Forbidden):
        cases.open_complaint(ctx, "demo", NORTH_MANAGER, kind=Kind.COMPLAINT, category=Category.OTHER,
                             channel=Channel.PHONE, description="x")
    with pytest.raises(Invalid):
        cases.take(ctx, 1, MANAGER, "n" * 501)
    assert snapshot(ctx) == before
    assert len(register(ctx, description="x" * 2000, contact="1" * 128).description) == 2000


def test_a_ticket_is_found_by_its_number_on_its_day(ctx, clock) -> None:
    ticket = served_ticket(ctx)
    found = register(ctx, ticket_number=ticket.display_number.lower())
    assert found.ticket == ticket.id and found.clerk == "clerk-wang"
    clock.advance(DAY_S)
    with pytest.raises(Invalid):
        register(ctx, ticket_number=ticket.display_number)  # today has no such ticket yet
    named = register(ctx, ticket_number=ticket.display_number, ticket_day=ticket.business_day, clerk="clerk-zhou")
    assert named.ticket == ticket.id and named.clerk == "clerk-zhou"


def test_another_halls_complaint_is_unknown_and_clerks_may_register(ctx) -> None:
    made = register(ctx, actor=clerk())
    assert made.received_by == "clerk-wang"
    with pytest.raises(NotFound):
        cases.complaint(ctx, made.id, NORTH_MANAGER)
    with pytest.raises(NotFound):
        cases.take(ctx, made.id, NORTH_MANAGER)
    with pytest.raises(NotFound):
        cases.complaint(ctx, made.id + 1, MANAGER)


def test_offers_are_the_last_weeks_upset_customers_and_low_ratings_not_yet_registered(ctx, clock) -> None:
    flagged = served_ticket(ctx, counter=1, who=clerk("clerk-zhou"))
    counter_cases.sign_in(ctx, "demo", 3, clerk("clerk-a"))
    upset = ticket_cases.issue_ticket(ctx, "demo", "fee", KIOSK)
    ticket_cases.call_next(ctx, "demo", 3, clerk("clerk-a"))
    ticket_cases.flag(ctx, "demo", 3, clerk("clerk-a"), FlagKind.UPSET_CUSTOMER, reason="shouting")
    ticket_cases.flag(ctx, "demo", 3, clerk("clerk-a"), FlagKind.NEEDS_HELP)
    rated = served_ticket(ctx, counter=2)
    ticket_cases.rate(ctx, "demo", rated.id, EVALUATOR, 1, "slow")
    happy = served_ticket(ctx, counter=2)
    ticket_cases.rate(ctx, "demo", happy.id, EVALUATOR, 4)
    assert flagged.id  # served, never flagged nor rated: no offer

    offers = cases.offers(ctx, "demo", MANAGER)
    assert [(o.source, o.ticket, o.clerk) for o in offers] == [
        (Source.RATING, rated.id, "clerk-wang"), (Source.FLAG, upset.id, "clerk-a")]  # newest first
    assert (offers[0].level, offers[0].reason, offers[0].counter) == ("dissatisfied", "slow", 2)
    assert (offers[1].reason, offers[1].counter, offers[1].ticket_number) == ("shouting", 3, upset.display_number)

    made = register(ctx, source_seq=offers[1].source_seq, clerk="someone else")
    assert (made.source, made.source_seq, made.ticket, made.clerk) == (
        Source.FLAG, offers[1].source_seq, upset.id, "clerk-a")
    assert [o.source_seq for o in cases.offers(ctx, "demo", MANAGER)] == [offers[0].source_seq]
    before = snapshot(ctx)
    with pytest.raises(Conflict) as twice:
        register(ctx, source_seq=offers[1].source_seq)
    assert twice.value.code == "already_registered" and snapshot(ctx) == before

    clock.advance(7 * DAY_S + 1)
    assert cases.offers(ctx, "demo", MANAGER) == []  # older than a week


def test_the_list_filters_and_the_figures_count_by_the_halls_days(ctx, clock) -> None:
    first = register(ctx)  # Tuesday 09:00 in Shanghai
    clock.advance(15 * 3600)  # Wednesday 00:00 in Shanghai, still Tuesday in UTC
    second = register(ctx, kind=Kind.REPORT, category=Category.BILLING, channel=Channel.LETTER)
    cases.take(ctx, first.id, MANAGER)
    cases.answer(ctx, first.id, MANAGER)
    tuesday, wednesday = date(2026, 11, 24), date(2026, 11, 25)

    def ids(**filters) -> list[int]:
        return [c.id for c in cases.complaints(ctx, "demo", MANAGER, **filters)]

    assert ids() == [second.id, first.id]
    assert ids(open_only=True) == [second.id]
    assert ids(status=Status.ANSWERED) == [first.id]
    assert ids(first=tuesday, last=tuesday) == [first.id]
    assert ids(first=wednesday) == [second.id]
    assert ids(last=tuesday) == [first.id]
    with pytest.raises(Invalid):
        cases.complaints(ctx, "demo", MANAGER, first=wednesday, last=tuesday)

    both = cases.figures(ctx, "demo", MANAGER, tuesday, wednesday)
    assert (both.received, both.open, both.answered, both.followed_up, both.overdue) == (2, 1, 1, 0, 0)
    assert both.by_kind == {"complaint": 1, "report": 1} and both.by_channel["letter"] == 1
    assert both.follow_up_rate == 0.0 and both.follow_up_met is False and both.answered_on_time_rate == 1.0
    clock.advance(10 * DAY_S)  # the report's deadline, to the second: not past it yet
    assert cases.figures(ctx, "demo", MANAGER, wednesday, wednesday).overdue == 0
    clock.advance(1)
    assert cases.figures(ctx, "demo", MANAGER, wednesday, wednesday).overdue == 1


def test_the_weeks_summary_for_the_monday_meeting(ctx, clock) -> None:
    early = register(ctx, contact="138 0000 1234")  # Tuesday 24 November
    cases.take(ctx, early.id, MANAGER)
    cases.answer(ctx, early.id, MANAGER)
    clock.advance(7 * DAY_S)
    late = register(ctx, kind=Kind.REPORT)  # Tuesday 1 December, the next week
    summary = cases.week_summary(ctx, "demo", date(2026, 11, 23))
    assert (summary["from"], summary["to"], summary["hall"]) == ("2026-11-23", "2026-11-29", "demo")
    assert summary["figures"]["received"] == 1 and summary["figures"]["answered"] == 1
    assert [c["id"] for c in summary["received"]] == [early.id]
    assert [c["id"] for c in summary["unanswered"]] == [late.id]  # of any week
    assert [c["id"] for c in summary["to_follow_up"]] == [early.id]
    assert "138 0000 1234" not in str(summary)
    with pytest.raises(Invalid):
        cases.week_summary(ctx, "demo", date(2026, 11, 24))


@pytest.fixture
def alerting(make_ctx, config):
    """The demo hall with its alerts on (the test configuration turns them off)."""
    raw = config.model_dump()
    return make_ctx(alerts={**raw["halls"][0]["alerts"], "enabled": True})


def deadline_alerts(ctx, subject: str) -> list:
    return [a for a in alerts.alerts(ctx, "demo", MANAGER, open_only=False)
            if a.rule == "complaint_deadline" and a.subject == subject]


def test_the_deadline_alert_warns_turns_critical_and_resolves_once_answered(alerting, clock) -> None:
    ctx = alerting
    made = register(ctx, category=Category.BILLING)
    subject = f"complaint:{made.id}"
    alerts.evaluate(ctx, "demo")
    assert deadline_alerts(ctx, subject) == []

    clock.advance(4 * DAY_S)  # due in 24 hours
    raised = [e for e in alerts.evaluate(ctx, "demo") if e.data["subject"] == subject]
    assert [(e.type, e.data["severity"]) for e in raised] == [(EventType.ALERT_RAISED, "warning")]
    assert raised[0].data["message"]["zh"] == f"投诉第 {made.id} 号（电费电价）须在 11-29 09:00 前答复"

    clock.advance(DAY_S + 60)  # past the deadline
    worse = [e for e in alerts.evaluate(ctx, "demo") if e.data["subject"] == subject]
    assert [(e.type, e.data["severity"], e.data["change"]) for e in worse] == [
        (EventType.ALERT_UPDATED, "critical", "worse")]
    [alert] = deadline_alerts(ctx, subject)
    assert alert.severity.value == "critical" and alert.resolved_at is None

    cases.take(ctx, made.id, MANAGER)
    assert [e.type for e in alerts.evaluate(ctx, "demo") if e.data["subject"] == subject] == []  # in hand: still due
    cases.answer(ctx, made.id, MANAGER, "refunded")
    resolved = [e for e in alerts.evaluate(ctx, "demo") if e.data["subject"] == subject]
    assert [e.type for e in resolved] == [EventType.ALERT_RESOLVED]
    [alert] = deadline_alerts(ctx, subject)
    assert alert.resolved_at == clock.now() and alert.resolved_by is None


def test_the_complaints_table_keeps_what_the_register_wrote(ctx) -> None:
    made = register(ctx, contact="138 0000 1234")
    with ctx.store.engine.connect() as conn:
        row = conn.execute(sa.select(t.complaints).where(t.complaints.c.id == made.id)).one()._mapping
    assert (row["hall"], row["kind"], row["category"], row["channel"], row["status"], row["source"]) == (
        "demo", "complaint", "attitude", "counter", "received", "hand")
    assert row["contact"] == "138 0000 1234" and row["due_at"] == made.due_at
