"""A process issuing tickets through the service layer, killed with SIGKILL, loses nothing it
reported as issued; after a restart the queue is in the same order and numbering goes on."""
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from hall_server.bootstrap import open_context
from hall_server.services import counters, tickets

from ..conftest import KIOSK, MANAGER
from ..running_hall import REPO_ROOT

#: issues tickets as fast as it can, printing each one once it is committed
ISSUER = """
import itertools, sys
from hall_server.bootstrap import open_context
from hall_server.domain.actors import Actor, Role
from hall_server.services.tickets import issue_ticket
ctx = open_context(url=sys.argv[1], migrate_schema=False)
kiosk = Actor("kiosk-1", Role.KIOSK, frozenset({"demo"}))
services = itertools.cycle(["fee", "business", "fee", "enquiry"])
priorities = itertools.cycle(["normal", "normal", "green", "normal", "vip"])
for n in itertools.count():
    t = issue_ticket(ctx, "demo", next(services), kiosk, priority=next(priorities), client_request_id=f"r{n}")
    print(t.id, t.display_number, t.service, t.effective_at.isoformat(), t.issued_at.isoformat(), flush=True)
"""
MIN_REPORTED = 40


def issue_until_killed(database_url: str, config_path: Path) -> list[list[str]]:
    """Run the issuer on the tests' configuration (open all day: the wall clock's hour does not
    matter), SIGKILL it mid-stream, return every line it printed."""
    child = subprocess.Popen([sys.executable, "-c", ISSUER, database_url], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONUNBUFFERED": "1", "HALL_CONFIG": str(config_path)})
    try:
        reported = []
        deadline = time.monotonic() + 60
        while len(reported) < MIN_REPORTED and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            reported.append(line.split())
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    reported += [line.split() for line in child.stdout.read().splitlines()]
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert len(reported) >= MIN_REPORTED, "the issuer did not get going"
    return reported


def test_sigkill_while_issuing_loses_no_reported_ticket(database_url, config, config_path):
    open_context(config, database_url).store.engine.dispose()  # the schema, before the child starts
    reported = issue_until_killed(database_url, config_path)

    ctx = open_context(config, database_url)  # the restart: a new process opens the database
    try:
        with ctx.store.read() as r:
            stored = {t.id: t for t in r.tickets("demo")}
            events = r.events("demo")
        for ticket_id, number, service, effective, issued in reported:
            ticket = stored.get(int(ticket_id))
            assert ticket is not None, f"reported ticket {number} is lost"
            assert (ticket.display_number, ticket.service, ticket.effective_at.isoformat(),
                    ticket.issued_at.isoformat()) == (number, service, effective, issued)
        assert [e.seq for e in events] == list(range(1, len(events) + 1)), "the event log has a gap"

        # counter 3 serves fee and business: it calls the reported tickets in their queue order
        def place(line: list[str]) -> tuple:
            return datetime.fromisoformat(line[3]), datetime.fromisoformat(line[4]), int(line[0])

        expected = [int(line[0]) for line in sorted(
            (line for line in reported if line[2] in ("fee", "business")), key=place)]
        counters.sign_in(ctx, "demo", 3, MANAGER, clerk="clerk-zhao")
        called = []
        while (ticket := tickets.call_next(ctx, "demo", 3, MANAGER)) is not None:
            called.append(ticket.id)
            tickets.start(ctx, "demo", 3, MANAGER)
            tickets.finish(ctx, "demo", 3, MANAGER)
        assert [i for i in called if i in set(expected)] == expected

        last_fee = max(int(t.display_number[1:]) for t in stored.values() if t.service == "fee")
        after = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
        assert after.display_number == f"A{last_fee + 1:03d}", "numbering goes on after the crash"
    finally:
        ctx.store.engine.dispose()
