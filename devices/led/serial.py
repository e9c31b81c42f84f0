"""The LED strips' bus on a serial port (pyserial): a command to one strip, then its answer.

The port is opened exclusively (a second worker on the same bus finds it busy) and, when it
fails (an RS-485 adapter unplugged), closed and opened again by the next command, from the
same path, so a bus plugged back in is found again.
"""
import logging
import time

import serial

from . import protocol
from .protocol import Decoder, Frame

try:
    from termios import error as TermiosError
except ImportError:  # Windows: pyserial raises SerialException only
    TermiosError = OSError

log = logging.getLogger(__name__)
#: how long a strip has to answer (the protocol's limit)
ANSWER_TIMEOUT_S = 0.3
WRITE_TIMEOUT_S = 2.0
PORT_ERRORS = (OSError, serial.SerialException, TermiosError)


class BusGone(Exception):
    """The port cannot be opened or failed: the whole display is offline."""


class BusBusy(Exception):
    """Another process holds the port."""


class LedBus:
    def __init__(self, port: str, baudrate: int = 9600, answer_timeout_s: float = ANSWER_TIMEOUT_S) -> None:
        self.port, self.baudrate, self.answer_timeout_s = port, baudrate, answer_timeout_s
        self._device: serial.Serial | None = None

    def show(self, address: int, text: str, flash: bool = False) -> bool:
        """Show `text` on the strip (blank text clears it); True if the strip took it."""
        return self._ask(protocol.show(address, text, flash) if text else protocol.clear(address), address) is not None

    def brightness(self, address: int, level: int) -> bool:
        return self._ask(protocol.brightness(address, level), address) is not None

    def ping(self, address: int) -> int | None:
        """The SUM of the text the strip shows (protocol.checksum of its bytes), None if it
        does not answer."""
        answer = self._ask(protocol.ping(address), address)
        return answer.data[1] if answer is not None and len(answer.data) > 1 else None

    def close(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            try:
                device.close()
            except PORT_ERRORS:
                pass

    def _ask(self, data: bytes, address: int) -> Frame | None:
        """Send a frame and wait for the strip's answer: the answer if OK, None for none or a
        refusal; BusGone if the port fails."""
        device = self._open()
        try:
            device.reset_input_buffer()
            device.write(data)
            answer = self._answer(device, address, data[2:3].lower())
        except PORT_ERRORS as exc:
            self.close()
            raise BusGone(f"LED bus {self.port} failed: {exc}") from None
        if answer is not None and answer.status != protocol.OK:
            log.warning("LED strip %d refused %r: status %d", address, data[2:3], answer.status)
        return answer if answer is not None and answer.status == protocol.OK else None

    def _answer(self, device: serial.Serial, address: int, command: bytes) -> Frame | None:
        decoder = Decoder()
        deadline = time.monotonic() + self.answer_timeout_s
        while (left := deadline - time.monotonic()) > 0:
            device.timeout = left
            for frame in decoder.feed(device.read(max(1, device.in_waiting))):
                if frame.address == address and frame.command == command:
                    return frame
        return None

    def _open(self) -> serial.Serial:
        if self._device is not None:
            return self._device
        try:
            self._device = serial.Serial(port=self.port, baudrate=self.baudrate, timeout=self.answer_timeout_s,
                                         write_timeout=WRITE_TIMEOUT_S, exclusive=True)
        except serial.SerialException as exc:
            if "exclusively lock" in str(exc):
                raise BusBusy(f"LED bus {self.port} is held by another process") from None
            raise BusGone(f"cannot open LED bus {self.port}: {exc}") from None
        return self._device
