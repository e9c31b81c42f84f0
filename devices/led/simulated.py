"""The simulated LED strips: a bus of strips at the far end of a pseudo-terminal pair, for the
tests and for `make run` without hardware.

The far (master) end decodes every frame the driver writes (protocol.py), keeps what each
strip of `addresses` shows, and answers as a strip does; a frame for another address gets no
answer. It can be unplugged: the pty closes and its path (a symlink, the port the
configuration names) disappears; plugged back, a new pty appears at the same path with
every strip blank, as strips that lost power come back. With `save_to`, what the strips show
is kept in that text file, a line per address, for `make run` without hardware.
"""
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..pty_device import PtyDevice
from . import protocol
from .protocol import Decoder, Frame


@dataclass(frozen=True)
class Shown:
    text: str
    flash: bool = False


BLANK = Shown("")


class SimulatedLed(PtyDevice):
    """A bus of LED strips at the end of a pty whose near end is the symlink `port`; plugging
    it back is power and cable back, every strip blank."""

    def __init__(self, port: str | Path | None = None, addresses: Iterable[int] = (1,),
                 save_to: Path | None = None) -> None:
        super().__init__(port, "LED bus")
        self.save_to = save_to
        self.addresses = frozenset(addresses)
        #: every frame the driver sent, decoded, with its bytes: [(frame, raw)]
        self.received: list[Frame] = []
        #: every byte the driver sent, as it came
        self.raw = bytearray()
        self.shown: dict[int, Shown] = {}
        self.brightness: dict[int, int] = {}
        self.plug()

    def _reset(self) -> None:
        with self._changed:
            self.shown = {address: BLANK for address in self.addresses}
        self._decoder = Decoder()

    def power_cycle(self, address: int) -> None:
        """One strip loses power and comes back, blank; the bus stays up."""
        with self._changed:
            self.shown[address] = BLANK
            self._changed.notify_all()

    def text(self, address: int) -> str:
        return self.shown.get(address, BLANK).text

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0,
                   describe: Callable[[], str] = lambda: "") -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"simulated LED bus {self.port}: {describe() or self.shown}")
                self._changed.wait(left)

    def _receive(self, master: int, data: bytes) -> None:
        self.raw += data
        frames = self._decoder.feed(data)
        for frame in frames:
            reply = self._apply(frame)
            if reply:
                os.write(master, reply)
        self.received += frames
        for address in self._decoder.dropped:
            if address in self.addresses:
                os.write(master, protocol.answer(address, b"?", protocol.BAD_FRAME))
        self._decoder.dropped.clear()
        if frames and self.save_to is not None:
            self._save()

    def _save(self) -> None:
        self.save_to.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{address}: {'*' if shown.flash else ' '} {shown.text}"  # *: flashing
                 for address, shown in sorted(self.shown.items())]
        self.save_to.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _apply(self, frame: Frame) -> bytes | None:
        """Do what the frame says on each strip it names; the answer, if one is due."""
        targets = self.addresses if frame.address == protocol.BROADCAST else self.addresses & {frame.address}
        status = protocol.OK
        for address in targets:
            if frame.command == protocol.SHOW:
                try:
                    text = frame.data[1:].decode(protocol.ENCODING)
                except UnicodeDecodeError:
                    status = protocol.BAD_FRAME
                    continue
                if len(frame.data) - 1 > protocol.MAX_TEXT_BYTES:
                    status = protocol.TOO_LONG
                    continue
                self.shown[address] = Shown(text, bool(frame.data[0] & protocol.FLASH))
            elif frame.command == protocol.CLEAR:
                self.shown[address] = BLANK
            elif frame.command == protocol.BRIGHTNESS and len(frame.data) == 1 and 1 <= frame.data[0] <= 16:
                self.brightness[address] = frame.data[0]
            elif frame.command != protocol.PING:
                status = protocol.UNKNOWN_COMMAND
        if frame.address == protocol.BROADCAST or not targets:
            return None
        extra = b""
        if frame.command == protocol.PING:
            extra = bytes([protocol.checksum(self.shown[frame.address].text.encode(protocol.ENCODING))])
        return protocol.answer(frame.address, frame.command, status, extra)
