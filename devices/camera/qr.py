"""Reading the QR code a customer holds up to the kiosk's camera (an appointment's payload).

One detector alone reads about a third of phone photos taken at an angle with some blur
(issue 12), so the picture goes through a chain, cheapest first, stopping at the first
payload: the ArUco-based detector, the classic one, then the same two on the picture
enlarged 2x and sharpened (small, soft modules become readable edges)."""
from collections.abc import Callable, Iterator

import cv2
import numpy as np

# Larger pictures are scaled down to this width first: a code held up to the camera still
# has several pixels per module there, and a 1080p frame has 2.25 times the pixels to search.
MAX_WIDTH = 1280
UNSHARP_SIGMA = 1.5
UNSHARP_AMOUNT = 1.0


class NotAnImage(ValueError):
    """The bytes are not a picture OpenCV can read (JPEG, PNG, WebP, ...)."""


def decode_bytes(data: bytes) -> str | None:
    """The QR payload in an image file's bytes, or None when the picture holds none."""
    return decode(read_picture(data, cv2.IMREAD_GRAYSCALE))


def read_picture(data: bytes, flags: int = cv2.IMREAD_COLOR) -> np.ndarray:
    """The picture in an image file's bytes; NotAnImage if OpenCV cannot read them."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags) if data else None
    if image is None:
        raise NotAnImage("not an image OpenCV can read (JPEG, PNG or WebP expected)")
    return image


def decode(image: np.ndarray) -> str | None:
    """The QR payload in a picture (BGR or grayscale), or None when none is found."""
    gray = _gray(image)
    for picture in _pictures(gray):
        for detector in _detectors():
            payload = _read(detector, picture)
            if payload:
                return payload
    return None


def _gray(image: np.ndarray) -> np.ndarray:
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    height, width = gray.shape
    if width > MAX_WIDTH:
        gray = cv2.resize(gray, (MAX_WIDTH, round(height * MAX_WIDTH / width)), interpolation=cv2.INTER_AREA)
    return gray


def _pictures(gray: np.ndarray) -> Iterator[np.ndarray]:
    """The picture as it is, then enlarged 2x and sharpened (an unsharp mask)."""
    yield gray
    large = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    soft = cv2.GaussianBlur(large, (0, 0), UNSHARP_SIGMA)
    yield cv2.addWeighted(large, 1 + UNSHARP_AMOUNT, soft, -UNSHARP_AMOUNT, 0)


def _detectors() -> Iterator[Callable[[np.ndarray], tuple]]:
    yield cv2.QRCodeDetectorAruco().detectAndDecode
    yield cv2.QRCodeDetector().detectAndDecode


def _read(detect_and_decode: Callable[[np.ndarray], tuple], picture: np.ndarray) -> str | None:
    try:
        payload = detect_and_decode(picture)[0]
    except cv2.error:  # a detector may fail on a degenerate quadrilateral: try the next one
        return None
    return payload or None
