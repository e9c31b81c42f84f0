"""`python -m hall_server demo` drives a database of its own unless told to drive another:
a demo day never takes real ticket numbers in the live database."""
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from hall_server.config import DEFAULT_CONFIG, REPO_ROOT, load_config
from hall_server.demo import DEFAULT_DEMO_SQLITE, demo_database_url
from hall_server.domain.appointments import is_open
from hall_server.storage.db import DEFAULT_SQLITE

from .running_hall import free_port

TINY_DAY = ["--arrivals", "5", "--speed", "0", "--seed", "7"]


def run_demo(tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HALL_CONFIG": str(DEFAULT_CONFIG),
           "HALL_DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}",
           "HALL_DEMO_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    done = subprocess.run([sys.executable, "-m", "hall_server", "demo", *TINY_DAY, *options], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "day over: 5 issued" in done.stdout
    return done


def tickets_in(path: Path) -> int:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("select count(*) from tickets")).scalar_one()
    finally:
        engine.dispose()


def test_the_demo_leaves_the_live_database_alone(tmp_path: Path):
    done = run_demo(tmp_path)
    assert not (tmp_path / "live.db").exists(), "the live database was created or touched"
    assert tickets_in(tmp_path / "demo.db") == 5
    assert f"demo day in sqlite:///{tmp_path / 'demo.db'} (the demo's own database" in done.stdout


@pytest.mark.parametrize("option", ["--live", "--database"])
def test_the_demo_drives_another_database_only_when_told(tmp_path: Path, option: str):
    other = tmp_path / "other.db"
    options = ["--live"] if option == "--live" else ["--database", f"sqlite:///{other}"]
    run_demo(tmp_path, *options)
    driven = tmp_path / "live.db" if option == "--live" else other
    assert tickets_in(driven) == 5
    assert not (tmp_path / "demo.db").exists()
    if option == "--database":
        assert not (tmp_path / "live.db").exists()


def test_the_demo_database_is_by_default_beside_the_live_one_not_it(monkeypatch):
    monkeypatch.delenv("HALL_DEMO_DATABASE_URL", raising=False)
    monkeypatch.setenv("HALL_DATABASE_URL", "sqlite:////somewhere/else.db")
    assert demo_database_url() == f"sqlite:///{DEFAULT_DEMO_SQLITE}"
    assert DEFAULT_DEMO_SQLITE.parent == DEFAULT_SQLITE.parent and DEFAULT_DEMO_SQLITE != DEFAULT_SQLITE


def test_the_demo_serves_its_database_while_it_drives_the_day_and_stops_with_ctrl_c(tmp_path: Path):
    """`make demo`: the server on the demo's database answers, with the demo shortcut, while the
    rest of today's customers come in real time (the hall open now) or, the hall closed, with no
    day driven beside it (a day on a clock of its own would fight the server's day close), until
    Ctrl-C stops both."""
    port = free_port()
    env = {**os.environ, "HALL_CONFIG": str(DEFAULT_CONFIG), "HALL_DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}",
           "HALL_DEMO_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "HALL_REPORTS_DIR": str(tmp_path / "reports"),
           "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen([sys.executable, "-m", "hall_server", "demo", *TINY_DAY, "--serve", "--port", str(port)],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines: list[str] = []
    try:
        for line in demo.stdout:
            lines.append(line)
            if line.startswith(("the hall is open", "the hall is closed")):
                break
        out = "".join(lines)
        hall = load_config(DEFAULT_CONFIG).halls[0]
        open_now = is_open(datetime.now(UTC), hall.opening_hours, hall.timezone)
        assert lines[-1].startswith("the hall is open" if open_now else "the hall is closed"), out[-3000:]
        assert f"open http://127.0.0.1:{port}/ in a browser" in out
        password = re.search(r"created user admin with password (\S+)", out).group(1)
        base = f"http://127.0.0.1:{port}"
        assert "/demo-as/demo/kiosk" in requests.get(base + "/", timeout=10).text  # the demo file: the shortcut
        token = requests.post(base + "/api/v1/auth/login", json={"username": "admin", "password": password},
                              timeout=10).json()["token"]
        board = requests.get(base + "/api/v1/halls/demo/board", headers={"Authorization": f"Bearer {token}"},
                             timeout=10)
        assert board.status_code == 200, board.text
        assert not (tmp_path / "live.db").exists()
        os.killpg(demo.pid, signal.SIGINT)
        assert demo.wait(30) == 0
        with pytest.raises(requests.ConnectionError):
            requests.get(base + "/", timeout=5)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait(10)
