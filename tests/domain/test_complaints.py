"""The complaint register's rules: the one order of its steps, the answer deadlines in calendar
days, the offers read from the log, and the figures with the follow-up rate on a virtual clock."""
from datetime import UTC, datetime, timedelta

import pytest

from hall_server.domain.catalogue import gettext
from hall_server.domain.clock import FixedClock
from hall_server.domain.complaints import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    Category,
    Channel,
    Complaint,
    Kind,
    Source,
    Status,
    Step,
    checked_text,
    complaint_json,
    due_at,
    event_data,
    figures,
    offer_from,
    receive,
)
from hall_server.domain.errors import Invalid, TransitionNotAllowed
from hall_server.domain.events import Event, EventType

#: Tuesday 2026-11-24, 09:00 in Shanghai
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def complaint(kind: Kind = Kind.COMPLAINT, at: datetime = T0, **details) -> Complaint:
    return receive("demo", kind, Category.ATTITUDE, Channel.COUNTER, "rude at counter 3", at, "mgr", **details)


def moved(c: Complaint, *steps: tuple[Step, datetime]) -> Complaint:
    for step, at in steps:
        c.move(step, at, "mgr", None)
    return c


# the steps ----------------------------------------------------------------------------------

def test_a_complaint_moves_received_in_hand_answered_followed_up_and_keeps_each_step():
    c = complaint()
    assert c.status is Status.RECEIVED and c.is_open
    c.move(Step.TAKE, T0 + timedelta(hours=1), "li", None)
    c.move(Step.ANSWER, T0 + DAY, "wang", "refund explained by phone")
    c.move(Step.FOLLOW_UP, T0 + 3 * DAY, "li", "satisfied")
    assert c.status is Status.FOLLOWED_UP and not c.is_open
    assert (c.taken_by, c.answered_by, c.followed_up_by) == ("li", "wang", "li")
    assert (c.taken_at, c.answered_at, c.followed_up_at) == (T0 + timedelta(hours=1), T0 + DAY, T0 + 3 * DAY)
    assert c.history == [
        {"status": "received", "at": T0.isoformat(), "by": "mgr", "note": None},
        {"status": "in_hand", "at": (T0 + timedelta(hours=1)).isoformat(), "by": "li", "note": None},
        {"status": "answered", "at": (T0 + DAY).isoformat(), "by": "wang", "note": "refund explained by phone"},
        {"status": "followed_up", "at": (T0 + 3 * DAY).isoformat(), "by": "li", "note": "satisfied"},
    ]


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("step", list(Step))
def test_every_other_order_is_refused_and_changes_nothing(status: Status, step: Step):
    c = complaint()
    c.status = status
    if (status, step) in TRANSITIONS:
        c.move(step, T0, "mgr", None)
        assert c.status is TRANSITIONS[(status, step)]
        return
    history = list(c.history)
    with pytest.raises(TransitionNotAllowed):
        c.move(step, T0, "mgr", None)
    assert c.status is status and c.history == history


def test_the_table_is_the_one_line_of_steps():
    assert TRANSITIONS == {(Status.RECEIVED, Step.TAKE): Status.IN_HAND,
                           (Status.IN_HAND, Step.ANSWER): Status.ANSWERED,
                           (Status.ANSWERED, Step.FOLLOW_UP): Status.FOLLOWED_UP}


# deadlines ----------------------------------------------------------------------------------

def test_the_answer_deadline_is_5_calendar_days_for_a_complaint_and_10_for_a_report():
    friday_evening = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)  # 18:30 in Shanghai
    assert due_at(Kind.COMPLAINT, friday_evening) == datetime(2026, 12, 2, 10, 30, tzinfo=UTC)  # weekend counts
    assert due_at(Kind.REPORT, friday_evening) == datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
    assert complaint(Kind.REPORT).due_at == T0 + 10 * DAY


def test_overdue_on_a_virtual_clock_until_answered():
    clock = FixedClock(T0)
    c = complaint()
    clock.advance(5 * 86400)
    assert not c.overdue(clock.now())  # due at this very instant: not past it
    clock.advance(1)
    assert c.overdue(clock.now())
    moved(c, (Step.TAKE, clock.now()), (Step.ANSWER, clock.now()))
    assert not c.overdue(clock.now()) and c.answered_on_time() is False


# input --------------------------------------------------------------------------------------

def test_texts_are_stripped_bounded_and_required_where_needed():
    assert checked_text("  hello ", "description", 10, required=True) == "hello"
    assert checked_text("   ", "contact", 10) is None
    assert checked_text("x" * 10, "contact", 10) == "x" * 10
    with pytest.raises(Invalid) as too_long:
        checked_text("x" * 11, "contact", 10)
    assert too_long.value.code == "invalid_contact"
    with pytest.raises(Invalid) as empty:
        checked_text(" \n", "description", 10, required=True)
    assert empty.value.code == "invalid_description"


# what leaves the register -------------------------------------------------------------------

def test_its_event_never_carries_the_contact_the_description_or_a_note():
    c = complaint(contact="138 0000 1234")
    c.id = 7
    c.move(Step.TAKE, T0, "li", "calling her back at 3")
    data = event_data(c, "li")
    assert data == {"complaint": 7, "kind": "complaint", "category": "attitude", "status": "in_hand",
                    "due_at": (T0 + 5 * DAY).isoformat(), "by": "li"}
    assert "138 0000 1234" not in str(data) and "rude" not in str(data) and "calling" not in str(data)


