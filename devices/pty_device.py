"""The cable of a simulated serial device: a pseudo-terminal pair whose near end appears at
`port` (a symlink the driver opens like /dev/ttyUSB0), and a thread that serves the far end.
Unplugging closes the pair and removes the path; plugging back makes a new pair at the same
path, so a driver that reopens its port finds the device again."""
import os
import select
import tempfile
import threading
import tty
from pathlib import Path


class PtyDevice:
    """The simulated printer and LED bus extend it with `_reset` (the device as just powered
    on) and `_receive(master, data)` (what the device does with bytes from the driver, its
    answers written to `master`), called holding the `_changed` condition they wait on."""

    def __init__(self, port: str | Path | None, label: str) -> None:
        #: a folder of its own for the port, when none was given (removed by close)
        self._own_dir = None if port else Path(tempfile.mkdtemp(prefix=f"hall-{label.lower().replace(' ', '-')}-"))
        self.port = Path(port) if port else self._own_dir / "port"
        self._label = label
        self._fds: tuple[int, int] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._changed = threading.Condition()

    @property
    def plugged(self) -> bool:
        return self._fds is not None

    def plug(self) -> None:
        """A new pty, its near end at `port`, and the device as just powered on."""
        if self.plugged:
            return
        master, slave = os.openpty()
        tty.setraw(slave)
        self.port.parent.mkdir(parents=True, exist_ok=True)
        link = self.port.with_name(self.port.name + ".new")
        link.unlink(missing_ok=True)
        link.symlink_to(os.ttyname(slave))
        link.replace(self.port)
        self._reset()
        self._fds, self._stop = (master, slave), threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(master, self._stop), daemon=True,
                                        name=f"simulated {self._label} {self.port}")
        self._thread.start()

    def unplug(self) -> None:
        """Pull the cable: the pty closes (the driver's port fails) and the path disappears."""
        if not self.plugged:
            return
        self._stop.set()
        self._thread.join(5)
        for fd in self._fds:
            os.close(fd)
        self._fds = None
        self.port.unlink(missing_ok=True)

    def close(self) -> None:
        self.unplug()
        if self._own_dir is not None:
            self._own_dir.rmdir()
            self._own_dir = None

    def _serve(self, master: int, stop: threading.Event) -> None:
        while not stop.is_set():
            if not select.select([master], [], [], 0.05)[0]:
                continue
            try:
                data = os.read(master, 4096)
            except OSError:  # unplugged
                return
            with self._changed:
                self._receive(master, data)
                self._changed.notify_all()

    def _reset(self) -> None:
        raise NotImplementedError

    def _receive(self, master: int, data: bytes) -> None:
        raise NotImplementedError
