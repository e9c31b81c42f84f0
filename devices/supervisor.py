"""The server's own printers (`host = "server"`): the server starts a `print-worker` child
process for each, starts it again if it ends, and the child ends with the server.

A child process rather than a thread of the server: blocking serial I/O, status timeouts and
bitmap drawing stay out of the server's event loop (gevent) and its interpreter lock, a
driver that hangs cannot stall a request, the server does not load the printing libraries,
and both placements (here, and an agent on a kiosk's PC) run the one command.
"""
import logging
import subprocess
import sys
import threading
import time

from hall_server.config import REPO_ROOT, HallsConfig

log = logging.getLogger(__name__)
#: the pause before a worker that ended is started again
RESTART_S = 5.0


class ServerPrinters:
    def __init__(self, config: HallsConfig, host: str, port: int) -> None:
        # the server's address, for the QR code's link when the hall names no public_url
        base = None if host in ("0.0.0.0", "::", "") else f"http://{host}:{port}"
        self.workers = [(hall.id, printer.name) for hall in config.halls for printer in hall.printers
                        if printer.host == "server"]
        self.extra = ["--base", base] if base else []

    def start(self) -> None:
        """A thread (a greenlet under gevent) per printer keeps its worker running."""
        for hall, printer in self.workers:
            threading.Thread(target=self._keep_running, args=(hall, printer), daemon=True,
                             name=f"print worker {hall}/{printer}").start()

    def _keep_running(self, hall: str, printer: str) -> None:
        command = [sys.executable, "-m", "hall_server", "print-worker", "--hall", hall, "--printer", printer,
                   "--exit-with-parent", *self.extra]
        while True:
            code = subprocess.Popen(command, cwd=REPO_ROOT).wait()
            log.warning("print worker %s/%s ended (%s); starting it again in %g s", hall, printer, code, RESTART_S)
            time.sleep(RESTART_S)
