"""A day that ended while the server was down is closed when it starts again."""
from datetime import UTC, datetime, timedelta

import pytest
import requests

from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.domain.actors import Actor, Role
from hall_server.domain.clock import FixedClock
from hall_server.services import counters, tickets

from ..running_hall import RunningHall

pytestmark = pytest.mark.xdist_group("web-day-close")


def test_start_up_closes_the_day_that_ended_while_the_server_was_down(tmp_path):
    server = RunningHall(tmp_path)
    server.init_db()
    server.add_user("mgr", "manager", ["demo"])
    two_days_ago = FixedClock(datetime.now(UTC) - timedelta(days=2))
    ctx = open_context(load_config(server.config_path), server.database_url, two_days_ago,
                       migrate_schema=False)
    kiosk, clerk = Actor("kiosk", Role.KIOSK, frozenset({"demo"})), Actor("wang", Role.CLERK, frozenset({"demo"}))
    try:
        left = [tickets.issue_ticket(ctx, "demo", "fee", kiosk) for _ in range(2)]
        counters.sign_in(ctx, "demo", 1, clerk)
        tickets.call_next(ctx, "demo", 1, clerk)
    finally:
        ctx.store.engine.dispose()
    server.start()
    try:
        mgr = {"Authorization": f"Bearer {server.login('mgr')}"}
        for ticket in left:
            body = requests.get(f"{server.url}/api/v1/tickets/{ticket.id}", headers=mgr, timeout=10).json()
            assert body["status"] == "expired"
        events = requests.get(f"{server.url}/api/v1/halls/demo/events", headers=mgr, timeout=10).json()["events"]
        closing = [(e["type"], e["counter"], e["data"].get("reason")) for e in events[-3:]]
        assert closing == [("ticket.expired", 1, "day_closed"), ("ticket.expired", None, "day_closed"),
                           ("counter.signed_out", 1, "day_closed")]
        board = requests.get(f"{server.url}/api/v1/halls/demo/board", headers=mgr, timeout=10).json()
        assert {c["state"] for c in board["counters"]} == {"closed"}
        assert sum(s["waiting"] for s in board["services"]) == 0
    finally:
        server.stop()
