"""A running hall server per test module, with two halls and one account of every kind.

The server is the real one (`python -m hall_server run` in its own process) and the tests
talk to it over HTTP and Socket.IO, as kiosks, clerks and displays do.
"""
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from ..running_hall import RunningHall, hall_config_text

API = "/api/v1"

#: who exists on the test server: users (role, halls) and devices (hall, kind, counter)
USERS = {
    "mgr": ("manager", ["demo"]),
    "mgr-north": ("manager", ["north"]),
    "clerk-a": ("clerk", ["demo"]),
    "clerk-b": ("clerk", ["demo"]),
}
DEVICES = {
    "kiosk": ("demo", "kiosk", None),
    "display": ("demo", "display", None),
    "evaluator": ("demo", "evaluator", 2),
    "kiosk-north": ("north", "kiosk", None),
}


@dataclass
class Client:
    """Requests to the API as one caller (`token` None: no Authorization header)."""

    base: str
    token: str | None

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return requests.request(method, f"{self.base}{API}{path}", headers=headers, timeout=10, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: dict | None = None, **kwargs) -> requests.Response:
        return self.request("POST", path, json={} if json is None and "data" not in kwargs else json, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs) -> dict:
        """The JSON of a request that must succeed with `status`."""
        response = self.request(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else {}


class Hall:
    """The running server and a client for each account."""

    def __init__(self, server: RunningHall) -> None:
        self.server = server
        self.url = server.url
        self.clients = {name: Client(server.url, server.login(name)) for name in ["admin", *USERS]}
        self.clients |= {name: Client(server.url, server.tokens[name]) for name in DEVICES}
        self.clients["nobody"] = Client(server.url, None)

    def __getitem__(self, who: str) -> Client:
        return self.clients[who]

    def issue(self, service: str = "fee", hall: str = "demo", **body) -> dict:
        who = "kiosk" if hall == "demo" else "kiosk-north"
        return self[who].ok("POST", f"/halls/{hall}/tickets", 201, json={"service": service, **body})

    def last_seq(self, hall: str = "demo") -> int:
        return self["admin"].ok("GET", f"/halls/{hall}/events", params={"after": 0, "limit": 1})["last_seq"]

    def open_counter(self, number: int, clerk: str) -> None:
        """Sign `clerk` in at the counter and send away whoever else waits for it (no-shows),
        so the test that follows starts with an empty queue there."""
        self.counter_action(clerk, number, "sign-in")
        while self.counter_action("admin", number, "call-next", status=None):
            self.counter_action("admin", number, "no-show")

    def counter_action(self, who: str, number: int, action: str, status: int | None = 200, **body) -> dict:
        """POST a counter action; `status` None accepts call-next's 200 or 204."""
        path = f"/halls/demo/counters/{number}/{action}"
        if status is None:
            response = self[who].post(path, json=body)
            assert response.status_code in (200, 204), response.text
            return response.json() if response.status_code == 200 else {}
        return self[who].ok("POST", path, status, json=body)


def start_hall_server(workdir: Path, database_url: str | None = None, message_queue: str | None = None,
                      accounts: bool = True, alerts: str | None = None) -> RunningHall:
    """A server with two halls; `accounts` False for a second process on a database that has
    them; `alerts`: the alert settings (hall_config_text), None for alerts off."""
    server = RunningHall(workdir, database_url=database_url,
                         config_text=hall_config_text(extra_hall="north", alerts=alerts),
                         message_queue=message_queue)
    if not accounts:
        server.start()
        return server
    server.init_db()
    for name, (role, halls) in USERS.items():
        server.add_user(name, role, halls)
    for name, (hall, kind, counter) in DEVICES.items():
        server.add_device(name, hall, kind, counter)
    server.start()
    return server


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Hall:
    server = start_hall_server(tmp_path_factory.mktemp("hall"))
    try:
        yield Hall(server)
    finally:
        server.stop()


def assert_error(response: requests.Response, status: int, code: str | None = None) -> dict:
    """The response is the contract's error object with this status (and code)."""
    assert response.status_code == status, f"{response.status_code} {response.text}"
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) >= {"code", "message"} and error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error
