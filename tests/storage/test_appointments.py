"""Appointments, the issue guards and the manager's switches, on SQLite and PostgreSQL:
an appointment checks in once (under concurrency too), a refusal changes nothing, the cap
counts the day's numbers, a switch is an event."""
from datetime import UTC, datetime, timedelta

import pytest

from hall_server.domain.actors import Actor, Role
from hall_server.domain.appointments import AppointmentStatus, StopReason
from hall_server.domain.errors import Conflict, Forbidden, HallError, Invalid, NotFound
from hall_server.domain.events import EventType as E
from hall_server.domain.tickets import TicketStatus
from hall_server.services import appointments, counters, day_close, switches, tickets

from ..conftest import KIOSK, MANAGER, clerk
from .helpers import snapshot
from .test_concurrency import run_together

BOOKING = Actor("wechat", Role.BOOKING, frozenset({"demo"}))
NORTH_MANAGER = Actor("manager-zhou", Role.MANAGER, frozenset({"north"}))
DEMO_HOURS = {day: {"opens": "08:30", "closes": "17:30"} for day in ("mon", "tue", "wed", "thu", "fri")} | {
    day: {"opens": "09:00", "closes": "17:00"} for day in ("sat", "sun")}


def book(ctx, minutes_ahead: float = 10, service: str = "fee", **kwargs) -> str:
    """The code of a slot booked `minutes_ahead` from the clock's now."""
    slot = ctx.clock.now() + timedelta(minutes=minutes_ahead)
    return appointments.book(ctx, "demo", BOOKING, service, slot, **kwargs).appointment.code


def stored(ctx, code: str):
    with ctx.store.read() as r:
        return r.appointment("demo", code)


def refused(ctx, error: type[HallError], code: str, use_case) -> None:
    """`use_case` fails with `error`/`code` and leaves every table as it was."""
    before = snapshot(ctx)
    with pytest.raises(error) as failure:
        use_case()
    assert failure.value.code == code, failure.value
    assert snapshot(ctx) == before


# --- booking ----------------------------------------------------------------------------------------

def test_a_booking_keeps_the_slot_the_customer_and_who_booked(ctx, clock):
    found = appointments.book(ctx, "demo", BOOKING, "business", datetime(2026, 11, 25, 10, 0), name="张三",
                              phone="13800000000")
    a = found.appointment
    assert (a.slot_start, a.slot_end) == (datetime(2026, 11, 25, 2, 0, tzinfo=UTC), datetime(2026, 11, 25, 2, 30,
                                                                                               tzinfo=UTC))
    assert (found.status, found.qr) == (AppointmentStatus.BOOKED, f"HALLAPPT:demo:{a.code}")
    assert found.check_in_from == a.slot_start - timedelta(minutes=15) and found.check_in_until == a.slot_end
    assert stored(ctx, a.code) == a
    assert (a.service, a.name, a.phone, a.booked_by, a.booked_at, a.ticket) == (
        "business", "张三", "13800000000", "wechat", clock.now(), None)
    assert appointments.get(ctx, "demo", a.code.lower(), MANAGER).appointment == a
    with ctx.store.read() as r:
        assert r.events("demo") == [], "a booking moves no queue"


def test_a_bad_booking_changes_nothing(ctx):
    refused(ctx, Invalid, "invalid_slot", lambda: book(ctx, minutes_ahead=-1))
    refused(ctx, Invalid, "invalid_slot", lambda: book(ctx, minutes_ahead=14 * 60 + 45))  # 23:45: ends tomorrow
    refused(ctx, Invalid, "unknown_service", lambda: book(ctx, service="gas"))
    refused(ctx, Forbidden, "wrong_hall", lambda: appointments.book(ctx, "north", BOOKING, "fee", ctx.clock.now()))


def test_a_code_taken_in_the_hall_is_drawn_again(ctx, monkeypatch):
    taken = book(ctx)
    draws = iter([taken, taken, "XYZ789"])
    monkeypatch.setattr(appointments, "new_code", lambda: next(draws))
    assert book(ctx) == "XYZ789"


def test_codes_are_per_hall(ctx, monkeypatch):
    monkeypatch.setattr(appointments, "new_code", lambda: "XYZ789")
    book(ctx)
    north = appointments.book(ctx, "north", NORTH_MANAGER, "fee", ctx.clock.now() + timedelta(minutes=10))
    assert north.appointment.code == "XYZ789"
    with pytest.raises(NotFound):
        appointments.get(ctx, "north", "ABC234", NORTH_MANAGER)
    refused(ctx, Conflict, "no_free_code", lambda: book(ctx))


