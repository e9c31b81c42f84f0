"""Where a camera's pictures come from: one class per transport behind one interface
(DESIGN.md §5), chosen by the camera's `source` (config.py `Camera`).

- `DeviceSource` ("device:N"): a camera on the server's own machine, /dev/videoN (V4L2);
- `StreamSource` ("rtsp://...", "http(s)://..."): an IP camera over the network, RTSP (what
  the halls' cameras speak) or Motion JPEG over HTTP, through OpenCV's FFmpeg backend with
  open and read timeouts, so a dead camera fails in seconds instead of hanging the worker;
- `FileSource` ("file:PATH"): a video file played in a loop at its own frame rate in real
  time, the simulated twin the demo and the tests use.

A live camera sends pictures whether or not they are read, and an IP camera buffers what is
not read: a worker that sampled a buffered stream once a second would see pictures ever
older. So a live source keeps a reader thread draining the stream and holds only the newest
picture; the file source likewise gives the picture due now and skips the rest. `latest()`
gives a picture once: None means nothing new came since the last call (the worker decides
when "nothing new" has lasted long enough to call the camera lost). Pictures stay in memory:
nothing here writes or sends one.
"""
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from hall_server.config import REPO_ROOT, Camera

log = logging.getLogger(__name__)
#: how long opening a network stream, and waiting for its next picture, may take
OPEN_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 5.0
#: FFmpeg's options for a stream: RTSP over TCP (a lost UDP packet smears a picture; halls'
#: networks may drop UDP). An environment variable of the same name set by the operator wins.
FFMPEG_OPTIONS = "rtsp_transport;tcp"


class SourceGone(Exception):
    """The camera cannot be opened, or stopped giving pictures."""


class FrameSource(Protocol):
    #: what the log calls it (the source without credentials)
    name: str

    def open(self) -> None:
        """Start taking pictures; SourceGone if the camera cannot be reached."""

    def latest(self) -> np.ndarray | None:
        """The newest picture (BGR) not given before, None if none came since; SourceGone
        once the camera failed (call `close`, then `open` again to reconnect)."""

    def close(self) -> None:
        """Stop and let the camera go; safe to call more than once."""


class _LiveSource:
    """A camera that sends pictures on its own: a reader thread keeps the newest."""

    name: str
    read_timeout_s = READ_TIMEOUT_S

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: np.ndarray | None = None
        self._failed: str | None = None
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None

    def _capture(self) -> cv2.VideoCapture:
        raise NotImplementedError

    def open(self) -> None:
        self.close()
        capture = self._capture()
        if not capture.isOpened():
            capture.release()
            raise SourceGone(f"camera {self.name} cannot be opened")
        self._frame, self._failed = None, None
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, args=(capture, self._stop), daemon=True,
                                        name=f"camera {self.name}")
        self._reader.start()

    def latest(self) -> np.ndarray | None:
        if self._reader is None:
            raise SourceGone(f"camera {self.name} is not open")
        with self._lock:
            frame, self._frame = self._frame, None
            failed = self._failed
        if frame is None and failed:
            raise SourceGone(failed)
        return frame

    def close(self) -> None:
        self._stop.set()
        if self._reader is not None:
            self._reader.join(self.read_timeout_s + 1)  # a read in progress ends by then
            self._reader = None

    def _read(self, capture: cv2.VideoCapture, stop: threading.Event) -> None:
        """Drain the stream into `_frame` until stopped or a read fails (the capture is
        released here, by the only thread that uses it)."""
        try:
            while not stop.is_set():
                ok, frame = capture.read()
                if not ok:
                    with self._lock:
                        self._failed = f"camera {self.name} stopped giving pictures"
                    return
                with self._lock:
                    self._frame = frame
        finally:
            capture.release()


class DeviceSource(_LiveSource):
    """A camera on the server's own machine (/dev/videoN)."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index, self.name = index, f"/dev/video{index}"

    def _capture(self) -> cv2.VideoCapture:
        return cv2.VideoCapture(self.index, cv2.CAP_V4L2)


class StreamSource(_LiveSource):
    """An IP camera: RTSP, or Motion JPEG over HTTP(S)."""

    def __init__(self, url: str, *, open_timeout_s: float = OPEN_TIMEOUT_S,
                 read_timeout_s: float = READ_TIMEOUT_S) -> None:
        super().__init__()
        self.url, self.open_timeout_s, self.read_timeout_s = url, open_timeout_s, read_timeout_s
        self.name = _without_credentials(url)

    def _capture(self) -> cv2.VideoCapture:
        os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", FFMPEG_OPTIONS)
        return cv2.VideoCapture(self.url, cv2.CAP_FFMPEG, [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, round(self.open_timeout_s * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC, round(self.read_timeout_s * 1000)])


class FileSource:
    """A video file played in a loop in real time: `latest()` gives the picture due now by
    the file's frame rate, skipping those in between as a live camera's sampler would."""

    def __init__(self, path: Path, *, now: Callable[[], float] = time.monotonic) -> None:
        self.path, self.now, self.name = path, now, str(path)
        self._capture: cv2.VideoCapture | None = None
        self._fps = 0.0
        self._started = 0.0
        #: the index of the next picture the capture reads, and of the last one given
        self._next = 0
        self._given: int | None = None

    def open(self) -> None:
        self.close()
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise SourceGone(f"video {self.path} cannot be opened")
        fps = capture.get(cv2.CAP_PROP_FPS)
        self._capture, self._fps = capture, fps if fps > 0 else 25.0
        self._started, self._next, self._given = self.now(), 0, None

    def latest(self) -> np.ndarray | None:
        if self._capture is None:
            raise SourceGone(f"video {self.path} is not open")
        due = int((self.now() - self._started) * self._fps)
        if due == self._given:
            return None
        frame = self._read_up_to(due)
        if frame is None:  # past the end: the loop starts again from the first picture
            self.open()
            self._given = 0
            frame = self._read_up_to(0)
            if frame is None:
                raise SourceGone(f"video {self.path} has no pictures")
            return frame
        self._given = due
        return frame

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _read_up_to(self, index: int) -> np.ndarray | None:
        """Skip to picture `index` (grab without decoding the skipped ones' pixels) and read it."""
        while self._next < index:
            if not self._capture.grab():
                return None
            self._next += 1
        ok, frame = self._capture.read()
        self._next += 1
        return frame if ok else None


def source_for(camera: Camera, *, open_timeout_s: float = OPEN_TIMEOUT_S,
               read_timeout_s: float = READ_TIMEOUT_S) -> FrameSource:
    """The source the camera's configuration names."""
    kind, _, rest = camera.source.partition(":")
    if kind == "device":
        return DeviceSource(int(rest))
    if kind == "file":
        path = Path(rest)
        return FileSource(path if path.is_absolute() else REPO_ROOT / path)
    return StreamSource(camera.source, open_timeout_s=open_timeout_s, read_timeout_s=read_timeout_s)


def _without_credentials(url: str) -> str:
    """rtsp://user:secret@host/... -> rtsp://host/... (cameras' URLs often carry a password)."""
    scheme, sep, rest = url.partition("://")
    host, at, path = rest.partition("/")
    return f"{scheme}{sep}{host.rpartition('@')[2]}{'/' if at else ''}{path}"
