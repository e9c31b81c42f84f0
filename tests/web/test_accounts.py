"""The account lifecycle over HTTP, Socket.IO and the command line, on a real server: logout,
password change, disabled users, revoked devices, and the login throttle (CONTRACT.md
"Authentication" and "Command line").

Every test makes accounts of its own (and the throttle tests send from addresses of their
own, 127.0.0.x), so the module's server stays usable for the others."""
import subprocess
import sys
import time

import pytest
import requests
from requests.adapters import HTTPAdapter

from hall_server.domain.actors import Role
from hall_server.services import accounts
from hall_server.web import realtime

from ..conftest import REDIS_URL, require_redis
from ..display_client import BlockingDisplay
from ..running_hall import REPO_ROOT
from .conftest import API, Client, assert_error, start_hall_server

pytestmark = pytest.mark.xdist_group("web-accounts")
#: the server re-checks its connections' tokens every SESSION_CHECK_S
CLOSED_WITHIN_S = realtime.SESSION_CHECK_S + 4


class SourceAddressAdapter(HTTPAdapter):
    """Connections from a given local address: 127.0.0.0/8 all reaches the server on Linux, so
    the server sees a client of that address."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def login_from(hall, address: str, username: str, password: str) -> requests.Response:
    with requests.Session() as session:
        session.mount("http://", SourceAddressAdapter(address))
        return session.post(f"{hall.url}{API}/auth/login", json={"username": username, "password": password},
                            timeout=30)


def new_user(hall, username: str, role: str = "clerk") -> str:
    """A user of the demo hall made for one test; returns a fresh token of theirs."""
    hall.server.add_user(username, role, ["demo"])
    return hall.server.login(username)


def cli(hall, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`python -m hall_server ARGS` as an administrator runs it, on the server's database."""
    return subprocess.run([sys.executable, "-m", "hall_server", *args], cwd=REPO_ROOT, env=hall.server.env,
                          input=stdin, capture_output=True, text=True, timeout=60)


def wait_closed(display: BlockingDisplay) -> float:
    """Seconds until the server closed the display's connection (fails after CLOSED_WITHIN_S)."""
    start = time.monotonic()
    while display.display.client.connected:
        assert time.monotonic() - start < CLOSED_WITHIN_S, "the connection was not closed"
        time.sleep(0.1)
    return time.monotonic() - start


def test_logout_kills_the_token_and_closes_its_connections(hall):
    token = new_user(hall, "lc-logout")
    other = hall.server.login("lc-logout")
    display = BlockingDisplay(hall.url, token)
    try:
        assert "last_seq" in display.subscribe()
        assert Client(hall.url, token).post("/auth/logout").status_code == 204
        assert_error(Client(hall.url, token).get("/halls"), 401)
        assert_error(Client(hall.url, token).post("/auth/logout"), 401)
        assert Client(hall.url, other).get("/halls").status_code == 200
        wait_closed(display)
    finally:
        display.close()


def test_a_device_does_not_log_out(hall):
    token = hall.server.add_device("lc-kiosk", "demo", "kiosk")
    assert_error(Client(hall.url, token).post("/auth/logout"), 403, "not_a_user")
    assert Client(hall.url, token).get("/halls/demo").status_code == 200


def test_a_password_change_revokes_the_other_tokens_and_keeps_this_one(hall):
    here = new_user(hall, "lc-passwd")
    elsewhere = hall.server.login("lc-passwd")
    old = hall.server.passwords["lc-passwd"]
    elsewhere_live = BlockingDisplay(hall.url, elsewhere)
    try:
        response = Client(hall.url, here).post("/auth/password",
                                               json={"current_password": old, "new_password": "my new password"})
        assert response.status_code == 204, response.text
        assert Client(hall.url, here).get("/halls").status_code == 200
        assert_error(Client(hall.url, elsewhere).get("/halls"), 401)
        wait_closed(elsewhere_live)
    finally:
        elsewhere_live.close()
    assert_error(login_from(hall, "127.0.0.21", "lc-passwd", old), 401, "invalid_credentials")
    assert login_from(hall, "127.0.0.21", "lc-passwd", "my new password").status_code == 200