def test_its_json_shows_the_contact_only_to_whom_may_see_it():
    c = complaint(contact="138 0000 1234", ticket=3, ticket_number="A003", clerk="clerk-a")
    c.id = 1
    shown = complaint_json(c, T0 + 6 * DAY, with_contact=True)
    assert shown["contact"] == "138 0000 1234" and shown["overdue"] is True
    assert complaint_json(c, T0, with_contact=False)["contact"] is None
    assert set(shown) == {"id", "hall", "kind", "category", "channel", "status", "description", "ticket",
                          "ticket_number", "clerk", "contact", "source", "source_seq", "received_at", "received_by",
                          "due_at", "overdue", "taken_at", "taken_by", "answered_at", "answered_by",
                          "followed_up_at", "followed_up_by", "history"}


def test_every_label_is_translated():
    for labels in (KIND_LABELS, CATEGORY_LABELS, CHANNEL_LABELS, STATUS_LABELS):
        for msgid in labels.values():
            assert gettext(msgid, "zh") != msgid, msgid
    assert gettext(KIND_LABELS[Kind.REPORT], "zh") == "举报"


# offers -------------------------------------------------------------------------------------

def event(type: EventType, seq: int, **data) -> Event:
    return Event("demo", type, T0, ticket=12, counter=3, actor="clerk-a", data={"number": "A012", **data}, seq=seq)


def test_an_upset_customer_flag_and_a_low_rating_are_offers_and_nothing_else_is():
    flag = offer_from(event(EventType.TICKET_FLAGGED, 40, kind="upset_customer", reason="shouting"))
    assert (flag.source, flag.source_seq, flag.ticket, flag.ticket_number, flag.counter, flag.clerk, flag.reason) == (
        Source.FLAG, 40, 12, "A012", 3, "clerk-a", "shouting")
    rating = offer_from(Event("demo", EventType.RATING_GIVEN, T0, ticket=12, actor="evaluator-2", seq=41,
                              data={"number": "A012", "score": 1, "level": "poor", "low": True, "reason": "slow",
                                    "served_at": 3, "clerk": "clerk-a"}))
    assert (rating.source, rating.counter, rating.clerk, rating.level, rating.reason) == (
        Source.RATING, 3, "clerk-a", "poor", "slow")
    assert offer_from(event(EventType.TICKET_FLAGGED, 42, kind="needs_help")) is None
    assert offer_from(event(EventType.RATING_GIVEN, 43, score=5, level="good", low=False)) is None
    assert offer_from(event(EventType.TICKET_FINISHED, 44)) is None


# figures ------------------------------------------------------------------------------------

def test_figures_and_the_follow_up_rate_against_its_target_on_a_virtual_clock():
    clock = FixedClock(T0)
    register = [
        # answered on day 2, followed up
        moved(complaint(), (Step.TAKE, T0), (Step.ANSWER, T0 + 2 * DAY), (Step.FOLLOW_UP, T0 + 3 * DAY)),
        # answered late (day 6), not followed up
        moved(complaint(), (Step.TAKE, T0), (Step.ANSWER, T0 + 6 * DAY)),
        # a report answered on day 9 of its 10, followed up
        moved(complaint(Kind.REPORT), (Step.TAKE, T0), (Step.ANSWER, T0 + 9 * DAY), (Step.FOLLOW_UP, T0 + 9 * DAY)),
        # in hand, received on day 4: due day 9
        moved(complaint(at=T0 + 4 * DAY), (Step.TAKE, T0 + 4 * DAY)),
        # received, never taken
        complaint(),
    ]
    register[4].channel, register[4].category = Channel.PHONE, Category.BILLING
    clock.set(T0 + 10 * DAY)
    found = figures(register, clock.now())
    assert found.received == 5
    assert found.by_kind == {"complaint": 4, "report": 1}
    assert found.by_category == {"attitude": 4, "waiting": 0, "handling_error": 0, "billing": 1, "outage": 0,
                                 "other": 0}
    assert found.by_channel == {"counter": 4, "phone": 1, "online": 0, "letter": 0}
    assert (found.open, found.overdue, found.answered, found.followed_up) == (2, 2, 1, 2)
    assert found.answered_on_time_rate == pytest.approx(2 / 3)
    assert found.follow_up_rate == pytest.approx(2 / 3)
    assert found.follow_up_target == 0.9 and found.follow_up_met is False

    clock.set(T0 + 5 * DAY + timedelta(hours=1))  # earlier: the one received on day 4 is not overdue yet
    assert figures(register, clock.now()).overdue == 1

    register[1].move(Step.FOLLOW_UP, T0 + 7 * DAY, "li", None)
    after = figures(register, clock.now())
    assert after.follow_up_rate == 1.0 and after.follow_up_met is True and after.answered == 0


def test_figures_of_nothing_have_no_rates():
    found = figures([], T0)
    assert found.received == 0 and found.follow_up_rate is None and found.answered_on_time_rate is None
    assert found.follow_up_met is None
    assert found.as_json()["follow_up_target"] == 0.9


def test_the_rate_meets_the_target_at_exactly_90_percent():
    register = [moved(complaint(), (Step.TAKE, T0), (Step.ANSWER, T0)) for _ in range(10)]
    for c in register[:9]:
        c.move(Step.FOLLOW_UP, T0, "li", None)
    found = figures(register, T0)
    assert found.follow_up_rate == pytest.approx(0.9) and found.follow_up_met is True
