"""The thirteen alert rules on snapshots of the demo hall built by hand: each at the edges of
its thresholds, with its severity, subject, figures and its message in Chinese."""
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall_server.config import Hall, load_config
from hall_server.domain import alert_rules as rules
from hall_server.domain.alerts import Finding, Message, Severity
from hall_server.domain.catalogue import gettext
from hall_server.domain.complaints import Category, Channel, Complaint, Kind, Status, receive
from hall_server.domain.counters import CounterState
from hall_server.domain.hall_snapshot import CounterNow, DeviceNow, HallSnapshot, Incident, WaitingTicket

HALL = load_config().by_id["demo"]
ZONE = ZoneInfo(HALL.timezone)
#: a Tuesday: open 08:30-17:30
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZONE)
MEANS = {"fee": 240.0, "business": 600.0, "enquiry": 180.0, "enterprise": 900.0}
CS = CounterState


def at(hh_mm: str) -> datetime:
    hours, minutes = hh_mm.split(":")
    return NOW.replace(hour=int(hours), minute=int(minutes))


def ticket(id: int, service: str = "fee", waited: timedelta = timedelta(0), counter: int | None = None,
           now: datetime = NOW) -> WaitingTicket:
    prefix = HALL.services_by_code[service].prefix
    return WaitingTicket(id, f"{prefix}{id:03d}", service, counter, now - waited, now - waited)


def counter(number: int, state: CounterState = CS.IDLE, since: timedelta = timedelta(0), now: datetime = NOW,
            **kw) -> CounterNow:
    services = tuple(HALL.counters_by_number[number].services)
    return CounterNow(number, state, None if state is CS.CLOSED else f"clerk{number}", now - since,
                      kw.pop("pause_reason", "break" if state is CS.PAUSED else None), services, **kw)


def closed_counters(*open_counters: CounterNow) -> list[CounterNow]:
    """The hall's counters: the ones given, the rest closed."""
    given = {c.number: c for c in open_counters}
    return [given.get(c.number) or counter(c.number, CS.CLOSED) for c in HALL.counters]


def snapshot(waiting=(), counters=None, now=NOW, arrivals=(), usual=None, devices=(), incidents=(), means=None,
             hall: Hall = HALL, complaints=()) -> HallSnapshot:
    return HallSnapshot(hall=hall, now=now, waiting=list(waiting),
                        counters=closed_counters() if counters is None else list(counters),
                        mean_handling_s=dict(means or MEANS), arrivals=list(arrivals), usual_arrivals_15min=usual,
                        devices=list(devices), incidents=list(incidents), complaints=list(complaints))


def with_alerts(**settings) -> Hall:
    return HALL.model_copy(update={"alerts": HALL.alerts.model_copy(update=settings)})


def render(message: Message, lang: str) -> str:
    params = {k: v[lang] if isinstance(v, dict) else v for k, v in message.params.items()}
    return gettext(message.msgid, lang) % params


def zh(finding: Finding) -> str:
    """The finding's message in Chinese; it must be translated."""
    assert gettext(finding.message.msgid, "zh") != finding.message.msgid, f"untranslated: {finding.message.msgid}"
    return render(finding.message, "zh")


def one(found: list[Finding]) -> Finding:
    assert len(found) == 1, found
    json.dumps(found[0].data)  # the figures are JSON values
    return found[0]


# 1. handling time -------------------------------------------------------------------------

def serving(elapsed_s: float, budget_s: int = 300) -> CounterNow:
    return counter(3, CS.SERVING, since=timedelta(seconds=elapsed_s), ticket=7, ticket_number="A007",
                   handling_since=NOW - timedelta(seconds=elapsed_s), budget_s=budget_s)


@pytest.mark.parametrize(("elapsed_s", "severity", "escalated"), [
    (240, Severity.WARNING, False),  # 80% of 5 min
    (300, Severity.WARNING, False),  # the whole budget, not past it
    (301, Severity.CRITICAL, False),
    (600, Severity.CRITICAL, False),  # 200%, not past it
    (601, Severity.CRITICAL, True),
])
def test_handling_time_against_the_budget(elapsed_s, severity, escalated):
    found = one(rules.handling_time(snapshot(counters=[serving(elapsed_s)])))
    assert (found.rule, found.subject, found.severity, found.escalated) == (
        "handling_time", "ticket:7", severity, escalated)
    assert found.data == {"ticket": 7, "number": "A007", "counter": 3, "clerk": "clerk3", "elapsed_s": elapsed_s,
                          "budget_s": 300, "share": round(elapsed_s / 300, 2)}


