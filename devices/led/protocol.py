"""The line protocol of the hall's LED counter strips: one RS-485 bus, one strip per counter.

The server is the only master on the bus; every strip has an address (1-254, set by DIP
switches on the strip, mapped to counters in `[[halls.led_displays]] counters`) and speaks
only when spoken to. 8 data bits, no parity, 1 stop bit, at the configured baud rate.

Frame (both ways)::

    STX 0x02 | ADDR | CMD | LEN | DATA (LEN bytes) | SUM | ETX 0x03

- ADDR: the strip's address (0xFF: every strip, which then does not answer);
- CMD: one ASCII letter, below; an answer carries the command's letter in lower case;
- LEN: the number of DATA bytes, 0-200. Frames are delimited by LEN, so DATA may hold any
  byte (0x02 and 0x03 included) and nothing is escaped; STX and ETX check the bounds;
- SUM: the XOR of ADDR, CMD, LEN and every DATA byte.

A receiver that finds a bad SUM or a missing ETX drops bytes up to the next STX. A strip
answers a bad frame addressed to it with status 0x01, an unknown command with 0x02.

Commands (master to strip) and answers (strip to master):

===  =====================  ===========================================  ====================
CMD  what                   DATA                                         answer (DATA)
===  =====================  ===========================================  ====================
T    show text              FLAGS, then the text in GB18030 (<= 64       t: STATUS
                            bytes: GB2312 characters, 2 bytes each, are
                            what strips' fonts hold; ASCII is 1 byte).
                            FLAGS bit 0: flash it three times (a call)
C    clear (blank)          none                                         c: STATUS
B    brightness             one byte, 1 (dim) - 16 (full)                b: STATUS
P    ping / status query    none                                         p: STATUS, then the
                                                                         SUM of the text it shows
===  =====================  ===========================================  ====================

STATUS: 0x00 ok, 0x01 bad frame, 0x02 unknown command, 0x03 text too long. A strip that
does not answer within 0.3 s is offline. Example: strip 3 shows "A012 请到3号窗口",
flashing: ``02 03 54 11 01 41 30 31 32 20 C7 EB B5 BD 33 BA C5 B4 B0 BF DA 1C 03``.
"""
from dataclasses import dataclass

STX, ETX = 0x02, 0x03
BROADCAST = 0xFF
ENCODING = "gb18030"
MAX_DATA = 200
MAX_TEXT_BYTES = 64
SHOW, CLEAR, BRIGHTNESS, PING = b"T", b"C", b"B", b"P"
OK, BAD_FRAME, UNKNOWN_COMMAND, TOO_LONG = 0x00, 0x01, 0x02, 0x03
FLASH = 0x01


@dataclass(frozen=True)
class Frame:
    address: int
    command: bytes
    data: bytes = b""

    @property
    def is_answer(self) -> bool:
        return self.command.islower()

    @property
    def status(self) -> int | None:
        """An answer's STATUS."""
        return self.data[0] if self.is_answer and self.data else None


def checksum(payload: bytes) -> int:
    total = 0
    for byte in payload:
        total ^= byte
    return total


def encode(frame: Frame) -> bytes:
    if not 1 <= frame.address <= 0xFF or len(frame.data) > MAX_DATA:
        raise ValueError(f"no such frame: address {frame.address}, {len(frame.data)} data bytes")
    payload = bytes([frame.address]) + frame.command + bytes([len(frame.data)]) + frame.data
    return bytes([STX]) + payload + bytes([checksum(payload), ETX])


def text_bytes(text: str) -> bytes:
    """The text as a strip reads it; ValueError if it is too long for a strip."""
    data = text.encode(ENCODING)
    if len(data) > MAX_TEXT_BYTES:
        raise ValueError(f"{text!r} is {len(data)} bytes; a strip shows {MAX_TEXT_BYTES} at most")
    return data


def show(address: int, text: str, flash: bool = False) -> bytes:
    return encode(Frame(address, SHOW, bytes([FLASH if flash else 0]) + text_bytes(text)))


def clear(address: int) -> bytes:
    return encode(Frame(address, CLEAR))


def brightness(address: int, level: int) -> bytes:
    if not 1 <= level <= 16:
        raise ValueError("brightness is 1-16")
    return encode(Frame(address, BRIGHTNESS, bytes([level])))


def ping(address: int) -> bytes:
    return encode(Frame(address, PING))


def answer(address: int, command: bytes, status: int, extra: bytes = b"") -> bytes:
    return encode(Frame(address, command.lower(), bytes([status]) + extra))


class Decoder:
    """Frames out of a byte stream, fed in pieces as they arrive; bad frames are dropped
    (`dropped` counts them, with the address they named if it could be read)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.dropped: list[int | None] = []

    def feed(self, data: bytes) -> list[Frame]:
        self.buffer += data
        frames = []
        while True:
            start = self.buffer.find(STX)
            if start < 0:
                self.buffer.clear()
                return frames
            del self.buffer[:start]
            if len(self.buffer) < 4:
                return frames
            end = 4 + self.buffer[3] + 2
            if self.buffer[3] > MAX_DATA:
                self._drop()
                continue
            if len(self.buffer) < end:
                return frames
            payload = bytes(self.buffer[1:end - 2])
            if self.buffer[end - 1] != ETX or self.buffer[end - 2] != checksum(payload):
                self._drop()
                continue
            frames.append(Frame(payload[0], payload[1:2], payload[3:]))
            del self.buffer[:end]

    def _drop(self) -> None:
        """Skip this STX: the next frame starts at a later one."""
        self.dropped.append(self.buffer[1] if len(self.buffer) > 1 else None)
        del self.buffer[:1]
