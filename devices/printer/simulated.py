"""The simulated printer: the serial printer's twin over a pseudo-terminal pair, for the tests
and for `make run` without hardware.

The far (master) end of a pty reads the ESC/POS stream the worker writes to the near end,
decodes it (decoder.py), answers the real-time status queries, and keeps each ticket (split
at the cuts) as text and as a picture. It can run out of paper, have its cover opened,
and be unplugged: the pty is closed and its path (a symlink, the port the configuration
names) disappears; plugged back, a new pty appears at the same path, as a USB serial adapter
comes back as the same device.
"""
import logging
import os
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import qrcode
from PIL import Image

from ..pty_device import PtyDevice
from .decoder import Decoder
from .fonts import LINE_DOTS, text_image
from .status import PrinterStatus

log = logging.getLogger(__name__)
ALIGNS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
#: the picture's margin, in dots
MARGIN = 16


@dataclass(frozen=True)
class PrintedLine:
    text: str
    width: int = 1
    height: int = 1
    bold: bool = False
    align: str = "left"
    #: the text came in the printer's Chinese mode
    chinese: bool = False


@dataclass(frozen=True)
class PrintedQr:
    data: str
    module: int
    align: str


@dataclass(frozen=True)
class PrintedImage:
    image: Image.Image
    align: str


