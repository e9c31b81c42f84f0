"""The server killed with SIGKILL while kiosks issue tickets over HTTP loses none of the
tickets it answered with 201; after a restart the queue is the same."""
import threading
import time
from datetime import datetime

import pytest
import requests

from .conftest import Client, start_hall_server

pytestmark = pytest.mark.xdist_group("web-crash")
KIOSKS = 4
ANSWERED_BEFORE_KILL = 60


def keep_issuing(kiosk: Client, name: str, answered: list[dict], stop: threading.Event) -> None:
    """Issue until the server goes away; keep every ticket answered with 201."""
    for n in range(10_000):
        if stop.is_set():
            return
        try:
            response = kiosk.post("/halls/demo/tickets", json={
                "service": "fee" if n % 3 else "enquiry", "client_request_id": f"{name}/{n}"})
        except requests.RequestException:
            return  # the server is gone
        if response.status_code == 201:
            answered.append(response.json())


def test_sigkill_during_issuing_loses_no_answered_ticket(database_url, tmp_path):
    server = start_hall_server(tmp_path, database_url)
    try:
        kiosk = Client(server.url, server.tokens["kiosk"])
        answered: list[dict] = []
        stop = threading.Event()
        threads = [threading.Thread(target=keep_issuing, args=(kiosk, f"k{i}", answered, stop))
                   for i in range(KIOSKS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(answered) < ANSWERED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()  # while the kiosks are still sending
        stop.set()
        for thread in threads:
            thread.join(30)
        assert len(answered) >= ANSWERED_BEFORE_KILL, server.log()

        server.start()
        admin = Client(server.url, server.login("admin"))
        for ticket in answered:
            stored = kiosk.ok("GET", f"/tickets/{ticket['id']}")
            assert (stored["number"], stored["status"], stored["issued_at"]) == (
                ticket["number"], "waiting", ticket["issued_at"]), "an answered ticket was lost or changed"
        assert len({t["number"] for t in answered}) == len(answered), "a number was given twice"

        # counter 1 serves fee and enquiry: it calls the answered tickets in their issue order
        expected = [t["id"] for t in sorted(answered, key=lambda t: (datetime.fromisoformat(t["issued_at"]), t["id"]))]
        admin.ok("POST", "/halls/demo/counters/1/sign-in", json={"clerk": "clerk-a"})
        called = []
        while (response := admin.post("/halls/demo/counters/1/call-next")).status_code == 200:
            called.append(response.json()["id"])
            admin.ok("POST", "/halls/demo/counters/1/no-show")
        assert response.status_code == 204, response.text
        assert [i for i in called if i in set(expected)] == expected
    finally:
        server.stop()
