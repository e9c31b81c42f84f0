"""The camera worker: estimates how many people wait in one camera's area, one camera per worker.

It is an entry point like the API (DESIGN.md §5): every `sample_s` it takes the camera's
newest picture, counts the people standing in the area (detect.py), and feeds the count to
the hall's `Smoother` (domain/crowd.py); an estimate that changed goes to the hall through
its link (../link.py), which records it as `crowd.estimate`. The picture is dropped there and
then: nothing is stored or sent but the count.

Whether pictures come is reported as `device.status` `{"device", "kind": "camera", "online"}`
when it changes. The camera is lost when it cannot be opened, its stream fails or times out,
or no new picture came for `stale_s`: the worker reports it offline once, forgets its samples
(what comes back starts a fresh estimate), and reconnects by itself with a growing pause
(print_worker.Retry); it reports online again at the first picture.

The server runs a worker for every camera of every hall as a child process (../supervisor.py).
"""
import logging
import os
import signal
import threading
import time
from collections.abc import Callable

from hall_server.config import Camera
from hall_server.domain.crowd import Smoother

from ..link import REFUSALS, CameraLink, LinkError, LocalCameraLink
from ..print_worker import Retry
from .detect import PeopleDetector, count_in_area, detector
from .sources import FrameSource, SourceGone, source_for

log = logging.getLogger(__name__)
RETRY = Retry()
#: no new picture for this long and the camera is taken to be lost
STALE_S = 5.0
#: how often to look again when the camera had no new picture yet
FRAME_POLL_S = 0.05
#: the estimate is sent again this often though it did not change: the hall records it only
#: if its log lacks it, as at the start of a business day (the board's count is of today's log)
RESEND_S = 300.0


class CameraWorker:
    def __init__(self, link: CameraLink, source: FrameSource, settings: Camera, people_detector: PeopleDetector, *,
                 retry: Retry = RETRY, stale_s: float = STALE_S, resend_s: float = RESEND_S,
                 keep_going: Callable[[], bool] = lambda: True) -> None:
        self.link, self.source, self.settings, self.detector = link, source, settings, people_detector
        self.retry, self.stale_s, self.resend_s, self.keep_going = retry, stale_s, resend_s, keep_going
        self.smoother = Smoother(settings.window)
        self.stop = threading.Event()
        self._open = False
        #: when the last picture came, and when the next sample is due (time.monotonic)
        self._frame_at = 0.0
        self._due = 0.0
        self._reported: bool | None = None
        self._failures = 0
        #: an estimate the hall has not taken yet (it was out of reach): sent with the next sample
        self._unsent: int | None = None
        #: when the estimate was last sent (time.monotonic)
        self._sent_at = 0.0

    def run(self) -> None:
        try:
            while not self.stop.is_set() and self.keep_going():
                try:
                    wait = self.step()
                except SourceGone as exc:
                    wait = self._lost(str(exc))
                except LinkError as exc:
                    log.warning("camera %s: %s; trying again", self.settings.name, exc)
                    wait = self._retry_wait()
                except Exception:
                    log.exception("camera %s: a sample failed; retrying", self.settings.name)
                    wait = self._retry_wait()
                self.stop.wait(wait)
        finally:
            self.source.close()

    def step(self) -> float:
        """One look at the camera: a sample if one is due and a new picture came; returns the
        pause before the next look."""
        now = time.monotonic()
        if not self._open:
            self.source.open()
            self._open, self._frame_at, self._due = True, now, now
        if now < self._due:
            return self._due - now
        frame = self.source.latest()
        if frame is None:
            if now - self._frame_at > self.stale_s:
                raise SourceGone(f"camera {self.source.name}: no new picture for {self.stale_s:g} s")
            return FRAME_POLL_S
        self._frame_at, self._due = now, now + self.settings.sample_s
        self._set_online(True)
        self._failures = 0
        people = count_in_area(self.detector, frame, self.settings.area)
        del frame  # counted: the picture goes no further
        estimate = self.smoother.add(people)
        if estimate is not None:
            self._unsent = estimate
        elif self.smoother.estimate is not None and now - self._sent_at >= self.resend_s:
            self._unsent = self.smoother.estimate
        if self._unsent is not None:
            self.link.estimate(self._unsent)
            self._unsent, self._sent_at = None, now
        return max(0.0, self._due - time.monotonic())

    def _lost(self, why: str) -> float:
        """The camera gave no picture: report it once, forget the samples, wait to reconnect."""
        if self._reported is not False:
            log.warning("camera %s: %s", self.settings.name, why)
        self.source.close()
        self._open = False
        self.smoother.reset()
        self._unsent = None
        self._set_online(False)
        return self._retry_wait()

    def _set_online(self, online: bool) -> None:
        if online == self._reported:
            return
        try:
            self.link.report(online)
            self._reported = online
        except REFUSALS as exc:
            log.warning("camera %s: the hall did not take its status: %s", self.settings.name, exc)

    def _retry_wait(self) -> float:
        self._failures += 1
        return self.retry.wait_s(self._failures)


def run(hall: str, camera: str, *, retry: Retry = RETRY, stale_s: float = STALE_S,
        exit_with_parent: bool = False) -> int:
    """`python -m hall_server camera-worker`: run one camera until stopped (SIGTERM, Ctrl-C or,
    with `exit_with_parent`, the end of the process that started it)."""
    from hall_server.bootstrap import open_context

    link = LocalCameraLink(open_context(), hall, camera)
    settings = link.settings()
    parent = os.getppid()
    worker = CameraWorker(link, source_for(settings), settings, detector(settings.detector), retry=retry,
                          stale_s=stale_s,
                          keep_going=(lambda: os.getppid() == parent) if exit_with_parent else lambda: True)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop.set())
    try:
        worker.run()
    except KeyboardInterrupt:
        pass
    return 0
