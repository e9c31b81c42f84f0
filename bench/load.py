"""The load: kiosk, clerk and display workers, each run in a process of its own.

Workers start at a shared wall-clock instant and report plain data back through a queue.
Times are `time.time()` on one machine, so a clerk's send time and a display's arrival
time can be compared directly.
"""
import asyncio
import random
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Queue
from multiprocessing.synchronize import Event

import requests

from tests.display_client import Display

API = "/api/v1"
SERVICES = ["fee", "fee", "business", "enquiry", "enterprise"]
#: how long a clerk with nobody waiting looks away before calling again
IDLE_S = 0.25


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


def kiosk(url: str, token: str, name: str, rate: float, duration: float, start_at: float, out: Queue) -> None:
    """Offer `rate` tickets per second on a fixed schedule (open loop: a slow answer does not
    delay the next request). Latency counts from the scheduled time, so a request that had to
    wait for a free connection is not measured as if it had been sent on time."""
    session = _session(token)
    count = int(rate * duration)
    pick = random.Random(name)

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


def clerk(url: str, token: str, counter: int, duration: float, start_at: float, hold_s: float, out: Queue) -> None:
    """Sign in, then call-next, start, (serve for `hold_s`,) finish, as fast as the queue allows."""
    session = _session(token)
    base = f"{url}{API}/halls/demo/counters/{counter}"
    session.post(f"{base}/sign-in", json={}, timeout=30).raise_for_status()
    records = []
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
