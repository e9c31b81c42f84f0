"""The early-warning rules (issue 10): what the hall manager should hear of now, judged from
one snapshot of the hall (hall_snapshot.py). One function per rule returns its findings;
`findings` runs them all, and alerts.reconcile turns findings into alerts.

The hall's words here: an "open" counter is idle or serving; the customers "waiting for" a
counter are those of its services who wait for no particular counter, plus those
transferred to it. Times run from `s.now`; thresholds are the hall's `alerts` settings,
the waiting ones the service's.

Messages are English msgids of the hall server's catalogue (marked with N_ so `make
messages` keeps them); a value given as {"zh", "en"} is taken in the message's language.
"""
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .alerts import Finding, Message, Severity
from .appointments import hours_on, is_open
from .catalogue import N_, gettext
from .complaints import CATEGORY_LABELS, KIND_LABELS
from .counters import PAUSE_LABELS, CounterState
from .estimates import estimated_wait_s
from .hall_snapshot import DeviceNow, HallSnapshot, Incident, Queues
from .staffing import ARRIVAL_WINDOW, Advice, Staffing, recommend

if TYPE_CHECKING:
    from ..config import Camera, Names

HANDLING_TIME = "handling_time"
WAITING = "waiting"
WAIT_PREDICTED = "wait_predicted"
QUEUE_BUILDUP = "queue_buildup"
NO_OPEN_COUNTER = "no_open_counter"
IDLE_COUNTER = "idle_counter"
LONG_PAUSE = "long_pause"
CLOSING_OVERRUN = "closing_overrun"
PRE_OPENING = "pre_opening"
UNHAPPY_CUSTOMER = "unhappy_customer"
DEVICE_FAULT = "device_fault"
ARRIVAL_SURGE = "arrival_surge"
COMPLAINT_DEADLINE = "complaint_deadline"
CROWD_WITHOUT_TICKETS = "crowd_without_tickets"
CROWD_CAPACITY = "crowd_capacity"
RULES = (HANDLING_TIME, WAITING, WAIT_PREDICTED, QUEUE_BUILDUP, NO_OPEN_COUNTER, IDLE_COUNTER, LONG_PAUSE,
         CLOSING_OVERRUN, PRE_OPENING, UNHAPPY_CUSTOMER, DEVICE_FAULT, ARRIVAL_SURGE, COMPLAINT_DEADLINE,
         CROWD_WITHOUT_TICKETS, CROWD_CAPACITY)

SURGE_WINDOW = timedelta(minutes=15)
#: early in the day the arrival rate is taken over the time since opening, at least this
MIN_ARRIVAL_WINDOW = timedelta(minutes=5)


NONE_GIVEN = N_("none given")
PRE_OPENING_MESSAGES = {
    (True, True): N_("Opening at %(opens)s: counters %(counters)s not signed in, offline: %(devices)s"),
    (True, False): N_("Opening at %(opens)s: counters %(counters)s not signed in"),
    (False, True): N_("Opening at %(opens)s: offline: %(devices)s"),
}


def _names(names: "Names") -> dict[str, str]:
    return {"zh": names.zh, "en": names.en}


def _words(msgid: str) -> dict[str, str]:
    """A catalogue msgid as a message value in both languages."""
    return {"zh": gettext(msgid, "zh"), "en": msgid}


def _listing(items: Iterable[Any]) -> dict[str, str]:
    """Counter numbers or device names as a message value: "3、4" / "3, 4"."""
    words = [str(item) for item in items]
    return {"zh": "、".join(words), "en": ", ".join(words)}