def test_handling_time_below_the_warning_share_or_before_handling_starts():
    assert rules.handling_time(snapshot(counters=[serving(239)])) == []
    walking_up = counter(3, CS.SERVING, ticket=7, ticket_number="A007", budget_s=300)
    assert rules.handling_time(snapshot(counters=[walking_up])) == []


def test_handling_time_message():
    found = one(rules.handling_time(snapshot(counters=[serving(300)])))
    assert zh(found) == "3 号窗口：A007 号已办理 5 分钟，达办理时限的 100%"
    assert render(found.message, "en") == "Counter 3: A007 in handling for 5 min, 100% of its budget"
    assert render(one(rules.handling_time(snapshot(counters=[serving(659, 600)]))).message, "en").endswith(
        "10 min, 109% of its budget")


# 2. waiting --------------------------------------------------------------------------------

def test_waiting_past_the_services_thresholds():
    at_warning = [ticket(1, waited=timedelta(minutes=15))]
    assert rules.waiting(snapshot(at_warning)) == []
    warned = one(rules.waiting(snapshot([*at_warning, ticket(2, waited=timedelta(minutes=15, seconds=1))])))
    assert (warned.subject, warned.severity) == ("service:fee", Severity.WARNING)
    assert warned.data == {"service": "fee", "waiting": 2, "past_warning": 1, "past_critical": 0,
                           "longest_wait_s": 901, "ticket": 2, "number": "A002"}
    assert zh(warned) == "居民收费：1 人等候超过 15 分钟，最长已等 15 分钟（A002 号）"


def test_waiting_one_finding_per_service_critical_past_the_critical_threshold():
    queue = [ticket(1, waited=timedelta(minutes=20)), ticket(2, waited=timedelta(minutes=30, seconds=1)),
             ticket(3, waited=timedelta(minutes=30)), ticket(4, "enquiry", waited=timedelta(minutes=10, seconds=5)),
             ticket(5, "business", waited=timedelta(minutes=14))]
    found = {f.subject: f for f in rules.waiting(snapshot(queue))}
    assert set(found) == {"service:fee", "service:enquiry"}
    fee = found["service:fee"]
    assert fee.severity is Severity.CRITICAL
    assert (fee.data["past_warning"], fee.data["past_critical"], fee.data["number"]) == (3, 1, "A002")
    assert zh(fee) == "居民收费：1 人等候超过 30 分钟，最长已等 30 分钟（A002 号）"
    enquiry = found["service:enquiry"]  # its own thresholds: 10 and 20 min
    assert (enquiry.severity, enquiry.data["past_warning"]) == (Severity.WARNING, 1)
    assert render(enquiry.message, "en") == "Enquiry: 1 waiting over 10 min, the longest 10 min (C004)"


# 3. predicted wait -------------------------------------------------------------------------

def predicted_queue() -> list[WaitingTicket]:
    """Fee tickets in queue order; with one open counter and 4 min each, their wait at their
    call: 29, 25 + 4, 23 + 8, (past 30 already), 20 + 16, 14 + 20 min."""
    return [ticket(1, waited=timedelta(minutes=29)), ticket(2, waited=timedelta(minutes=25)),
            ticket(3, waited=timedelta(minutes=23)), ticket(4, waited=timedelta(minutes=31)),
            ticket(5, waited=timedelta(minutes=20)), ticket(6, waited=timedelta(minutes=14)),
            ticket(7, "business", waited=timedelta(minutes=29))]


def test_wait_predicted_names_how_many_will_pass_critical_and_the_first():
    found = one(rules.wait_predicted(snapshot(predicted_queue(), closed_counters(counter(1)))))
    assert (found.rule, found.subject, found.severity) == ("wait_predicted", "service:fee", Severity.WARNING)
    assert found.data == {"service": "fee", "count": 3, "ticket": 3, "number": "A003",
                          "predicted_wait_s": 31 * 60, "open": 1, "mean_handling_s": 240.0}
    assert zh(found) == "居民收费：预计 3 人叫号前等候将超过 30 分钟（首个 A003 号），请增开窗口"


