"""`--scenario cameras` (no server): what counting people and reading QR codes cost.

All on one thread (cv2.setNumThreads(1)), CPU time by time.process_time, so the figures are a
share of one core whatever else the machine does:
- each detector that can run here, on the hand-counted frames of vtest.avi resized to
  640x480 and to 1280x720 (the whole frame, `people()`), and its mean error at 640x480;
- one camera's cost at one sample a second: `count_in_area` (as the camera worker calls it)
  with an area of about 70% of the frame, at both sizes (frames wider than 640 px are
  counted scaled down to 640); target <= 30% of a core; and the demo hall's camera as its
  worker counts it (the 768x576 frames of vtest.avi, its configured area);
- QR decoding (`devices.camera.qr.decode_bytes`, JPEG decoding included) of 100 synthetic
  phone photos (tests/devices/phone_photos.py); target p95 <= 150 ms; and of photos of a
  blank phone screen (no code: every step of the chain runs).
The exit status is 1 only if a photo is not decoded (a correctness figure)."""
import json
import random
import time
from collections.abc import Callable

import cv2
import numpy as np

from devices.camera import qr
from devices.camera.detect import DETECTORS, count_in_area, detector
from hall_server.config import load_config
from hall_server.domain.appointments import qr_payload
from tests.devices.phone_photos import phone_photo
from tests.running_hall import REPO_ROOT

from .report import percentile, publish

FOOTAGE = REPO_ROOT / "var" / "cameras" / "vtest.avi"
COUNTS = REPO_ROOT / "tests" / "data" / "vtest_counts.json"
SIZES = {"640x480": (640, 480), "1280x720": (1280, 720)}
# the demo camera's kind of area: about 70% of the frame (0.9 x 0.78)
AREA = [(0.05, 0.2), (0.95, 0.2), (0.95, 0.98), (0.05, 0.98)]
TARGETS = {"camera_core_share": 0.30, "qr_p95_ms": 150.0}
QR_PHOTOS = 100
PAYLOAD = qr_payload("demo", "K7Q2M9")


def frames() -> dict[int, np.ndarray]:
    """The hand-counted frames of vtest.avi (tests/data/vtest_counts.json)."""
    if not FOOTAGE.exists():
        raise SystemExit(f"{FOOTAGE} is missing: run make setup")
    video, found = cv2.VideoCapture(str(FOOTAGE)), {}
    for index in json.loads(COUNTS.read_text(encoding="utf-8"))["frames"]:
        video.set(cv2.CAP_PROP_POS_FRAMES, int(index))
        ok, frame = video.read()
        assert ok, f"frame {index} of {FOOTAGE}"
        found[int(index)] = frame
    video.release()
    return found


def cpu_ms(work: Callable[[], object]) -> tuple[float, object]:
    start = time.process_time()
    result = work()
    return (time.process_time() - start) * 1000, result


def figures(ms: list[float]) -> dict:
    return {"mean_ms": round(float(np.mean(ms)), 1), "p50_ms": round(percentile(ms, 0.5), 1),
            "p95_ms": round(percentile(ms, 0.95), 1), "max_ms": round(max(ms), 1)}


def core_share(ms: list[float]) -> float:
    """The share of one core a camera costs at one sample a second."""
    return round(float(np.mean(ms)) / 1000, 3)


def demo_area() -> list[tuple[float, float]]:
    """The area of the demo hall's camera (config/demo_hall.toml)."""
    return next(camera.area for hall in load_config(REPO_ROOT / "config" / "demo_hall.toml").halls
                for camera in hall.cameras)


def measure_detector(name: str, footage: dict[int, np.ndarray], by_eye: dict[int, int]) -> dict:
    people = detector(name)
    result: dict = {}
    for size, (width, height) in SIZES.items():
        resized = {i: cv2.resize(f, (width, height), interpolation=cv2.INTER_AREA) for i, f in footage.items()}
        timed = {i: cpu_ms(lambda f=f: people.people(f)) for i, f in resized.items()}
        result[size] = {"whole_frame": figures([ms for ms, _ in timed.values()])}
        if size == "640x480":
            errors = [len(boxes) - by_eye[i] for i, (_, boxes) in timed.items()]
            result[size]["mean_abs_error"] = round(float(np.mean(np.abs(errors))), 2)
        area_ms = [cpu_ms(lambda f=f: count_in_area(people, f, AREA))[0] for f in resized.values()]
        result[size]["area_70pct"] = figures(area_ms)
        result[size]["camera_core_share"] = core_share(area_ms)
    area = demo_area()
    demo_ms = [cpu_ms(lambda f=f: count_in_area(people, f, area))[0] for f in footage.values()]
    result["demo_camera"] = {"area": area, **figures(demo_ms), "camera_core_share": core_share(demo_ms)}
    return result


def qr_photos() -> list[bytes]:
    """100 photos over the range the tests cover (>= 4 px a module, blur <= 1)."""
    rng = random.Random(12)
    return [phone_photo(PAYLOAD, px_per_module=rng.uniform(4, 9), rotate_deg=rng.uniform(-180, 180),
                        tilt=rng.uniform(0, 0.35), blur_sigma=rng.uniform(0, 1), noise=rng.uniform(0, 8),
                        glare=rng.uniform(0, 0.9), jpeg_quality=rng.randint(60, 95), seed=n,
                        frame=rng.choice(["1280x720", "640x480"])) for n in range(QR_PHOTOS)]


def measure_qr() -> dict:
    timed = [cpu_ms(lambda p=p: qr.decode_bytes(p)) for p in qr_photos()]
    # what the kiosk's camera sends most of the time, while the phone is not yet in view: the whole chain runs
    blank = {frame: [phone_photo(None, tilt=0.2, noise=4, seed=n, frame=frame) for n in range(20)]
             for frame in ("640x480", "1280x720")}
    empty = {frame: [cpu_ms(lambda p=p: qr.decode_bytes(p))[0] for p in photos] for frame, photos in blank.items()}
    return {"photos": len(timed), "decoded": sum(payload == PAYLOAD for _, payload in timed),
            **figures([ms for ms, _ in timed]), "no_code": {frame: figures(ms) for frame, ms in empty.items()}}


def main() -> int:
    cv2.setNumThreads(1)
    footage = frames()
    by_eye = {int(i): n for i, n in json.loads(COUNTS.read_text(encoding="utf-8"))["frames"].items()}
    summary = {"scenario": "cameras", "threads": 1, "cpu_clock": "time.process_time",
               "detectors": {name: measure_detector(name, footage, by_eye) for name in DETECTORS},
               "qr": measure_qr()}
    shares = {f"{name}@{where}": measured[where]["camera_core_share"]
              for name, measured in summary["detectors"].items()
              for where in [*SIZES, "demo_camera"]}
    summary["targets"] = {
        "camera_core_share_le_30pct": {key: share <= TARGETS["camera_core_share"] for key, share in shares.items()},
        "qr_p95_le_150ms": summary["qr"]["p95_ms"] <= TARGETS["qr_p95_ms"],
        "qr_all_decoded": summary["qr"]["decoded"] == summary["qr"]["photos"]}
    publish("cameras", summary)
    return 0 if summary["targets"]["qr_all_decoded"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
