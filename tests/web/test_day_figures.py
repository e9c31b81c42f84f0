"""Today's figures behind the manager's board: served and compliance per service, served and
mean handling per counter, and arrivals, served and waiting per 15 minutes, computed by hand
for a small day: from events (the pure function), through the real use cases on a real
database (the service), and over HTTP with its roles (GET /api/v1/halls/{hall}/board/day)."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall_server.domain.actors import Actor, Role
from hall_server.domain.day_series import day_figures, slot_starts
from hall_server.domain.errors import Forbidden, NotFound
from hall_server.domain.events import Event
from hall_server.domain.events import EventType as E
from hall_server.services import counters, tickets
from hall_server.services.day_figures import day_figures as service_day_figures

from ..conftest import KIOSK, MANAGER, clerk
from .conftest import assert_error

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 24)
LIMITS = {"fee": 300, "business": 900}


def at(hhmm: str) -> datetime:
    """A time of the day in Shanghai."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2026, 11, 24, hours, minutes, tzinfo=ZONE).astimezone(UTC)


class Log:
    """Events written by hand, as the use cases record them."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, type: E, hhmm: str, ticket: int, counter: int | None = None, **data) -> None:
        self.events.append(Event(hall="demo", type=type, at=at(hhmm), ticket=ticket, counter=counter,
                                 seq=len(self.events) + 1, data=data))

    def issue(self, hhmm: str, ticket: int, service: str, day: date = DAY) -> None:
        self.add(E.TICKET_ISSUED, hhmm, ticket, service=service, prefix=service[0].upper(), serial=ticket,
                 business_day=day.isoformat(), priority="normal", effective_at=at(hhmm).isoformat())

    def serve(self, ticket: int, counter: int, called: str, started: str, ended: str, **finish) -> None:
        self.add(E.TICKET_CALLED, called, ticket, counter, clerk=f"clerk-{counter}", starts_clock=False)
        self.add(E.TICKET_STARTED, started, ticket, counter)
        if ended:
            self.add(E.TICKET_FINISHED, ended, ticket, counter,
                     items=finish.get("items") or [{"service": finish["service"], "count": 1}])


def the_day() -> Log:
    """Counter 1 serves fees, counter 2 business; the hall opens at 08:30; it is 09:40 now."""
    log = Log()
    log.issue("08:35", 1, "fee")
    log.issue("08:40", 2, "fee")
    log.issue("08:50", 3, "business")
    # two bills paid: a 10-minute budget, so 6 minutes is within it
    log.serve(1, 1, "08:52", "08:53", "08:59", items=[{"service": "fee", "count": 2}])
    log.serve(3, 2, "09:00", "09:01", "")  # handled 4 minutes, then sent on to the fee counter
    log.add(E.TICKET_TRANSFERRED, "09:05", 3, 2, service="fee", from_service="business", to_counter=None)
    log.serve(2, 1, "09:02", "09:02", "09:10", service="fee")  # 8 minutes of 5: over
    log.serve(3, 1, "09:12", "09:12", "09:14", service="fee")
    log.issue("09:20", 4, "fee")
    log.add(E.TICKET_CANCELLED, "09:25", 4)  # gave up while waiting
    log.add(E.TICKET_CALLED, "09:26", 99, 2, clerk="clerk-2", starts_clock=False)  # a ticket of yesterday
    log.issue("09:31", 5, "fee")
    return log


def test_the_day_by_hand():
    figures = day_figures(the_day().events, DAY, ["fee", "business"], [1, 2, 3], LIMITS, at("08:30"), at("09:40"))
    assert figures.slots == [at(t) for t in ("08:30", "08:45", "09:00", "09:15", "09:30")]
    fee, business = figures.services
    assert (fee.code, fee.served, business.served) == ("fee", 3, 0)
    assert fee.compliance == pytest.approx(2 / 3)  # 6 of 10 min, 8 of 5 (over), 2 of 5
    assert business.compliance == 1  # the 4 minutes before the transfer, of 15
    assert fee.arrivals == [2, 0, 0, 1, 1]  # the transferred customer is no new arrival
    assert business.arrivals == [0, 1, 0, 0, 0]
    assert fee.served_per_slot == [0, 1, 2, 0, 0]
    assert business.served_per_slot == [0, 0, 0, 0, 0]
    # at 08:45 two wait, at 09:00 one; back in the fee queue 09:05-09:12; the cancelled one is gone by 09:30
    assert fee.waiting == [2, 1, 0, 0, 1]
    assert business.waiting == [0, 1, 0, 0, 0]  # called at 09:00 sharp: in the next slot
    one, two, three = figures.counters
    assert (one.served, one.mean_handling_s) == (3, pytest.approx((360 + 480 + 120) / 3))
    assert (two.served, two.mean_handling_s) == (0, 240)  # the transferred visit counts as handled
    assert (three.served, three.mean_handling_s) == (0, None)


def test_a_reinstated_customer_waits_again_and_other_days_are_left_out():
    log = Log()
    log.issue("08:10", 7, "fee", day=DAY - timedelta(days=1))  # numbered on another business day
    log.issue("09:01", 1, "fee")
    log.add(E.TICKET_CALLED, "09:03", 1, 1, clerk="clerk-1", starts_clock=False)
    log.add(E.TICKET_NO_SHOW, "09:05", 1, 1)
    log.add(E.TICKET_REINSTATED, "09:20", 1, effective_at=at("09:01").isoformat())
    [fee] = day_figures(log.events, DAY, ["fee"], [1], LIMITS, at("09:00"), at("09:31")).services
    assert fee.arrivals == [1, 0, 0]
    assert fee.waiting == [0, 1, 1]
    assert (fee.served, fee.compliance) == (0, None)  # a no-show is never judged


def test_the_slots_start_on_the_quarter_hour_from_opening_or_the_first_ticket():
    assert slot_starts(at("08:30"), None, at("08:29")) == []  # before opening, nobody came
    assert slot_starts(at("08:30"), at("08:07"), at("08:31")) == [at("08:00"), at("08:15"), at("08:30")]
    assert slot_starts(at("08:30"), None, at("08:46")) == [at("08:30"), at("08:45")]
    assert slot_starts(at("08:30"), at("08:40"), at("08:40")) == [at("08:30")]


# --- the service on a real database -----------------------------------------------------

def test_the_service_reads_today_from_the_log(ctx, clock):
    """The tests' hall is open around the clock: the slots start at midnight."""
    wang, li = clerk("wang"), clerk("li")
    clock.set(at("00:00") - timedelta(minutes=20))  # yesterday, 23:40: a ticket of another day
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.set(at("08:35"))
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.issue_ticket(ctx, "demo", "business", KIOSK)
    counters.sign_in(ctx, "demo", 1, wang)
    counters.sign_in(ctx, "demo", 6, li)  # business only
    clock.set(at("08:50"))
    for number, who in ((1, wang), (6, li)):
        tickets.call_next(ctx, "demo", number, who)
        tickets.start(ctx, "demo", number, who)
    clock.set(at("08:57"))  # 7 minutes: over one item's 5, within two
    tickets.finish(ctx, "demo", 1, wang, items=[{"service": "fee", "count": 2}])
    clock.set(at("09:20"))  # 30 minutes of 15
    tickets.finish(ctx, "demo", 6, li)
    clock.set(at("09:31"))

    figures = service_day_figures(ctx, "demo", MANAGER)
    assert figures.day == DAY
    assert figures.slots[0] == at("00:00") and figures.slots[-1] == at("09:30")
    by_code = {s.code: s for s in figures.services}

    def nonzero(series: list[int]) -> dict[str, int]:
        return {f"{slot.astimezone(ZONE):%H:%M}": n for slot, n in zip(figures.slots, series, strict=True) if n}

    assert [by_code["fee"].served, by_code["business"].served] == [1, 1]
    assert [by_code["fee"].compliance, by_code["business"].compliance] == [1, 0]
    assert nonzero(by_code["fee"].arrivals) == {"08:30": 1}  # yesterday's ticket is not today's
    assert nonzero(by_code["fee"].waiting) == {"08:30": 1}
    assert nonzero(by_code["business"].served_per_slot) == {"09:15": 1}
    by_number = {c.number: c for c in figures.counters}
    assert (by_number[1].served, by_number[1].mean_handling_s) == (1, 7 * 60)
    assert (by_number[6].served, by_number[6].mean_handling_s) == (1, 30 * 60)
    assert (by_number[2].served, by_number[2].mean_handling_s) == (0, None)


