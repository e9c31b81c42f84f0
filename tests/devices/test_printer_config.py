"""A hall's printers in its configuration: the demo's loads; a bad one names the field."""
from pathlib import Path

import pytest

from hall_server.config import DEFAULT_CONFIG, ConfigError, load_config

DEMO = DEFAULT_CONFIG.read_text(encoding="utf-8")
SECOND = '\n[[halls.printers]]\nname = "printer-2"\nport = "/dev/ttyUSB1"\nkiosks = ["kiosk-2"]\n'


def test_the_demo_hall_has_a_simulated_printer_for_kiosk_1_that_the_server_runs():
    [printer] = load_config().by_id["demo"].printers
    assert (printer.port, printer.kiosks, printer.host) == ("simulated", ["kiosk-1"], "server")
    assert (printer.baudrate, printer.codepage, printer.raster, printer.paper_mm) == (9600, "gb18030", False, 80)
    assert printer.notice.zh and printer.notice.en


def test_a_printer_needs_only_a_name_a_port_and_its_kiosks(tmp_path: Path):
    path = tmp_path / "hall.toml"
    path.write_text(DEMO + SECOND.replace("/dev/ttyUSB1", "COM3"), encoding="utf-8")
    second = load_config(path).by_id["demo"].printers_by_name["printer-2"]
    assert (second.port, second.baudrate, second.codepage, second.host, second.notice) == (
        "COM3", 9600, "gb18030", "server", None)


BAD = [
    ("baud rate", ("baudrate = 9600", "baudrate = 9601"), "halls.0.printers.0.baudrate"),
    ("code page", ('codepage = "gb18030"', 'codepage = "utf-8"'), "halls.0.printers.0.codepage"),
    ("port", ('port = "simulated"', 'port = "usb"'), "halls.0.printers.0.port"),
    ("host", ('\nhost = "server"', '\nhost = "cloud"'), "halls.0.printers.0.host"),
    ("paper", ("paper_mm = 80", "paper_mm = 76"), "halls.0.printers.0.paper_mm"),
    ("no kiosk", ('kiosks = ["kiosk-1"]', "kiosks = []"), "halls.0.printers.0.kiosks"),
    ("unknown key", ("raster = false", "raster = false\ncutter = true"), "halls.0.printers.0.cutter"),
    ("a kiosk on two printers", ("", SECOND.replace("kiosk-2", "kiosk-1")),
     "printers.1.kiosks: 'kiosk-1' has printer 'printer-1' already"),
    ("two printers of one name", ("", SECOND.replace("printer-2", "printer-1")),
     "printers.name: 'printer-1' appears twice"),
]


@pytest.mark.parametrize(("what", "change", "expected"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_printer_names_the_field(tmp_path: Path, what, change, expected):
    old, new = change
    text = DEMO + new if old == "" else DEMO.replace(old, new, 1)
    assert text != DEMO
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert expected in str(error.value)
