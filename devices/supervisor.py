"""The server's own devices (`host = "server"`): the server starts a `print-worker` child
process for each of its printers, a `led-worker` for each of its LED displays and a
`camera-worker` for every camera of every hall (an IP camera is reached over the network, so
cameras always run on the server), starts it again if it ends, and the child ends with the
server.

A child process rather than a thread of the server: blocking serial I/O, status timeouts,
bitmap drawing and people detection stay out of the server's event loop (gevent) and its
interpreter lock, a driver that hangs cannot stall a request, the server does not load the
printing libraries or OpenCV, and both placements (here, and an agent on a kiosk's PC) run the one command.
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
    """The server's printers, LED displays and cameras (the name is older than the displays)."""

    def __init__(self, config: HallsConfig, host: str, port: int) -> None:
        # the server's address, for the QR code's link when the hall names no public_url
        base = None if host in ("0.0.0.0", "::", "") else f"http://{host}:{port}"
        extra = ["--base", base] if base else []
        #: (what it is, the `python -m hall_server` command that runs it)
        self.workers = [(f"print worker {hall.id}/{printer.name}",
                         ["print-worker", "--hall", hall.id, "--printer", printer.name, *extra])
                        for hall in config.halls for printer in hall.printers if printer.host == "server"]
        self.workers += [(f"LED worker {hall.id}/{display.name}",
                          ["led-worker", "--hall", hall.id, "--display", display.name])
                         for hall in config.halls for display in hall.led_displays if display.host == "server"]
        self.workers += [(f"camera worker {hall.id}/{camera.name}",
                          ["camera-worker", "--hall", hall.id, "--camera", camera.name])
                         for hall in config.halls for camera in hall.cameras]

    def start(self) -> None:
        """A thread (a greenlet under gevent) per device keeps its worker running."""
        for name, command in self.workers:
            threading.Thread(target=self._keep_running, args=(name, command), daemon=True, name=name).start()

    def _keep_running(self, name: str, command: list[str]) -> None:
        command = [sys.executable, "-m", "hall_server", *command, "--exit-with-parent"]
        while True:
            code = subprocess.Popen(command, cwd=REPO_ROOT).wait()
            log.warning("%s ended (%s); starting it again in %g s", name, code, RESTART_S)
            time.sleep(RESTART_S)