@dataclass
class PrintedTicket:
    """What came out between two cuts."""

    items: list = field(default_factory=list)
    #: the bytes the ticket was printed from (status queries left out)
    raw: bytes = b""

    @property
    def lines(self) -> list[str]:
        return [item.text for item in self.items if isinstance(item, PrintedLine)]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def qr_codes(self) -> list[str]:
        return [item.data for item in self.items if isinstance(item, PrintedQr)]

    @property
    def images(self) -> list[Image.Image]:
        return [item.image for item in self.items if isinstance(item, PrintedImage)]

    def largest(self) -> PrintedLine | None:
        """The line in the largest type (a queue ticket's number)."""
        lines = [item for item in self.items if isinstance(item, PrintedLine) and item.text]
        return max(lines, key=lambda line: line.width * line.height, default=None)

    def picture(self, width: int = 576) -> Image.Image:
        """The ticket as the paper shows it (black on white)."""
        parts = []
        for item in self.items:
            if isinstance(item, PrintedLine):
                part = (text_image(item.text, item.height, item.bold) if item.text.strip()
                        else Image.new("1", (8, LINE_DOTS * item.height), 1))
                if item.width != item.height:
                    part = part.resize((part.width * item.width // item.height, part.height))
                parts.append((part, item.align, (LINE_DOTS - 24) * item.height))
            elif isinstance(item, PrintedQr):
                code = qrcode.make(item.data, box_size=item.module, border=1).get_image().convert("1")
                parts.append((code, item.align, 0))
            else:
                parts.append((item.image, item.align, 0))
        height = sum(part.height + gap for part, _, gap in parts) + 2 * MARGIN
        page = Image.new("1", (width + 2 * MARGIN, height), 1)
        y = MARGIN
        for part, align, gap in parts:
            x = {"left": 0, "center": (width - part.width) // 2, "right": width - part.width}[align]
            page.paste(part, (MARGIN + max(0, x), y))
            y += part.height + gap
        return page


class _Model:
    """The printer's state as the decoded commands change it, and what it printed."""

    def __init__(self, codepage: str) -> None:
        self.codepage = codepage
        self.reset()
        self.ticket = PrintedTicket()
        self.raw = bytearray()
        self.line = bytearray()

    def reset(self) -> None:
        self.align, self.width, self.height, self.bold, self.chinese = "left", 1, 1, False, False
        self.qr_module, self.qr_data = 3, b""

    def apply(self, op: tuple) -> PrintedTicket | None:
        """Apply one operation; returns the ticket it finished (at a cut)."""
        kind = op[0]
        if kind == "text":
            self.line += op[1]
        elif kind == "lf":
            self._end_line(blank_too=True)
        elif kind == "init":
            self._end_line()
            self.reset()
        elif kind == "align":
            self.align = ALIGNS.get(op[1], "left")
        elif kind == "size":
            self.width, self.height = (op[1] >> 4) + 1, (op[1] & 0x0F) + 1
        elif kind == "mode":  # ESC !: bit 3 emphasized, 4 double height, 5 double width
            self.bold, self.height, self.width = bool(op[1] & 0x08), 2 if op[1] & 0x10 else 1, 2 if op[1] & 0x20 else 1
        elif kind == "bold":
            self.bold = op[1]
        elif kind == "chinese":
            self._end_line()
            self.chinese = op[1]
        elif kind == "qr_size":
            self.qr_module = op[1]
        elif kind == "qr_store":
            self.qr_data = op[1]
        elif kind == "qr_print":
            self._end_line()
            self.ticket.items.append(PrintedQr(self.qr_data.decode("utf-8", "replace"), self.qr_module, self.align))
        elif kind == "raster":
            self._end_line()
            _, width, height, data = op
            image = Image.frombytes("1", (width * 8, height), bytes(~b & 0xFF for b in data))
            self.ticket.items.append(PrintedImage(image, self.align))
        elif kind == "cut":
            self._end_line()
            done, self.ticket = self.ticket, PrintedTicket()
            return done
        return None

    def _end_line(self, blank_too: bool = False) -> None:
        if self.line or blank_too:
            text = bytes(self.line).decode(self.codepage if self.chinese else "cp437", "replace")
            self.ticket.items.append(PrintedLine(text, self.width, self.height, self.bold, self.align,
                                                 self.chinese))
            self.line = bytearray()


class SimulatedPrinter(PtyDevice):
    """A printer at the end of a pty whose near end is the symlink `port`. Unplugging it loses
    a ticket half sent, as on paper."""

    def __init__(self, port: str | Path | None = None, codepage: str = "gb18030", paper_dots: int = 576,
                 save_dir: Path | None = None) -> None:
        super().__init__(port, "printer")
        self.codepage, self.paper_dots, self.save_dir = codepage, paper_dots, save_dir
        self.tickets: list[PrintedTicket] = []
        self.status_queries = 0
        self._held: list[PrintedTicket] = []
        self._state = PrinterStatus(online=True)
        self._paper_left: int | None = None
        self.plug()

    def _reset(self) -> None:
        self._decoder, self._model = Decoder(), _Model(self.codepage)

    # the paper and the cover

    def paper_out(self) -> None:
        self._set(paper="out")

    def paper_near_end(self) -> None:
        self._set(paper="near_end")

    def load_paper(self) -> None:
        """A new roll: paper is back, and what was printed while it was out comes out."""
        self._paper_left = None
        self._set(paper="ok")

    def run_out_after(self, tickets: int) -> None:
        """The roll ends after this many more tickets."""
        with self._changed:
            self._paper_left = tickets
        if tickets == 0:
            self.paper_out()

    def open_cover(self) -> None:
        self._set(cover_open=True)

    def close_cover(self) -> None:
        self._set(cover_open=False)

    @property
    def status(self) -> PrinterStatus:
        return self._state

    # what it printed

    def wait_for(self, count: int, timeout: float = 10.0) -> list[PrintedTicket]:
        """The first `count` tickets printed, once they are; TimeoutError if they do not come."""
        self.wait_until(lambda: len(self.tickets) >= count, timeout,
                        lambda: f"{len(self.tickets)} of {count} tickets printed")
        return self.tickets[:count]

    def wait_until(self, predicate, timeout: float = 10.0, describe=lambda: "") -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"simulated printer {self.port}: {describe()}")
                self._changed.wait(left)

    # the far end

    def _set(self, **changes) -> None:
        with self._changed:
            self._state = replace(self._state, **changes)
            if self._ready():
                self._release()
            self._changed.notify_all()

    def _ready(self) -> bool:
        return self._state.fault is None

    def _release(self) -> None:
        for ticket in self._held:
            self._keep(ticket)
        self._held = []

    def _receive(self, master: int, data: bytes) -> None:
        for op, raw in self._decoder.feed(data):
            if op[0] == "status":
                self.status_queries += 1
                os.write(master, bytes([self._state.answer(op[1])]))
                continue
            self._model.raw += raw
            done = self._model.apply(op)
            if done is None:
                continue
            done.raw, self._model.raw = bytes(self._model.raw), bytearray()
            if not self._ready():
                self._held.append(done)
                continue
            self._keep(done)
            if self._paper_left is not None:
                self._paper_left -= 1
                if self._paper_left <= 0:
                    self._paper_left = None
                    self._state = replace(self._state, paper="out")

    def _keep(self, ticket: PrintedTicket) -> None:
        self.tickets.append(ticket)
        if self.save_dir is not None:
            self._save(ticket, len(self.tickets))

    def _save(self, ticket: PrintedTicket, index: int) -> None:
        number = ticket.largest()
        name = f"{datetime.now():%Y%m%d-%H%M%S}-{index:04d}" + (f"-{number.text.strip()}" if number else "")
        try:
            self.save_dir.mkdir(parents=True, exist_ok=True)
            (self.save_dir / f"{name}.txt").write_text(
                ticket.text + "".join(f"\n[QR] {data}" for data in ticket.qr_codes) + "\n", encoding="utf-8")
            ticket.picture(self.paper_dots).save(self.save_dir / f"{name}.png")
        except Exception:  # a picture that cannot be saved must not stop the printer
            log.exception("saving printed ticket %s failed", name)
