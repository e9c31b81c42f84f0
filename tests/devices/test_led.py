"""The LED counter displays: the line protocol on a simulated bus of strips at the end of a
real pty, and the LED worker following the hall as the server runs it (through the service
layer), unplugged and plugged back."""
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from devices.led import protocol
from devices.led.serial import BusGone, LedBus
from devices.led.simulated import SimulatedLed
from devices.led.worker import LedWorker
from devices.link import LocalLedLink
from devices.supervisor import ServerPrinters
from hall_server.bootstrap import open_context
from hall_server.config import HallsConfig, load_config
from hall_server.domain.events import EventType
from hall_server.services import counters, tickets
from hall_server.services.context import HallContext

from ..conftest import KIOSK, clerk
from ..running_hall import REPO_ROOT, hall_config_text
from .conftest import FAST_RETRY, POLL_S, WAIT_S, WorkerThread, device_events, eventually

DISPLAY = "strips"
#: counter -> the strip's address on the bus
ADDRESSES = {1: 11, 3: 13}
CALLED = "A001 请到1号窗口"


def documented_frame(address: int, command: str, data: bytes = b"") -> bytes:
    """A frame built by hand from the module docstring's table, not by protocol.py."""
    body = bytes([address, ord(command), len(data)]) + data
    xor = 0
    for byte in body:
        xor ^= byte
    return b"\x02" + body + bytes([xor]) + b"\x03"


@pytest.fixture
def strips(tmp_path: Path) -> Iterator[SimulatedLed]:
    simulated = SimulatedLed(tmp_path / "ttyLED", ADDRESSES.values())
    yield simulated
    simulated.close()


def test_the_drivers_bytes_are_the_documented_frames(strips: SimulatedLed) -> None:
    bus = LedBus(str(strips.port))
    try:
        assert bus.show(13, "A012 请到3号窗口", flash=True)
        assert bus.brightness(11, 8)
        assert bus.show(11, "")  # blank text clears the strip
        assert bus.ping(13) == protocol.checksum("A012 请到3号窗口".encode("gb18030"))  # the SUM of what it shows
        assert bus.ping(12) is None  # no strip at 12: no answer
    finally:
        bus.close()
    text = "A012 请到3号窗口".encode("gb2312")  # GB2312 characters are the same bytes in GB18030
    assert bytes(strips.raw) == (documented_frame(13, "T", b"\x01" + text) + documented_frame(11, "B", b"\x08")
                                 + documented_frame(11, "C") + documented_frame(13, "P")
                                 + documented_frame(12, "P"))
    example = re.search(r"flashing: ``([0-9A-F ]+)``", protocol.__doc__).group(1)  # the docstring's example
    assert bytes.fromhex(example) == documented_frame(3, "T", b"\x01" + text) == protocol.show(3, text.decode("gb2312"),
                                                                                                 flash=True)
    assert strips.text(13) == "A012 请到3号窗口"
    assert strips.shown[13].flash and strips.text(11) == "" and strips.brightness == {11: 8}


def test_the_decoder_finds_frames_among_noise_and_drops_bad_ones() -> None:
    decoder = protocol.Decoder()
    good = protocol.show(5, "暂停服务")
    corrupt = bytearray(protocol.show(6, "A001"))
    corrupt[-2] ^= 0xFF  # a wrong SUM
    stream = b"\x55\x03" + bytes(corrupt) + good[:7]
    assert decoder.feed(stream) == []  # the good frame is not whole yet
    assert decoder.feed(good[7:] + protocol.ping(5)) == [
        protocol.Frame(5, b"T", b"\x00" + "暂停服务".encode("gb18030")), protocol.Frame(5, b"P")]
    assert decoder.dropped[0] == 6


def test_text_too_long_for_a_strip_is_refused() -> None:
    with pytest.raises(ValueError, match="64"):
        protocol.show(1, "营业厅" * 11)


def led_ctx(make_ctx, port: Path) -> HallContext:
    return make_ctx(led_displays=[{"name": DISPLAY, "port": str(port),
                                   "counters": {str(counter): address for counter, address in ADDRESSES.items()}}])


@pytest.fixture
def run_led(make_ctx, strips: SimulatedLed) -> Iterator:
    started: list[WorkerThread] = []

    def start() -> HallContext:
        ctx = led_ctx(make_ctx, strips.port)
        link = LocalLedLink(ctx, "demo", DISPLAY)
        started.append(WorkerThread(LedWorker(link, LedBus(str(strips.port), answer_timeout_s=0.2), link.settings(),
                                              poll_s=POLL_S, retry=FAST_RETRY, idle_check_s=0.1)))
        return ctx

    yield start
    for running in started:
        running.stop()


def led_statuses(ctx: HallContext) -> list[bool]:
    return [e.data["online"] for e in device_events(ctx, EventType.DEVICE_STATUS) if e.data["kind"] == "led"]


