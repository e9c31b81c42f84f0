"""`python -m bench --scenario alerts` (and part of `make bench`): the cost of judging a hall,
and how soon an alert reaches the board.

- `rules_pass_ms`: one pass of the rules over a hall with 30 counters (all open, half serving)
  and 500 waiting customers, read already (the pure part: findings, their messages in both
  languages, the reconciliation with the standing alerts); and the same for 100 such halls.
  Targets: ≤ 5 ms and ≤ 200 ms.
- `evaluate_ms`: one whole evaluation of such a hall on SQLite, the reads included, when
  nothing changes (what the timer costs each time it fires).
- `event_to_board_ms`: a running server (`python -m hall_server run`, alerts on, the timer
  slow so that only events trigger the rules): the only counter serving a service signs out
  while a customer waits for it; from the answer to the sign-out to the `alert.raised` of
  `no_open_counter` at a manager's Socket.IO connection (the board's), over ROUNDS rounds.
"""
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.domain import alert_rules
from hall_server.domain.actors import Actor, Role
from hall_server.domain.alerts import reconcile, render
from hall_server.domain.clock import FixedClock
from hall_server.domain.counters import CounterState
from hall_server.domain.hall_snapshot import CounterNow, HallSnapshot, WaitingTicket
from hall_server.services import alerts
from hall_server.services import counters as counter_cases
from hall_server.services import tickets as ticket_cases
from tests.display_client import BlockingDisplay
from tests.running_hall import RunningHall, hall_config_text

from .report import latency_ms, publish

COUNTERS = 30
WAITING = 500
HALLS = 100
PASSES = 50
ROUNDS = 10
TARGETS_MS = {"one_hall": 5.0, "hundred_halls": 200.0}
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def busy_hall_config(workdir: Path):
    path = workdir / "halls.toml"
    demo_counters = 7
    path.write_text(hall_config_text(extra_counters=COUNTERS - demo_counters, alerts=""), encoding="utf-8")
    return load_config(path)


def busy_snapshot(hall) -> HallSnapshot:
    """30 open counters (every other one serving, some over budget) and 500 waiting customers."""
    services = [s.code for s in hall.services]
    waiting = [WaitingTicket(n, f"A{n:03d}", services[n % len(services)], None,
                             NOW - timedelta(seconds=7 * (WAITING - n)), NOW - timedelta(seconds=7 * (WAITING - n)))
               for n in range(1, WAITING + 1)]
    counters = []
    for config in hall.counters:
        serving = config.number % 2 == 0
        counters.append(CounterNow(
            config.number, CounterState.SERVING if serving else CounterState.IDLE, f"clerk-{config.number}",
            NOW - timedelta(minutes=config.number), None, tuple(config.services),
            ticket=10_000 + config.number if serving else None, ticket_number="B001" if serving else None,
            handling_since=NOW - timedelta(minutes=config.number) if serving else None,
            budget_s=900 if serving else None))
    arrivals = [(NOW - timedelta(seconds=20 * n), services[n % len(services)]) for n in range(90)]
    return HallSnapshot(hall=hall, now=NOW, waiting=waiting, counters=counters,
                        mean_handling_s={code: 240.0 for code in services}, arrivals=arrivals,
                        usual_arrivals_15min=20.0)


def one_pass(snapshot: HallSnapshot, escalate: timedelta) -> int:
    findings = alert_rules.findings(snapshot)
    messages = {f.key: render(f.message) for f in findings}
    reconcile([], findings, snapshot.now, escalate, messages)
    return len(findings)


def rules_pass(hall) -> dict:
    snapshot = busy_snapshot(hall)
    escalate = timedelta(minutes=hall.alerts.escalate_after_min)
    findings = one_pass(snapshot, escalate)  # warm the catalogue
    single = []
    for _ in range(PASSES):
        fresh = replace(snapshot)  # as read anew: nothing grouped yet
        started = time.perf_counter()
        one_pass(fresh, escalate)
        single.append(time.perf_counter() - started)
    hundred = []
    for _ in range(5):
        snapshots = [replace(snapshot) for _ in range(HALLS)]
        started = time.perf_counter()
        for each in snapshots:
            one_pass(each, escalate)
        hundred.append(time.perf_counter() - started)
    return {"findings_per_pass": findings, "one_hall_ms": latency_ms(single),
            "hundred_halls_ms": latency_ms(hundred)}