def test_wait_predicted_edges():
    # two open counters halve the wait ahead: 23 + 4, 20 + 8, 14 + 10 min: none passes 30
    assert rules.wait_predicted(snapshot(predicted_queue(), closed_counters(counter(1), counter(2)))) == []
    exactly = [ticket(1, waited=timedelta(minutes=29)), ticket(2, waited=timedelta(minutes=26))]  # 26 + 4 = 30
    assert rules.wait_predicted(snapshot(exactly, closed_counters(counter(1)))) == []
    # no open counter for fee: rule 5's to say
    assert rules.wait_predicted(snapshot(predicted_queue(), closed_counters(counter(6)))) == []


# 4. queue build-up -------------------------------------------------------------------------

def arrivals(count: int, service: str = "fee", now: datetime = NOW, every: timedelta = timedelta(minutes=1)):
    return [(now - every * i, service) for i in range(count)]


def test_queue_buildup_by_the_estimated_wait_with_the_staffing_advice():
    one_counter = closed_counters(counter(1))
    five = [ticket(i) for i in range(1, 6)]  # 5 × 4 min = 20 min: at the threshold, not past it
    assert rules.queue_buildup(snapshot(five, one_counter)) == []
    # 30 arrivals in 30 min × 240 s = 4 Erlangs: 5 counters keep C(5, 4) · e^(−900/240) = 1.3% past 15 min
    found = one(rules.queue_buildup(snapshot([*five, ticket(6)], one_counter, arrivals=arrivals(30))))
    assert (found.rule, found.subject, found.severity) == ("queue_buildup", "service:fee", Severity.WARNING)
    assert found.data["estimated_wait_s"] == 1440 and found.data["per_counter"] == 6.0
    assert found.data["staffing"] == {"arrivals_per_h": 60.0, "mean_handling_s": 240.0, "load": 4.0, "open": 1,
                                      "needed": 5, "share_past_warning": 1.0, "advice": "open", "more": 4}
    assert zh(found) == "居民收费：6 人等候，新取号约需等候 24 分钟，建议再开 4 个窗口"
    assert render(found.message, "en") == ("Residential fee payment: 6 waiting, a new number waits about 24 min; "
                                           "open 4 more counters")


def test_queue_buildup_by_customers_per_counter_without_more_counters_needed():
    quick = {**MEANS, "enquiry": 60.0}
    one_counter = closed_counters(counter(5))  # business and enquiry
    eight = [ticket(i, "enquiry") for i in range(1, 9)]
    assert rules.queue_buildup(snapshot(eight, one_counter, means=quick)) == []
    found = one(rules.queue_buildup(snapshot([*eight, ticket(9, "enquiry")], one_counter, means=quick)))
    assert found.subject == "service:enquiry" and found.data["per_counter"] == 9.0
    assert found.data["staffing"]["advice"] == "ok"  # nobody arrives: the queue will clear
    assert zh(found) == "咨询查询：9 人等候，新取号约需等候 9 分钟"


def test_no_queue_buildup_without_an_open_counter():
    assert rules.queue_buildup(snapshot([ticket(i) for i in range(1, 30)])) == []


def test_staffing_takes_the_arrival_rate_since_opening_early_in_the_day():
    early = at("08:40")  # open 10 minutes: 10 arrivals are 60 an hour, not 20
    plan = rules.staffing(snapshot(now=early, arrivals=arrivals(10, now=early)), "fee")
    assert plan.arrivals_per_h == pytest.approx(60)
    first = at("08:31")  # at least 5 minutes: one arrival in the first minute is not 60 an hour
    assert rules.staffing(snapshot(now=first, arrivals=arrivals(1, now=first)), "fee").arrivals_per_h == 12
    later = rules.staffing(snapshot(arrivals=[*arrivals(30), *arrivals(5, "business")],
                                    counters=closed_counters(counter(1), counter(3, CS.SERVING))), "fee")
    assert (later.arrivals_per_h, later.open, later.mean_handling_s) == (60, 2, 240.0)


