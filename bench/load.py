"""The load: kiosk, clerk and display workers, each run in a process of its own.

Workers start at a shared wall-clock instant (set once every worker is up: see StartGate)
and report plain data back through a queue.
Times are `time.time()` on one machine, so a clerk's send time and a display's arrival
time can be compared directly.
"""
import asyncio
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing import Queue
from multiprocessing.synchronize import Event
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from tests.display_client import Display

API = "/api/v1"
SERVICES = ["fee", "fee", "business", "enquiry", "enterprise"]
#: how long a clerk with nobody waiting looks away before calling again
IDLE_S = 0.25
#: the address a single-address attacker sends from (127.0.0.0/8 all reaches the server)
ATTACKER_ADDRESS = "127.0.0.250"
#: a spread attacker's attempts per address: under the server's limit of 20 per address
PER_ADDRESS = 19


def _session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=64)
    session.mount("http://", adapter)
    return session


def sleep_until(at: float) -> None:
    delay = at - time.time()
    if delay > 0:
        time.sleep(delay)


@dataclass
class StartGate:
    """Each worker reports that it is up (imported, signed in) and waits; once all are, the
    conductor sets the instant they all start at. (A start time fixed before spawning is missed
    when spawning a dozen processes takes longer than planned on a busy machine, and the late
    start then shows as latency.)"""

    up: Queue
    at: Any  # a multiprocessing Value("d"), 0 until set

    def wait(self) -> float:
        self.up.put(1)
        while not self.at.value:
            time.sleep(0.01)
        return self.at.value

    def open(self, workers: int, lead_s: float, timeout_s: float) -> float:
        for _ in range(workers):
            self.up.get(timeout=timeout_s)
        self.at.value = time.time() + lead_s
        return self.at.value


def kiosk(url: str, token: str, name: str, rate: float, duration: float, gate: StartGate, out: Queue) -> None:
    """Offer `rate` tickets per second on a fixed schedule (open loop: a slow answer does not
    delay the next request). Latency counts from the scheduled time, so a request that had to
    wait for a free connection is not measured as if it had been sent on time."""
    session = _session(token)
    count = int(rate * duration)
    pick = random.Random(name)
    start_at = gate.wait()

    def issue(n: int) -> tuple:
        sent = start_at + n / rate
        sleep_until(sent)
        try:
            response = session.post(f"{url}{API}/halls/demo/tickets", timeout=30, json={
                "service": pick.choice(SERVICES), "client_request_id": f"{name}/{n}"})
        except requests.RequestException as exc:
            return ("issue", sent, time.time() - sent, 0, type(exc).__name__, None)
        body = response.json() if response.status_code == 201 else {}
        return ("issue", sent, time.time() - sent, response.status_code, body.get("number"), body.get("id"))

    with ThreadPoolExecutor(max_workers=64) as pool:
        out.put([result for result in pool.map(issue, range(count))])


class SourceAddressAdapter(HTTPAdapter):
    """Connections from a given local address, so the server sees a client of that address."""

    def __init__(self, address: str, **kwargs) -> None:
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def wrong_logins(url: str, rate: float, duration: float, gate: StartGate, spread: bool, out: Queue) -> None:
    """Offer `rate` logins per second with wrong passwords, on a fixed schedule (open loop).

    `spread` False: all from one address, for 50 user names: the server's throttle stops the
    address after its first 20 failures, and the rest are answered 429 without a password check.
    `spread` True: each attempt for a user name of its own, each address used for fewer than 20:
    no limit is ever met, so the server checks every password (argon2, ~165 ms of CPU each), as
    it would for an attacker with many addresses."""
    count = int(rate * duration)
    sessions: dict[str, requests.Session] = {}

    def session_for(n: int) -> requests.Session:
        address = f"127.0.0.{2 + (n // PER_ADDRESS) % 240}" if spread else ATTACKER_ADDRESS
        if address not in sessions:
            session = requests.Session()
            session.mount("http://", SourceAddressAdapter(address, pool_connections=1, pool_maxsize=64))
            sessions[address] = session
        return sessions[address]

    def attempt(n: int) -> tuple:
        sent = start_at + n / rate
        session = session_for(n)  # all made before the threads start
        sleep_until(sent)
        username = f"intruder-{n}" if spread else f"intruder-{n % 50}"
        try:
            response = session.post(f"{url}{API}/auth/login", timeout=60,
                                    json={"username": username, "password": "not the password"})
        except requests.RequestException as exc:
            return ("login", sent, time.time() - sent, type(exc).__name__, None, None)
        return ("login", sent, time.time() - sent, response.status_code, None, None)

    for n in range(count):
        session_for(n)
    start_at = gate.wait()
    with ThreadPoolExecutor(max_workers=64) as pool:
        out.put([result for result in pool.map(attempt, range(count))])


def clerk(url: str, token: str, counter: int, duration: float, gate: StartGate, hold_s: float, out: Queue) -> None:
    """Sign in, then call-next, start, (serve for `hold_s`,) finish, as fast as the queue allows."""
    session = _session(token)
    base = f"{url}{API}/halls/demo/counters/{counter}"
    session.post(f"{base}/sign-in", json={}, timeout=30).raise_for_status()
    records = []
    start_at = gate.wait()
    sleep_until(start_at)
    while time.time() < start_at + duration:
        sent = time.time()
        response = session.post(f"{base}/call-next", json={}, timeout=30)
        latency = time.time() - sent
        ticket = response.json()["id"] if response.status_code == 200 else None
        records.append(("call", sent, latency, response.status_code, counter, ticket))
        if ticket is None:
            time.sleep(IDLE_S)
            continue
        for action in ("start", "finish"):
            if action == "finish":
                time.sleep(hold_s)
            started = time.time()
            status = session.post(f"{base}/{action}", json={}, timeout=30).status_code
            records.append((action, started, time.time() - started, status, counter, ticket))
    out.put(records)


def displays(url: str, token: str, clients: int, ready: Queue, stop: Event, out: Queue) -> None:
    """Hold `clients` Socket.IO connections subscribed to the hall until told to stop; report,
    for each, the first seq it was due, the seqs it got and when each ticket.called arrived."""
    asyncio.run(_displays(url, token, clients, ready, stop, out))


async def _displays(url: str, token: str, clients: int, ready: Queue, stop: Event, out: Queue) -> None:
    connected = [Display() for _ in range(clients)]
    for batch in range(0, clients, 20):  # a few at a time, as screens come up
        await asyncio.gather(*(d.connect(url, token) for d in connected[batch:batch + 20]))
    first_seqs = [(await d.subscribe())["last_seq"] + 1 for d in connected]
    ready.put(len(connected))
    while not stop.is_set():
        await asyncio.sleep(0.2)
    reports = []
    for display, first_seq in zip(connected, first_seqs, strict=True):
        arrived = [display.received.get_nowait() for _ in range(display.received.qsize())]
        reports.append((first_seq, [e["seq"] for _t, e in arrived],
                        {e["seq"]: t for t, e in arrived if e["type"] == "ticket.called"}))
    out.put(reports)
    await asyncio.gather(*(d.close() for d in connected))