def test_each_counter_shows_its_call_then_its_number_then_paused(run_led, strips: SimulatedLed) -> None:
    ctx = run_led()
    wang, li = clerk(), clerk("clerk-li")
    counters.sign_in(ctx, "demo", 1, wang)
    counters.sign_in(ctx, "demo", 3, li)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.call_next(ctx, "demo", 1, wang)
    strips.wait_until(lambda: strips.text(11) == CALLED)
    assert strips.shown[11].flash and strips.text(13) == ""  # counter 3 called no one
    calls = len([f for f in strips.received if f.command == b"T" and f.address == 11])

    tickets.recall(ctx, "demo", 1, wang)  # the same text, flashing again
    strips.wait_until(lambda: len([f for f in strips.received if f.command == b"T" and f.address == 11]) > calls)
    tickets.start(ctx, "demo", 1, wang)
    strips.wait_until(lambda: strips.text(11) == "A001")
    counters.pause(ctx, "demo", 3, li, "break")
    strips.wait_until(lambda: strips.text(13) == "暂停服务")
    tickets.finish(ctx, "demo", 1, wang)
    strips.wait_until(lambda: strips.text(11) == "")
    assert not strips.shown[11].flash and strips.text(13) == "暂停服务"
    assert led_statuses(ctx) == []  # online all along: nothing to report


def test_unplugged_and_back_it_reconnects_and_catches_up(run_led, strips: SimulatedLed) -> None:
    ctx = run_led()
    wang = clerk()
    counters.sign_in(ctx, "demo", 1, wang)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.call_next(ctx, "demo", 1, wang)
    strips.wait_until(lambda: strips.text(11) == CALLED)

    strips.unplug()
    eventually(lambda: led_statuses(ctx) == [False], "the display reported offline")
    tickets.no_show(ctx, "demo", 1, wang)
    tickets.call_next(ctx, "demo", 1, wang)  # A002, while the strips are dark
    strips.plug()  # the strips come back blank
    strips.wait_until(lambda: strips.text(11) == "A002 请到1号窗口")
    eventually(lambda: led_statuses(ctx) == [False, True], "the display reported back online")


def test_a_display_names_counters_of_its_hall_and_distinct_addresses(config: HallsConfig) -> None:
    for counters_, problem in [({"9": 1}, "led_displays.0.counters: hall demo has no counter 9"),
                               ({"1": 4, "2": 4}, "appears twice"), ({"1": 300}, "address 300 is not 1-254")]:
        raw = config.model_dump()
        raw["halls"][0]["led_displays"] = [{"name": DISPLAY, "port": "simulated", "counters": counters_}]
        with pytest.raises(ValidationError, match=problem):
            HallsConfig.model_validate(raw)


def test_the_bus_gone_is_an_error_of_its_own(strips: SimulatedLed) -> None:
    bus = LedBus(str(strips.port))
    strips.unplug()
    with pytest.raises(BusGone):
        bus.ping(11)


def test_a_strip_that_comes_back_blank_is_shown_again(run_led, strips: SimulatedLed) -> None:
    ctx = run_led()
    counters.sign_in(ctx, "demo", 3, clerk())
    counters.pause(ctx, "demo", 3, clerk(), "break")
    strips.wait_until(lambda: strips.text(13) == "暂停服务")
    strips.power_cycle(13)  # the bus answers all along: only the ping's SUM tells
    strips.wait_until(lambda: strips.text(13) == "暂停服务")
    assert led_statuses(ctx) == []


def test_the_server_runs_its_own_led_displays(config: HallsConfig) -> None:
    raw = config.model_dump()
    raw["halls"][0]["led_displays"] = [{"name": "mine", "port": "simulated", "counters": {"1": 1}},
                                       {"name": "agents", "port": "simulated", "counters": {"2": 2}, "host": "kiosk"}]
    workers = dict(ServerPrinters(HallsConfig.model_validate(raw), "127.0.0.1", 8000).workers)
    assert workers["LED worker demo/mine"] == ["led-worker", "--hall", "demo", "--display", "mine"]
    assert "LED worker demo/agents" not in workers


def test_the_led_worker_command(tmp_path: Path, strips: SimulatedLed) -> None:
    """`python -m hall_server led-worker`, as the server starts it, shows a call."""
    config = tmp_path / "halls.toml"
    config.write_text(hall_config_text() + f'\n[[halls.led_displays]]\nname = "{DISPLAY}"\nport = "{strips.port}"\n'
                      'counters = { "1" = 11, "3" = 13 }\n', encoding="utf-8")
    env = {**os.environ, "HALL_CONFIG": str(config), "HALL_DATABASE_URL": f"sqlite:///{tmp_path}/hall.db"}
    ctx = open_context(load_config(config), env["HALL_DATABASE_URL"])
    process = subprocess.Popen([sys.executable, "-m", "hall_server", "led-worker", "--hall", "demo", "--display",
                                DISPLAY, "--poll-s", str(POLL_S)], cwd=REPO_ROOT, env=env, start_new_session=True)
    try:
        counters.sign_in(ctx, "demo", 3, clerk())
        counters.pause(ctx, "demo", 3, clerk(), "break")
        strips.wait_until(lambda: strips.text(13) == "暂停服务", timeout=WAIT_S)
    finally:
        process.terminate()
        assert process.wait(10) == 0
        ctx.store.engine.dispose()