# 5. no open counter ------------------------------------------------------------------------

def test_no_open_counter_for_a_service_with_customers_waiting():
    waiting = [ticket(1, "business", waited=timedelta(minutes=3)), ticket(2, "business")]
    paused = counter(6, CS.PAUSED)
    found = one(rules.no_open_counter(snapshot(waiting, closed_counters(counter(1), paused))))
    assert (found.rule, found.subject, found.severity) == ("no_open_counter", "service:business", Severity.CRITICAL)
    assert found.data == {"service": "business", "waiting": 2, "longest_wait_s": 180, "counters": [3, 4, 5, 6, 7]}
    assert zh(found) == "用电业务：2 人等候，无窗口办理，请开放 3、4、5、6、7 号窗口"
    assert rules.no_open_counter(snapshot(waiting, closed_counters(counter(7, CS.SERVING)))) == []
    assert rules.no_open_counter(snapshot([], closed_counters())) == []


# 6. idle counter ---------------------------------------------------------------------------

def test_an_idle_counter_while_customers_wait_for_it():
    fee = [ticket(1, waited=timedelta(minutes=10))]
    assert rules.idle_counter(snapshot(fee, [counter(1, since=timedelta(minutes=2))])) == []
    found = one(rules.idle_counter(snapshot(fee, [counter(1, since=timedelta(minutes=2, seconds=1))])))
    assert (found.rule, found.subject, found.severity) == ("idle_counter", "counter:1", Severity.WARNING)
    assert found.data == {"counter": 1, "clerk": "clerk1", "idle_s": 121, "waiting": 1}
    assert zh(found) == "1 号窗口空闲 2 分钟，仍有 1 人等候，请及时叫号"


def test_idle_counts_from_when_someone_waits_for_the_counter():
    """A counter idle all morning is not at fault for a customer who came a minute ago."""
    idle_long = [counter(1, since=timedelta(hours=1))]
    assert rules.idle_counter(snapshot([ticket(1, waited=timedelta(minutes=2))], idle_long)) == []
    found = one(rules.idle_counter(snapshot([ticket(1, waited=timedelta(minutes=2, seconds=1)),
                                             ticket(2, waited=timedelta(seconds=5))], idle_long)))
    assert found.data["idle_s"] == 121 and found.data["waiting"] == 2


def test_who_waits_for_a_counter():
    idle = [counter(1, since=timedelta(minutes=5))]  # fee and enquiry
    waited = timedelta(minutes=5)
    assert rules.idle_counter(snapshot([ticket(1, "business", waited)], idle)) == []
    assert rules.idle_counter(snapshot([ticket(1, waited=waited, counter=2)], idle)) == []  # sent to counter 2
    found = one(rules.idle_counter(snapshot([ticket(1, "business", waited, counter=1),
                                             ticket(2, "enquiry", waited)], idle)))
    assert found.data["waiting"] == 2
    serving = [counter(1, CS.SERVING, since=timedelta(minutes=5))]
    assert rules.idle_counter(snapshot([ticket(1, waited=waited)], serving)) == []


# 7. long pause -----------------------------------------------------------------------------

@pytest.mark.parametrize(("paused", "severity"), [
    (timedelta(minutes=15), None),  # the break's allowance, not past it
    (timedelta(minutes=15, seconds=1), Severity.WARNING),
    (timedelta(minutes=30), Severity.WARNING),
    (timedelta(minutes=30, seconds=1), Severity.CRITICAL),
])
def test_a_pause_past_its_allowance(paused, severity):
    found = rules.long_pause(snapshot([ticket(1)], [counter(2, CS.PAUSED, since=paused)]))
    if severity is None:
        assert found == []
    else:
        assert (one(found).subject, one(found).severity) == ("counter:2", severity)


def test_long_pause_figures_and_message():
    paused = counter(2, CS.PAUSED, since=timedelta(minutes=20))
    found = one(rules.long_pause(snapshot([ticket(1), ticket(2)], [paused])))
    assert found.data == {"counter": 2, "clerk": "clerk2", "reason": "break", "paused_s": 1200, "allowed_s": 900,
                          "waiting": 2}
    assert zh(found) == "2 号窗口暂停（短暂休息）已 20 分钟，超过允许的 15 分钟，2 人等候，请恢复服务"
    assert render(found.message, "en") == ("Counter 2 paused (Short break) 20 min, 15 allowed, 2 waiting; "
                                           "resume service")


