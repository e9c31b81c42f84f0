"""The kiosk camera's QR reader on synthetic phone photos (tests/devices/phone_photos.py):
every photo at >= 4 px/module and blur sigma <= 1 decodes, whatever the turn, tilt, noise,
glare and JPEG quality; and the `camera qr` command's contract on files."""
import itertools
from pathlib import Path

import cv2
import pytest

from devices.camera import qr
from hall_server.domain.appointments import qr_payload

from .phone_photos import phone_photo
from .test_camera_cli import hall_command, json_lines

PAYLOAD = qr_payload("demo", "K7Q2M9")


def grid() -> list[dict]:
    """Photos over the whole range: each density x turn x tilt, with blur, noise, glare, JPEG
    quality and frame size cycled through so every value meets many of the others."""
    photos = []
    for n, (px, turn, tilt) in enumerate(itertools.product([4, 4.8, 6, 9], [0, 12, -37, 90, 160], [0, 0.2, 0.35])):
        photos.append(dict(px_per_module=px, rotate_deg=turn, tilt=tilt, blur_sigma=[0, 0.6, 1.0][n % 3],
                           noise=[0, 4, 8][n // 3 % 3], glare=[0, 0.5, 0.9][n // 2 % 3],
                           jpeg_quality=[60, 75, 95][n // 5 % 3], frame=["1280x720", "640x480"][n % 2], seed=n))
    return photos


@pytest.mark.parametrize("photo", grid(), ids="px{px_per_module}-r{rotate_deg}-t{tilt}-b{blur_sigma}".format_map)
def test_a_phone_photo_decodes_to_its_payload(photo: dict) -> None:
    assert qr.decode_bytes(phone_photo(PAYLOAD, **photo)) == PAYLOAD


def test_the_hardest_photos_need_the_chain() -> None:
    """The classic detector alone misses these (so the chain is what reads them)."""
    photos = [phone_photo(PAYLOAD, px_per_module=4, rotate_deg=turn, tilt=0.35, blur_sigma=1.0, noise=4,
                          glare=0.5, jpeg_quality=75, seed=n) for n, turn in enumerate((12, -37, 160))]
    alone = [cv2.QRCodeDetector().detectAndDecode(qr.read_picture(p, cv2.IMREAD_GRAYSCALE))[0] for p in photos]
    assert PAYLOAD not in alone
    assert [qr.decode_bytes(p) for p in photos] == [PAYLOAD] * 3


def test_a_decoded_array_in_colour_and_grey() -> None:
    colour = qr.read_picture(phone_photo(PAYLOAD, px_per_module=6, seed=1))
    assert qr.decode(colour) == PAYLOAD
    assert qr.decode(cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)) == PAYLOAD


def test_a_large_frame_is_read_too() -> None:
    """A 1920x1080 camera frame (scaled down inside) with the phone in it."""
    photo = qr.read_picture(phone_photo(PAYLOAD, px_per_module=7, rotate_deg=20, tilt=0.2, seed=2))
    assert qr.decode(cv2.resize(photo, (1920, 1080), interpolation=cv2.INTER_CUBIC)) == PAYLOAD


def test_a_photo_without_a_code_gives_none() -> None:
    blank_screen = phone_photo(None, px_per_module=6, rotate_deg=10, tilt=0.2, noise=4, glare=0.5, seed=4)
    assert qr.decode_bytes(blank_screen) is None


@pytest.mark.parametrize("data", [b"", b"not a picture", b"\xff\xd8\xff\xe0 a broken JPEG"])
def test_bytes_that_are_no_image_raise(data: bytes) -> None:
    with pytest.raises(qr.NotAnImage, match="not an image"):
        qr.decode_bytes(data)


def test_the_qr_command_gives_a_line_per_file_and_fails_at_the_end(tmp_path: Path) -> None:
    with_code, without, broken = tmp_path / "code.jpg", tmp_path / "blank.jpg", tmp_path / "broken.jpg"
    with_code.write_bytes(phone_photo(PAYLOAD, px_per_module=5, rotate_deg=30, tilt=0.2, blur_sigma=0.8, seed=5))
    without.write_bytes(phone_photo(None, seed=6))
    broken.write_bytes(b"no picture")
    missing = tmp_path / "missing.jpg"
    done = hall_command("camera", "qr", str(with_code), str(without), str(broken), str(missing), str(with_code))
    assert done.returncode == 1, done.stderr
    assert json_lines(done.stdout) == [
        {"file": str(with_code), "payload": PAYLOAD}, {"file": str(without), "payload": None},
        {"file": str(broken), "error": "not an image OpenCV can read (JPEG, PNG or WebP expected)"},
        {"file": str(missing), "error": "No such file or directory"}, {"file": str(with_code), "payload": PAYLOAD}]
    assert hall_command("camera", "qr", str(with_code), str(without)).returncode == 0


def test_the_photos_are_the_same_for_the_same_seed() -> None:
    assert phone_photo(PAYLOAD, tilt=0.2, noise=5, glare=0.5, seed=8) == phone_photo(PAYLOAD, tilt=0.2, noise=5,
                                                                                     glare=0.5, seed=8)
    assert phone_photo(PAYLOAD, seed=8) != phone_photo(PAYLOAD, seed=9)
