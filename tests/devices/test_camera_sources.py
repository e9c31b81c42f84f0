"""The camera sources: the video file played in real time (on a virtual clock), and a real
RTSP camera (GStreamer's RTSP server) that stops, freezes and comes back."""
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera.sources import DeviceSource, FileSource, SourceGone, StreamSource, source_for
from hall_server.config import REPO_ROOT, Camera

from ..conftest import REQUIRE_SERVICES
from ..running_hall import free_port
from .camera_streams import MjpegCamera, RtspCamera, rtsp_missing
from .conftest import eventually

FOOTAGE = REPO_ROOT / "var" / "cameras" / "vtest.avi"
FOOTAGE_FRAMES = 795
FOOTAGE_FPS = 10


class VirtualClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def footage_frames(*indexes: int) -> dict[int, np.ndarray]:
    """Pictures of the footage read straight through with OpenCV, to compare with."""
    capture, found = cv2.VideoCapture(str(FOOTAGE)), {}
    for index in range(max(indexes) + 1):
        ok, frame = capture.read()
        assert ok
        if index in indexes:
            found[index] = frame
    capture.release()
    return found


def test_the_file_plays_in_real_time_skipping_what_falls_between_samples_and_loops() -> None:
    clock = VirtualClock()
    source = FileSource(FOOTAGE, now=clock)
    expected = footage_frames(0, 9, 10, 25)
    source.open()
    try:
        assert np.array_equal(source.latest(), expected[0])
        assert source.latest() is None  # nothing new within the same tenth of a second
        clock.t += 1.0  # a second later: picture 10 (at 10 per second), 1-9 skipped
        assert np.array_equal(source.latest(), expected[10])
        clock.t += 1.55
        assert np.array_equal(source.latest(), expected[25])
        clock.t += (FOOTAGE_FRAMES - 25) / FOOTAGE_FPS  # past the end: from the start again
        assert np.array_equal(source.latest(), expected[0])
        clock.t += 0.95
        assert np.array_equal(source.latest(), expected[9])
    finally:
        source.close()
    with pytest.raises(SourceGone):
        source.latest()


def test_a_file_that_is_not_a_video_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "broken.avi").write_bytes(b"not a video at all")
    for path in (tmp_path / "broken.avi", tmp_path / "missing.avi"):
        with pytest.raises(SourceGone, match="cannot be opened"):
            FileSource(path).open()


def camera(source: str) -> Camera:
    return Camera(name="hall-cam", source=source, area=[(0, 0), (1, 0), (1, 1)],
                  area_name={"zh": "等候区", "en": "Waiting area"}, capacity=30)


def test_each_transport_has_its_source() -> None:
    assert isinstance(source_for(camera("device:2")), DeviceSource)
    assert source_for(camera("device:2")).name == "/dev/video2"
    file = source_for(camera("file:var/cameras/vtest.avi"))
    assert isinstance(file, FileSource) and file.path == FOOTAGE  # relative to the project
    rtsp = source_for(camera("rtsp://admin:s3cret@10.0.0.7:554/Streaming/Channels/101"), read_timeout_s=2)
    assert isinstance(rtsp, StreamSource) and rtsp.read_timeout_s == 2
    assert rtsp.name == "rtsp://10.0.0.7:554/Streaming/Channels/101"  # no password in the log
    assert isinstance(source_for(camera("http://10.0.0.8/mjpeg")), StreamSource)


def test_a_camera_that_is_not_there_fails_at_once() -> None:
    with pytest.raises(SourceGone, match="cannot be opened"):
        StreamSource(f"rtsp://127.0.0.1:{free_port()}/camera", open_timeout_s=2, read_timeout_s=1).open()
    with pytest.raises(SourceGone):
        DeviceSource(63).open()  # no /dev/video63


def need_rtsp() -> None:
    missing = rtsp_missing()
    if missing:
        if REQUIRE_SERVICES:
            pytest.fail(missing + " (HALL_REQUIRE_SERVICES=1)")
        pytest.skip(missing)


def write_pictures(folder: Path, frames: list[np.ndarray]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"{i:03d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return folder


@pytest.fixture
def rtsp_camera(tmp_path: Path) -> Iterator[RtspCamera]:
    """A real RTSP camera streaming the footage's first 20 pictures in a loop (not started)."""
    need_rtsp()
    capture = cv2.VideoCapture(str(FOOTAGE))
    frames = [capture.read()[1] for _ in range(20)]
    capture.release()
    served = RtspCamera(free_port(), write_pictures(tmp_path / "footage", frames))
    yield served
    served.stop()


def next_picture(source: StreamSource) -> np.ndarray:
    found: list[np.ndarray] = []
    eventually(lambda: found.append(source.latest()) or found[-1] is not None, "a picture comes", timeout=15)
    return found[-1]


def test_a_stream_gives_its_newest_picture_fails_when_cut_and_reconnects(rtsp_camera: RtspCamera) -> None:
    rtsp_camera.start()
    source = StreamSource(rtsp_camera.url, open_timeout_s=5, read_timeout_s=1)
    source.open()
    try:
        picture = next_picture(source)
        assert picture.shape == (576, 768, 3)
        served = [cv2.imread(str(path)) for path in sorted(rtsp_camera.folder.glob("*.jpg"))]
        assert min(cv2.absdiff(picture, frame).mean() for frame in served) < 3  # one of the pictures served

        rtsp_camera.stop()  # the cable pulled
        eventually(lambda: _gone(source), "the source notices the camera is gone", timeout=10)
        source.close()
        with pytest.raises(SourceGone):
            source.open()  # nobody answers

        rtsp_camera.start()
        source.open()
        assert next_picture(source).shape == (576, 768, 3)
    finally:
        source.close()


def test_a_stream_that_freezes_times_out_instead_of_hanging(rtsp_camera: RtspCamera) -> None:
    rtsp_camera.start()
    source = StreamSource(rtsp_camera.url, open_timeout_s=5, read_timeout_s=1)
    source.open()
    try:
        next_picture(source)
        rtsp_camera.freeze()  # the camera hangs: the connection stays open, nothing comes
        eventually(lambda: _gone(source), "the read times out", timeout=10)
    finally:
        rtsp_camera.thaw()
        source.close()


def _gone(source: StreamSource) -> bool:
    try:
        source.latest()
    except SourceGone:
        return True
    return False


def test_a_camera_streaming_mjpeg_over_http_gives_its_pictures_until_it_stops() -> None:
    frame = footage_frames(0)[0]
    served = MjpegCamera([cv2.imencode(".jpg", frame)[1].tobytes()])
    source = StreamSource(served.url, open_timeout_s=5, read_timeout_s=1)
    try:
        source.open()
        assert cv2.absdiff(next_picture(source), frame).mean() < 3
        served.stop()
        eventually(lambda: _gone(source), "the source notices the camera is gone", timeout=10)
    finally:
        served.stop()
        source.close()
