"""People counted on real footage: frames of vtest.avi counted by eye (tests/data/vtest_counts.json),
the area's foot-point rule, the `camera count` command, and faces blurred in a calibration picture."""
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera.detect import DEFAULT, Box, count_in_area, detector
from devices.camera.privacy import blur_faces

from ..running_hall import REPO_ROOT
from .test_camera_cli import hall_command, json_lines

FOOTAGE = REPO_ROOT / "var" / "cameras" / "vtest.avi"
COUNTS = json.loads((Path(__file__).parents[1] / "data" / "vtest_counts.json").read_text(encoding="utf-8"))
MEASURED_SIZE = (640, 480)  # issue 12 measured the detectors on frames resized to this
LEFT_HALF = [(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)]
# frame 230, by eye: people at x (of 768) 58 and 305 on the left, 525, 658, 680, 688 and 745 on the right
AREA_FRAME, PEOPLE_ON_THE_LEFT = 230, 2
# frame 230 at 768x576, by eye: the centre of each head; the last man, at the frame's edge, is one
# the people detector misses and no cascade sees from this height
HEADS = [(687, 221), (527, 281), (305, 172), (57, 188), (658, 121), (681, 123), (746, 298)]


def vtest_frame(index: int) -> np.ndarray:
    if not FOOTAGE.exists():
        pytest.fail(f"{FOOTAGE} is missing: run make setup (it fetches Debian's opencv-doc footage)")
    video = cv2.VideoCapture(str(FOOTAGE))
    video.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, frame = video.read()
    video.release()
    assert ok, f"frame {index} of {FOOTAGE} could not be read"
    return frame


def measured_frame(index: int) -> np.ndarray:
    return cv2.resize(vtest_frame(index), MEASURED_SIZE, interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def hog():
    return detector(DEFAULT)


def test_the_default_detector_is_within_one_person_on_average(hog) -> None:
    errors = {index: count_in_area(hog, measured_frame(int(index)), None) - by_eye
              for index, by_eye in COUNTS["frames"].items()}
    assert len(errors) == 12
    assert np.mean(np.abs(list(errors.values()))) <= 1.0, f"detector minus eye, per frame: {errors}"


def test_an_area_counts_the_people_standing_in_it(hog) -> None:
    assert count_in_area(hog, measured_frame(AREA_FRAME), LEFT_HALF) == PEOPLE_ON_THE_LEFT


def test_a_large_frame_is_counted_at_the_measured_size(hog) -> None:
    """A 1536x1152 camera is counted on its frame scaled to 640 wide, as the detector was tuned."""
    frame = vtest_frame(AREA_FRAME)
    large = cv2.resize(frame, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    assert count_in_area(hog, large, LEFT_HALF) == PEOPLE_ON_THE_LEFT
    assert count_in_area(hog, large, None) == count_in_area(hog, measured_frame(AREA_FRAME), None)


class Recorded:
    """A detector that finds the given boxes (in the picture it is handed) and keeps that picture."""

    def __init__(self, boxes: list[Box]) -> None:
        self.boxes, self.seen = boxes, []

    def people(self, image: np.ndarray) -> list[Box]:
        self.seen.append(image)
        return self.boxes


def test_an_area_is_detected_on_its_box_and_counted_by_the_feet() -> None:
    """A 500x250 frame, area x 0.4-0.6, y 0.6-0.8: the detector sees the area's box with margins
    (more above, where the bodies of people standing at its top edge are); the feet decide."""
    frame = np.zeros((250, 500, 3), np.uint8)
    area = [(0.4, 0.6), (0.6, 0.6), (0.6, 0.8), (0.4, 0.8)]
    # the crop is x 160-340, y 62-213: feet at (225, 155) and (290, 199) inside, (225, 145) above
    # the area and (305, 175) beside it
    found = Recorded([Box(50, 50, 30, 43), Box(120, 75, 20, 62), Box(50, 50, 30, 33), Box(135, 75, 20, 38)])
    assert count_in_area(found, frame, area) == 2
    assert found.seen[0].shape[:2] == (213 - 62, 340 - 160)
    assert count_in_area(found, frame, None) == 4 and found.seen[1].shape == frame.shape


def test_an_unknown_detector_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown people detector 'yolo'"):
        detector("yolo")


def test_the_count_command_gives_a_line_per_file(tmp_path: Path) -> None:
    frame, broken = tmp_path / "230.png", tmp_path / "broken.png"
    cv2.imwrite(str(frame), measured_frame(AREA_FRAME))
    broken.write_bytes(b"\x89PNG but no picture")
    done = hall_command("camera", "count", str(broken), str(frame))
    assert done.returncode == 1, done.stderr
    first, second = json_lines(done.stdout)
    assert first == {"file": str(broken), "error": "not an image OpenCV can read (JPEG, PNG or WebP expected)"}
    assert second["file"] == str(frame) and abs(second["people"] - COUNTS["frames"][str(AREA_FRAME)]) <= 1


def test_faces_are_pixelated_and_the_rest_is_left_alone() -> None:
    frame = vtest_frame(AREA_FRAME)
    blurred = blur_faces(frame)
    change = np.abs(blurred.astype(int) - frame).max(axis=2)
    hidden = [change[y - 3:y + 4, x - 3:x + 4].mean() > 15 for x, y in HEADS]
    assert hidden[:-1] == [True] * 6, hidden
    assert (change > 0).mean() < 0.06
    assert blurred.shape == frame.shape and (blurred != frame).any() and (frame == vtest_frame(AREA_FRAME)).all()