def test_the_service_checks_the_hall(ctx):
    with pytest.raises(NotFound):
        service_day_figures(ctx, "nowhere", MANAGER)
    with pytest.raises(Forbidden):
        service_day_figures(ctx, "north", MANAGER)
    assert service_day_figures(ctx, "north", Actor("root", Role.ADMIN)).services[0].served == 0


# --- over HTTP ----------------------------------------------------------------------------

def test_managers_and_admins_of_the_hall_read_the_day(hall):
    hall.issue("enquiry")
    day = hall["mgr"].ok("GET", "/halls/demo/board/day")
    assert day["slot_s"] == 900 and len(day["slots"]) >= 1
    assert day["day"] == datetime.fromisoformat(day["at"]).astimezone(ZONE).date().isoformat()
    enquiry = next(s for s in day["services"] if s["code"] == "enquiry")
    assert sum(enquiry["arrivals"]) >= 1 and enquiry["waiting"][-1] >= 1
    assert len(enquiry["arrivals"]) == len(enquiry["served"]) == len(enquiry["waiting"]) == len(day["slots"])
    assert {c["number"] for c in day["counters"]} == set(range(1, 8))
    assert hall["admin"].ok("GET", "/halls/north/board/day")["services"]
    for who, status in (("clerk-a", 403), ("kiosk", 403), ("display", 403), ("mgr-north", 403), ("nobody", 401)):
        assert_error(hall[who].get("/halls/demo/board/day"), status)
    assert_error(hall["admin"].get("/halls/nowhere/board/day"), 404)
    spec = hall["nobody"].ok("GET", "/openapi.json")
    assert "DayFiguresOut" in spec["components"]["schemas"]
    assert "/api/v1/halls/{hall}/board/day" in spec["paths"]
