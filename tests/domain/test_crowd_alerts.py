"""The crowd alert rules (issue 12): a camera's counts against the tickets waiting and against
its area's capacity, sustained for `crowd_sustain_min` (3 minutes here), counted only while
the camera is online; an offline camera is a device fault and a pre-opening worry.

First the rules on snapshots built by hand, at the edges; then a scripted morning on a
virtual clock through the real use cases (the worker's `record_crowd` and `report_camera`,
the kiosk's tickets, the scheduler's `alerts.evaluate` each minute): each alert raised once
after the sustain time and not before, not again while it holds, resolved when its cause
clears.
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.domain import alert_rules as rules
from hall_server.domain.actors import Actor, Role
from hall_server.domain.alerts import Severity
from hall_server.domain.clock import FixedClock
from hall_server.domain.hall_snapshot import CrowdNow, DeviceNow, HallSnapshot, WaitingTicket
from hall_server.services import accounts, alerts, cameras, devices
from hall_server.services import tickets as ticket_cases

from .test_alert_rules import zh

ZONE = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 24, tzinfo=ZONE)  # a Tuesday
HALL = "t"
KIOSK = Actor("kiosk-1", Role.KIOSK, frozenset({HALL}))
CAMERA = devices.printer_actor(HALL, "camera-1")
CONFIG = """
[[halls]]
id = "t"
name = "测试营业厅"
name_en = "Test hall"
timezone = "Asia/Shanghai"

[halls.opening_hours]
{hours}

[[halls.services]]
code = "fee"
prefix = "A"
name = {{ zh = "居民收费", en = "Fee payment" }}
handling_limit_min = 5
waiting_warning_min = 15
waiting_critical_min = 30

[[halls.counters]]
number = 1
name = {{ zh = "1号窗口", en = "Window 1" }}
services = ["fee"]

[[halls.priority_classes]]
code = "normal"
name = {{ zh = "普通", en = "Normal" }}
head_start_min = 0

[[halls.cameras]]
name = "camera-1"
source = "file:var/cameras/vtest.avi"
area = [[0.1, 0.2], [0.9, 0.2], [0.9, 1.0], [0.1, 1.0]]
area_name = {{ zh = "等候区", en = "Waiting area" }}
capacity = 20
"""
HOURS = "\n".join(f'{d} = {{ opens = "08:30", closes = "17:30" }}' for d in
                  ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


def at(hhmm: str) -> datetime:
    """Local "HH:MM" or "HH:MM:SS" on the day, in UTC as the clock gives it."""
    hour, minute, second = map(int, (hhmm + ":0").split(":")[:3])
    return DAY.replace(hour=hour, minute=minute, second=second).astimezone(UTC)


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("crowd") / "t.toml"
    path.write_text(CONFIG.format(hours=HOURS), encoding="utf-8")
    return load_config(path).by_id[HALL]


# the rules on snapshots ---------------------------------------------------------------------

def snapshot(hall, steps, now: str = "10:00", waiting: int = 0, devices=()) -> HallSnapshot:
    """The hall at `now` with the camera's counts as (local time, people) steps."""
    tickets = [WaitingTicket(i, f"A{i:03d}", "fee", None, at(now), at(now)) for i in range(1, waiting + 1)]
    crowd = {"camera-1": CrowdNow("camera-1", tuple((at(hhmm), people) for hhmm, people in steps))}
    return HallSnapshot(hall=hall, now=at(now), waiting=tickets, counters=[], mean_handling_s={"fee": 240.0},
                        arrivals=[], usual_arrivals_15min=None, devices=list(devices), crowd=crowd)


def test_people_without_tickets_only_after_the_sustain_time(hall) -> None:
    # 4 tickets: 4 × 1.5 + 6 = 12 people are expected at most
    assert rules.crowd_without_tickets(snapshot(hall, [("09:57", 13)], "09:59:59", waiting=4)) == []
    found = rules.crowd_without_tickets(snapshot(hall, [("09:57", 13)], "10:00", waiting=4))
    assert [(f.rule, f.subject, f.severity) for f in found] == [("crowd_without_tickets", "camera:camera-1",
                                                                 Severity.WARNING)]
    assert found[0].data == {"camera": "camera-1", "people": 13, "waiting": 4, "expected": 12.0}
    assert zh(found[0]) == ("等候区：3 分钟以来有 13 人，而等候号票只有 4 张：可能有人未取号，或取号机前排起了队；"
                            "请派引导员")
    assert rules.crowd_without_tickets(snapshot(hall, [("09:57", 12)], waiting=4)) == []  # 12 is not above 12
    assert rules.crowd_without_tickets(snapshot(hall, [("09:57", 13)], waiting=5)) == []  # 13.5 expected
    # the lowest of the window counts: a dip to 12 a minute ago clears it
    assert rules.crowd_without_tickets(snapshot(hall, [("09:50", 20), ("09:59", 12), ("09:59:30", 20)],
                                                waiting=4)) == []
    assert len(rules.crowd_without_tickets(snapshot(hall, [("09:50", 12), ("09:56:59", 20), ("09:59", 14)],
                                                    waiting=4))) == 1


def test_capacity_warning_and_critical(hall) -> None:
    def capacity(people: int) -> list:
        return [(f.severity, f.data["people"]) for f in
                rules.crowd_capacity(snapshot(hall, [("09:00", 3), ("09:57", people)], waiting=30))]

    assert capacity(20) == []
    assert capacity(21) == [(Severity.WARNING, 21)]
    assert capacity(25) == [(Severity.WARNING, 25)]  # 20 × 1.25 is still a warning
    assert capacity(26) == [(Severity.CRITICAL, 26)]
    assert rules.crowd_capacity(snapshot(hall, [("09:58", 40)], waiting=30)) == []  # only 2 minutes
    found = rules.crowd_capacity(snapshot(hall, [("09:57", 26)], waiting=30))[0]
    assert zh(found) == "等候区：3 分钟以来有 26 人，超过容量 20 人；请增开窗口并引导客户就座"


