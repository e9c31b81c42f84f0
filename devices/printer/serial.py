"""An ESC/POS printer on a serial port: python-escpos's Serial printer (pyserial), with what a
kiosk's printer needs besides.

- The port is opened exclusively (an advisory lock), so a second worker on the same printer
  cannot interleave its tickets; it finds the port busy instead.
- The real-time status is read with one `DLE EOT n` query at a time and a short, exact
  timeout (python-escpos reads 16 bytes and waits out its whole timeout for each).
- A port that fails (unplugged, powered off) is closed and reopened by the next status read,
  from the same path, so a printer plugged back in is found again.
"""
import logging

import serial
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Serial

from . import status as s
from .status import PrinterStatus

try:
    from termios import error as TermiosError
except ImportError:  # Windows (a kiosk PC's COM port): pyserial raises SerialException only
    TermiosError = OSError

log = logging.getLogger(__name__)
#: how long the printer has to answer a status query
STATUS_TIMEOUT_S = 0.5
#: how long a ticket may take to leave the port (a printer holding the line busy)
WRITE_TIMEOUT_S = 20.0
#: what a failing port raises
PORT_ERRORS = (DeviceNotFoundError, OSError, serial.SerialException, TermiosError)


class PortBusy(Exception):
    """Another process holds the printer's port."""


class PrinterGone(Exception):
    """The port failed while a ticket was being sent."""


class SerialPrinter(Serial):
    def __init__(self, port: str, baudrate: int = 9600, status_timeout_s: float = STATUS_TIMEOUT_S) -> None:
        super().__init__(devfile=port, baudrate=baudrate, timeout=status_timeout_s)

    @property
    def is_open(self) -> bool:
        return bool(self._device) and self._device.is_open

    def open(self, raise_not_found: bool = True) -> None:
        """Open the port, exclusively; DeviceNotFoundError if it is not there, PortBusy if
        another process has it."""
        self.close()
        try:
            self.device = serial.Serial(port=self.devfile, baudrate=self.baudrate, bytesize=self.bytesize,
                                        parity=self.parity, stopbits=self.stopbits, timeout=self.timeout,
                                        write_timeout=WRITE_TIMEOUT_S, exclusive=True)
        except serial.SerialException as exc:
            self.device = False
            if "exclusively lock" in str(exc):
                raise PortBusy(f"printer port {self.devfile} is held by another process") from None
            raise DeviceNotFoundError(f"cannot open printer port {self.devfile}: {exc}") from None

    def close(self) -> None:
        """Close the port without waiting for output (a dead port would not drain)."""
        device, self.device = self._device, False
        if device:
            try:
                device.close()
            except (OSError, serial.SerialException):
                pass

    def _read(self) -> bytes:
        """One byte (a status answer), or b"" when the printer said nothing in time."""
        return self.device.read(1)

    def status(self) -> PrinterStatus:
        """The real-time status; a port that cannot be opened or a printer that does not answer
        is offline. Raises PortBusy while another process holds the port."""
        try:
            if not self.is_open:
                self.open()
            self.device.reset_input_buffer()  # answers to a query we stopped waiting for
            answers = {}
            for n in s.QUERIES:
                answer = self.query_status(s.query(n))
                if len(answer) != 1 or not s.is_answer(answer[0]):
                    log.warning("printer %s did not answer its status query", self.devfile)
                    self.close()
                    return s.OFFLINE_STATUS
                answers[n] = answer[0]
        except PORT_ERRORS as exc:
            log.warning("printer %s is offline: %s", self.devfile, exc)
            self.close()
            return s.OFFLINE_STATUS
        return PrinterStatus.from_answers(answers)

    def send(self, data: bytes) -> None:
        """Send a whole ticket and wait until it has left the port; PrinterGone if it failed."""
        try:
            if not self.is_open:
                self.open()
            self._raw(data)
            self.device.flush()
        except PORT_ERRORS as exc:
            self.close()
            raise PrinterGone(f"printer {self.devfile}: {exc}") from None
