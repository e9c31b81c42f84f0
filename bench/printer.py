"""`python -m bench --scenario printer` (and part of `make bench`): the kiosk's ticket on the
serial line.

A hall on a fresh SQLite database with the demo configuration, its printer a simulated one
at the end of a real pty; kiosk-1 takes TICKETS numbers, across the services, one at a time,
and a print worker (as the server runs it: through the service layer) prints each, first in
text mode, then in raster mode. Reported per mode:
- bytes per ticket, as they reached the printer, and the time they take on the serial line
  at 9600 and 115200 baud (10 bits a byte: start bit, 8 data bits, stop bit);
- the time from the kiosk's number to the cut reaching the printer, without the line's own
  time (the pty has no baud rate): the worker's share of "a ticket within two seconds".
Targets (text mode): at most 900 bytes a ticket and under 1 s at 9600 baud. Correctness:
every number printed once, in order (the exit status is 1 otherwise).
"""
import tempfile
import threading
import time
from pathlib import Path
from statistics import mean

from devices.link import LocalLink
from devices.print_worker import PrintWorker
from devices.printer.serial import SerialPrinter
from devices.printer.simulated import SimulatedPrinter
from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.domain.actors import Actor, Role
from hall_server.services import tickets
from tests.running_hall import hall_config_text

from .report import latency_ms, publish

TICKETS = 20
BAUDS = (9600, 115200)
TARGETS = {"max_bytes": 900, "max_s_at_9600": 1.0}
BITS_PER_BYTE = 10
WAIT_S = 30.0
KIOSK = Actor("kiosk-1", Role.KIOSK, frozenset({"demo"}))


def line_s(count: int, baud: int) -> float:
    """Seconds `count` bytes take on a serial line at `baud`."""
    return count * BITS_PER_BYTE / baud


def measure(raster: bool, count: int = TICKETS) -> dict:
    with tempfile.TemporaryDirectory(prefix="hall-bench-printer-") as workdir:
        printer = SimulatedPrinter(Path(workdir) / "ttyPRN")
        config = Path(workdir) / "halls.toml"
        config.write_text(hall_config_text().replace('port = "simulated"', f'port = "{printer.port}"')
                          .replace("raster = false", f"raster = {str(raster).lower()}"), encoding="utf-8")
        ctx = open_context(load_config(config), f"sqlite:///{workdir}/hall.db")
        link = LocalLink(ctx, "demo", "printer-1")
        worker = PrintWorker(link, SerialPrinter(str(printer.port)), link.settings(), poll_s=0.005)
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        services = [s.code for s in ctx.config.by_id["demo"].services]
        issued, latencies = [], []
        try:
            for i in range(count):
                started = time.perf_counter()
                issued.append(tickets.issue_ticket(ctx, "demo", services[i % len(services)], KIOSK).display_number)
                printer.wait_for(i + 1, WAIT_S)
                latencies.append(time.perf_counter() - started)
        finally:
            worker.stop.set()
            thread.join(10)
            printer.close()
            ctx.store.engine.dispose()
    sizes = [len(ticket.raw) for ticket in printer.tickets]
    return {
        "mode": "raster" if raster else "text", "tickets": len(sizes),
        "bytes": {"min": min(sizes), "mean": round(mean(sizes)), "max": max(sizes)},
        "line_s": {str(baud): {"mean": round(line_s(mean(sizes), baud), 3), "max": round(line_s(max(sizes), baud), 3)}
                   for baud in BAUDS},
        "number_to_cut_ms": latency_ms(latencies),
        "printed_once_in_order": [t.largest().text for t in printer.tickets] == issued,
    }


def main() -> int:
    text, raster = measure(raster=False), measure(raster=True)
    summary = {
        "scenario": "printer", "text": text, "raster": raster,
        "targets": {
            "text_max_bytes_le_900": text["bytes"]["max"] <= TARGETS["max_bytes"],
            "text_under_1_s_at_9600": text["line_s"]["9600"]["max"] < TARGETS["max_s_at_9600"],
            "printed_once_in_order": text["printed_once_in_order"] and raster["printed_once_in_order"],
        },
    }
    publish("printer", summary)
    return 0 if summary["targets"]["printed_once_in_order"] else 1



def without_server_printers(config_text: str) -> str:
    """The hall configuration with its printers left to kiosk agents (none runs in the load
    benchmark): it measures the API, and a kiosk taking 50 numbers a second would keep a
    printer worker busy beside the server for minutes."""
    return config_text.replace('host = "server"', 'host = "kiosk"')