def test_long_pause_by_reason_and_only_while_customers_wait():
    meal = counter(2, CS.PAUSED, since=timedelta(minutes=39), pause_reason="meal")
    assert rules.long_pause(snapshot([ticket(1)], [meal])) == []  # 40 min for a meal
    hall = with_alerts(pause_allowance_min={**HALL.alerts.pause_allowance_min, "meal": 30})
    assert one(rules.long_pause(snapshot([ticket(1)], [meal], hall=hall))).severity is Severity.WARNING
    long_break = counter(2, CS.PAUSED, since=timedelta(hours=1))
    assert rules.long_pause(snapshot([ticket(1, "business")], [long_break])) == []
    unknown = counter(2, CS.PAUSED, since=timedelta(minutes=16), pause_reason=None)
    assert zh(one(rules.long_pause(snapshot([ticket(1)], [unknown])))).startswith("2 号窗口暂停（其他）")


# 8. closing overrun ------------------------------------------------------------------------

def test_closing_overrun_from_the_check_before_closing():
    now = at("16:30")  # closing 17:30, checked from 60 min before
    fee = [ticket(i, now=now) for i in range(1, 21)]  # 20 × 4 min at one counter: clear 17:50
    one_counter = closed_counters(counter(1, now=now))
    assert rules.closing_overrun(snapshot(fee, one_counter, now=now - timedelta(seconds=1))) == []
    found = one(rules.closing_overrun(snapshot(fee, one_counter, now=now)))
    assert (found.rule, found.subject, found.severity) == ("closing_overrun", "hall", Severity.WARNING)
    assert found.data == {"waiting": 20, "clear_at": "17:50", "closes": "17:30", "overrun_min": 20, "service": "fee"}
    assert zh(found) == "20 人等候：预计 17:50 办完，超过 17:30 下班时间 20 分钟，请安排延时服务"


def test_closing_overrun_takes_the_slowest_service_and_at_least_one_counter():
    now = at("17:00")
    two_counters = closed_counters(counter(1, now=now), counter(2, now=now))
    fee = [ticket(i, now=now) for i in range(1, 16)]  # 15 × 4 min / 2 = 30 min: clears 17:30 exactly
    assert rules.closing_overrun(snapshot(fee, two_counters, now=now)) == []
    business = [ticket(30, "business", now=now), ticket(31, "business", now=now), ticket(32, "business", now=now),
                ticket(33, "business", now=now)]  # 4 × 10 min, no open counter: counted at one
    found = one(rules.closing_overrun(snapshot([*fee, *business], two_counters, now=now)))
    assert (found.data["service"], found.data["clear_at"], found.data["overrun_min"]) == ("business", "17:40", 10)


def test_closing_overrun_after_closing_while_customers_wait():
    now = at("17:40")
    found = one(rules.closing_overrun(snapshot([ticket(1, now=now)], closed_counters(counter(1, now=now)), now=now)))
    assert (found.data["clear_at"], found.data["overrun_min"]) == ("17:44", 14)
    assert rules.closing_overrun(snapshot([], closed_counters(counter(1, now=now)), now=now)) == []


# 9. before opening -------------------------------------------------------------------------

def devices(*offline: str) -> list[DeviceNow]:
    names = {"printer-1": "printer", "kiosk-1": "kiosk", "display-1": "display", "evaluator-3": "evaluator"}
    return [DeviceNow(name, kind, name not in offline) for name, kind in names.items()]