@pytest.mark.parametrize("current, new, status, code", [
    (None, "too short", 422, "weak_password"),
    ("not my password", "a long new password", 403, "wrong_password"),
])
def test_a_refused_password_change_changes_nothing(hall, current, new, status, code):
    username = f"lc-refused-{status}"
    token = new_user(hall, username)
    password = hall.server.passwords[username]
    with requests.Session() as session:
        session.mount("http://", SourceAddressAdapter("127.0.0.22"))
        response = session.post(f"{hall.url}{API}/auth/password", headers={"Authorization": f"Bearer {token}"},
                                json={"current_password": current or password, "new_password": new}, timeout=30)
    assert_error(response, status, code)
    assert Client(hall.url, token).get("/halls").status_code == 200
    assert login_from(hall, "127.0.0.22", username, password).status_code == 200


def test_user_passwd_sets_the_password_and_ends_every_session(hall):
    token = new_user(hall, "lc-cli-passwd")
    done = cli(hall, "user", "passwd", "lc-cli-passwd", "--password-stdin", stdin="set by the admin\n")
    assert done.returncode == 0 and "lc-cli-passwd" in done.stdout, done.stderr
    assert_error(Client(hall.url, token).get("/halls"), 401)
    assert login_from(hall, "127.0.0.23", "lc-cli-passwd", "set by the admin").status_code == 200

    for args, stdin, message in [(["lc-cli-passwd"], "short\n", "at least 10"),
                                 (["lc-nobody"], "long enough password\n", "no user")]:
        refused = cli(hall, "user", "passwd", *args, "--password-stdin", stdin=stdin)
        assert refused.returncode == 1 and message in refused.stderr, refused.stderr


def test_user_disable_refuses_the_login_and_ends_every_session_at_once(hall):
    token = new_user(hall, "lc-disabled", "manager")
    live = BlockingDisplay(hall.url, token)
    try:
        live.subscribe()
        done = cli(hall, "user", "disable", "lc-disabled")
        assert done.returncode == 0 and "lc-disabled disabled" in done.stdout, done.stderr
        assert_error(Client(hall.url, token).get("/halls"), 401)
        wait_closed(live)
    finally:
        live.close()
    refused = assert_error(login_from(hall, "127.0.0.24", "lc-disabled", hall.server.passwords["lc-disabled"]), 401)
    wrong = assert_error(login_from(hall, "127.0.0.24", "lc-passwd-unknown", "a wrong password"), 401)
    assert refused == wrong, "a disabled user learns nothing more than from a wrong password"
    assert "already" in cli(hall, "user", "disable", "lc-disabled").stdout
    assert cli(hall, "user", "disable", "lc-nobody").returncode == 1


def test_device_revoke_ends_its_token_and_its_socket_within_seconds(hall):
    token = hall.server.add_device("lc-display", "demo", "display")
    other = hall.server.add_device("lc-display-2", "demo", "display")
    display, other_display = BlockingDisplay(hall.url, token), BlockingDisplay(hall.url, other)
    try:
        display.subscribe()
        other_display.subscribe()
        done = cli(hall, "device", "revoke", "--hall", "demo", "--name", "lc-display")
        assert done.returncode == 0 and "revoked" in done.stdout, done.stderr
        assert_error(Client(hall.url, token).get("/halls/demo"), 401)
        wait_closed(display)
        assert other_display.display.client.connected, "the hall's other displays stay"
        hall.issue("fee")
        assert other_display.take(1)[0]["type"] == "ticket.issued"
    finally:
        display.close()
        other_display.close()
    with pytest.raises(Exception):  # noqa: B017 - python-socketio's ConnectionError
        BlockingDisplay(hall.url, token)
    refused = cli(hall, "device", "revoke", "--hall", "demo", "--name", "lc-nothing")
    assert refused.returncode == 1 and "no device" in refused.stderr