def test_the_days_appointments_are_listed_by_slot(ctx):
    later, sooner = book(ctx, 120), book(ctx, 60)
    book(ctx, 24 * 60)  # tomorrow
    day = ctx.clock.now().date()
    assert [v.appointment.code for v in appointments.on_day(ctx, "demo", day, MANAGER)] == [sooner, later]


# --- checking in -----------------------------------------------------------------------------------

def test_a_check_in_gets_the_appointment_class_and_uses_the_appointment(ctx, clock):
    code = book(ctx, 10)
    ticket = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=code.lower())
    assert (ticket.priority, ticket.appointment, ticket.slot_start) == (
        "appointment", code, clock.now() + timedelta(minutes=10))
    a = stored(ctx, code)
    assert (a.stored_status, a.ticket, a.changed_at) == (AppointmentStatus.CHECKED_IN, ticket.id, clock.now())
    with ctx.store.read() as r:
        [issued] = r.events("demo")
    assert (issued.type, issued.data["appointment"], issued.data["priority"]) == (E.TICKET_ISSUED, code,
                                                                                   "appointment")


def test_an_appointment_checks_in_once(ctx):
    code = book(ctx)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=code)
    refused(ctx, Conflict, "appointment_used",
            lambda: tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=code))


def test_a_retried_check_in_gets_the_same_ticket(ctx):
    code = book(ctx)
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=code, client_request_id="k-7")
    again = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=code, client_request_id="k-7")
    assert again.id == first.id


def test_kiosks_checking_one_appointment_in_at_once_get_one_ticket(ctx):
    code = book(ctx)
    kiosks = [Actor(f"kiosk-{i}", Role.KIOSK, frozenset({"demo"})) for i in range(8)]

    def check_in(i: int):
        try:
            return tickets.issue_ticket(ctx, "demo", "fee", kiosks[i], appointment=code)
        except Conflict as error:
            return error.code

    results = run_together(8, check_in)
    issued = [r for r in results if not isinstance(r, str)]
    assert len(issued) == 1 and [r for r in results if isinstance(r, str)] == ["appointment_used"] * 7
    with ctx.store.read() as r:
        assert [t.id for t in r.tickets("demo")] == [issued[0].id]
    assert stored(ctx, code).ticket == issued[0].id


def test_a_cancel_and_a_check_in_at_once_do_not_both_win(ctx):
    for _ in range(5):
        code = book(ctx)

        def race(i: int, code=code):
            try:
                if i == 0:
                    appointments.cancel(ctx, "demo", code, BOOKING)
                    return "cancelled"
                return tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=code).id
            except Conflict as error:
                return error.code

        outcome = run_together(2, race)
        a = stored(ctx, code)
        if a.stored_status is AppointmentStatus.CANCELLED:
            assert outcome == ["cancelled", "appointment_cancelled"] and a.ticket is None
        else:
            assert outcome == ["appointment_used", a.ticket]


@pytest.mark.parametrize(("minutes_before_slot", "why"), [(16, "too early"), (-30, "over")])
def test_outside_its_window_an_appointment_is_refused_and_kept(ctx, clock, minutes_before_slot, why):
    slot_in = 60
    code = book(ctx, slot_in)
    clock.advance((slot_in - minutes_before_slot) * 60)
    refused(ctx, Conflict, "outside_slot", lambda: tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=code))
    assert stored(ctx, code).stored_status is AppointmentStatus.BOOKED
    normal = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)  # on request, a normal ticket instead
    assert normal.priority == "normal" and normal.display_number == "A001"


def test_an_unknown_cancelled_or_other_service_appointment_is_refused(ctx):
    def check_in(code, service="fee"):
        return lambda: tickets.issue_ticket(ctx, "demo", service, KIOSK, appointment=code)

    refused(ctx, Invalid, "unknown_appointment", check_in("ABC234"))
    refused(ctx, Invalid, "unknown_appointment", check_in("not a code"))
    north = appointments.book(ctx, "north", NORTH_MANAGER, "fee", ctx.clock.now() + timedelta(minutes=5))
    refused(ctx, Invalid, "unknown_appointment", check_in(north.appointment.code))  # another hall's
    code = book(ctx)
    refused(ctx, Invalid, "appointment_other_service", check_in(code, "business"))
    appointments.cancel(ctx, "demo", code, MANAGER)
    refused(ctx, Conflict, "appointment_cancelled", check_in(code))


