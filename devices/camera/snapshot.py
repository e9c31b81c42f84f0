"""`camera snapshot`: the one picture a camera may leave behind, for drawing its area.

An admin on the server's machine takes it to set or check the camera's waiting-area polygon:
one picture from the camera with every face blurred (privacy.py) and the configured area
drawn on it, its corners numbered as the configuration lists them. It replaces the previous
one, so there is never more than one per camera; nothing else a camera sees is ever written.
"""
import os
import time
from pathlib import Path

import cv2
import numpy as np

from hall_server.config import REPO_ROOT, Camera

from .privacy import blur_faces
from .sources import SourceGone, source_for

#: where a camera's calibration picture goes unless told otherwise
SNAPSHOT_DIR = REPO_ROOT / "var" / "cameras"
#: how long to wait for the camera's first picture
FIRST_PICTURE_S = 15.0
FORMATS = (".jpg", ".jpeg", ".png")
AREA_BGR = (0, 255, 255)


def default_path(hall: str, camera: str) -> Path:
    return SNAPSHOT_DIR / f"{hall}-{camera}-calibration.jpg"


def take_snapshot(camera: Camera, out: Path, *, timeout_s: float = FIRST_PICTURE_S) -> Path:
    """Write the camera's calibration picture to `out` (replacing what was there) and return
    its path; SourceGone if the camera gives no picture, ValueError for a format other than
    JPEG or PNG (then nothing is written)."""
    if out.suffix.lower() not in FORMATS:
        raise ValueError(f"{out}: the picture is written as JPEG or PNG ({', '.join(FORMATS)})")
    picture = blur_faces(_first_picture(camera, timeout_s))
    draw_area(picture, camera.area)
    ok, data = cv2.imencode(out.suffix, picture)
    if not ok:
        raise ValueError(f"{out}: the picture could not be encoded")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(data.tobytes())
    os.replace(partial, out)  # the previous picture is gone in the same step
    return out


def draw_area(picture: np.ndarray, area: list[tuple[float, float]]) -> None:
    """The area's polygon on the picture, each corner numbered from 0 as in the configuration."""
    height, width = picture.shape[:2]
    corners = np.array([(round(x * (width - 1)), round(y * (height - 1))) for x, y in area], np.int32)
    thickness = max(2, width // 320)
    cv2.polylines(picture, [corners], isClosed=True, color=AREA_BGR, thickness=thickness)
    for i, (x, y) in enumerate(corners):
        cv2.circle(picture, (int(x), int(y)), thickness * 2, AREA_BGR, -1)
        label = (min(int(x) + 6, width - 12 * thickness), max(int(y) - 6, 12 * thickness))  # inside the picture
        cv2.putText(picture, str(i), label, cv2.FONT_HERSHEY_SIMPLEX, thickness / 3, AREA_BGR, thickness)


def _first_picture(camera: Camera, timeout_s: float) -> np.ndarray:
    source = source_for(camera)
    source.open()
    try:
        deadline = time.monotonic() + timeout_s
        while (frame := source.latest()) is None:
            if time.monotonic() > deadline:
                raise SourceGone(f"camera {source.name} gave no picture in {timeout_s:g} s")
            time.sleep(0.05)
        return frame
    finally:
        source.close()
