"""The ticket's ESC/POS bytes, read back by the simulated printer over a real pty, and the
printer's real-time status over the same port."""
import pytest
from PIL import Image

from devices.printer import fonts
from devices.printer.decoder import Decoder
from devices.printer.fonts import columns
from devices.printer.serial import PortBusy, SerialPrinter
from devices.printer.simulated import PrintedLine, SimulatedPrinter
from devices.printer.status import PrinterStatus
from devices.printer.ticket import ticket_bytes, wrap
from hall_server.config import Printer

from .conftest import STATUS_TIMEOUT_S, sample_job

TEXT_PRINTER = Printer(name="printer-1", port="/dev/ttyUSB0", kiosks=["kiosk-1"])
RASTER_PRINTER = TEXT_PRINTER.model_copy(update={"raster": True})
MAX_TICKET_BYTES = 900


def print_on(printer: SimulatedPrinter, data: bytes):
    """Send one ticket over the port; what the printer made of it."""
    before = len(printer.tickets)
    port = SerialPrinter(str(printer.port), status_timeout_s=STATUS_TIMEOUT_S)
    try:
        port.send(data)
    finally:
        port.close()
    printer.wait_for(before + 1)
    return printer.tickets[-1]


def lines_of(ticket) -> dict[str, PrintedLine]:
    return {item.text: item for item in ticket.items if isinstance(item, PrintedLine)}


def test_a_ticket_reads_back_as_chinese_and_english_text_the_number_large_its_qr_code_and_a_cut(printer):
    job = sample_job()
    data = ticket_bytes(job, TEXT_PRINTER)
    ticket = print_on(printer, data)

    assert ticket.raw == data and len(data) <= MAX_TICKET_BYTES
    lines = lines_of(ticket)
    for chinese in ["国网示范县供电公司城区营业厅", "居民收费", "前面还有 3 人，预计等候约 10 分钟",
                    "取号时间 Issued 2026-11-24 09:05", "请留意屏幕和广播叫号，过号请与工作人员联系",
                    "扫码查看排队进度"]:
        assert lines[chinese].chinese, chinese  # sent in the printer's Chinese mode
    assert "居民收费".encode("gb18030") in data
    for english in ["State Grid Demo County Power Supply - City", "Business Hall", "Residential fee payment",
                    "3 ahead of you, about 10 min", "Scan to follow your place in the queue"]:
        assert english in lines
    number = ticket.largest()
    assert (number.text, number.width, number.height, number.bold) == ("A012", 4, 4, True)
    assert (lines["居民收费"].width, lines["居民收费"].height) == (2, 2)
    assert all(line.align == "center" for line in lines.values())
    assert ticket.qr_codes == [job.tracking_url]
    assert data.endswith(b"\x1dVB\x00")  # feed and cut: the ticket ends at the cut


def test_the_place_in_the_queue_reads_as_the_customer_needs_it(printer):
    for job, expected in [
        (sample_job(ahead=0, estimated_wait_s=0),
         ["前面没有人，请留意叫号", "You are next: please listen for your number"]),
        (sample_job(ahead=7, estimated_wait_s=None), ["前面还有 7 人", "7 ahead of you"]),
        (sample_job(ahead=2, estimated_wait_s=61), ["前面还有 2 人，预计等候约 2 分钟", "2 ahead of you, about 2 min"]),
    ]:
        assert set(expected) <= set(print_on(printer, ticket_bytes(job, TEXT_PRINTER)).lines)


def test_on_58_mm_paper_every_line_fits_and_a_code_page_of_the_configuration_is_used(printer):
    narrow = TEXT_PRINTER.model_copy(update={"paper_mm": 58, "codepage": "gbk"})
    printer.codepage = "gbk"
    ticket = print_on(printer, ticket_bytes(sample_job(), narrow))
    for item in ticket.items:
        if isinstance(item, PrintedLine):
            assert columns(item.text) * item.width <= 32, item.text
    assert "国网示范县供电公司城区营业厅" in ticket.text.replace("\n", "")


def test_a_raster_ticket_draws_its_chinese_lines_and_keeps_the_rest_as_commands(printer, tmp_path):
    printer.save_dir = tmp_path / "printed"
    job = sample_job()
    data = ticket_bytes(job, RASTER_PRINTER)
    ticket = print_on(printer, data)

    assert b"\x1c&" not in data and "居民".encode("gb18030") not in data  # no Chinese mode, no Chinese text
    assert all(line.isascii() for line in ticket.lines)
    assert len(ticket.images) == 6  # hall, service, place, issued, notice, caption: the lines with Chinese
    assert all(image.getbbox() is not None for image in ticket.images)  # something is drawn on each
    assert ticket.largest().text == "A012" and ticket.qr_codes == [job.tracking_url]
    [png] = (tmp_path / "printed").glob("*-A012.png")
    with Image.open(png) as picture:
        assert picture.width >= 576 and picture.height > 800
    assert "Residential fee payment" in next((tmp_path / "printed").glob("*-A012.txt")).read_text()


def test_raster_printing_without_a_chinese_font_says_what_to_install(monkeypatch):
    monkeypatch.setattr(fonts, "CJK_FONTS", (("/nowhere/NotoSansCJK-Regular.ttc", 2),))
    fonts.cjk_font.cache_clear()
    try:
        with pytest.raises(fonts.FontMissing, match="fonts-noto-cjk"):
            ticket_bytes(sample_job(), RASTER_PRINTER)
    finally:
        fonts.cjk_font.cache_clear()


def test_the_decoder_reads_a_ticket_sent_a_byte_at_a_time_as_one_sent_whole():
    data = ticket_bytes(sample_job(), TEXT_PRINTER) + ticket_bytes(sample_job(), RASTER_PRINTER)
    whole = Decoder().feed(data)
    trickle = Decoder()
    pieces = [op for i in range(len(data)) for op in trickle.feed(data[i:i + 1])]
    assert pieces == whole
    assert b"".join(raw for _, raw in whole) == data


def test_lines_break_between_words_and_between_chinese_characters():
    assert wrap("State Grid Demo County Power Supply", 16) == ["State Grid Demo", "County Power", "Supply"]
    assert wrap("请留意屏幕和广播叫号", 8) == ["请留意屏", "幕和广播", "叫号"]
    assert wrap("A-very-long-word-without-spaces", 10) == ["A-very-lon", "g-word-wit", "hout-space", "s"]


def test_the_status_of_the_printer_over_its_port(printer):
    port = SerialPrinter(str(printer.port), status_timeout_s=STATUS_TIMEOUT_S)
    assert port.status() == PrinterStatus(online=True)
    printer.paper_near_end()
    assert port.status().paper == "near_end" and port.status().fault is None
    printer.paper_out()
    assert port.status().fault == "paper_out"
    printer.load_paper()
    printer.open_cover()
    assert (port.status().cover_open, port.status().fault) == (True, "cover_open")
    printer.close_cover()
    printer.unplug()
    assert port.status().fault == "offline"
    printer.plug()  # a new pty at the same path
    assert port.status() == PrinterStatus(online=True)
    assert printer.status_queries >= 3


def test_a_second_worker_on_the_same_port_finds_it_busy(printer):
    first = SerialPrinter(str(printer.port), status_timeout_s=STATUS_TIMEOUT_S)
    assert first.status().online
    with pytest.raises(PortBusy):
        SerialPrinter(str(printer.port), status_timeout_s=STATUS_TIMEOUT_S).status()
    first.close()
    assert SerialPrinter(str(printer.port), status_timeout_s=STATUS_TIMEOUT_S).status().online