def test_an_appointment_ticket_is_called_from_its_slot(ctx, clock):
    code = book(ctx, 10)  # 09:10; its place: 08:55 (15 minutes' head start)
    walk_in = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(30 * 60)
    booked = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=code)
    counters.sign_in(ctx, "demo", 1, clerk())
    assert tickets.call_next(ctx, "demo", 1, clerk()).id == booked.id
    assert booked.id != walk_in.id


# --- cancelling and missing --------------------------------------------------------------------------

def test_cancel_is_once_and_never_of_a_used_or_missed_appointment(ctx, clock):
    code = book(ctx)
    appointments.cancel(ctx, "demo", code, BOOKING)
    before = snapshot(ctx)
    appointments.cancel(ctx, "demo", code, MANAGER)  # again: no change
    assert snapshot(ctx) == before
    assert appointments.get(ctx, "demo", code, KIOSK).status is AppointmentStatus.CANCELLED
    used = book(ctx)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=used)
    refused(ctx, Conflict, "appointment_used", lambda: appointments.cancel(ctx, "demo", used, MANAGER))
    missed = book(ctx, 10)
    clock.advance(40 * 60)
    assert appointments.get(ctx, "demo", missed, MANAGER).status is AppointmentStatus.MISSED
    refused(ctx, Conflict, "appointment_missed", lambda: appointments.cancel(ctx, "demo", missed, MANAGER))
    refused(ctx, NotFound, "unknown_appointment", lambda: appointments.cancel(ctx, "demo", "ZZZZZZ", MANAGER))
    refused(ctx, Forbidden, "wrong_hall", lambda: appointments.cancel(ctx, "demo", code, NORTH_MANAGER))


def test_the_day_closes_over_checked_in_and_missed_appointments(ctx, clock):
    used, missed = book(ctx, 10), book(ctx, 60)
    ticket = tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=used)
    clock.set(datetime(2026, 11, 24, 16, 0, tzinfo=UTC))  # midnight: the test hall's day ends
    [closed] = [c for c in day_close.close_ended_days(ctx) if c.hall == "demo"]
    assert closed.expired == [ticket.display_number]
    assert appointments.get(ctx, "demo", used, MANAGER).status is AppointmentStatus.CHECKED_IN
    assert appointments.get(ctx, "demo", missed, MANAGER).status is AppointmentStatus.MISSED


# --- the issue guards ----------------------------------------------------------------------------------

def test_outside_opening_hours_nothing_is_issued_and_no_number_is_used(make_ctx, clock):
    ctx = make_ctx(opening_hours=DEMO_HOURS)
    clock.set(datetime(2026, 11, 24, 0, 29, tzinfo=UTC))  # 08:29
    refused(ctx, Conflict, "hall_closed", lambda: tickets.issue_ticket(ctx, "demo", "fee", KIOSK))
    clock.advance(60)
    assert tickets.issue_ticket(ctx, "demo", "fee", KIOSK).display_number == "A001"
    clock.set(datetime(2026, 11, 24, 9, 30, tzinfo=UTC))  # 17:30
    refused(ctx, Conflict, "hall_closed", lambda: tickets.issue_ticket(ctx, "demo", "fee", KIOSK))


def test_a_stopped_service_issues_nothing_until_resumed(ctx):
    state = switches.switch_service(ctx, "demo", "fee", MANAGER, issuing=False)
    assert (state.issuing, state.stop_reason, state.switch.changed_by) == (False, StopReason.SERVICE_STOPPED,
                                                                           "manager-li")
    refused(ctx, Conflict, "service_stopped", lambda: tickets.issue_ticket(ctx, "demo", "fee", KIOSK))
    code = book(ctx)
    refused(ctx, Conflict, "service_stopped",
            lambda: tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=code))
    assert tickets.issue_ticket(ctx, "demo", "business", KIOSK).display_number == "B001"  # others go on
    switches.switch_service(ctx, "demo", "fee", MANAGER, issuing=True)
    assert tickets.issue_ticket(ctx, "demo", "fee", KIOSK).display_number == "A001"


def test_a_switch_is_an_event_and_holds_for_its_hall_only(ctx):
    switches.switch_service(ctx, "demo", "business", MANAGER, issuing=True, daily_cap=40)
    with ctx.store.read() as r:
        [event] = r.events("demo")
        assert r.events("north") == []
    assert (event.type, event.actor, event.ticket, event.counter, event.data) == (
        E.SERVICE_SWITCHED, "manager-li", None, None, {"service": "business", "issuing": True, "daily_cap": 40})
    assert switches.hall_issuing(ctx, "north", NORTH_MANAGER).services["business"].daily_cap is None
    with pytest.raises(NotFound):
        switches.switch_service(ctx, "demo", "gas", MANAGER, issuing=False)
    with pytest.raises(Forbidden):
        switches.switch_service(ctx, "demo", "fee", NORTH_MANAGER, issuing=False)


