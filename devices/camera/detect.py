"""People seen by a camera over the waiting area, and how many stand in its area.

The default detector is OpenCV's HOG people detector on the picture's grey levels enlarged
1.8x: as is, its window needs a person about 96 px tall and it misses most people a camera
high on a wall sees (on the 12 hand-counted frames of vtest.avi at 640x480,
tests/data/vtest_counts.json: mean error 4.5 as is, 0.67 enlarged 2x in colour, 0.75 enlarged
1.8x in grey, which costs 30% less: a quarter of a core for a camera sampled once a second,
bench/cameras.py). Overlapping windows on one person are merged by suppression that also
drops a box lying mostly inside a stronger one.
It suits a camera high up looking down at an angle over the area, as in vtest.avi, that
sees people's whole height; people standing close in a group are undercounted (each hides
the next); a camera looking straight down sees heads and shoulders, which it does not know."""
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

DEFAULT = "hog"
ENLARGE = 1.8
HOG_STRIDE = (8, 8)
HOG_PADDING = (8, 8)
HOG_SCALE = 1.05
# a box whose overlap with a stronger one covers this share of the smaller of the two is the same person
SAME_PERSON = 0.5
# frames wider than this are scaled down to it before counting: the detector was tuned on people
# the size they are at 640x480, and its cost grows with the pixels (enlarged, 1280x720 is ~3 times 640x480)
WORK_WIDTH = 640
# margins around an area's bounding box, as shares of the frame, so people at its edge are whole:
# a person whose feet are at its top edge stands up to about a third of the frame above it
MARGIN_SIDE, MARGIN_ABOVE, MARGIN_BELOW = 0.08, 0.35, 0.05


@dataclass(frozen=True)
class Box:
    """A person's box in a picture, in pixels."""
    x: int
    y: int
    w: int
    h: int

    def foot(self) -> tuple[float, float]:
        """Where the person stands: the bottom centre of the box."""
        return self.x + self.w / 2, self.y + self.h

    def moved(self, dx: int, dy: int, scale: float = 1.0) -> "Box":
        """The box scaled by `scale`, then shifted by (dx, dy)."""
        return Box(round(self.x * scale) + dx, round(self.y * scale) + dy, round(self.w * scale), round(self.h * scale))


class PeopleDetector(Protocol):
    def people(self, image: np.ndarray) -> list[Box]:
        """The boxes of the people in a BGR picture."""
        ...


class HogDetector:
    """HOG + linear SVM (Dalal-Triggs, OpenCV's default people model) on the picture enlarged
    ENLARGE times, in grey levels (in colour HOG takes the strongest of three gradients per
    pixel: the same people, found at more cost)."""

    def __init__(self) -> None:
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def people(self, image: np.ndarray) -> list[Box]:
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        large = cv2.resize(gray, None, fx=ENLARGE, fy=ENLARGE, interpolation=cv2.INTER_LINEAR)
        rects, weights = self.hog.detectMultiScale(large, winStride=HOG_STRIDE, padding=HOG_PADDING, scale=HOG_SCALE)
        boxes = [Box(*(int(v) for v in rect)).moved(0, 0, 1 / ENLARGE) for rect in rects]
        return suppress(boxes, [float(w) for w in np.ravel(weights)])


DETECTORS = {"hog": HogDetector}


def detector(name: str) -> PeopleDetector:
    """The detector a camera's configuration names."""
    if name not in DETECTORS:
        raise ValueError(f"unknown people detector {name!r}: one of {', '.join(DETECTORS)}")
    return DETECTORS[name]()


def suppress(boxes: list[Box], scores: list[float]) -> list[Box]:
    """The strongest box of each person: strongest first, a box is dropped when its overlap
    with one kept covers SAME_PERSON of the smaller box (IoU alone keeps a small box inside a
    large one: a person's legs or torso found again)."""
    kept: list[Box] = []
    for _, box in sorted(zip(scores, boxes, strict=True), key=lambda pair: -pair[0]):
        if all(_overlap(box, other) < SAME_PERSON for other in kept):
            kept.append(box)
    return kept


def _overlap(a: Box, b: Box) -> float:
    w = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    h = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    return 0.0 if w <= 0 or h <= 0 else w * h / min(a.w * a.h, b.w * b.h)


def count_in_area(detector: PeopleDetector, frame: np.ndarray, area: Sequence[tuple[float, float]] | None) -> int:
    """The people standing in `area` (a polygon of shares 0-1 of the frame; None: all of it).

    The frame is scaled down to WORK_WIDTH if wider. Only the area's bounding box, with a margin
    so people at its edge are whole, goes to the detector; a person counts when their foot
    point lies inside the polygon."""
    if frame.shape[1] > WORK_WIDTH:
        scale = WORK_WIDTH / frame.shape[1]
        frame = cv2.resize(frame, (WORK_WIDTH, round(frame.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    if area is None:
        return len(detector.people(frame))
    height, width = frame.shape[:2]
    polygon = np.float32([(x * width, y * height) for x, y in area])
    low = polygon.min(axis=0) - np.float32([MARGIN_SIDE * width, MARGIN_ABOVE * height])
    high = polygon.max(axis=0) + np.float32([MARGIN_SIDE * width, MARGIN_BELOW * height])
    x0, y0 = max(int(low[0]), 0), max(int(low[1]), 0)
    x1, y1 = min(int(np.ceil(high[0])), width), min(int(np.ceil(high[1])), height)
    boxes = [box.moved(x0, y0) for box in detector.people(frame[y0:y1, x0:x1])]
    return sum(cv2.pointPolygonTest(polygon, box.foot(), False) >= 0 for box in boxes)
