"""How a device worker reaches the hall: one interface, two ways (DESIGN.md §5).

- `LocalLink`: through the service layer, beside the database (a printer on the server's
  own machine: the server runs its worker);
- `HttpLink`: over the API with a kiosk's device token (an agent on the kiosk's PC).

The worker (print_worker.py) is the same code either way; so is the LED worker
(led/worker.py), with `LocalLedLink`: it reads the hall's event log and its counters, and
reports whether the strips answer. The camera worker (camera/worker.py), with
`LocalCameraLink`, reports whether its pictures come and its estimate of the people waiting.
"""
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hall_server.config import Camera, LedDisplay, Printer
from hall_server.domain.errors import HallError
from hall_server.services import cameras, devices, queries
from hall_server.services.context import HallContext
from hall_server.services.devices import PrintJob, PrintQueue

from .printer.status import PrinterStatus

API = "/api/v1"
TIMEOUT_S = 10.0


class Link(Protocol):
    def settings(self) -> Printer:
        """The printer's configuration."""

    def queue(self) -> PrintQueue:
        """The next ticket to print and how many wait."""

    def printed(self, job: PrintJob, sent: int, skipped: bool = False) -> bool:
        """Done with a ticket (`skipped`: passed over, it no longer waits); False if it was already."""

    def report(self, status: PrinterStatus, pending: int) -> bool:
        """The printer's status; True if the hall recorded it (it changed)."""


def status_fields(status: PrinterStatus) -> dict:
    """The status as a `device.status` event carries it (less the device and its pending jobs)."""
    return {"online": status.online, "paper": status.paper, "cover_open": status.cover_open, "fault": status.fault}


class LocalLink:
    def __init__(self, ctx: HallContext, hall: str, printer: str, base: str | None = None) -> None:
        self.ctx, self.hall, self.printer, self.base = ctx, hall, printer, base
        self.actor = devices.printer_actor(hall, printer)

    def settings(self) -> Printer:
        return devices.printer_config(self.ctx, self.hall, self.printer, self.actor)

    def queue(self) -> PrintQueue:
        return devices.print_queue(self.ctx, self.hall, self.printer, self.actor, self.base)

    def printed(self, job: PrintJob, sent: int, skipped: bool = False) -> bool:
        return devices.record_printed(self.ctx, self.hall, self.printer, job.ticket, self.actor, sent, skipped)

    def report(self, status: PrinterStatus, pending: int) -> bool:
        return devices.report_status(self.ctx, self.hall, self.actor, self.printer, pending=pending,
                                     **status_fields(status))


class LinkError(Exception):
    """The server could not be reached, failed, or did not let the device in."""


class Refused(LinkError):
    """The server said no (a 4xx answer): asking the same again will not help."""


#: the hall's no, over either link
REFUSALS = (Refused, HallError)


class HttpLink:
    """JSON over HTTP with the standard library: an agent needs nothing but this project."""

    def __init__(self, server: str, token: str, hall: str, printer: str) -> None:
        self.base, self.token, self.hall, self.printer = server.rstrip("/"), token, hall, printer

    def settings(self) -> Printer:
        found = self._call("GET", f"/halls/{self.hall}/printers/{self.printer}")
        return Printer.model_validate({key: found[key] for key in Printer.model_fields})

    def queue(self) -> PrintQueue:
        found = self._call("GET", f"/halls/{self.hall}/printers/{self.printer}/queue")
        job = found["job"]
        if job is not None:
            job = PrintJob(**{**job, "issued_at": datetime.fromisoformat(job["issued_at"])})
        return PrintQueue(job, found["pending"])

    def printed(self, job: PrintJob, sent: int, skipped: bool = False) -> bool:
        return self._call("POST", f"/halls/{self.hall}/tickets/{job.ticket}/printed",
                          {"printer": self.printer, "bytes": sent, "skipped": skipped})["recorded"]

    def report(self, status: PrinterStatus, pending: int) -> bool:
        return self._call("POST", f"/halls/{self.hall}/devices/status", {
            "device": self.printer, "kind": "printer", **status_fields(status), "pending": pending})["recorded"]

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.base}{API}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            kind = Refused if 400 <= exc.code < 500 else LinkError
            raise kind(f"{method} {path}: {exc.code} {_error(exc)}") from None
        except (OSError, http.client.HTTPException, ValueError) as exc:  # unreachable, cut off, not JSON
            raise LinkError(f"{method} {path}: {exc}") from None


@dataclass(frozen=True)
class CounterNow:
    """A counter as its LED strip shows it."""

    number: int
    #: closed, idle, serving or paused (domain/counters.py CounterState)
    state: str
    #: the number of the ticket at the counter, and its status (called, or serving once started)
    ticket: str | None = None
    ticket_status: str | None = None


@dataclass(frozen=True)
class Happened:
    """An event of the hall's log, as much as a device worker reads of it."""

    seq: int
    type: str
    counter: int | None


class LedLink(Protocol):
    def settings(self) -> LedDisplay:
        """The LED display's configuration."""

    def events(self, after: int) -> tuple[list[Happened], int]:
        """The hall's events after seq `after` (a page of them), and the last seq."""

    def counters(self) -> list[CounterNow]:
        """The hall's counters now."""

    def report(self, online: bool) -> bool:
        """Whether the strips answer; True if the hall recorded it (it changed)."""


#: the events a device worker reads in one go
EVENTS_PAGE = 500


class LocalLedLink:
    def __init__(self, ctx: HallContext, hall: str, display: str) -> None:
        self.ctx, self.hall, self.display = ctx, hall, display
        self.actor = devices.printer_actor(hall, display)

    def settings(self) -> LedDisplay:
        return devices.led_config(self.ctx, self.hall, self.display, self.actor)

    def events(self, after: int) -> tuple[list[Happened], int]:
        found, last = queries.events(self.ctx, self.hall, self.actor, after, EVENTS_PAGE)
        return [Happened(e.seq, e.type.value, e.counter) for e in found], last

    def counters(self) -> list[CounterNow]:
        return [CounterNow(v.counter.number, v.counter.state.value, v.ticket.display_number if v.ticket else None,
                           v.ticket.status.value if v.ticket else None)
                for v in queries.board(self.ctx, self.hall, self.actor).counters]

    def report(self, online: bool) -> bool:
        return devices.report_led(self.ctx, self.hall, self.actor, self.display, online)


class CameraLink(Protocol):
    def settings(self) -> Camera:
        """The camera's configuration."""

    def estimate(self, people: int) -> bool:
        """The estimate of the people in the camera's area; True if the hall recorded it (it changed)."""

    def report(self, online: bool) -> bool:
        """Whether the camera's pictures come; True if the hall recorded it (it changed)."""


class LocalCameraLink:
    """The server runs every camera itself (an IP camera is reached over the network)."""

    def __init__(self, ctx: HallContext, hall: str, camera: str) -> None:
        self.ctx, self.hall, self.camera = ctx, hall, camera
        self.actor = devices.printer_actor(hall, camera)

    def settings(self) -> Camera:
        return cameras.camera_config(self.ctx, self.hall, self.camera, self.actor)

    def estimate(self, people: int) -> bool:
        return cameras.record_crowd(self.ctx, self.hall, self.actor, self.camera, people)

    def report(self, online: bool) -> bool:
        return cameras.report_camera(self.ctx, self.hall, self.actor, self.camera, online)


def _error(response: urllib.error.HTTPError) -> str:
    """The error the server gave (CONTRACT.md: {"error": {"code", "message"}})."""
    try:
        error = json.load(response)["error"]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError, OSError):
        return response.reason
