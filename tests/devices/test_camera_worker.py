"""The camera worker against a hall's store, as the server runs it: the demo's footage counted
into `crowd.estimate` events, and a real RTSP camera cut and brought back (the worker
reports it offline once, reconnects by itself, and counts afresh).

Workers here sample five times a second over a short window and retry within a fraction of
a second, so a test waits for events, not for the minutes a hall would."""
import time
import tomllib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pytest

from devices.camera.detect import detector
from devices.camera.sources import source_for
from devices.camera.worker import CameraWorker
from devices.link import LocalCameraLink
from devices.print_worker import Retry
from devices.supervisor import ServerPrinters
from hall_server.bootstrap import open_context
from hall_server.config import HallsConfig, load_config
from hall_server.domain.clock import Clock, FixedClock
from hall_server.domain.events import Event, EventType
from hall_server.services.context import HallContext

from ..running_hall import free_port, hall_config_text
from ..web.test_board_crowd import blank_video
from .camera_streams import RtspCamera
from .conftest import WorkerThread, device_events, eventually
from .test_camera_sources import FOOTAGE, need_rtsp, write_pictures

CAMERA = "waiting-area"
FAST = {"sample_s": 0.2, "window": 3}
FAST_RETRY = Retry(first_s=0.05, max_s=0.2)
STALE_S = 1.0
WAIT_S = 60.0


def camera_ctx(tmp_path: Path, clock: Clock | None = None, **changes) -> HallContext:
    """The demo hall with its camera (the area over the footage's walkway), changed."""
    path = tmp_path / "halls.toml"
    path.write_text(hall_config_text(cameras=True), encoding="utf-8")
    raw = load_config(path).model_dump()
    raw["halls"][0]["cameras"][0].update(changes)
    return open_context(HallsConfig.model_validate(raw), f"sqlite:///{tmp_path / 'hall.db'}", clock)


@pytest.fixture
def run_camera() -> Iterator:
    started: list[WorkerThread] = []

    def start(ctx: HallContext, **options) -> WorkerThread:
        link = LocalCameraLink(ctx, "demo", CAMERA)
        settings = link.settings()
        source = source_for(settings, open_timeout_s=5, read_timeout_s=STALE_S)
        started.append(WorkerThread(CameraWorker(link, source, settings, detector(settings.detector),
                                                 retry=FAST_RETRY, stale_s=STALE_S, **options)))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def estimates(ctx: HallContext) -> list[Event]:
    return device_events(ctx, EventType.CROWD_ESTIMATE)


def camera_statuses(ctx: HallContext) -> list[Event]:
    return [e for e in device_events(ctx, EventType.DEVICE_STATUS) if e.data["kind"] == "camera"]


def test_the_demo_footage_is_counted_into_estimates(tmp_path: Path, run_camera) -> None:
    ctx = camera_ctx(tmp_path, **FAST)
    worker = run_camera(ctx)
    eventually(lambda: estimates(ctx), "an estimate is recorded", timeout=WAIT_S)
    worker.stop()
    found = estimates(ctx)
    assert all(e.data["camera"] == CAMERA for e in found)
    people = [e.data["people"] for e in found]
    assert all(3 <= n <= 8 for n in people), people  # 3-8 pedestrians walk through the footage
    assert [e.data["online"] for e in camera_statuses(ctx)] == []  # well from the start: nothing to say


def test_an_unchanged_estimate_is_recorded_again_on_a_new_business_day(tmp_path: Path, run_camera) -> None:
    """The board shows today's log: a count that held overnight must be in the new day's."""
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    ctx = camera_ctx(tmp_path, clock, source=f"file:{blank_video(tmp_path / 'room.avi')}", **FAST)
    run_camera(ctx, resend_s=0.5)
    eventually(lambda: estimates(ctx), "an estimate is recorded", timeout=WAIT_S)
    time.sleep(1.5)  # resent meanwhile, and not recorded again: the count is the day's already
    assert [e.data["people"] for e in estimates(ctx)] == [0]
    clock.advance(24 * 3600)
    eventually(lambda: estimates(ctx)[-1].at == clock.now(), "the estimate is recorded on the new day",
               timeout=WAIT_S)


def empty_walkway() -> np.ndarray:
    """The footage's scene with nobody in it: each pixel's median over pictures spread
    across the video (people walk on; the walkway stays)."""
    capture, pictures = cv2.VideoCapture(str(FOOTAGE)), []
    for index in range(0, 795, 40):
        capture.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, frame = capture.read()
        assert ok
        pictures.append(frame)
    capture.release()
    return np.median(np.stack(pictures), axis=0).astype(np.uint8)


def footage_pictures(count: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(FOOTAGE))
    pictures = [capture.read()[1] for _ in range(count)]
    capture.release()
    return pictures


def test_a_camera_cut_and_brought_back_is_reported_and_counted_afresh(tmp_path: Path, run_camera) -> None:
    need_rtsp()
    port = free_port()
    camera = RtspCamera(port, write_pictures(tmp_path / "people", footage_pictures(20)))
    camera.start()
    try:
        ctx = camera_ctx(tmp_path, source=camera.url, **FAST)
        run_camera(ctx)
        eventually(lambda: estimates(ctx), "the people on the stream are estimated", timeout=WAIT_S)
        before = estimates(ctx)[-1]
        assert before.data["people"] >= 2
        assert camera_statuses(ctx) == []  # online from the start

        camera.stop()  # the cable pulled
        eventually(lambda: camera_statuses(ctx), "the camera is reported offline", timeout=WAIT_S)
        assert [e.data for e in camera_statuses(ctx)] == [{"device": CAMERA, "kind": "camera", "online": False}]

        # back, showing the walkway emptied meanwhile
        camera = RtspCamera(port, write_pictures(tmp_path / "nobody", [empty_walkway()] * 5))
        camera.start()
        eventually(lambda: len(camera_statuses(ctx)) == 2, "the camera is reported online again", timeout=WAIT_S)
        back = camera_statuses(ctx)[-1]
        assert back.data["online"] is True
        eventually(lambda: estimates(ctx)[-1].seq > back.seq, "the empty walkway is estimated", timeout=WAIT_S)
        assert estimates(ctx)[-1].data["people"] <= 1 < before.data["people"]
        assert [e.data["online"] for e in camera_statuses(ctx)] == [False, True]  # once each
    finally:
        camera.stop()


def test_the_server_runs_every_camera_of_every_hall() -> None:
    config = config_of(hall_config_text(extra_hall="north", cameras=True))
    workers = dict(ServerPrinters(config, "127.0.0.1", 8000).workers)
    assert workers["camera worker demo/waiting-area"] == ["camera-worker", "--hall", "demo", "--camera", CAMERA]
    assert workers["camera worker north/waiting-area"] == ["camera-worker", "--hall", "north", "--camera", CAMERA]
    # the tests' halls have no camera unless a test asks for one
    plain = config_of(hall_config_text(extra_hall="north"))
    assert not [name for name in dict(ServerPrinters(plain, "127.0.0.1", 8000).workers) if "camera" in name]


def config_of(text: str) -> HallsConfig:
    return HallsConfig.model_validate(tomllib.loads(text))
