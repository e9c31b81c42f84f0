"""The print worker: prints a kiosk's tickets as they are issued, one printer per worker.

It is an entry point like the API (DESIGN.md §5): it asks the hall, through a link
(link.py: the service layer, or the API with a kiosk's token), for the next ticket its
printer owes, prints it, and tells the hall it did. The hall derives the work from its
event log, so a worker that restarts carries on where the log says it stopped; it never
prints in the request that issued the ticket. Around each ticket it reads the printer's
real-time status: a fault (offline, cover open, paper out) is reported once, the ticket
waits and is retried with a growing pause, the port is reopened by itself, and when the
fault clears everything pending prints in order.

A ticket is recorded right after its bytes have left the port. A worker killed in between
(a few milliseconds) prints that one ticket again when it restarts: a second copy of a
number is harmless, a lost one is not. A record the hall did not take (the server out of
reach) is retried before anything else is printed, so a link that drops does not reprint.

The server runs its own printers' workers as child processes (supervisor.py).
"""
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from hall_server.config import REPO_ROOT, ConfigError, Printer
from hall_server.domain.tickets import TicketStatus

from .link import REFUSALS, HttpLink, Link, LinkError, LocalLink, Refused
from .printer.fonts import CHAR_DOTS, FontMissing, cjk_font
from .printer.serial import PortBusy, PrinterGone, SerialPrinter
from .printer.simulated import SimulatedPrinter
from .printer.status import PrinterStatus
from .printer.ticket import PAPER, ticket_bytes

log = logging.getLogger(__name__)
SIMULATED = "simulated"
#: where simulated printers keep what they printed, a folder per hall and printer
PRINTED_DIR = REPO_ROOT / "var" / "printed"
#: how often an idle worker asks for work, and reads the printer's status while idle
POLL_S = 0.5
IDLE_CHECK_S = 30.0


@dataclass(frozen=True)
class Retry:
    """The pause after a failure: `first_s`, doubling up to `max_s` while failures go on."""

    first_s: float = 1.0
    max_s: float = 10.0

    def wait_s(self, failures: int) -> float:
        return min(self.first_s * 2 ** max(0, failures - 1), self.max_s)


class PrintWorker:
    def __init__(self, link: Link, printer: SerialPrinter, settings: Printer, *, poll_s: float = POLL_S,
                 retry: Retry = Retry(), idle_check_s: float = IDLE_CHECK_S,
                 keep_going: Callable[[], bool] = lambda: True) -> None:
        self.link, self.printer, self.settings = link, printer, settings
        self.poll_s, self.retry, self.idle_check_s, self.keep_going = poll_s, retry, idle_check_s, keep_going
        self.stop = threading.Event()
        self._failures = 0
        #: the last status the printer gave, and the state last reported to the hall
        self._known = PrinterStatus(online=True)
        self._reported: tuple | None = None
        self._checked_at = 0.0
        #: a ticket printed whose record the hall has not taken yet: (job, bytes sent)
        self._unrecorded = None

    def run(self) -> None:
        try:
            while not self.stop.is_set() and self.keep_going():
                try:
                    wait = self.step()
                except PortBusy as exc:
                    log.warning("%s; waiting for it", exc)
                    wait = self._retry_wait()
                except LinkError as exc:
                    log.warning("printer %s: %s; trying again", self.settings.name, exc)
                    wait = self._retry_wait()
                except Exception:
                    log.exception("printer %s: a round failed; retrying", self.settings.name)
                    wait = self._retry_wait()
                self.stop.wait(wait)
        finally:
            self.printer.close()

    def step(self) -> float:
        """One round: print the next ticket if there is one and the printer can; returns how
        long to wait before the next round."""
        if self._unrecorded is not None:
            self._record()
        queue = self.link.queue()
        job = queue.job
        if job is None:
            if time.monotonic() - self._checked_at >= self.idle_check_s:
                self._check(0)
            self._failures = 0
            return self.poll_s
        if job.status != TicketStatus.WAITING:  # called, or given up, while it waited to print
            self.link.printed(job, 0, skipped=True)
            return 0
        if self._check(queue.pending).fault:
            return self._retry_wait()
        data = ticket_bytes(job, self.settings)
        try:
            self.printer.send(data)
        except PrinterGone as exc:
            log.warning("%s", exc)
            self._check(queue.pending)
            return self._retry_wait()
        self._unrecorded = (job, len(data))
        self._record()
        self._failures = 0
        self._check(queue.pending - 1)
        return 0

    def _record(self) -> None:
        """Tell the hall the ticket printed; kept to tell it again if the hall is out of reach,
        given up if the hall says no (a ticket of a day that ended meanwhile)."""
        job, sent = self._unrecorded
        try:
            self.link.printed(job, sent)
        except REFUSALS as exc:
            log.warning("printer %s: ticket %s printed, but the hall did not take it: %s",
                        self.settings.name, job.number, exc)
        self._unrecorded = None

    def _check(self, pending: int) -> PrinterStatus:
        """Read the printer's status and report it if it changed."""
        status = self.printer.status()
        if status.online:
            self._known = status
        else:  # it says nothing: what it last said of its paper and cover stands
            status = replace(self._known, online=False)
        self._checked_at = time.monotonic()
        state = (status.online, status.paper, status.cover_open, status.fault)
        if state != self._reported:
            if status.fault:
                log.warning("printer %s: %s (%d tickets waiting)", self.settings.name, status.fault, pending)
            self.link.report(status, pending)
            self._reported = state
        return status

    def _retry_wait(self) -> float:
        self._failures += 1
        return self.retry.wait_s(self._failures)


