"""Faces made unrecognisable in the one calibration picture an admin may keep (issue 12: the
personal information protection law applies to pictures of customers).

Faces found by OpenCV's Haar cascades (frontal, and profile facing either way) are pixelated,
and so is the head of every person the default detector finds: a camera looking down at the
hall sees many faces from above or too small for a cascade."""
from functools import cache

import cv2
import numpy as np

from .detect import DEFAULT, Box, PeopleDetector, detector

BLOCKS = 6          # a face becomes this many blocks across: no features left
HEAD_SHARE = 0.3    # the top of a person's box that holds the head (with the box's margin above it)
HEAD_WIDEN = 0.15   # and a little to each side, for a head turned or leaning
MIN_FACE = 20       # px: smaller "faces" from the cascades are mostly texture


def blur_faces(image: np.ndarray) -> np.ndarray:
    """A copy of a BGR picture with every face and head found pixelated."""
    out = image.copy()
    for box in _faces(image) + [_head(person) for person in _people().people(image)]:
        _pixelate(out, box)
    return out


def _faces(image: np.ndarray) -> list[Box]:
    gray = cv2.equalizeHist(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    width = gray.shape[1]
    frontal, profile = _cascades()
    found = [Box(*map(int, r)) for r in frontal.detectMultiScale(gray, minSize=(MIN_FACE, MIN_FACE))]
    found += [Box(*map(int, r)) for r in profile.detectMultiScale(gray, minSize=(MIN_FACE, MIN_FACE))]
    mirrored = profile.detectMultiScale(cv2.flip(gray, 1), minSize=(MIN_FACE, MIN_FACE))
    return found + [Box(width - int(x) - int(w), int(y), int(w), int(h)) for x, y, w, h in mirrored]


def _head(person: Box) -> Box:
    side = round(person.w * HEAD_WIDEN)
    return Box(person.x - side, person.y, person.w + 2 * side, round(person.h * HEAD_SHARE))


def _pixelate(image: np.ndarray, box: Box) -> None:
    height, width = image.shape[:2]
    x0, y0 = max(box.x, 0), max(box.y, 0)
    x1, y1 = min(box.x + box.w, width), min(box.y + box.h, height)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    region = image[y0:y1, x0:x1]
    blocks = (max(1, min(BLOCKS, x1 - x0)), max(1, round(BLOCKS * (y1 - y0) / (x1 - x0))))
    small = cv2.resize(region, blocks, interpolation=cv2.INTER_AREA)
    image[y0:y1, x0:x1] = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)


@cache
def _cascades() -> tuple[cv2.CascadeClassifier, cv2.CascadeClassifier]:
    return tuple(_cascade(name) for name in ("haarcascade_frontalface_default.xml", "haarcascade_profileface.xml"))


def _cascade(name: str) -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if cascade.empty():
        raise RuntimeError(f"OpenCV's {name} is missing from cv2.data (opencv-python 4.x ships it)")
    return cascade


@cache
def _people() -> PeopleDetector:
    """The counting's own default detector: whoever it counts has their head blurred."""
    return detector(DEFAULT)