def test_the_cap_counts_the_days_numbers_and_appointments_still_check_in(ctx, clock):
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    state = switches.switch_service(ctx, "demo", "fee", MANAGER, issuing=True, daily_cap=3)
    assert (state.issuing, state.issued_today, state.daily_cap) == (True, 1, 3)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK, priority="green")
    refused(ctx, Conflict, "daily_cap_reached", lambda: tickets.issue_ticket(ctx, "demo", "fee", KIOSK))
    tickets.issue_ticket(ctx, "north", "fee", Actor("k", Role.KIOSK, frozenset({"north"})))  # its own count
    code = book(ctx)
    assert tickets.issue_ticket(ctx, "demo", "fee", KIOSK, appointment=code).display_number == "A004"
    state = switches.hall_issuing(ctx, "demo", KIOSK).services["fee"]
    assert (state.issuing, state.stop_reason, state.issued_today) == (False, StopReason.DAILY_CAP_REACHED, 4)
    clock.advance(24 * 3600)  # a new day, new numbers
    assert tickets.issue_ticket(ctx, "demo", "fee", KIOSK).display_number == "A001"


def test_the_configured_cap_holds_until_a_manager_sets_another(make_ctx):
    ctx = make_ctx(services=[{**s, "daily_cap": 1 if s["code"] == "enquiry" else None}
                             for s in make_ctx().config.halls[0].model_dump()["services"]])
    tickets.issue_ticket(ctx, "demo", "enquiry", KIOSK)
    refused(ctx, Conflict, "daily_cap_reached", lambda: tickets.issue_ticket(ctx, "demo", "enquiry", KIOSK))
    assert switches.switch_service(ctx, "demo", "enquiry", MANAGER, issuing=True, daily_cap=2).issuing
    tickets.issue_ticket(ctx, "demo", "enquiry", KIOSK)
    state = switches.switch_service(ctx, "demo", "enquiry", MANAGER, issuing=True, daily_cap=None)
    assert (state.daily_cap, state.stop_reason) == (1, StopReason.DAILY_CAP_REACHED)


def test_the_hall_tells_todays_hours_and_each_services_state(make_ctx, clock):
    ctx = make_ctx(opening_hours=DEMO_HOURS)
    switches.switch_service(ctx, "demo", "enquiry", MANAGER, issuing=False)
    state = switches.hall_issuing(ctx, "demo", KIOSK)
    assert (state.open, f"{state.opens:%H:%M}", f"{state.closes:%H:%M}") == (True, "08:30", "17:30")
    assert {code: s.stop_reason for code, s in state.services.items()} == {
        "fee": None, "business": None, "enquiry": StopReason.SERVICE_STOPPED, "enterprise": None}
    clock.set(datetime(2026, 11, 28, 0, 30, tzinfo=UTC))  # Saturday 08:30
    state = switches.hall_issuing(ctx, "demo", KIOSK)
    assert (state.open, f"{state.opens:%H:%M}", f"{state.closes:%H:%M}") == (False, "09:00", "17:00")
    assert {s.stop_reason for s in state.services.values()} == {StopReason.HALL_CLOSED}
    assert state.services["enquiry"].switch.issuing is False, "the switch is still shown"


def test_a_refused_ticket_leaves_the_queue_as_it_was(ctx):
    waiting = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    switches.switch_service(ctx, "demo", "fee", MANAGER, issuing=False)
    refused(ctx, Conflict, "service_stopped", lambda: tickets.issue_ticket(ctx, "demo", "fee", KIOSK,
                                                                           client_request_id="r-1"))
    with ctx.store.read() as r:
        assert [t.id for t in r.tickets("demo", [TicketStatus.WAITING])] == [waiting.id]


def test_many_kiosks_at_once_never_pass_the_cap(ctx):
    switches.switch_service(ctx, "demo", "fee", MANAGER, issuing=True, daily_cap=5)
    results = run_together(8, lambda i: _try_issue(ctx))
    assert sorted(r for r in results if isinstance(r, str)) == ["daily_cap_reached"] * 3
    with ctx.store.read() as r:
        assert len(r.tickets("demo")) == 5


def _try_issue(ctx):
    try:
        return tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    except Conflict as error:
        return error.code

