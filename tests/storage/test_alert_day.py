"""A scripted business day on a virtual clock, with faults injected, judged by the alert rules
as the scheduler runs them (on every change and every minute): exactly the expected alerts,
at the expected times, each resolved when its cause clears, none raised twice.

The hall: fee payment (5 min per item) at counters 1 and 2, electricity business (15 min)
at counter 3, one kiosk and its printer; open 08:30-17:30 (Asia/Shanghai). Four past
Tuesdays had 4 arrivals between 10:00 and 11:00 (the usual: 1 per 15 minutes).
The day's faults: nobody at their post at 08:25; a slow clerk at counter 3 (33 minutes for
one item); a surge of arrivals at 10:00; counter 2 on a break for 20 minutes while customers
wait; the printer out of paper for 10 minutes; a customer rating the service 不满意; a rush
before closing that one counter cannot clear by closing time.
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.domain.actors import Actor, Role
from hall_server.domain.clock import FixedClock
from hall_server.services import accounts, alerts, devices
from hall_server.services import counters as counter_cases
from hall_server.services import tickets as ticket_cases

ZONE = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 24, tzinfo=ZONE)  # a Tuesday
HALL = "t"
KIOSK = Actor("kiosk-1", Role.KIOSK, frozenset({HALL}))
MANAGER = Actor("manager", Role.MANAGER, frozenset({HALL}))
PRINTER = devices.printer_actor(HALL, "printer-1")
CONFIG = """
[[halls]]
id = "t"
name = "测试营业厅"
name_en = "Test hall"
timezone = "Asia/Shanghai"
alerts = {{ surge_min_arrivals = 6, surge_factor = 2.0, surge_history_weeks = 4 }}

[halls.opening_hours]
{hours}

[[halls.services]]
code = "fee"
prefix = "A"
name = {{ zh = "居民收费", en = "Fee payment" }}
handling_limit_min = 5
waiting_warning_min = 15
waiting_critical_min = 30

[[halls.services]]
code = "business"
prefix = "B"
name = {{ zh = "用电业务", en = "Electricity business" }}
handling_limit_min = 15
waiting_warning_min = 15
waiting_critical_min = 30

[[halls.counters]]
number = 1
name = {{ zh = "1号窗口", en = "Window 1" }}
services = ["fee"]

[[halls.counters]]
number = 2
name = {{ zh = "2号窗口", en = "Window 2" }}
services = ["fee"]

[[halls.counters]]
number = 3
name = {{ zh = "3号窗口", en = "Window 3" }}
services = ["business"]

[[halls.priority_classes]]
code = "normal"
name = {{ zh = "普通", en = "Normal" }}
head_start_min = 0

