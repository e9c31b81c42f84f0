"""`make bench`: load the hall server as production runs it and measure it.

Starts `python -m hall_server run` (tests/running_hall.py), connects the displays, then
runs kiosks and clerks at 8 counters from separate processes for --duration seconds.
Prints a JSON summary per run and writes it to bench/results/.

Three scenarios:
- `issue`: kiosks offer 200 tickets/s, clerks call and finish as fast as they can, a few
  displays check delivery; judged on issue latency;
- `displays`: 500 displays connected, a busy hall's traffic (kiosks at 5 tickets/s, each
  clerk serving a customer for a second); judged on call -> display latency;
- `logins` (gevent only): kiosks at 20 tickets/s while 20 wrong logins a second arrive, in
  three runs (--attack): none, all from one address (the throttle stops it after 20), and
  spread over many addresses and user names (never throttled: every password is checked);
  judged on issue latency against the run without them.
And `printer` (bench/printer.py, no server): the ticket's bytes and the time they take on
the serial line, as a print worker prints kiosk-1's numbers on a simulated printer.
And `kiosk` (bench/kiosk.py): touch to ticket on screen at the kiosk page in Chromium.
And `voice` (bench/voice.py, no server): a call's audio made per phrase, cold and cached.
And `display` (bench/display.py): call to text and to audio on the hall display page in
Chromium, 20 pages open.
And `alerts` (bench/alerts.py): one pass of the alert rules for a busy hall and for 100, a
whole evaluation on SQLite, and an event's delay to its alert on the board.
And `reports` (bench/reports.py, no server): a day's and a month's report of a year of a busy
hall (bench/history.py generates it once), and a month of 30 halls side by side, on SQLite
and PostgreSQL.
"""
import argparse
import json
import multiprocessing
import os
import tempfile
import threading
import time
from pathlib import Path

import requests

from tests.running_hall import RunningHall, hall_config_text

from . import alerts, cameras, display, kiosk, load, printer, reports, voice
from .load import sleep_until
from .report import publish, summarize, summarize_logins