def test_device_add_takes_a_booking_device(hall):
    done = cli(hall, "device", "add", "--hall", "demo", "--kind", "booking", "--name", "lc-wechat")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    assert Client(hall.url, token).get("/halls/demo").status_code == 200


def test_five_failures_for_a_user_name_bring_429_with_retry_after(hall):
    new_user(hall, "lc-throttled")
    new_user(hall, "lc-not-throttled")
    password = hall.server.passwords["lc-throttled"]
    for n in range(5):  # from five addresses: only the name's limit is met
        assert_error(login_from(hall, f"127.0.0.{30 + n}", "lc-throttled", "a wrong password"), 401)
    response = login_from(hall, "127.0.0.35", "lc-throttled", password)
    assert_error(response, 429, "too_many_attempts")
    assert 0 < int(response.headers["Retry-After"]) <= 900
    other = login_from(hall, "127.0.0.35", "lc-not-throttled", hall.server.passwords["lc-not-throttled"])
    assert other.status_code == 200, "another name from the same address logs in"


def test_twenty_failures_from_an_address_bring_429_for_any_name(hall):
    new_user(hall, "lc-address")
    password = hall.server.passwords["lc-address"]
    for n in range(20):  # four names, each under its own limit
        assert_error(login_from(hall, "127.0.0.40", f"lc-guess-{n % 4}", "a wrong password"), 401)
    response = login_from(hall, "127.0.0.40", "lc-address", password)
    assert_error(response, 429, "too_many_attempts")
    assert 0 < int(response.headers["Retry-After"]) <= 900
    assert login_from(hall, "127.0.0.41", "lc-address", password).status_code == 200


class FakeSocketIO:
    """What realtime.Sessions uses of Flask-SocketIO: `server.disconnect`."""

    def __init__(self) -> None:
        self.server = self
        self.disconnected: list[str] = []

    def disconnect(self, sid: str, namespace: str) -> None:
        assert namespace == "/"
        self.disconnected.append(sid)


def test_a_connection_whose_token_expires_or_dies_is_closed(ctx, clock):
    accounts.add_user(ctx, "zhao", "manager", "a long password", ["demo"])
    first = accounts.login(ctx, "zhao", "a long password").token
    clock.advance(3600)
    later = accounts.login(ctx, "zhao", "a long password").token
    kiosk = accounts.add_device(ctx, "demo", "kiosk", "k")
    socketio = FakeSocketIO()
    sessions = realtime.Sessions(socketio, ctx)
    for sid, token in [("a", first), ("b", later), ("c", kiosk), ("d", later)]:
        sessions.add(sid, token)
    with pytest.raises(accounts.Unauthorized):
        sessions.add("e", "not a token")
    assert sessions.end_dead() == [] and socketio.disconnected == []

    clock.advance(accounts.LOGIN_TOKEN_TTL.total_seconds() - 3600)  # the first token expires
    assert sessions.end_dead() == ["a"] and socketio.disconnected == ["a"]
    assert sessions.actors["b"].role is Role.MANAGER and "a" not in sessions.actors
    accounts.revoke_device(ctx, "demo", "k")
    assert sessions.end_dead() == ["c"]
    accounts.logout(ctx, later)
    assert sorted(sessions.end_dead()) == ["b", "d"]
    assert socketio.disconnected[:2] == ["a", "c"] and sorted(socketio.disconnected[2:]) == ["b", "d"]
    assert sessions.end_dead() == [] and sessions.keys == {}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_logout_on_one_process_closes_the_connections_on_another(database_url, tmp_path):
    require_redis()
    first = start_hall_server(tmp_path / "a", database_url, REDIS_URL)
    second = start_hall_server(tmp_path / "b", database_url, REDIS_URL, accounts=False)
    token = first.login("mgr")
    live = BlockingDisplay(second.url, token)
    try:
        live.subscribe()
        assert Client(first.url, token).post("/auth/logout").status_code == 204
        assert_error(Client(second.url, token).get("/halls"), 401)
        wait_closed(live)
    finally:
        live.close()
        first.stop()
        second.stop()
