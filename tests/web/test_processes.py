"""Two server processes on one PostgreSQL database and one Redis message queue: a display
on either receives every event of the hall once, in seq order, whichever process took the
request."""
import time

import pytest

from ..conftest import REDIS_URL, require_redis
from ..display_client import BlockingDisplay as Display
from .conftest import Client, start_hall_server

pytestmark = pytest.mark.xdist_group("web-processes")
TICKETS = 20


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_displays_on_both_processes_get_every_event_once_in_order(database_url, tmp_path):
    require_redis()
    first = start_hall_server(tmp_path / "a", database_url, REDIS_URL)
    second = start_hall_server(tmp_path / "b", database_url, REDIS_URL, accounts=False)
    displays = []
    try:
        displays = [Display(server.url, first.tokens["display"]) for server in (first, second)]
        start = displays[0].subscribe()["last_seq"]
        assert displays[1].subscribe()["last_seq"] == start
        kiosks = [Client(server.url, first.tokens["kiosk"]) for server in (first, second)]
        for n in range(TICKETS):
            kiosks[n % 2].ok("POST", "/halls/demo/tickets", 201, json={"service": "fee"})

        log = Client(first.url, first.tokens["display"]).ok(
            "GET", "/halls/demo/events", params={"after": start, "limit": 1000})["events"]
        assert len(log) == TICKETS
        for display in displays:
            assert display.take(TICKETS) == log
        time.sleep(1.5)  # longer than the relay's poll: nothing arrives twice
        assert all(display.received.empty() for display in displays)
    finally:
        for display in displays:
            display.close()
        first.stop()
        second.stop()
