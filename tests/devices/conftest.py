"""The printer's tests: a simulated printer at the end of a real pty, a hall whose printer is
that port, and print workers run as the server and the kiosk's agent run them.

Workers here retry after a fault within a tenth of a second (their `Retry` and poll
settings), so a test waits for events, never for seconds."""
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from devices.led.worker import LedWorker
from devices.link import LocalLink
from devices.print_worker import PrintWorker, Retry
from devices.printer.serial import SerialPrinter
from devices.printer.simulated import SimulatedPrinter
from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.domain.clock import Clock
from hall_server.domain.events import Event, EventType
from hall_server.services.context import HallContext
from hall_server.services.devices import PrintJob

from ..running_hall import REPO_ROOT, hall_config_text

PRINTER = "printer-1"
FAST_RETRY = Retry(first_s=0.02, max_s=0.1)
POLL_S = 0.02
STATUS_TIMEOUT_S = 0.2
WAIT_S = 30.0


def printer_config_text(port: Path, extra_hall: str | None = None) -> str:
    """The tests' hall (open all day) whose printer-1 is at `port`, run by an agent
    (`host = "kiosk"`), so that a server started on it runs no worker of its own."""
    return (hall_config_text(extra_hall=extra_hall).replace('port = "simulated"', f'port = "{port}"')
            .replace('host = "server"', 'host = "kiosk"'))


def sample_job(**changes) -> PrintJob:
    values = dict(
        ticket=12, number="A012", status="waiting", hall_zh="国网示范县供电公司城区营业厅",
        hall_en="State Grid Demo County Power Supply - City Business Hall",
        service_zh="居民收费", service_en="Residential fee payment", ahead=3, estimated_wait_s=570,
        issued_at=datetime(2026, 11, 24, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
        notice_zh="请留意屏幕和广播叫号，过号请与工作人员联系",
        notice_en="Watch the screen for your number; if you miss it, ask our staff",
        tracking_url="http://192.168.10.20:8000/t/12-V1StGXR8_Z5jdHi6B-myTkQ5hcAHsVgtxwSqpXxcQ3U")
    return PrintJob(**{**values, **changes})


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[SimulatedPrinter]:
    """A simulated printer whose port (the path the configuration names) is tmp/ttyPRN."""
    simulated = SimulatedPrinter(tmp_path / "ttyPRN")
    yield simulated
    simulated.close()


@pytest.fixture
def config_path(tmp_path: Path, printer: SimulatedPrinter) -> Path:
    path = tmp_path / "halls.toml"
    path.write_text(printer_config_text(printer.port), encoding="utf-8")
    return path


def print_context(config_path: Path, database_url: str, clock: Clock | None = None) -> HallContext:
    return open_context(load_config(config_path), database_url, clock)


class WorkerThread:
    """A device worker (print, LED) running in a thread of the test, as the server's child runs it."""

    def __init__(self, worker: PrintWorker | LedWorker) -> None:
        self.worker = worker
        self.thread = threading.Thread(target=self.worker.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.worker.stop.set()
        self.thread.join(10)
        assert not self.thread.is_alive()


@pytest.fixture
def run_worker() -> Iterator:
    started: list[WorkerThread] = []

    def start(ctx: HallContext, port: Path) -> WorkerThread:
        link = LocalLink(ctx, "demo", PRINTER)
        started.append(WorkerThread(PrintWorker(link, SerialPrinter(str(port), status_timeout_s=STATUS_TIMEOUT_S),
                                                link.settings(), poll_s=POLL_S, retry=FAST_RETRY)))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


class WorkerProcess:
    """`python -m hall_server print-worker` as a process of its own."""

    def __init__(self, env: dict[str, str], *args: str, token: str | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hall_server", "print-worker", "--hall", "demo", "--printer", PRINTER,
             "--poll-s", str(POLL_S), "--retry-s", str(FAST_RETRY.first_s), "--retry-max-s", str(FAST_RETRY.max_s),
             *args], cwd=REPO_ROOT, env={**os.environ, **env}, stdin=subprocess.PIPE, start_new_session=True)
        self.process.stdin.write(f"{token or ''}\n".encode())
        self.process.stdin.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def worker_process() -> Iterator:
    started: list[WorkerProcess] = []

    def start(env: dict[str, str], *args: str, token: str | None = None) -> WorkerProcess:
        started.append(WorkerProcess(env, *args, token=token))
        return started[-1]

    yield start
    for process in started:
        process.kill()


def device_events(ctx: HallContext, type: EventType) -> list[Event]:
    with ctx.store.read() as reader:
        return [e for e in reader.events("demo") if e.type is type]


def printed_numbers(printer: SimulatedPrinter) -> list[str]:
    """The numbers on the tickets that came out, in order (the line in the largest type)."""
    return [ticket.largest().text for ticket in printer.tickets]


def eventually(predicate, what: str, timeout: float = WAIT_S) -> None:
    """Wait until `predicate()` holds (the hall's log is read by polling it)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"still not: {what}")
        time.sleep(0.02)


def faults(ctx: HallContext, fault: str) -> list[Event]:
    """The printer's device.status events that reported this fault."""
    return [e for e in device_events(ctx, EventType.DEVICE_STATUS) if e.data["fault"] == fault]