KIOSK_PROCESSES = 4
DISPLAYS_PER_PROCESS = 100
DRAIN_S = 3.0
SCENARIOS = {
    "issue": {"rate": 200.0, "displays": 10, "hold": 0.0},
    "displays": {"rate": 5.0, "displays": 500, "hold": 1.0},
    "logins": {"rate": 20.0, "displays": 10, "hold": 0.5},
}
#: the `logins` scenario's runs: the wrong logins' spread over addresses (None: no attack)
ATTACKS = {"none": None, "one_address": False, "many_addresses": True}
WRONG_LOGINS_PER_S = 20.0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--mode", choices=["threading", "gevent", "both"], default="both")
    parser.add_argument("--scenario", default="all",
                        choices=[*SCENARIOS, "printer", "kiosk", "voice", "display", "alerts", "reports", "cameras",
                                 "all", "both"],
                        help="default all (printer included); `both` is issue and displays; `printer`: the "
                             "ticket's bytes and print time (bench/printer.py)")
    parser.add_argument("--attack", choices=[*ATTACKS, "all"], default="all",
                        help="the logins scenario's run(s): wrong logins from nowhere, one or many addresses")
    parser.add_argument("--logins-per-s", type=float, default=WRONG_LOGINS_PER_S,
                        help="wrong logins offered per second in the logins scenario")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--rate", type=float, help="tickets offered per second (default: the scenario's)")
    parser.add_argument("--displays", type=int, help="Socket.IO display clients (default: the scenario's)")
    parser.add_argument("--hold", type=float, help="seconds a clerk serves each customer (default: the scenario's)")
    parser.add_argument("--counters", type=int, default=8, choices=range(1, 9), metavar="1..8")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary folder")
    return parser.parse_args(argv)


class ServerSampler(threading.Thread):
    """Samples the server's processes every 0.2 s: the peak of the sum of their proportional
    set sizes (PSS, so pages the gunicorn master shares with its worker count once), and the
    CPU time they used."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in self.pids()))
            time.sleep(0.2)

    def pids(self) -> list[int]:
        return [self.pid, *_children(self.pid)]

    def cpu_s(self) -> float:
        ticks = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> float:
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found] + [g for child in found for g in _children(int(child))]


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def prepare(workdir: Path, mode: str, counters: int, database_url: str | None) -> RunningHall:
    """A server as a hall runs it: the alert rules on (they judge the hall after its events)."""
    server = RunningHall(workdir, database_url=database_url, mode=mode,
                         config_text=printer.without_server_printers(hall_config_text(extra_counters=1, alerts="")))
    server.init_db()
    for number in range(1, counters + 1):
        server.add_user(f"clerk-{number}", "clerk", ["demo"])
    for n in range(KIOSK_PROCESSES):
        server.add_device(f"kiosk-{n}", "demo", "kiosk")
    server.add_device("display", "demo", "display")
    server.start()
    return server


def run(mode: str, scenario: str, options: argparse.Namespace, attack: str = "none") -> dict:
    """One benchmark run against a fresh server in `mode`; `attack` (ATTACKS) adds wrong logins."""
    options = argparse.Namespace(**{**vars(options), **{
        key: value for key, value in SCENARIOS[scenario].items() if getattr(options, key) is None}})
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="hall-bench-") as workdir:
        server = prepare(Path(workdir), mode, options.counters, options.database_url)
        sampler = ServerSampler(server.process.pid)
        sampler.start()
        try:
            results, ready, stop = spawn.Queue(), spawn.Queue(), spawn.Event()
            groups = [DISPLAYS_PER_PROCESS] * (options.displays // DISPLAYS_PER_PROCESS)
            groups += [options.displays % DISPLAYS_PER_PROCESS] if options.displays % DISPLAYS_PER_PROCESS else []
            display_procs = [spawn.Process(target=load.displays, args=(
                server.url, server.tokens["display"], n, ready, stop, results)) for n in groups]
            for process in display_procs:
                process.start()
            connected = sum(ready.get(timeout=300) for _ in display_procs)

            gate = load.StartGate(spawn.Queue(), spawn.Value("d", 0.0))
            workers = [spawn.Process(target=load.kiosk, args=(
                server.url, server.tokens[f"kiosk-{n}"], f"kiosk-{n}", options.rate / KIOSK_PROCESSES,
                options.duration, gate, results)) for n in range(KIOSK_PROCESSES)]
            workers += [spawn.Process(target=load.clerk, args=(
                server.url, server.login(f"clerk-{n}"), n, options.duration, gate, options.hold, results))
                for n in range(1, options.counters + 1)]
            if ATTACKS[attack] is not None:
                workers.append(spawn.Process(target=load.wrong_logins, args=(
                    server.url, options.logins_per_s, options.duration, gate, ATTACKS[attack], results)))
            for process in workers:
                process.start()
            start_at = gate.open(len(workers), lead_s=0.5, timeout_s=300)
            sleep_until(start_at)
            cpu_before, machine_before = sampler.cpu_s(), machine_busy_s()
            records = [results.get(timeout=options.duration + 300) for _ in workers]
            server_cpu = (sampler.cpu_s() - cpu_before) / (time.time() - start_at)
            machine_cpu = (machine_busy_s() - machine_before) / (time.time() - start_at)
            time.sleep(DRAIN_S)  # let the last events reach the displays
            stop.set()
            display_records = [d for _ in display_procs for d in results.get(timeout=300)]
            for process in workers + display_procs:
                process.join(30)
            log = event_log(server)
        finally:
            sampler.running = False
            server.stop()
    flat = [r for batch in records for r in batch]
    options_used = {**vars(options), "mode": mode, "scenario": scenario, "attack": attack,
                    "displays_connected": connected}
    summary = summarize(options_used, [r for r in flat if r[0] == "issue"],
                        [r for r in flat if r[0] not in ("issue", "login")],
                        log, display_records, sampler.peak_kb / 1024, time.time() - start_at)
    if ATTACKS[attack] is not None:
        summary["wrong_logins"] = summarize_logins([r for r in flat if r[0] == "login"], options.logins_per_s)
    summary["server_cpu_cores_busy"] = round(server_cpu, 2)
    summary["machine_cpu_cores_busy"] = round(machine_cpu, 2)  # the server and the load generators
    return summary


def modes_of(scenario: str, mode: str) -> list[str]:
    """The logins scenario measures the production server (gevent) unless told otherwise."""
    if mode != "both":
        return [mode]
    return ["gevent"] if scenario == "logins" else ["threading", "gevent"]


def attacks_of(scenario: str, attack: str) -> list[str]:
    if scenario != "logins":
        return ["none"]
    return list(ATTACKS) if attack == "all" else [attack]


def event_log(server: RunningHall) -> list[dict]:
    headers = {"Authorization": f"Bearer {server.tokens['display']}"}
    events, after = [], 0
    while page := requests.get(f"{server.url}/api/v1/halls/demo/events", headers=headers, timeout=30,
                               params={"after": after, "limit": 1000}).json()["events"]:
        events += page
        after = page[-1]["seq"]
    return events


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    printed = printer.main() == 0 if options.scenario in ("printer", "all") else True
    if options.scenario == "printer":
        return 0 if printed else 1
    touched = kiosk.main() == 0 if options.scenario in ("kiosk", "all") else True
    if options.scenario == "kiosk":
        return 0 if touched else 1
    spoken = voice.main() == 0 if options.scenario in ("voice", "all") else True
    if options.scenario == "voice":
        return 0 if spoken else 1
    shown = display.main() == 0 if options.scenario in ("display", "all") else True
    if options.scenario == "display":
        return 0 if shown else 1
    judged = alerts.main() == 0 if options.scenario in ("alerts", "all") else True
    if options.scenario == "alerts":
        return 0 if judged else 1
    reported = reports.main() == 0 if options.scenario in ("reports", "all") else True
    if options.scenario == "reports":
        return 0 if reported else 1
    counted = cameras.main() == 0 if options.scenario in ("cameras", "all") else True
    if options.scenario == "cameras":
        return 0 if counted else 1
    scenarios = {"all": list(SCENARIOS), "both": ["issue", "displays"]}.get(options.scenario, [options.scenario])
    summaries = []
    for scenario in scenarios:
        for mode in modes_of(scenario, options.mode):
            for attack in attacks_of(scenario, options.attack):
                summary = run(mode, scenario, options, attack)
                publish(f"{scenario}{f'-{attack}' if scenario == 'logins' else ''}-{mode}", summary)
                summaries.append(summary)
    print(json.dumps({"comparison": [{
        "scenario": s["options"]["scenario"], "mode": s["options"]["mode"], "attack": s["options"]["attack"],
        "issue_p50_ms": s["issue_latency_ms"]["p50"], "issue_p99_ms": s["issue_latency_ms"]["p99"],
        "call_next_p99_ms": s["call_next_latency_ms"]["p99"],
        "call_to_display_p99_ms": s["call_to_display_ms"]["p99"], "peak_memory_mb": s["server_peak_memory_mb"],
        **({"wrong_logins": s["wrong_logins"]} if "wrong_logins" in s else {}),
        "targets": s["targets"]} for s in summaries]}, indent=2))
    correct = ("no_duplicate_numbers", "no_double_calls", "no_missed_events")
    clean = all(s["targets"][check] for s in summaries for check in correct)
    return 0 if printed and touched and spoken and shown and judged and reported and counted and clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