def run(hall: str, printer: str, *, server: str | None = None, token: str | None = None, base: str | None = None,
        poll_s: float = POLL_S, retry: Retry = Retry(), exit_with_parent: bool = False) -> int:
    """`python -m hall_server print-worker`: run one printer until stopped (SIGTERM, Ctrl-C or,
    with `exit_with_parent`, the end of the process that started it)."""
    if server:
        link: Link = HttpLink(server, token or "", hall, printer)
    else:
        from hall_server.bootstrap import open_context

        link = LocalLink(open_context(), hall, printer, base)
    settings = _settings(link, retry)
    if settings.raster or settings.port == SIMULATED:  # bitmaps of Chinese lines, pictures of tickets
        try:
            cjk_font(CHAR_DOTS)
        except FontMissing as exc:  # fail now, not at the first customer's ticket
            raise ConfigError(f"printer {printer} of hall {hall}: {exc}") from None
    simulated = None
    port = settings.port
    if port == SIMULATED:
        simulated = SimulatedPrinter(codepage=settings.codepage, paper_dots=PAPER[settings.paper_mm].dots,
                                     save_dir=PRINTED_DIR / hall / printer)
        port = str(simulated.port)
        log.warning("printer %s of hall %s is simulated: tickets go to %s", printer, hall, simulated.save_dir)
    parent = os.getppid()
    worker = PrintWorker(link, SerialPrinter(port, settings.baudrate), settings, poll_s=poll_s, retry=retry,
                         keep_going=(lambda: os.getppid() == parent) if exit_with_parent else lambda: True)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop.set())
    try:
        worker.run()
    except KeyboardInterrupt:
        pass
    finally:
        if simulated is not None:
            simulated.close()
    return 0


def _settings(link: Link, retry: Retry) -> Printer:
    """The printer's settings, once the hall can be reached (an agent may start before the
    server); a hall that does not know the printer stops the worker."""
    failures = 0
    while True:
        try:
            return link.settings()
        except Refused as exc:
            raise ConfigError(f"the hall does not run this printer: {exc}") from None
        except LinkError as exc:
            failures += 1
            log.warning("cannot read the printer's settings yet (%s); trying again", exc)
            time.sleep(retry.wait_s(failures))
