"""A thermal printer's real-time status: the ESC/POS `DLE EOT n` queries and their one-byte
answers (Epson's definition, which Chinese kiosk printers follow).

Every answer has bits 1 and 4 set and bits 0 and 7 clear (0x12 under mask 0x93); the other
bits mean:
- n = 1, printer: bit 3 offline;
- n = 2, offline cause: bit 2 cover open, bit 5 stopped at paper end, bit 6 error;
- n = 4, paper roll sensor: bits 2-3 paper near its end, bits 5-6 paper out.
"""
from dataclasses import dataclass

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, PAPER_SENSOR = 1, 2, 4
QUERIES = (PRINTER, OFFLINE_CAUSE, PAPER_SENSOR)
FIXED_MASK, FIXED_BITS = 0x93, 0x12
OFFLINE = 0x08
COVER_OPEN, PAPER_STOP, ERROR = 0x04, 0x20, 0x40
NEAR_END, PAPER_OUT = 0x0C, 0x60


def query(n: int) -> bytes:
    return DLE_EOT + bytes([n])


def is_answer(byte: int) -> bool:
    """A status byte, not noise."""
    return byte & FIXED_MASK == FIXED_BITS


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said (or that it said nothing: not `online`)."""

    online: bool
    paper: str = "ok"  # "ok", "near_end" or "out"
    cover_open: bool = False
    error: bool = False

    @property
    def fault(self) -> str | None:
        """Why it cannot print now (None: it can)."""
        if not self.online:
            return "offline"
        if self.cover_open:
            return "cover_open"
        if self.paper == "out":
            return "paper_out"
        if self.error:
            return "error"
        return None

    @classmethod
    def from_answers(cls, answers: dict[int, int]) -> "PrinterStatus":
        """From the answers to the three queries (QUERIES)."""
        paper = answers[PAPER_SENSOR]
        cause = answers[OFFLINE_CAUSE]
        return cls(online=True, paper="out" if paper & PAPER_OUT else "near_end" if paper & NEAR_END else "ok",
                   cover_open=bool(cause & COVER_OPEN), error=bool(cause & ERROR))

    def answer(self, n: int) -> int:
        """The byte a printer in this state answers to `DLE EOT n` (the simulated printer's)."""
        bits = FIXED_BITS
        if n == PRINTER and (self.cover_open or self.paper == "out" or self.error):
            bits |= OFFLINE
        elif n == OFFLINE_CAUSE:
            bits |= (COVER_OPEN if self.cover_open else 0) | (PAPER_STOP if self.paper == "out" else 0)
            bits |= ERROR if self.error else 0
        elif n == PAPER_SENSOR:
            bits |= PAPER_OUT if self.paper == "out" else NEAR_END if self.paper == "near_end" else 0
        return bits


OFFLINE_STATUS = PrinterStatus(online=False)
