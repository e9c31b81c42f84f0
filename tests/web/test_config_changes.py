"""An administrator removes from the file a counter a clerk is still signed in at, and
restarts: the server does not start, says which counter is left and what to do, and starts
once the counter is signed out. And a failure after a commit never claims it changed nothing."""
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from apiflask import APIFlask

from hall_server.web import errors

from ..running_hall import REPO_ROOT, RunningHall, hall_config_text
from .conftest import Client

pytestmark = pytest.mark.xdist_group("web-config-changes")


def midday_timezone() -> str:
    """A fixed-offset zone where it is about noon now, so that the hall is open throughout
    the test and no day close at start-up signs the counter out for us."""
    offset = datetime.now(UTC).hour - 12  # Etc/GMT+N is N hours behind UTC
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{offset:+d}"


def config_text(extra_counters: int) -> str:
    text = hall_config_text(extra_counters=extra_counters)
    assert 'timezone = "Asia/Shanghai"' in text
    return text.replace('timezone = "Asia/Shanghai"', f'timezone = "{midday_timezone()}"')


def start_up(server: RunningHall, command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hall_server", *command], cwd=REPO_ROOT, env=server.env,
                          capture_output=True, text=True, timeout=60)


def test_a_removed_counter_still_signed_in_stops_start_up_until_signed_out(database_url, tmp_path):
    eight_counters, seven_counters = config_text(extra_counters=1), config_text(extra_counters=0)
    server = RunningHall(tmp_path, database_url=database_url, config_text=eight_counters)
    server.init_db()
    server.add_user("clerk-a", "clerk", ["demo"])
    kiosk = Client(server.url, server.add_device("kiosk", "demo", "kiosk"))
    try:
        server.start()
        clerk = Client(server.url, server.login("clerk-a"))
        clerk.ok("POST", "/halls/demo/counters/8/sign-in")
        ticket = kiosk.ok("POST", "/halls/demo/tickets", 201, json={"service": "fee"})
        assert clerk.ok("POST", "/halls/demo/counters/8/call-next")["number"] == ticket["number"] == "A001"
    finally:
        server.stop()

    server.config_path.write_text(seven_counters, encoding="utf-8")
    for command in (["run", "--port", str(server.port)], ["init-db"]):
        done = start_up(server, command)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "counter 8 is still signed in by clerk-a, serving A001: put counter 8 back into the file" in done.stderr

    server.config_path.write_text(eight_counters, encoding="utf-8")
    try:
        server.start()
        clerk = Client(server.url, server.login("clerk-a"))
        clerk.ok("POST", "/halls/demo/counters/8/no-show")
        clerk.ok("POST", "/halls/demo/counters/8/sign-out")
    finally:
        server.stop()

    server.config_path.write_text(seven_counters, encoding="utf-8")
    try:
        server.start()
        admin = Client(server.url, server.login("admin"))
        board = admin.ok("GET", "/halls/demo/board")
        assert [c["number"] for c in board["counters"]] == [1, 2, 3, 4, 5, 6, 7]
        assert kiosk.ok("POST", "/halls/demo/tickets", 201, json={"service": "fee"})["number"] == "A002"
    finally:
        server.stop()


def test_an_unexpected_error_never_claims_that_the_change_was_not_made():
    """A failure after a commit answers 500: the message must not say nothing happened."""
    app = APIFlask(__name__)
    errors.register(app)

    @app.get("/after-commit")
    def after_commit() -> dict:
        raise KeyError("a row the file does not know")

    response = app.test_client().get("/after-commit")
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error["code"] == "internal_error"
    assert "not made" not in error["message"] and "may or may not have taken effect" in error["message"]
