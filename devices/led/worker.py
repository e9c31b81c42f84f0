"""The LED worker: keeps each counter's strip showing what the counter is doing, one LED
display (one bus of strips) per worker.

It is an entry point like the API (DESIGN.md §5): it follows the hall's event log through a
link (../link.py) and, when an event touches one of its counters, reads the counters and
shows on each strip its sign (domain/announcements.py `counter_sign`): "A012 请到3号窗口"
flashing on a call and again on a recall, the number while it is served, "暂停服务" while
paused, blank when the counter is closed or idle. What to show is read from the hall, not
worked out from the events, so a worker that starts, or a bus that comes back, shows the
current state at once.

Whether the strips answer is reported as `device.status` `{"device", "kind": "led", "online"}`
when it changes: online when every strip of the display answers. While the bus is gone the
worker pings it with a growing pause (print_worker.Retry) and reopens the port by itself;
strips that come back are blank, so everything is shown again.

The server runs its own LED displays' workers as child processes (../supervisor.py).
"""
import logging
import os
import signal
import threading
import time
from collections.abc import Callable

from hall_server.config import REPO_ROOT, LedDisplay
from hall_server.domain.announcements import counter_sign
from hall_server.domain.counters import CounterState
from hall_server.domain.events import EventType as E
from hall_server.domain.tickets import TicketStatus

from ..link import REFUSALS, CounterNow, LedLink, LinkError, LocalLedLink
from ..print_worker import SIMULATED, Retry
from .protocol import checksum, text_bytes
from .serial import BusBusy, BusGone, LedBus
from .simulated import SimulatedLed

log = logging.getLogger(__name__)
POLL_S = 0.5
RETRY = Retry()
#: how often the strips are pinged while nothing happens (a strip that lost power is blank)
IDLE_CHECK_S = 30.0
#: the events after which a called number is shown again though the strip shows it (to flash again)
FLASHING = frozenset({E.TICKET_CALLED.value, E.TICKET_RECALLED.value})


class LedWorker:
    def __init__(self, link: LedLink, bus: LedBus, settings: LedDisplay, *, poll_s: float = POLL_S,
                 retry: Retry = RETRY, idle_check_s: float = IDLE_CHECK_S,
                 keep_going: Callable[[], bool] = lambda: True) -> None:
        self.link, self.bus, self.settings = link, bus, settings
        self.poll_s, self.retry, self.idle_check_s, self.keep_going = poll_s, retry, idle_check_s, keep_going
        self.addresses = settings.addresses
        self.stop = threading.Event()
        #: the last event read; None: not yet started (everything is shown)
        self.after: int | None = None
        #: what each strip shows, as far as the worker knows (address -> text)
        self.shown: dict[int, str] = {}
        self._online: bool | None = None
        self._reported: bool | None = None
        self._failures = 0
        self._checked_at = 0.0

    def run(self) -> None:
        try:
            while not self.stop.is_set() and self.keep_going():
                try:
                    wait = self.step()
                except (BusGone, BusBusy) as exc:
                    log.warning("LED display %s: %s", self.settings.name, exc)
                    self._set_online(False)
                    wait = self._retry_wait()
                except LinkError as exc:
                    log.warning("LED display %s: %s; trying again", self.settings.name, exc)
                    wait = self._retry_wait()
                except Exception:
                    log.exception("LED display %s: a round failed; retrying", self.settings.name)
                    wait = self._retry_wait()
                self.stop.wait(wait)
        finally:
            self.bus.close()

    def step(self) -> float:
        """One round: bring the strips up to date with the hall; returns the pause before the next."""
        if not self._online or time.monotonic() - self._checked_at >= self.idle_check_s:
            if not self._check():
                return self._retry_wait()
        if self.after is None:  # start: from the end of the log, with the counters as they are
            events, self.after = [], self.link.events(0)[1]
            last = self.after
        else:
            events, last = self.link.events(self.after)
        mine = [e for e in events if e.counter is None or e.counter in self.addresses]
        if mine or len(self.shown) < len(self.addresses):
            self._show(self.link.counters(), {e.counter for e in mine if e.type in FLASHING})
        if events:
            self.after = events[-1].seq
        self._failures = 0
        return 0 if self.after < last else self.poll_s

    def _show(self, counters: list[CounterNow], flash: set[int | None]) -> None:
        for counter in counters:
            address = self.addresses.get(counter.number)
            if address is None:
                continue
            text = counter_sign(counter.number, CounterState(counter.state), counter.ticket,
                                TicketStatus(counter.ticket_status) if counter.ticket_status else None)
            calling = counter.ticket_status == TicketStatus.CALLED.value  # flashes, whenever it is shown
            if self.shown.get(address) == text and not (calling and counter.number in flash):
                continue
            if self.bus.show(address, text, flash=calling):
                self.shown[address] = text
            else:
                self.shown.pop(address, None)
                self._set_online(False)

    def _check(self) -> bool:
        """Ping every strip: the display is online if all answer. A strip that does not show
        what it was sent (it lost power and came back blank, or does not answer) is shown
        again, and every strip when the display comes back."""
        answering = {address: self.bus.ping(address) for address in self.addresses.values()}
        if not self._online:
            self.shown = {}
        for address, shows in answering.items():
            sent = self.shown.get(address)
            if shows is None or sent is None or shows != checksum(text_bytes(sent)):
                self.shown.pop(address, None)
        self._checked_at = time.monotonic()
        self._set_online(all(shows is not None for shows in answering.values()))
        return any(shows is not None for shows in answering.values())

    def _set_online(self, online: bool) -> None:
        self._online = online
        if online == self._reported:
            return
        try:
            self.link.report(online)
            self._reported = online
        except REFUSALS as exc:
            log.warning("LED display %s: the hall did not take its status: %s", self.settings.name, exc)
        if not online:
            log.warning("LED display %s: strips not answering", self.settings.name)

    def _retry_wait(self) -> float:
        self._failures += 1
        return self.retry.wait_s(self._failures)


def run(hall: str, display: str, *, poll_s: float = POLL_S, retry: Retry = RETRY,
        exit_with_parent: bool = False) -> int:
    """`python -m hall_server led-worker`: run one LED display until stopped (SIGTERM, Ctrl-C
    or, with `exit_with_parent`, the end of the process that started it)."""
    from hall_server.bootstrap import open_context

    link = LocalLedLink(open_context(), hall, display)
    settings = link.settings()
    simulated = None
    port = settings.port
    if port == SIMULATED:
        shown = REPO_ROOT / "var" / "led" / hall / f"{display}.txt"
        simulated = SimulatedLed(addresses=settings.addresses.values(), save_to=shown)
        port = str(simulated.port)
        log.warning("LED display %s of hall %s is simulated: what it shows is in %s", display, hall, shown)
    parent = os.getppid()
    worker = LedWorker(link, LedBus(port, settings.baudrate), settings, poll_s=poll_s, retry=retry,
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