def test_an_offline_camera_counts_nobody_and_is_a_device_fault(hall) -> None:
    went_offline = [("09:00", 40), ("09:58", None)]
    assert rules.crowd_capacity(snapshot(hall, went_offline)) == []
    assert rules.crowd_without_tickets(snapshot(hall, went_offline)) == []
    # back and counting for 3 minutes again
    assert len(rules.crowd_capacity(snapshot(hall, [*went_offline, ("09:59", 40)], now="10:02"))) == 1
    offline = DeviceNow("camera-1", "camera", online=False)
    fault = rules.device_fault(snapshot(hall, went_offline, devices=[offline]))
    assert [(f.rule, f.subject, f.severity, f.data["kind"]) for f in fault] == [
        ("device_fault", "device:camera-1", Severity.WARNING, "camera")]
    assert zh(fault[0]) == "摄像头 camera-1 离线，无法统计人数"
    early = rules.pre_opening(snapshot(hall, went_offline, now="08:26", devices=[offline]))
    assert early[0].data["devices"] == ["camera-1"]
    assert rules.device_fault(snapshot(hall, went_offline, now="08:26", devices=[offline])) == []  # not open yet


def test_the_rules_are_listed_and_run() -> None:
    assert {"crowd_without_tickets", "crowd_capacity"} <= set(rules.RULES)
    assert {rules.crowd_without_tickets, rules.crowd_capacity} <= set(rules._RULE_FUNCTIONS)


# a scripted morning on a virtual clock --------------------------------------------------------

@dataclass
class Morning:
    ctx: object
    clock: FixedClock
    #: (local time, event type, rule, subject, severity, change) of each crowd or camera alert event
    log: list[tuple] = field(default_factory=list)

    def judge(self) -> None:
        for event in alerts.evaluate(self.ctx, HALL):
            data = event.data
            if data["rule"].startswith("crowd") or data["subject"] == "device:camera-1":
                self.log.append((f"{event.at.astimezone(ZONE):%H:%M}", event.type.value, data["rule"],
                                 data["subject"], data["severity"], data["change"]))

    def count(self, people: int) -> None:
        cameras.record_crowd(self.ctx, HALL, CAMERA, "camera-1", people)
        self.judge()

    def camera(self, online: bool) -> None:
        cameras.report_camera(self.ctx, HALL, CAMERA, "camera-1", online)
        self.judge()

    def issue(self, count: int) -> None:
        for _ in range(count):
            ticket_cases.issue_ticket(self.ctx, HALL, "fee", KIOSK)
        self.judge()

    def minutes(self, until: str) -> None:
        while self.clock.now() < at(until):
            self.clock.advance(60)
            accounts.devices_heard(self.ctx, [KIOSK])
            self.judge()


@pytest.fixture
def morning(tmp_path: Path):
    path = tmp_path / "t.toml"
    path.write_text(CONFIG.format(hours=HOURS), encoding="utf-8")
    clock = FixedClock(at("09:00"))
    ctx = open_context(load_config(path), f"sqlite:///{tmp_path / 'hall.db'}", clock)
    accounts.add_device(ctx, HALL, "kiosk", "kiosk-1")
    accounts.devices_heard(ctx, [KIOSK])
    yield Morning(ctx, clock)
    ctx.store.engine.dispose()


def test_a_morning_of_counts_raises_each_alert_once_and_resolves_it(morning: Morning) -> None:
    morning.count(4)
    morning.minutes("09:10")
    morning.count(10)  # 10 people, no ticket: 6 expected at most
    morning.minutes("09:20")
    morning.issue(4)  # 4 numbers: 12 expected at most
    morning.minutes("10:00")
    morning.count(22)  # past the capacity of 20 and the 12 expected
    morning.minutes("10:05")
    morning.count(30)  # past 25, critical
    morning.minutes("10:15")
    morning.count(15)  # within the capacity, still 3 past the 12 expected
    morning.minutes("10:20")
    morning.camera(False)  # the stream is lost: nobody is counted
    morning.minutes("10:30")
    morning.camera(True)  # back: its last count, 15, holds again from now
    morning.minutes("10:40")
    assert morning.log == [
        ("09:13", "alert.raised", "crowd_without_tickets", "camera:camera-1", "warning", "raised"),
        ("09:20", "alert.resolved", "crowd_without_tickets", "camera:camera-1", "warning", "resolved"),
        ("10:03", "alert.raised", "crowd_without_tickets", "camera:camera-1", "warning", "raised"),
        ("10:03", "alert.raised", "crowd_capacity", "camera:camera-1", "warning", "raised"),
        ("10:08", "alert.updated", "crowd_without_tickets", "camera:camera-1", "warning", "figures"),  # 30 people
        ("10:08", "alert.updated", "crowd_capacity", "camera:camera-1", "critical", "worse"),
        ("10:15", "alert.updated", "crowd_without_tickets", "camera:camera-1", "warning", "figures"),
        ("10:15", "alert.resolved", "crowd_capacity", "camera:camera-1", "critical", "resolved"),
        ("10:20", "alert.raised", "device_fault", "device:camera-1", "warning", "raised"),
        ("10:20", "alert.resolved", "crowd_without_tickets", "camera:camera-1", "warning", "resolved"),
        ("10:30", "alert.resolved", "device_fault", "device:camera-1", "warning", "resolved"),
        ("10:33", "alert.raised", "crowd_without_tickets", "camera:camera-1", "warning", "raised"),
    ]
