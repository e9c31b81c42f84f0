"""A hall server started as production starts it: `python -m hall_server run` in its own
process, on a free port, with its own database and configuration.

Used by the API tests and by the load benchmark (`bench/`). Accounts are created through the
service layer before the server starts, the way `user add` and `device add` create them.
"""
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

from hall_server.bootstrap import open_context
from hall_server.config import DEFAULT_CONFIG, load_config
from hall_server.services import accounts, signing

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: the tests' and the bench's halls are open around the clock, so a server on the wall clock
#: issues numbers at any hour (its day closes at midnight)
OPEN_ALL_DAY = '{ opens = "00:00", closes = "24:00" }'


def zone_at(local_hour: int) -> str:
    """A fixed-offset zone in which it is now `local_hour` o'clock (Etc/GMT names count backwards):
    a hall in it is open or closed now, whenever the tests run."""
    offset = (local_hour - datetime.now(UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}"


def hall_config_text(extra_hall: str | None = None, extra_counters: int = 0, demo_hours: bool = False,
                     alerts: str | None = None, cameras: bool = False) -> str:
    """The demo hall's configuration, open all day every day (`demo_hours`: at the demo's own
    opening hours) and without daily caps, optionally with a second hall (a copy under another
    id) and extra counters serving every service.

    The alert rules are off (their events would mix into what the other tests watch) unless
    `alerts` gives the settings of the halls' `alerts` table, as the inside of a TOML inline
    table ("" for the defaults, "evaluate_every_s = 2" ...).

    The demo's camera is left out unless `cameras`: each camera's worker counts people in
    a video at a quarter of a core, which no other test needs."""
    demo = re.sub(r"^daily_cap = .*\n", "", DEFAULT_CONFIG.read_text(encoding="utf-8"), flags=re.M)
    if not cameras:
        demo = re.sub(r"^\[\[halls\.cameras\]\]\n(?:(?!\[).*\n?)*", "", demo, flags=re.M)
    settings = "enabled = false" if alerts is None else alerts
    demo = re.sub(r'^(id = "demo")$', rf"\1\nalerts = {{ {settings} }}", demo, count=1, flags=re.M)
    if not demo_hours:
        demo = re.sub(r"^(mon|tue|wed|thu|fri|sat|sun) = \{.*\}$", rf"\1 = {OPEN_ALL_DAY}", demo, flags=re.M)
    text = demo
    first_new = len(load_config(DEFAULT_CONFIG).halls[0].counters) + 1
    for number in range(first_new, first_new + extra_counters):
        text += (f'\n[[halls.counters]]\nnumber = {number}\nname = {{ zh = "{number}号窗口", '
                 f'en = "Window {number}" }}\nservices = ["fee", "business", "enquiry", "enterprise"]\n')
    if extra_hall:
        text += "\n" + demo.replace('id = "demo"', f'id = "{extra_hall}"')
    return text


@dataclass
class RunningHall:
    """A server process and the credentials made for it."""

    workdir: Path
    database_url: str | None = None
    mode: str | None = None
    message_queue: str | None = None
    config_text: str = field(default_factory=hall_config_text)
    port: int = field(default_factory=free_port)
    tokens: dict[str, str] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    first_admin_password: str | None = None

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path = self.workdir / "halls.toml"
        self.config_path.write_text(self.config_text, encoding="utf-8")
        self.database_url = self.database_url or f"sqlite:///{self.workdir / 'hall.db'}"
        self.log_path = self.workdir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def reports_dir(self) -> Path:
        """Where the server saves its reports (never the repository's var/reports/)."""
        return self.workdir / "reports"

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "HALL_CONFIG": str(self.config_path), "HALL_DATABASE_URL": self.database_url,
               "HALL_REPORTS_DIR": str(self.reports_dir), "PYTHONUNBUFFERED": "1"}
        env.pop("HALL_MESSAGE_QUEUE", None)
        if self.message_queue:
            env["HALL_MESSAGE_QUEUE"] = self.message_queue
        if self.mode:
            env["HALL_SERVER_MODE"] = self.mode
        return env

    def init_db(self) -> None:
        """`init-db` as a user runs it; keeps the first admin's printed password."""
        out = subprocess.run([sys.executable, "-m", "hall_server", "init-db"], cwd=REPO_ROOT, env=self.env,
                             capture_output=True, text=True, timeout=60, check=True).stdout
        for line in out.splitlines():
            if line.startswith("created user admin with password "):
                self.first_admin_password = line.split()[5]
        self.passwords["admin"] = self.first_admin_password or self.passwords.get("admin", "")

    def add_user(self, username: str, role: str, halls: list[str], badge: str | None = None) -> None:
        password = secrets.token_urlsafe(12)
        ctx = open_context(load_config(self.config_path), self.database_url, migrate_schema=False)
        try:
            accounts.add_user(ctx, username, role, password, halls, badge=badge)
        finally:
            ctx.store.engine.dispose()
        self.passwords[username] = password

    def add_device(self, name: str, hall: str, kind: str, counter: int | None = None) -> str:
        ctx = open_context(load_config(self.config_path), self.database_url, migrate_schema=False)
        try:
            self.tokens[name] = accounts.add_device(ctx, hall, kind, name, counter)
        finally:
            ctx.store.engine.dispose()
        return self.tokens[name]

    def pairing_link(self, name: str, hall: str) -> str:
        """A fresh one-time pairing path (`/pair/<code>`) of the device, as `device add` prints."""
        ctx = open_context(load_config(self.config_path), self.database_url, migrate_schema=False)
        try:
            return accounts.pairing_link(ctx, hall, name)
        finally:
            ctx.store.engine.dispose()

    def csrf_token(self, token: str) -> str:
        """The CSRF token a page of this server carries for a cookie holding `token`."""
        ctx = open_context(load_config(self.config_path), self.database_url, migrate_schema=False)
        try:
            return signing.sign(ctx, "csrf", accounts.session_key(token))
        finally:
            ctx.store.engine.dispose()

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hall_server", "run", "--port", str(self.port)], cwd=REPO_ROOT,
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.log()}")
            try:
                requests.get(f"{self.url}/api/v1/openapi.json", timeout=1)
                return
            except requests.RequestException:  # not listening yet, or too busy to answer in time
                time.sleep(0.1)
        raise RuntimeError(f"server did not answer within {STARTUP_TIMEOUT_S} s: {self.log()}")

    def kill(self) -> None:
        """SIGKILL the whole server process group: no clean shutdown at all."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def login(self, username: str) -> str:
        response = requests.post(f"{self.url}/api/v1/auth/login",
                                 json={"username": username, "password": self.passwords[username]}, timeout=10)
        response.raise_for_status()
        self.tokens[username] = response.json()["token"]
        return self.tokens[username]
