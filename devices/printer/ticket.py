"""The ticket (排队凭条) a kiosk's printer prints: one function from a print job to ESC/POS.

The ticket: the hall's name, the business type in Chinese and English, the number in large
type, the people ahead and the estimated wait, the time it was taken, the hall's service
notice, the QR code of the customer's phone page, and a cut. The bytes come from
python-escpos's Dummy printer (its commands for sizes, alignment, the QR code and the cut).

Chinese goes out as text in the printer's Chinese mode (FS & ... FS .), encoded in the code
page the printer's configuration names (GB18030 by default), and the QR code with the
printer's own QR command (GS ( k), so a ticket is some 600 bytes: well under a second at
9600 baud. With `raster` (a printer without a Chinese font) every line with Chinese in it is
drawn with Pillow and sent as a raster bitmap (GS v 0) instead; Latin lines, the number and
the QR code stay printer commands, so a raster ticket is some 8 KB rather than the 50 KB of
a whole-ticket picture.
"""
import math
import re
from dataclasses import dataclass

from escpos.constants import FS, QR_ECLEVEL_M
from escpos.printer import Dummy

from hall_server.config import Printer
from hall_server.services.devices import PrintJob

from .fonts import columns, text_image

CHINESE_ON, CHINESE_OFF = FS + b"&", FS + b"."


@dataclass(frozen=True)
class Paper:
    #: a python-escpos printer profile of this width
    profile: str
    dots: int
    #: characters of font A on a line
    columns: int
    #: the size of a QR code's module, in dots
    qr_module: int


PAPER = {80: Paper("TM-T20II", 576, 48, 6), 58: Paper("ZJ-5870", 384, 32, 5)}
NUMBER_SCALE = 4
SERVICE_SCALE = 2


@dataclass(frozen=True)
class Line:
    """One printed line, centred; `scale` multiplies the character's width and height."""

    text: str
    scale: int = 1
    bold: bool = False


@dataclass(frozen=True)
class Qr:
    data: str


def ticket_bytes(job: PrintJob, printer: Printer) -> bytes:
    """The ESC/POS bytes of the ticket for this printer (its paper, code page, raster setting)."""
    paper = PAPER[printer.paper_mm]
    out = Dummy(profile=paper.profile)
    out.hw("INIT")
    if not printer.raster:
        out._raw(CHINESE_ON)
    out.set(align="center")
    scale, bold = 1, False
    for block in ticket_layout(job, paper.columns):
        if isinstance(block, Qr):
            out.qr(block.data, native=True, size=paper.qr_module, ec=QR_ECLEVEL_M)
            continue
        if printer.raster and not block.text.isascii():
            out.image(text_image(block.text, block.scale, block.bold), impl="bitImageRaster")
            continue
        if block.scale != scale:
            out.set(custom_size=True, width=block.scale, height=block.scale)
            scale = block.scale
        if block.bold != bold:
            out.set(bold=block.bold)
            bold = block.bold
        out._raw(block.text.encode(printer.codepage, errors="replace") + b"\n")
    if not printer.raster:
        out._raw(CHINESE_OFF)
    out.cut(feed=False)
    return out.output


def ticket_layout(job: PrintJob, cols: int) -> list[Line | Qr]:
    """What the ticket says, line by line, wrapped to `cols` columns of the printer's font."""
    blocks: list[Line | Qr] = []

    def add(text: str, scale: int = 1, bold: bool = False) -> None:
        if text:
            blocks.extend(Line(part, scale, bold) for part in wrap(text, cols // scale))

    add(job.hall_zh, bold=True)
    add(job.hall_en)
    blocks.append(Line(""))
    add(job.service_zh, SERVICE_SCALE, bold=True)
    add(job.service_en)
    add(job.number, NUMBER_SCALE, bold=True)
    for text in place_lines(job):
        add(text)
    add(f"取号时间 Issued {job.issued_at:%Y-%m-%d %H:%M}")
    if job.notice_zh or job.notice_en:
        blocks.append(Line(""))
        add(job.notice_zh)
        add(job.notice_en)
    blocks.append(Qr(job.tracking_url))
    add("扫码查看排队进度")
    add("Scan to follow your place in the queue")
    return blocks


def place_lines(job: PrintJob) -> list[str]:
    """The people ahead and the estimated wait, in Chinese and in English."""
    if job.ahead is None:
        return []
    if job.ahead == 0:
        return ["前面没有人，请留意叫号", "You are next: please listen for your number"]
    zh, en = f"前面还有 {job.ahead} 人", f"{job.ahead} ahead of you"
    if job.estimated_wait_s is not None:
        minutes = max(1, math.ceil(job.estimated_wait_s / 60))
        zh, en = f"{zh}，预计等候约 {minutes} 分钟", f"{en}, about {minutes} min"
    return [zh, en]


_TOKENS = re.compile(r"\s+|[^\s\u2e80-\uffff]+|.")


def wrap(text: str, width: int) -> list[str]:
    """Break text into lines of at most `width` columns: between Latin words, anywhere
    between Chinese characters."""
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            line += " " if line else ""
            continue
        while columns(token) > width:  # a word longer than a line is cut
            if line.strip():
                lines.append(line.rstrip())
                line = ""
            lines.append(token[:width])
            token = token[width:]
        if columns(line + token) > width:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    lines.append(line.rstrip())
    return lines