[[halls.printers]]
name = "printer-1"
port = "simulated"
kiosks = ["kiosk-1"]
"""


def at(hhmm: str, day: datetime = DAY) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return day.replace(hour=hour, minute=minute).astimezone(UTC)


@dataclass
class Desk:
    """A counter in the script: its clerk, and how long they take per customer."""

    number: int
    clerk: Actor
    hold_min: int = 3
    #: the minute its customer is done (None: no customer)
    busy_until: datetime | None = None
    on_duty: bool = False


@dataclass
class Day:
    ctx: object
    clock: FixedClock
    desks: dict[int, Desk] = field(default_factory=dict)
    #: (local time, event type, rule, subject, severity, change) of each alert event
    log: list[tuple] = field(default_factory=list)

    def judge(self) -> None:
        """What the scheduler does after each event and on its timer."""
        for event in alerts.evaluate(self.ctx, HALL):
            data = event.data
            self.log.append((f"{event.at.astimezone(ZONE):%H:%M}", event.type.value, data["rule"], data["subject"],
                             data["severity"], data["change"]))

    def act(self, case, *args, **kwargs):
        result = case(self.ctx, HALL, *args, **kwargs)
        self.judge()
        return result

    def issue(self, service: str, count: int = 1) -> list:
        return [self.act(ticket_cases.issue_ticket, service, KIOSK) for _ in range(count)]

    def sign_in(self, *numbers: int) -> None:
        for number in numbers:
            desk = self.desks[number]
            self.act(counter_cases.sign_in, number, desk.clerk)
            desk.on_duty = True

    def serve(self) -> None:
        """Each clerk on duty finishes a customer whose time is up and calls the next one."""
        now = self.clock.now()
        for desk in self.desks.values():
            if desk.busy_until is not None and desk.busy_until <= now:
                self.act(ticket_cases.finish, desk.number, desk.clerk)
                desk.busy_until = None
            if desk.on_duty and desk.busy_until is None:
                if self.act(ticket_cases.call_next, desk.number, desk.clerk) is not None:
                    self.act(ticket_cases.start, desk.number, desk.clerk)
                    desk.busy_until = now + timedelta(minutes=desk.hold_min)

    def minute(self, until: str) -> None:
        """Let the hall run minute by minute until `until` (local), the kiosk connected."""
        while self.clock.now() < at(until):
            self.clock.advance(60)
            accounts.devices_heard(self.ctx, [KIOSK])
            self.serve()
            self.judge()


@pytest.fixture
def day(tmp_path: Path):
    hours = "\n".join(f'{d} = {{ opens = "08:30", closes = "17:30" }}' for d in
                      ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    path = tmp_path / "t.toml"
    path.write_text(CONFIG.format(hours=hours), encoding="utf-8")
    clock = FixedClock(at("10:00", DAY - timedelta(weeks=4)))
    ctx = open_context(load_config(path), f"sqlite:///{tmp_path / 'hall.db'}", clock)
    accounts.add_device(ctx, HALL, "kiosk", "kiosk-1")
    clerks = {n: Actor(f"clerk-{n}", Role.CLERK, frozenset({HALL})) for n in (1, 2, 3)}
    for name in ("clerk-1", "clerk-2", "clerk-3"):
        accounts.add_user(ctx, name, "clerk", "a long password", [HALL])
    # four past Tuesdays: 4 arrivals between 10:00 and 11:00, served at once
    for weeks in range(4, 0, -1):
        for minute in (5, 20, 35, 50):
            clock.set(at(f"10:{minute:02d}", DAY - timedelta(weeks=weeks)))
            ticket_cases.issue_ticket(ctx, HALL, "fee", KIOSK)
    yield Day(ctx, clock, {n: Desk(n, clerk) for n, clerk in clerks.items()})
    ctx.store.engine.dispose()


def test_a_day_with_faults_raises_exactly_the_expected_alerts(day: Day) -> None:
    day.clock.set(at("08:20"))
    accounts.devices_heard(day.ctx, [KIOSK])
    day.minute("08:27")  # 08:25: nobody at their post five minutes before opening
    day.sign_in(1, 2, 3)
    day.desks[3].hold_min = 33  # the slow clerk
    day.minute("08:58")
    day.issue("business")  # served at 09:00 by the slow clerk: 12 min warning, 15 critical, 30 escalated
    day.minute("09:40")
    day.desks[3].hold_min = 10
    day.minute("10:00")
    day.issue("fee", 8)  # the surge: 8 arrivals at once against the usual 1 per 15 minutes
    day.minute("11:00")
    day.act(counter_cases.pause, 2, day.desks[2].clerk, "break")
    day.desks[2].on_duty = False
    for _ in range(10):  # a customer every two minutes; counter 1 alone serves them
        day.issue("fee")
        day.minute(f"{day.clock.now().astimezone(ZONE) + timedelta(minutes=2):%H:%M}")
    day.act(counter_cases.resume, 2, day.desks[2].clerk)  # 11:20: back after 20 minutes (15 allowed)
    day.desks[2].on_duty = True
    day.minute("13:00")
    day.act(devices.report_status, PRINTER, "printer-1", online=True, paper="out", cover_open=False, fault=None,
            pending=0)
    day.minute("13:10")
    day.act(devices.report_status, PRINTER, "printer-1", online=True, paper="ok", cover_open=False, fault=None,
            pending=0)
    day.minute("14:00")
    served = day.issue("fee")[0]
    day.minute("14:04")  # called at 14:01, done at 14:04 by counter 1 or 2
    day.act(ticket_cases.rate, served.id, Actor("evaluator", Role.EVALUATOR, frozenset({HALL})), 1,
            reason="long_wait")
    day.minute("14:20")  # unacknowledged for 10 minutes: escalated
    raised = [a for a in alerts.alerts(day.ctx, HALL, MANAGER, open_only=True) if a.rule == "unhappy_customer"]
    alerts.resolve(day.ctx, raised[0].id, MANAGER)
    day.minute("17:00")
    day.act(counter_cases.sign_out, 2, day.desks[2].clerk)  # a clerk leaves before the rush
    day.desks[2].on_duty = False
    day.issue("fee", 10)  # 10 customers at 17:00, counter 1 alone: the queue runs past closing
    day.minute("17:45")

    assert [entry for entry in day.log if entry[-1] != "figures"] == EXPECTED
    open_now: set[tuple[str, str]] = set()
    for _at, kind, rule, subject, _severity, _change in day.log:  # never two open for one rule and subject
        if kind == "alert.raised":
            assert (rule, subject) not in open_now
            open_now.add((rule, subject))
        elif kind == "alert.resolved":
            open_now.remove((rule, subject))
        else:
            assert (rule, subject) in open_now
    assert open_now == {("unhappy_customer", "ticket:36")}  # resolved by the manager's hand, outside the log
    assert alerts.alerts(day.ctx, HALL, MANAGER, open_only=True) == []
    unhappy = [a for a in alerts.alerts(day.ctx, HALL, MANAGER, open_only=False) if a.rule == "unhappy_customer"]
    assert [(a.resolved_by, a.held) for a in unhappy] == [("manager", True)]


#: (local time, event, rule, subject, severity, change), leaving out the updates of figures
EXPECTED = [
    ("08:25", "alert.raised", "pre_opening", "hall", "warning", "raised"),  # nobody signed in
    ("08:27", "alert.resolved", "pre_opening", "hall", "warning", "resolved"),
    # B001 called and started 08:59, 15 minutes for one item
    ("09:11", "alert.raised", "handling_time", "ticket:17", "warning", "raised"),  # 80%
    ("09:15", "alert.updated", "handling_time", "ticket:17", "critical", "worse"),  # past 100%
    ("09:25", "alert.updated", "handling_time", "ticket:17", "critical", "escalated"),  # critical 10 min unseen
    ("09:32", "alert.resolved", "handling_time", "ticket:17", "critical", "resolved"),  # finished
    ("10:00", "alert.raised", "arrival_surge", "hall", "warning", "raised"),  # 8 against the usual 1
    ("10:15", "alert.resolved", "arrival_surge", "hall", "warning", "resolved"),  # out of the 15 minutes
    ("11:16", "alert.raised", "long_pause", "counter:2", "warning", "raised"),  # a break past 15 minutes
    ("11:20", "alert.resolved", "long_pause", "counter:2", "warning", "resolved"),  # back
    ("13:00", "alert.raised", "device_fault", "device:printer-1", "critical", "raised"),  # paper out
    ("13:10", "alert.updated", "device_fault", "device:printer-1", "critical", "escalated"),  # unseen 10 min
    ("13:10", "alert.resolved", "device_fault", "device:printer-1", "critical", "resolved"),  # paper in
    ("14:04", "alert.raised", "unhappy_customer", "ticket:36", "critical", "raised"),  # 不满意
    ("14:14", "alert.updated", "unhappy_customer", "ticket:36", "critical", "escalated"),
    # 17:00: 10 customers and one counter (3 minutes each)
    ("17:00", "alert.raised", "queue_buildup", "service:fee", "warning", "raised"),  # a new number waits 30 min
    ("17:01", "alert.raised", "closing_overrun", "hall", "warning", "raised"),  # clears 17:31
    ("17:10", "alert.resolved", "queue_buildup", "service:fee", "warning", "resolved"),  # 6 left: 18 min
    ("17:16", "alert.raised", "waiting", "service:fee", "warning", "raised"),  # past 15 minutes
    ("17:28", "alert.resolved", "closing_overrun", "hall", "warning", "resolved"),  # the last one called
    ("17:28", "alert.resolved", "waiting", "service:fee", "warning", "resolved"),
]