def _passed_min(seconds: float) -> int:
    """Minutes gone by, whole (14 min 59 s is 14 min)."""
    return int(seconds // 60)


def _ahead_min(seconds: float) -> int:
    """Minutes to come, whole and rounded up (a 30 s overrun is 1 min)."""
    return math.ceil(seconds / 60)


def _threshold(minutes: float) -> str:
    return f"{minutes:g}"


def _local(at: datetime, s: HallSnapshot, pattern: str = "%H:%M") -> str:
    return at.astimezone(ZoneInfo(s.hall.timezone)).strftime(pattern)


def _today(s: HallSnapshot) -> tuple[datetime, datetime]:
    """Today's opening and closing (the hall's local day)."""
    return hours_on(s.now.astimezone(ZoneInfo(s.hall.timezone)).date(), s.hall.opening_hours, s.hall.timezone)


def handling_time(s: HallSnapshot) -> list[Finding]:
    """A visit at or past its share of the handling budget; critical past it all."""
    settings = s.hall.alerts
    found = []
    for counter in s.counters:
        if counter.handling_since is None or not counter.budget_s:
            continue
        elapsed = (s.now - counter.handling_since).total_seconds()
        share = elapsed / counter.budget_s
        if share < settings.handling_warning_share:
            continue
        params = {"counter": counter.number, "number": counter.ticket_number, "minutes": _passed_min(elapsed),
                  "share": math.floor(share * 100)}
        found.append(Finding(
            HANDLING_TIME, f"ticket:{counter.ticket}", Severity.CRITICAL if share > 1 else Severity.WARNING,
            Message(N_("Counter %(counter)s: %(number)s in handling for %(minutes)s min, %(share)s%% of its budget"),
                    params),
            escalated=share > settings.handling_escalate_share,
            data={"ticket": counter.ticket, "number": counter.ticket_number, "counter": counter.number,
                  "clerk": counter.clerk, "elapsed_s": round(elapsed), "budget_s": counter.budget_s,
                  "share": round(share, 2)}))
    return found


def waiting(s: HallSnapshot) -> list[Finding]:
    """Per service: customers waiting past the warning threshold; critical past the critical one."""
    queues = s.queues
    found = []
    for service in s.hall.services:
        tickets = queues.by_service.get(service.code)
        if not tickets:
            continue
        waits = queues.waited_s[service.code]
        warning_s, critical_s = service.waiting_warning_min * 60, service.waiting_critical_min * 60
        past_warning = past_critical = 0
        for wait in waits:
            if wait > warning_s:
                past_warning += 1
                past_critical += wait > critical_s
        if not past_warning:
            continue
        longest = max(range(len(waits)), key=waits.__getitem__)
        critical = past_critical > 0
        params = {"service": _names(service.name), "count": past_critical if critical else past_warning,
                  "threshold": _threshold(service.waiting_critical_min if critical else service.waiting_warning_min),
                  "minutes": _passed_min(waits[longest]), "number": tickets[longest].number}
        found.append(Finding(
            WAITING, f"service:{service.code}", Severity.CRITICAL if critical else Severity.WARNING,
            Message(N_("%(service)s: %(count)s waiting over %(threshold)s min, the longest %(minutes)s min "
                       "(%(number)s)"), params),
            data={"service": service.code, "waiting": len(tickets), "past_warning": past_warning,
                  "past_critical": past_critical, "longest_wait_s": round(waits[longest]),
                  "ticket": tickets[longest].id, "number": tickets[longest].number}))
    return found


def wait_predicted(s: HallSnapshot) -> list[Finding]:
    """Per service: customers not yet past the critical threshold who will be by their call
    (their wait so far, plus the customers ahead shared among the open counters)."""
    queues = s.queues
    found = []
    for service in s.hall.services:
        tickets, open_counters = queues.by_service.get(service.code), queues.open.get(service.code, 0)
        if not tickets or not open_counters:
            continue
        critical_s = service.waiting_critical_min * 60
        per_ahead_s = s.mean_handling_s[service.code] / open_counters
        late = []
        for ahead, (ticket, waited) in enumerate(zip(tickets, queues.waited_s[service.code], strict=True)):
            if waited <= critical_s < waited + ahead * per_ahead_s:
                late.append((ticket, waited + ahead * per_ahead_s))
        if not late:
            continue
        first, predicted_s = late[0]
        params = {"service": _names(service.name), "count": len(late),
                  "threshold": _threshold(service.waiting_critical_min), "number": first.number}
        found.append(Finding(
            WAIT_PREDICTED, f"service:{service.code}", Severity.WARNING,
            Message(N_("%(service)s: %(count)s will wait over %(threshold)s min by their call (first %(number)s); "
                       "open a counter"), params),
            data={"service": service.code, "count": len(late), "ticket": first.id, "number": first.number,
                  "predicted_wait_s": round(predicted_s), "open": open_counters,
                  "mean_handling_s": round(s.mean_handling_s[service.code], 1)}))
    return found


def staffing(s: HallSnapshot, service_code: str) -> Staffing:
    """The Erlang C recommendation for a service from its arrivals of the last half hour
    (since opening, early in the day), at the hall's target share past the warning threshold."""
    service = s.hall.services_by_code[service_code]
    opens, _closes = _today(s)
    window = min(ARRIVAL_WINDOW, max(s.now - opens, MIN_ARRIVAL_WINDOW))
    arrivals = sum(at > s.now - window and code == service_code for at, code in s.arrivals)
    open_counters = s.queues.open.get(service_code, 0)
    return recommend(service_code, arrivals, window.total_seconds(), s.mean_handling_s[service_code], open_counters,
                     service.waiting_warning_min * 60, s.hall.alerts.staffing_target_share)


def queue_buildup(s: HallSnapshot) -> list[Finding]:
    """Per service with an open counter: a new ticket's estimated wait, or the customers per
    open counter, past the hall's threshold; with the staffing recommendation."""
    settings = s.hall.alerts
    queues = s.queues
    found = []
    for service in s.hall.services:
        count, open_counters = len(queues.by_service.get(service.code, ())), queues.open.get(service.code, 0)
        if not count or not open_counters:
            continue
        estimate_s = estimated_wait_s(count, open_counters, s.mean_handling_s[service.code])
        per_counter = count / open_counters
        if estimate_s <= settings.queue_estimate_warning_min * 60 and per_counter <= settings.waiting_per_counter_max:
            continue
        plan = staffing(s, service.code)
        params = {"service": _names(service.name), "count": count, "minutes": _ahead_min(estimate_s)}
        if plan.advice is Advice.OPEN:
            message = Message(N_("%(service)s: %(count)s waiting, a new number waits about %(minutes)s min; "
                                 "open %(more)s more counters"), {**params, "more": plan.more})
        else:
            message = Message(N_("%(service)s: %(count)s waiting, a new number waits about %(minutes)s min"),
                              params)
        found.append(Finding(
            QUEUE_BUILDUP, f"service:{service.code}", Severity.WARNING, message,
            data={"service": service.code, "waiting": count, "open": open_counters, "estimated_wait_s": estimate_s,
                  "per_counter": round(per_counter, 1), "staffing": plan.as_data()}))
    return found


def no_open_counter(s: HallSnapshot) -> list[Finding]:
    """Per service: customers waiting and no open counter serving it."""
    queues = s.queues
    found = []
    for service in s.hall.services:
        tickets = queues.by_service.get(service.code)
        if not tickets or queues.open.get(service.code, 0):
            continue
        serving = [c.number for c in s.hall.counters if service.code in c.services]
        longest_s = max(queues.waited_s[service.code])
        params = {"service": _names(service.name), "count": len(tickets), "counters": _listing(serving)}
        found.append(Finding(
            NO_OPEN_COUNTER, f"service:{service.code}", Severity.CRITICAL,
            Message(N_("%(service)s: %(count)s waiting and no counter open for it; open counter %(counters)s"),
                    params),
            data={"service": service.code, "waiting": len(tickets), "longest_wait_s": round(longest_s),
                  "counters": serving}))
    return found


def idle_counter(s: HallSnapshot) -> list[Finding]:
    """An open counter idle too long while customers wait for it (先外后内: the customers first):
    idle since it was free and someone was waiting for it, whichever came last."""
    limit_s = s.hall.alerts.idle_with_queue_min * 60
    queues = s.queues
    found = []
    for counter in s.counters:
        waiting_since = queues.waiting_since(counter)
        if counter.state is not CounterState.IDLE or counter.since is None or waiting_since is None:
            continue
        idle_s = (s.now - max(counter.since, waiting_since)).total_seconds()
        count = queues.waiting_for(counter)
        if idle_s <= limit_s:
            continue
        params = {"counter": counter.number, "minutes": _passed_min(idle_s), "count": count}
        found.append(Finding(
            IDLE_COUNTER, f"counter:{counter.number}", Severity.WARNING,
            Message(N_("Counter %(counter)s idle for %(minutes)s min while %(count)s wait for it; call the next "
                       "number"), params),
            data={"counter": counter.number, "clerk": counter.clerk, "idle_s": round(idle_s), "waiting": count}))
    return found


def long_pause(s: HallSnapshot) -> list[Finding]:
    """A counter paused past the allowance for its reason while customers wait for it;
    critical past twice the allowance."""
    allowances = s.hall.alerts.pause_allowance_min
    queues = s.queues
    found = []
    for counter in s.counters:
        if counter.state is not CounterState.PAUSED or counter.since is None:
            continue
        reason = counter.pause_reason if counter.pause_reason in allowances else "other"
        allowed_s = allowances[reason] * 60
        paused_s = (s.now - counter.since).total_seconds()
        count = queues.waiting_for(counter)
        if paused_s <= allowed_s or not count:
            continue
        params = {"counter": counter.number, "reason": _words(PAUSE_LABELS[reason]), "minutes": _passed_min(paused_s),
                  "allowed": _threshold(allowances[reason]), "count": count}
        severity = Severity.CRITICAL if paused_s > 2 * allowed_s else Severity.WARNING
        found.append(Finding(
            LONG_PAUSE, f"counter:{counter.number}", severity,
            Message(N_("Counter %(counter)s paused (%(reason)s) %(minutes)s min, %(allowed)s allowed, %(count)s "
                       "waiting; resume service"), params),
            data={"counter": counter.number, "clerk": counter.clerk, "reason": counter.pause_reason,
                  "paused_s": round(paused_s), "allowed_s": round(allowed_s), "waiting": count}))
    return found


def closing_overrun(s: HallSnapshot) -> list[Finding]:
    """Near closing (and after it while customers wait): the queue will not clear by closing
    time. The customers waiting are served, so the hall plans overtime."""
    _opens, closes = _today(s)
    if s.now < closes - timedelta(minutes=s.hall.alerts.closing_check_min) or not s.waiting:
        return []
    queues = s.queues
    clear_s, slowest = max((_clearing_s(s, queues, service.code), service.code) for service in s.hall.services)
    clears_at = s.now + timedelta(seconds=clear_s)
    if clears_at <= closes:
        return []
    overrun_min = _ahead_min((clears_at - closes).total_seconds())
    params = {"count": len(s.waiting), "clear": _local(clears_at, s), "minutes": overrun_min,
              "closes": _local(closes, s)}
    return [Finding(
        CLOSING_OVERRUN, "hall", Severity.WARNING,
        Message(N_("%(count)s waiting: the queue clears about %(clear)s, %(minutes)s min past closing at "
                   "%(closes)s; plan overtime"), params),
        data={"waiting": len(s.waiting), "clear_at": _local(clears_at, s), "closes": _local(closes, s),
              "overrun_min": overrun_min, "service": slowest})]


def _clearing_s(s: HallSnapshot, queues: Queues, service: str) -> float:
    """How long until the service's queue is served: its waiting customers at the mean
    handling time, and what is left of the ones at its counters now, shared among its open
    counters. (Without what is left, the estimate would jump each time a customer is called.)"""
    mean_s = s.mean_handling_s[service]
    left_s = sum(max(mean_s - (s.now - c.handling_since).total_seconds(), 0.0) if c.handling_since else mean_s
                 for c in s.counters if c.ticket is not None and c.ticket_service == service)
    return (len(queues.by_service.get(service, ())) * mean_s + left_s) / max(queues.open.get(service, 0), 1)


def pre_opening(s: HallSnapshot) -> list[Finding]:
    """Before opening: counters not signed in and devices not online."""
    opens, _closes = _today(s)
    if not opens - timedelta(minutes=s.hall.alerts.pre_opening_min) <= s.now < opens:
        return []
    closed = [c.number for c in s.counters if c.state is CounterState.CLOSED]
    offline = [d.name for d in s.devices if not d.online]
    if not closed and not offline:
        return []
    params = {"opens": _local(opens, s), "counters": _listing(closed), "devices": _listing(offline)}
    return [Finding(PRE_OPENING, "hall", Severity.WARNING,
                    Message(PRE_OPENING_MESSAGES[(bool(closed), bool(offline))], params),
                    data={"opens": _local(opens, s), "counters": closed, "devices": offline})]


def _incident_finding(s: HallSnapshot, incident: Incident) -> Finding:
    params: dict[str, Any] = {"number": incident.number, "counter": incident.counter or "-",
                              "clerk": incident.clerk or "-"}
    if incident.kind == "low_rating":
        level_code, _slash, reason_code = (incident.detail or "").partition("/")
        level = next((level for level in s.hall.rating_levels if level.code == level_code), None)
        reason = s.hall.rating_reasons_by_code.get(reason_code)
        params["level"] = _names(level.name) if level else level_code
        params["reason"] = _names(reason.name) if reason else _words(NONE_GIVEN)
        msgid = N_("%(number)s rated %(level)s at counter %(counter)s (%(clerk)s), reason: %(reason)s; talk to "
                   "the customer")
    else:
        params["reason"] = incident.detail or _words(NONE_GIVEN)
        msgid = N_("Upset customer %(number)s at counter %(counter)s (%(clerk)s): %(reason)s; go to the counter")
    return Finding(UNHAPPY_CUSTOMER, f"ticket:{incident.ticket}", Severity.CRITICAL, Message(msgid, params),
                   sticky=True,
                   data={"kind": incident.kind, "ticket": incident.ticket, "number": incident.number,
                         "counter": incident.counter, "clerk": incident.clerk, "detail": incident.detail,
                         "at": incident.at.isoformat()})


def unhappy_customer(s: HallSnapshot) -> list[Finding]:
    """Each customer who left unhappy today (a low rating, an upset-customer flag): at once."""
    return [_incident_finding(s, incident) for incident in s.incidents]


def _device_fault(device: DeviceNow) -> tuple[Severity, str, str] | None:
    """The device's worst problem: (severity, what, msgid), or None when it is well."""
    if device.kind == "printer":
        if not device.online:
            return Severity.CRITICAL, "offline", N_("Printer %(device)s is offline: no tickets can be printed")
        if device.paper == "out":
            return Severity.CRITICAL, "paper_out", N_("Printer %(device)s is out of paper; load a new roll")
        if device.cover_open:
            return Severity.CRITICAL, "cover_open", N_("Printer %(device)s has its cover open; close it")
        if device.fault:
            return Severity.CRITICAL, "fault", N_("Printer %(device)s reports a fault: %(fault)s")
        if device.paper == "low":
            return Severity.NOTICE, "paper_low", N_("Printer %(device)s is low on paper; have a roll ready")
        return None
    offline = {
        "kiosk": (Severity.CRITICAL, N_("Kiosk %(device)s is offline: customers cannot take numbers there")),
        "display": (Severity.WARNING, N_("Display %(device)s is offline")),
        "led": (Severity.WARNING, N_("LED display %(device)s is offline")),
        "evaluator": (Severity.NOTICE, N_("Evaluator %(device)s is offline")),
        "camera": (Severity.WARNING, N_("Camera %(device)s is offline: people are not counted")),
    }
    if device.online or device.kind not in offline:
        return None
    severity, msgid = offline[device.kind]
    return severity, "offline", msgid


def device_fault(s: HallSnapshot) -> list[Finding]:
    """During opening hours: a device that fails the customers (printer, kiosk, displays,
    evaluators) or the manager (a camera that no longer counts)."""
    if not is_open(s.now, s.hall.opening_hours, s.hall.timezone):
        return []
    found = []
    for device in s.devices:
        fault = _device_fault(device)
        if fault is None:
            continue
        severity, what, msgid = fault
        found.append(Finding(
            DEVICE_FAULT, f"device:{device.name}", severity,
            Message(msgid, {"device": device.name, "fault": device.fault or ""}),
            data={"device": device.name, "kind": device.kind, "problem": what, "online": device.online,
                  "paper": device.paper, "cover_open": device.cover_open, "fault": device.fault,
                  "last_seen": device.last_seen.isoformat() if device.last_seen else None}))
    return found


def arrival_surge(s: HallSnapshot) -> list[Finding]:
    """Arrivals of the last 15 minutes well above the usual at this hour and weekday."""
    settings, usual = s.hall.alerts, s.usual_arrivals_15min
    if usual is None:
        return []
    by_service: dict[str, int] = defaultdict(int)
    for at, code in s.arrivals:
        if at > s.now - SURGE_WINDOW:
            by_service[code] += 1
    count = sum(by_service.values())
    if count < settings.surge_min_arrivals or count < settings.surge_factor * usual:
        return []
    params = {"count": count, "usual": round(usual)}
    return [Finding(
        ARRIVAL_SURGE, "hall", Severity.WARNING,
        Message(N_("Arrivals surging: %(count)s in the last 15 min, usually %(usual)s; open more counters"),
                params),
        data={"arrivals": count, "usual": round(usual, 1), "services": dict(by_service)})]


def complaint_deadline(s: HallSnapshot) -> list[Finding]:
    """An unanswered complaint due within `complaint_warning_h`; critical once past its
    deadline. It clears when the complaint is answered."""
    warning = timedelta(hours=s.hall.alerts.complaint_warning_h)
    found = []
    for complaint in s.complaints:
        if not complaint.is_open or s.now < complaint.due_at - warning:
            continue
        overdue = complaint.overdue(s.now)
        params = {"kind": _words(KIND_LABELS[complaint.kind]), "id": complaint.id,
                  "category": _words(CATEGORY_LABELS[complaint.category]),
                  "due": _local(complaint.due_at, s, "%m-%d %H:%M")}
        if overdue:
            message = Message(N_("%(kind)s no. %(id)s (%(category)s) is past its answer deadline, %(due)s; answer "
                                 "the customer"), params)
        else:
            message = Message(N_("%(kind)s no. %(id)s (%(category)s) must be answered by %(due)s"), params)
        found.append(Finding(
            COMPLAINT_DEADLINE, f"complaint:{complaint.id}", Severity.CRITICAL if overdue else Severity.WARNING,
            message,
            data={"complaint": complaint.id, "kind": complaint.kind.value, "category": complaint.category.value,
                  "status": complaint.status.value, "due_at": complaint.due_at.isoformat(),
                  "ticket": complaint.ticket, "number": complaint.ticket_number}))
    return found


def _sustained_crowds(s: HallSnapshot) -> Iterable[tuple["Camera", int]]:
    """Each camera with the lowest count of its area throughout the last `crowd_sustain_min`
    (a condition that holds for the lowest held all that time); cameras offline at any point
    of it, or without an estimate that long, are left out: only a counting camera counts."""
    since = s.now - timedelta(minutes=s.hall.alerts.crowd_sustain_min)
    for camera in s.hall.cameras:
        crowd = s.crowd.get(camera.name)
        lowest = crowd.lowest_since(since) if crowd else None
        if lowest is not None:
            yield camera, lowest


def crowd_without_tickets(s: HallSnapshot) -> list[Finding]:
    """More people in a camera's area, all through the sustain time, than the tickets waiting
    now account for (`crowd_per_ticket` each, a family behind a number, plus `crowd_margin`):
    people waiting without a number, or a queue at the kiosk. The tickets are the hall's, as
    a hall's cameras watch its waiting areas, not one service's."""
    settings = s.hall.alerts
    tickets = len(s.waiting)
    expected = tickets * settings.crowd_per_ticket + settings.crowd_margin
    found = []
    for camera, people in _sustained_crowds(s):
        if people <= expected:
            continue
        params = {"area": _names(camera.area_name), "people": people, "tickets": tickets,
                  "minutes": _threshold(settings.crowd_sustain_min)}
        found.append(Finding(
            CROWD_WITHOUT_TICKETS, f"camera:{camera.name}", Severity.WARNING,
            Message(N_("%(area)s: %(people)s people for %(tickets)s numbers waiting, for %(minutes)s min: people "
                       "waiting without a number, or a queue at the kiosk; send a guide"), params),
            data={"camera": camera.name, "people": people, "waiting": tickets, "expected": round(expected, 1)}))
    return found


def crowd_capacity(s: HallSnapshot) -> list[Finding]:
    """A camera's area above its comfortable capacity all through the sustain time; critical
    above `crowd_critical_share` of it."""
    settings = s.hall.alerts
    found = []
    for camera, people in _sustained_crowds(s):
        if people <= camera.capacity:
            continue
        critical = people > camera.capacity * settings.crowd_critical_share
        params = {"area": _names(camera.area_name), "people": people, "capacity": camera.capacity,
                  "minutes": _threshold(settings.crowd_sustain_min)}
        found.append(Finding(
            CROWD_CAPACITY, f"camera:{camera.name}", Severity.CRITICAL if critical else Severity.WARNING,
            Message(N_("%(area)s: %(people)s people for %(capacity)s it holds, for %(minutes)s min; open more "
                       "counters and guide customers to seats"), params),
            data={"camera": camera.name, "people": people, "capacity": camera.capacity}))
    return found


_RULE_FUNCTIONS: tuple[Callable[[HallSnapshot], list[Finding]], ...] = (
    handling_time, waiting, wait_predicted, queue_buildup, no_open_counter, idle_counter, long_pause,
    closing_overrun, pre_opening, unhappy_customer, device_fault, arrival_surge, complaint_deadline,
    crowd_without_tickets, crowd_capacity)


def findings(s: HallSnapshot) -> list[Finding]:
    """Every rule's findings now; none for a hall whose alerts are off."""
    if not s.hall.alerts.enabled:
        return []
    return [finding for rule in _RULE_FUNCTIONS for finding in rule(s)]