def test_pre_opening_lists_counters_not_signed_in_and_devices_offline():
    now = at("08:25")  # opening 08:30, checked 5 min before
    signed_in = [counter(c.number, now=now) for c in HALL.counters]
    half = closed_counters(*signed_in[:4])
    assert rules.pre_opening(snapshot(counters=half, devices=devices("kiosk-1"), now=now - timedelta(seconds=1))) == []
    found = one(rules.pre_opening(snapshot(counters=half, devices=devices("kiosk-1", "display-1"), now=now)))
    assert (found.rule, found.subject, found.severity) == ("pre_opening", "hall", Severity.WARNING)
    assert found.data == {"opens": "08:30", "counters": [5, 6, 7], "devices": ["kiosk-1", "display-1"]}
    assert zh(found) == "08:30 开门营业：5、6、7 号窗口未签到，kiosk-1、display-1 未在线"
    assert zh(one(rules.pre_opening(snapshot(counters=half, devices=devices(), now=now)))) == (
        "08:30 开门营业：5、6、7 号窗口未签到")
    assert render(one(rules.pre_opening(snapshot(counters=signed_in, devices=devices("printer-1"), now=now))).message,
                  "en") == "Opening at 08:30: offline: printer-1"
    assert rules.pre_opening(snapshot(counters=signed_in, devices=devices(), now=now)) == []
    assert rules.pre_opening(snapshot(counters=half, devices=devices("kiosk-1"), now=at("08:30"))) == []


def test_pre_opening_follows_the_days_hours():
    saturday = datetime(2026, 11, 28, 8, 56, tzinfo=ZONE)  # opens 09:00 at weekends
    found = one(rules.pre_opening(snapshot(now=saturday)))
    assert found.data["opens"] == "09:00" and found.data["counters"] == [1, 2, 3, 4, 5, 6, 7]


# 10. unhappy customers ---------------------------------------------------------------------

def test_a_low_rating_is_critical_at_once_and_sticky():
    rating = Incident("low_rating", 12, "A012", NOW, 3, "wang", "dissatisfied/attitude")
    found = one(rules.unhappy_customer(snapshot(incidents=[rating])))
    assert (found.rule, found.subject, found.severity, found.sticky) == (
        "unhappy_customer", "ticket:12", Severity.CRITICAL, True)
    assert found.data == {"kind": "low_rating", "ticket": 12, "number": "A012", "counter": 3, "clerk": "wang",
                          "detail": "dissatisfied/attitude", "at": NOW.isoformat()}
    assert zh(found) == "A012 号在 3 号窗口（wang）评价“不满意”，原因：服务态度，请与客户沟通"
    no_reason = Incident("low_rating", 13, "A013", NOW, 3, "wang", "dissatisfied")
    assert zh(one(rules.unhappy_customer(snapshot(incidents=[no_reason])))).endswith("原因：未说明，请与客户沟通")


def test_an_upset_customer_flag_and_every_incident_of_the_day():
    upset = Incident("upset_customer", 20, "B020", NOW, 5, "li", "waited too long")
    silent = Incident("upset_customer", 21, "B021", NOW, 5, "li", None)
    found = rules.unhappy_customer(snapshot(incidents=[upset, silent]))
    assert [f.subject for f in found] == ["ticket:20", "ticket:21"]
    assert zh(found[0]) == "5 号窗口（li）B020 号客户不满：waited too long，请立即到窗口处理"
    assert render(found[1].message, "en") == "Upset customer B021 at counter 5 (li): none given; go to the counter"


# 11. device faults -------------------------------------------------------------------------

@pytest.mark.parametrize(("device", "severity", "problem", "words"), [
    (DeviceNow("printer-1", "printer", False), Severity.CRITICAL, "offline", "打印机 printer-1 离线，无法打印号票"),
    (DeviceNow("printer-1", "printer", True, paper="out"), Severity.CRITICAL, "paper_out",
     "打印机 printer-1 缺纸，请更换纸卷"),
    (DeviceNow("printer-1", "printer", True, paper="ok", cover_open=True), Severity.CRITICAL, "cover_open",
     "打印机 printer-1 机盖未关，请关好"),
    (DeviceNow("printer-1", "printer", True, paper="ok", fault="cutter jam"), Severity.CRITICAL, "fault",
     "打印机 printer-1 故障：cutter jam"),
    (DeviceNow("printer-1", "printer", True, paper="low"), Severity.NOTICE, "paper_low",
     "打印机 printer-1 纸将用完，请备好纸卷"),
    (DeviceNow("kiosk-1", "kiosk", False), Severity.CRITICAL, "offline", "取号机 kiosk-1 离线，客户无法在此取号"),
    (DeviceNow("display-1", "display", False), Severity.WARNING, "offline", "叫号屏 display-1 离线"),
    (DeviceNow("led-1", "led", False), Severity.WARNING, "offline", "LED 显示屏 led-1 离线"),
    (DeviceNow("evaluator-3", "evaluator", False), Severity.NOTICE, "offline", "评价器 evaluator-3 离线"),
])
def test_device_faults(device, severity, problem, words):
    found = one(rules.device_fault(snapshot(devices=[device])))
    assert (found.rule, found.subject, found.severity) == ("device_fault", f"device:{device.name}", severity)
    assert (found.data["device"], found.data["kind"], found.data["problem"]) == (device.name, device.kind, problem)
    assert zh(found) == words