def evaluate_cost(workdir: Path) -> dict:
    """A whole evaluation on SQLite with the hall as busy as above, when nothing changes."""
    clock = FixedClock(NOW - timedelta(hours=1))
    ctx = open_context(busy_hall_config(workdir), f"sqlite:///{workdir / 'hall.db'}", clock)
    try:
        kiosk = Actor("kiosk", Role.KIOSK, frozenset({"demo"}))
        hall = ctx.hall("demo")
        for n in range(WAITING):
            clock.advance(3)
            ticket_cases.issue_ticket(ctx, "demo", hall.services[n % len(hall.services)].code, kiosk)
        for counter in hall.counters:
            clerk = Actor(f"clerk-{counter.number}", Role.CLERK, frozenset({"demo"}))
            counter_cases.sign_in(ctx, "demo", counter.number, clerk)
            if counter.number % 2 == 0:
                ticket_cases.call_next(ctx, "demo", counter.number, clerk)
        alerts.evaluate(ctx, "demo")  # raises what holds
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            changed = alerts.evaluate(ctx, "demo")
            timings.append(time.perf_counter() - started)
            assert not changed, changed
        return {"waiting": WAITING, "counters": COUNTERS, "evaluate_ms": latency_ms(timings)}
    finally:
        ctx.store.engine.dispose()


def event_to_board(workdir: Path) -> dict:
    server = RunningHall(workdir / "server", config_text=hall_config_text(alerts="evaluate_every_s = 300"))
    server.init_db()
    server.add_user("mgr", "manager", ["demo"])
    server.add_user("clerk", "clerk", ["demo"])
    server.add_device("kiosk", "demo", "kiosk")
    server.start()
    board = None
    try:
        def post(who: str, path: str, **body) -> float:
            response = requests.post(f"{server.url}/api/v1{path}", json=body, timeout=30,
                                     headers={"Authorization": f"Bearer {tokens[who]}"})
            assert response.status_code in (200, 201, 204), response.text
            return time.time()

        tokens = {"mgr": server.login("mgr"), "clerk": server.login("clerk"), "kiosk": server.tokens["kiosk"]}
        board = BlockingDisplay(server.url, tokens["mgr"])
        board.subscribe("demo")
        post("clerk", "/halls/demo/counters/7/sign-in")
        post("kiosk", "/halls/demo/tickets", service="enterprise")  # only counter 7 serves it
        delays = []
        for _ in range(ROUNDS):
            time.sleep(0.5)
            answered = post("clerk", "/halls/demo/counters/7/sign-out")
            delays.append(_next_alert(board, "alert.raised", "service:enterprise") - answered)
            post("clerk", "/halls/demo/counters/7/sign-in")
            _next_alert(board, "alert.resolved", "service:enterprise")
        return {"rounds": ROUNDS, "event_to_board_ms": latency_ms(delays)}
    finally:
        if board is not None:
            board.close()
        server.stop()


def _next_alert(board: BlockingDisplay, kind: str, subject: str) -> float:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        arrived, event = board.received.get(timeout=30)
        if event["type"] == kind and event["data"]["subject"] == subject:
            return arrived
    raise AssertionError(f"no {kind} of {subject}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hall-bench-alerts-") as workdir:
        workdir = Path(workdir)
        hall = busy_hall_config(workdir).halls[0]
        summary = {"scenario": "alerts", "rules_pass": rules_pass(hall), "evaluate": evaluate_cost(workdir),
                   "board": event_to_board(workdir)}
    passes = summary["rules_pass"]
    summary["targets"] = {
        "one_hall_p50_within_5ms": passes["one_hall_ms"]["p50"] <= TARGETS_MS["one_hall"],
        "hundred_halls_p50_within_200ms": passes["hundred_halls_ms"]["p50"] <= TARGETS_MS["hundred_halls"],
    }
    publish("alerts", summary)
    return 0 if all(summary["targets"].values()) else 1
