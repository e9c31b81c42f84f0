"""The camera commands as an operator runs them (`python -m hall_server ...` in a process of
its own): counting people and reading QR codes in image files, the one calibration snapshot,
and the camera worker the server starts."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import segno

from devices.camera.detect import detector
from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.domain.events import EventType

from ..running_hall import REPO_ROOT, hall_config_text
from .conftest import device_events, eventually
from .test_camera_sources import footage_frames

TIMEOUT_S = 120
AREA_BGR = (0, 255, 255)


def hall_command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hall_server", *args], cwd=REPO_ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=TIMEOUT_S)


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_camera_count_gives_a_line_per_image_and_fails_at_the_end_for_an_unreadable_one(tmp_path: Path) -> None:
    frame = tmp_path / "frame.png"
    cv2.imwrite(str(frame), footage_frames(120)[120])  # seven people on the walkway
    (tmp_path / "broken.png").write_bytes(b"no picture")
    done = hall_command("camera", "count", str(frame), str(tmp_path / "broken.png"), str(frame))
    assert done.returncode == 1, done.stderr
    first, broken, again = json_lines(done.stdout)
    assert first["file"] == str(frame) and 6 <= first["people"] <= 8
    assert broken["file"] == str(tmp_path / "broken.png") and broken["error"] and "people" not in broken
    assert again == first  # the lines after the bad file still come

    assert hall_command("camera", "count", str(frame)).returncode == 0


def test_camera_qr_reads_the_code_in_each_image(tmp_path: Path) -> None:
    code = tmp_path / "code.png"
    segno.make_qr("HALLAPPT:demo:K7QW2M").save(str(code), scale=6, border=4)
    plain = tmp_path / "plain.png"
    cv2.imwrite(str(plain), np.full((200, 200, 3), 255, np.uint8))
    done = hall_command("camera", "qr", str(code), str(plain))
    assert done.returncode == 0, done.stderr
    assert json_lines(done.stdout) == [{"file": str(code), "payload": "HALLAPPT:demo:K7QW2M"},
                                       {"file": str(plain), "payload": None}]


def demo_camera_env(tmp_path: Path, settings: str = "") -> dict[str, str]:
    """A hall with the demo's camera (on the demo footage), `settings` added to it."""
    config = tmp_path / "halls.toml"
    config.write_text(hall_config_text(cameras=True).replace("capacity = 30\n", f"capacity = 30\n{settings}"),
                      encoding="utf-8")
    return {"HALL_CONFIG": str(config), "HALL_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}"}


def test_the_snapshot_blurs_heads_draws_the_area_and_replaces_the_last_one(tmp_path: Path) -> None:
    env = demo_camera_env(tmp_path)
    out = tmp_path / "snaps" / "calibration.jpg"
    for _ in range(2):
        done = hall_command("camera", "snapshot", "--hall", "demo", "--camera", "waiting-area", "--out", str(out),
                            env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == str(out)
    assert [path.name for path in out.parent.iterdir()] == ["calibration.jpg"]  # one picture, no leftovers

    taken, original = cv2.imread(str(out)), footage_frames(0)[0]  # the file source starts at its first picture
    assert taken.shape == original.shape
    height, width = taken.shape[:2]
    area = load_config(env["HALL_CONFIG"]).halls[0].cameras[0].area
    (x0, y0), (x1, y1) = area[0], area[1]
    middle = (round((x0 + x1) / 2 * (width - 1)), round((y0 + y1) / 2 * (height - 1)))  # on the area's first edge
    assert np.abs(taken[middle[1], middle[0]].astype(int) - AREA_BGR).max() < 60
    for person in detector("hog").people(original):  # every head is pixelated
        head = np.s_[person.y:person.y + person.h // 5, person.x:person.x + person.w]
        assert cv2.absdiff(taken[head], original[head]).mean() > 8, person
    grass = np.s_[450:560, 200:400]  # away from people and the area's lines: the picture as it was
    assert cv2.absdiff(taken[grass], original[grass]).mean() < 4


def test_the_snapshot_refuses_an_unknown_camera_and_another_format(tmp_path: Path) -> None:
    env = demo_camera_env(tmp_path)
    done = hall_command("camera", "snapshot", "--hall", "demo", "--camera", "door", "--out",
                        str(tmp_path / "x.jpg"), env=env)
    assert done.returncode == 1 and "no camera 'door'" in done.stderr
    done = hall_command("camera", "snapshot", "--hall", "demo", "--camera", "waiting-area", "--out",
                        str(tmp_path / "x.gif"), env=env)
    assert done.returncode == 2 and "JPEG or PNG" in done.stderr
    assert list(tmp_path.glob("x.*")) == []


def test_the_camera_worker_command_records_estimates_and_ends_on_sigterm(tmp_path: Path) -> None:
    env = demo_camera_env(tmp_path, "sample_s = 0.2\nwindow = 1\n")
    ctx = open_context(load_config(env["HALL_CONFIG"]), env["HALL_DATABASE_URL"])
    process = subprocess.Popen([sys.executable, "-m", "hall_server", "camera-worker", "--hall", "demo", "--camera",
                                "waiting-area"], cwd=REPO_ROOT, env={**os.environ, **env}, start_new_session=True)
    try:
        eventually(lambda: device_events(ctx, EventType.CROWD_ESTIMATE), "the worker records an estimate",
                   timeout=TIMEOUT_S)
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    assert 3 <= device_events(ctx, EventType.CROWD_ESTIMATE)[0].data["people"] <= 8