def test_no_device_fault_when_well_or_outside_opening_hours():
    well = [DeviceNow("printer-1", "printer", True, paper="ok"), DeviceNow("kiosk-1", "kiosk", True)]
    assert rules.device_fault(snapshot(devices=well)) == []
    out = [DeviceNow("printer-1", "printer", True, paper="out")]
    assert rules.device_fault(snapshot(devices=out, now=at("08:29"))) == []
    assert rules.device_fault(snapshot(devices=out, now=at("17:30"))) == []
    assert len(rules.device_fault(snapshot(devices=out, now=at("08:30")))) == 1


# 12. arrival surge -------------------------------------------------------------------------

def test_an_arrival_surge_against_the_usual():
    recent = arrivals(10, every=timedelta(minutes=1, seconds=29))  # all within the last 15 min
    older = [(NOW - timedelta(minutes=15), "fee"), (NOW - timedelta(minutes=25), "fee")]
    assert rules.arrival_surge(snapshot(arrivals=recent[:9] + older, usual=4.0)) == []  # 9 < 10 at least
    found = one(rules.arrival_surge(snapshot(arrivals=recent + older, usual=4.0)))
    assert (found.rule, found.subject, found.severity) == ("arrival_surge", "hall", Severity.WARNING)
    assert found.data == {"arrivals": 10, "usual": 4.0, "services": {"fee": 10}}
    assert zh(found) == "取号激增：近 15 分钟 10 人取号，平时约 4 人，请增开窗口"
    assert rules.arrival_surge(snapshot(arrivals=recent, usual=5.1)) == []  # 10 < 2 × 5.1
    assert len(rules.arrival_surge(snapshot(arrivals=recent, usual=5.0))) == 1
    assert rules.arrival_surge(snapshot(arrivals=recent, usual=None)) == []  # no history yet


# 13. complaint deadline --------------------------------------------------------------------

def complaint(id: int, received: timedelta, kind: Kind = Kind.COMPLAINT, status: Status = Status.RECEIVED,
              now: datetime = NOW) -> Complaint:
    c = receive("demo", kind, Category.BILLING, Channel.PHONE, "billed twice", now - received, "mgr",
                contact="138 0000 1234")
    c.id, c.status = id, status
    return c


def test_a_complaint_due_within_a_day_warns_and_past_its_deadline_is_critical():
    assert rules.complaint_deadline(snapshot(complaints=[complaint(1, timedelta(days=3, hours=23))])) == []
    due_soon = one(rules.complaint_deadline(snapshot(complaints=[complaint(1, timedelta(days=4))])))
    assert (due_soon.rule, due_soon.subject, due_soon.severity) == ("complaint_deadline", "complaint:1",
                                                                    Severity.WARNING)
    assert zh(due_soon) == "投诉第 1 号（电费电价）须在 11-25 10:00 前答复"
    assert render(due_soon.message, "en") == "Complaint no. 1 (Billing and fees) must be answered by 11-25 10:00"
    assert due_soon.data == {"complaint": 1, "kind": "complaint", "category": "billing", "status": "received",
                             "due_at": (NOW + timedelta(days=1)).isoformat(), "ticket": None, "number": None}
    assert "138 0000 1234" not in json.dumps(due_soon.data) + render(due_soon.message, "zh")  # no contact on the board

    overdue = one(rules.complaint_deadline(snapshot(complaints=[complaint(2, timedelta(days=5, seconds=1),
                                                                          status=Status.IN_HAND)])))
    assert (overdue.subject, overdue.severity) == ("complaint:2", Severity.CRITICAL)
    assert zh(overdue) == "投诉第 2 号（电费电价）已过答复期限 11-24 09:59，请尽快答复客户"
    assert overdue.data["status"] == "in_hand"

    report = one(rules.complaint_deadline(snapshot(complaints=[complaint(3, timedelta(days=9), Kind.REPORT)])))
    assert zh(report).startswith("举报第 3 号") and report.severity is Severity.WARNING
    assert rules.complaint_deadline(snapshot(complaints=[complaint(4, timedelta(days=8), Kind.REPORT)])) == []


