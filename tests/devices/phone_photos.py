"""Synthetic photos of a QR code on a phone held up to a camera, made at test time.

`phone_photo` draws the code that segno makes (quiet zone 4) on a bright phone screen in a
dark body, tilts it (a perspective warp, as when the phone leans back), rotates it, puts it
on a cluttered background, then blurs, adds noise and a glare blob and encodes a JPEG, as a
cheap camera would. The same arguments and seed give the same bytes."""
import math

import cv2
import numpy as np
import segno

QUIET_ZONE = 4
RENDER_PX = 8          # pixels per module of the sharp picture that is then warped down
DARK, LIGHT = 35, 238  # grey of dark and light modules on a phone screen
FRAMES = {"1280x720": (1280, 720), "640x480": (640, 480)}


def phone_photo(payload: str | None, *, px_per_module: float = 6.0, rotate_deg: float = 0.0, tilt: float = 0.0,
                blur_sigma: float = 0.0, noise: float = 0.0, glare: float = 0.0, jpeg_quality: int = 85,
                seed: int = 0, frame: str = "1280x720") -> bytes:
    """A JPEG photo of `payload` as a QR code on a phone screen (None: a blank screen).

    px_per_module: the width of a module across the code's centre in the photo, before the
    tilt (which narrows the far side, widens the near one and shortens the code by tilt/2:
    at tilt 0.35 the far modules are ~15% smaller). rotate_deg: the phone's turn in the
    picture plane. tilt: 0 (facing the camera) to ~0.4, how much narrower the far edge of
    the phone is than the near one. blur_sigma: Gaussian blur in pixels. noise: sensor noise, the standard
    deviation in grey levels. glare: 0-1, the strength of a bright reflection blob on the
    screen. frame: "1280x720" or "640x480"."""
    rng = np.random.default_rng(seed)
    width, height = FRAMES[frame]
    phone, code_corners = _phone(payload)
    photo = _background(rng, width, height)
    homography = _placement(rng, code_corners, phone.shape, px_per_module, rotate_deg, tilt, width, height)
    warped = cv2.warpPerspective(phone, homography, (width, height), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full(phone.shape[:2], 255, np.uint8), homography, (width, height))
    photo = np.where(mask[..., None] > 127, warped, photo)
    if glare > 0:
        photo = _glare(rng, photo, cv2.perspectiveTransform(code_corners[None], homography)[0], glare)
    if blur_sigma > 0:
        photo = cv2.GaussianBlur(photo, (0, 0), blur_sigma)
    if noise > 0:
        photo = np.clip(photo + rng.normal(0, noise, photo.shape), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
    assert ok
    return jpeg.tobytes()


def code_modules(payload: str) -> int:
    """The code's side in modules, quiet zone included."""
    return segno.make_qr(payload).symbol_size(scale=1, border=QUIET_ZONE)[0]


def _phone(payload: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The phone (BGR, at RENDER_PX pixels a module) and the code's corners on it."""
    matrix = np.array(segno.make_qr(payload).matrix, dtype=bool) if payload else np.zeros((25, 25), bool)
    matrix = np.pad(matrix, QUIET_ZONE)
    code = np.where(np.kron(matrix, np.ones((RENDER_PX, RENDER_PX), bool)), DARK, LIGHT).astype(np.uint8)
    side = code.shape[0]
    margin_x, margin_y, bezel = side // 8, side * 3 // 8, side // 14
    screen = np.full((side + 2 * margin_y, side + 2 * margin_x), LIGHT, np.uint8)
    screen[margin_y:margin_y + side, margin_x:margin_x + side] = code
    cv2.rectangle(screen, (margin_x, margin_y // 3), (margin_x + side, margin_y // 3 + side // 12), 120, -1)
    phone = np.full((screen.shape[0] + 2 * bezel, screen.shape[1] + 2 * bezel), 25, np.uint8)
    phone[bezel:-bezel, bezel:-bezel] = screen
    left, top = bezel + margin_x, bezel + margin_y
    corners = np.float32([[left, top], [left + side, top], [left + side, top + side], [left, top + side]])
    return cv2.cvtColor(phone, cv2.COLOR_GRAY2BGR), corners


def _placement(rng: np.random.Generator, code: np.ndarray, phone_shape: tuple, px_per_module: float,
               rotate_deg: float, tilt: float, width: int, height: int) -> np.ndarray:
    """The homography from the phone to the photo: scaled so a module at the code's centre is
    px_per_module, tilted (the lower edge narrower), turned, and placed so the code is inside."""
    scale = px_per_module / RENDER_PX
    centre = code.mean(axis=0)
    phone_h, phone_w = phone_shape[:2]
    src = np.float32([[0, 0], [phone_w, 0], [phone_w, phone_h], [0, phone_h]])
    angle = math.radians(rotate_deg)
    turn = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    dst = []
    for x, y in src - centre:
        narrowing = 1 - tilt * y / phone_h  # the lower edge is the far one: narrower
        dst.append(turn @ np.array([x * narrowing, y * (1 - tilt / 2)]) * scale)
    dst = np.float32(dst)
    homography = cv2.getPerspectiveTransform(src - centre, dst)
    placed_code = cv2.perspectiveTransform((code - centre)[None], homography)[0]
    low, high = placed_code.min(axis=0), placed_code.max(axis=0)
    span_x, span_y = (width - 8) - (high[0] - low[0]), (height - 8) - (high[1] - low[1])
    if span_x < 0 or span_y < 0:
        raise ValueError(f"a code at {px_per_module} px/module does not fit a {width}x{height} photo")
    at = np.array([4 - low[0] + rng.uniform(0, span_x), 4 - low[1] + rng.uniform(0, span_y)])
    to_photo = np.array([[1, 0, at[0]], [0, 1, at[1]], [0, 0, 1]])
    from_phone = np.array([[1, 0, -centre[0]], [0, 1, -centre[1]], [0, 0, 1]])
    return to_photo @ homography @ from_phone


def _background(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A cluttered scene: a lit wall with shapes, lines and text of many colours."""
    ys, xs = np.mgrid[0:height, 0:width]
    base = rng.uniform(60, 180, 3)
    gradient = (xs / width * rng.uniform(-40, 40) + ys / height * rng.uniform(-40, 40))[..., None]
    photo = np.clip(base + gradient, 0, 255).astype(np.uint8)
    for _ in range(40):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        kind = rng.integers(0, 4)
        if kind == 0:
            cv2.rectangle(photo, (x, y), (x + int(rng.integers(10, 200)), y + int(rng.integers(10, 200))), colour, -1)
        elif kind == 1:
            cv2.circle(photo, (x, y), int(rng.integers(5, 80)), colour, -1)
        elif kind == 2:
            cv2.line(photo, (x, y), (int(rng.integers(0, width)), int(rng.integers(0, height))), colour,
                     int(rng.integers(1, 6)))
        else:
            cv2.putText(photo, "BUSINESS HALL 9:00", (x, y), cv2.FONT_HERSHEY_SIMPLEX, rng.uniform(0.5, 2), colour, 2)
    return photo


def _glare(rng: np.random.Generator, photo: np.ndarray, code: np.ndarray, strength: float) -> np.ndarray:
    """A soft bright reflection over part of the code (added light, saturating at white)."""
    side = float(np.linalg.norm(code[1] - code[0]))
    centre = code.mean(axis=0) + rng.uniform(-0.35, 0.35, 2) * side
    height, width = photo.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width]
    sx, sy = side * rng.uniform(0.12, 0.25), side * rng.uniform(0.08, 0.18)
    blob = np.exp(-(((xs - centre[0]) / sx) ** 2 + ((ys - centre[1]) / sy) ** 2) / 2)
    return np.clip(photo + (strength * 160 * blob)[..., None], 0, 255).astype(np.uint8)