def test_an_answered_complaint_raises_nothing_and_the_warning_hours_are_the_halls():
    answered = complaint(1, timedelta(days=20), status=Status.ANSWERED)
    assert rules.complaint_deadline(snapshot(complaints=[answered])) == []
    two_days = with_alerts(complaint_warning_h=48)
    assert len(rules.complaint_deadline(snapshot(complaints=[complaint(1, timedelta(days=3, hours=1))],
                                                 hall=two_days))) == 1
    assert rules.complaint_deadline(snapshot(complaints=[complaint(1, timedelta(days=2, hours=23))],
                                             hall=two_days)) == []


# all of them -------------------------------------------------------------------------------

def test_the_rules_are_named_and_all_run():
    assert rules.RULES == ("handling_time", "waiting", "wait_predicted", "queue_buildup", "no_open_counter",
                           "idle_counter", "long_pause", "closing_overrun", "pre_opening", "unhappy_customer",
                           "device_fault", "arrival_surge", "complaint_deadline", "crowd_without_tickets",
                           "crowd_capacity")
    assert all(callable(getattr(rules, name)) for name in rules.RULES)
    busy = snapshot([ticket(i, waited=timedelta(minutes=40 - i)) for i in range(1, 30)] + [ticket(30, "enterprise")],
                    closed_counters(serving(700), counter(2, CS.PAUSED, since=timedelta(hours=1))),
                    arrivals=arrivals(29), usual=1.0,
                    devices=[DeviceNow("kiosk-1", "kiosk", False)],
                    incidents=[Incident("upset_customer", 1, "A001", NOW, 2, "li", None)],
                    complaints=[complaint(1, timedelta(days=6))])
    found = rules.findings(busy)
    assert {f.rule for f in found} == {"handling_time", "waiting", "wait_predicted", "queue_buildup",
                                       "no_open_counter", "long_pause", "unhappy_customer", "device_fault",
                                       "arrival_surge", "complaint_deadline"}
    assert rules.findings(snapshot(busy.waiting, busy.counters, hall=with_alerts(enabled=False))) == []


def big_hall() -> Hall:
    counters = [{"number": n, "name": {"zh": f"{n}号窗口", "en": f"Window {n}"},
                 "services": [HALL.services[n % 4].code, HALL.services[(n + 1) % 4].code]} for n in range(1, 31)]
    return Hall.model_validate({**HALL.model_dump(), "counters": counters})


def test_findings_on_thirty_counters_and_five_hundred_waiting():
    hall, now = big_hall(), at("16:45")
    codes = [s.code for s in hall.services]
    states = [CS.IDLE, CS.SERVING, CS.PAUSED, CS.CLOSED]
    counters = [CounterNow(c.number, states[c.number % 4], f"clerk{c.number}", now - timedelta(minutes=c.number),
                           "break" if c.number % 4 == 2 else None, tuple(c.services),
                           ticket=1000 + c.number, ticket_number=f"A{c.number:03d}",
                           handling_since=now - timedelta(minutes=c.number), budget_s=600)
                for c in hall.counters]
    waiting = [ticket(i, codes[i % 4], waited=timedelta(seconds=7 * (500 - i)), counter=i % 30 + 1 if i % 10 == 0
                      else None, now=now) for i in range(1, 501)]
    found = rules.findings(snapshot(waiting, counters, now=now, arrivals=arrivals(200, now=now), usual=3.0,
                                    devices=devices("kiosk-1"), hall=hall))
    assert {"handling_time", "waiting", "queue_buildup", "idle_counter", "long_pause", "closing_overrun",
            "device_fault", "arrival_surge"} <= {f.rule for f in found}
    for finding in found:
        json.dumps(finding.data)
        assert zh(finding) and render(finding.message, "en")
