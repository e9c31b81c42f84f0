"""The people in the hall on the board (issue 12): `GET /halls/{hall}/board` gains `crowd`,
each camera's latest estimate today, null before the first and while the camera is offline
(`online` says which); `GET /halls/{hall}/board/day` gains the people per 15-minute slot.

First through the use cases on a virtual clock (the worker's `record_crowd` and
`report_camera`, the board's `queries.board`, `day_figures`); then over HTTP on a real server
that runs the demo hall's camera worker on a blank video (it counts nobody, once), with the
estimates that follow recorded in its database as the worker records them.
"""
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.domain.actors import Actor, Role
from hall_server.domain.clock import FixedClock
from hall_server.services import cameras, devices, queries
from hall_server.services.day_figures import day_figures

from ..domain.test_crowd_alerts import CONFIG, HOURS, at
from ..running_hall import RunningHall, hall_config_text
from .conftest import API, Client, assert_error

pytestmark = pytest.mark.xdist_group("web-board-crowd")

MANAGER = Actor("manager", Role.MANAGER, frozenset({"t"}))
CAMERA = devices.printer_actor("t", "camera-1")


def crowd(board: queries.Board) -> list[tuple]:
    return [(a.camera.name, a.people, a.at, a.online) for a in board.crowd]


def test_the_board_and_the_day_through_the_use_cases(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(CONFIG.format(hours=HOURS), encoding="utf-8")
    clock = FixedClock(at("08:40"))
    ctx = open_context(load_config(path), f"sqlite:///{tmp_path / 'hall.db'}", clock)
    try:
        assert crowd(queries.board(ctx, "t", MANAGER)) == [("camera-1", None, None, True)]  # nothing yet today
        cameras.record_crowd(ctx, "t", CAMERA, "camera-1", 7)
        clock.set(at("08:50"))
        assert crowd(queries.board(ctx, "t", MANAGER)) == [("camera-1", 7, at("08:40"), True)]
        cameras.record_crowd(ctx, "t", CAMERA, "camera-1", 7)  # the same: not recorded, still since 08:40
        cameras.record_crowd(ctx, "t", CAMERA, "camera-1", 12)
        clock.set(at("09:05"))
        cameras.report_camera(ctx, "t", CAMERA, "camera-1", False)
        assert crowd(queries.board(ctx, "t", MANAGER)) == [("camera-1", None, at("09:05"), False)]
        clock.set(at("09:20"))
        cameras.report_camera(ctx, "t", CAMERA, "camera-1", True)  # back: its last count holds again
        assert crowd(queries.board(ctx, "t", MANAGER)) == [("camera-1", 12, at("09:20"), True)]
        clock.set(at("09:40"))
        cameras.record_crowd(ctx, "t", CAMERA, "camera-1", 3)
        clerk = Actor("clerk", Role.CLERK, frozenset({"t"}))
        assert crowd(queries.board(ctx, "t", clerk))[0][1] == 3  # everyone who sees the board

        clock.advance(timedelta(minutes=1).total_seconds())
        day = day_figures(ctx, "t", MANAGER)
        # slots from 08:30: 08:30-08:45 ends with 7, 08:45-09:00 with 12, 09:00-09:15 offline,
        # 09:15-09:30 back with 12, 09:30-09:45 (now, 09:41) 3
        assert [c.camera for c in day.crowd] == ["camera-1"]
        assert day.slots[0] == at("08:30")
        assert day.crowd[0].people == [7, 12, None, 12, 3]
    finally:
        ctx.store.engine.dispose()


# over HTTP ------------------------------------------------------------------------------

def blank_video(path: Path) -> Path:
    """A short video of an empty grey room: the camera worker counts nobody in it."""
    import cv2
    import numpy as np

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, (160, 120))
    for _ in range(10):
        writer.write(np.full((120, 160, 3), 128, np.uint8))
    writer.release()
    return path


def crowd_server(workdir: Path, alerts: str | None = None) -> RunningHall:
    """The demo hall (and "north") with its camera `waiting-area` on a blank video, its worker
    sampling every 0.2 s with no smoothing; a manager `mgr` of the demo hall, `mgr-north`,
    and a kiosk. Started and waited for until the worker's first estimate (0) is recorded, so
    what a test records after it stays."""
    workdir.mkdir(parents=True, exist_ok=True)
    video = blank_video(workdir / "blank.avi")
    text = hall_config_text(extra_hall="north", alerts=alerts, cameras=True)
    text = text.replace('source = "file:var/cameras/vtest.avi"', f'source = "file:{video}"\nsample_s = 0.2\nwindow = 1')
    server = RunningHall(workdir, config_text=text)
    server.init_db()
    server.add_user("mgr", "manager", ["demo"])
    server.add_user("mgr-north", "manager", ["north"])
    server.add_user("clerk-a", "clerk", ["demo"])
    server.add_device("kiosk", "demo", "kiosk")
    server.start()
    admin = Client(server.url, server.login("admin"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        events = admin.ok("GET", "/halls/demo/events", params={"after": 0, "limit": 1000})["events"]
        if any(e["type"] == "crowd.estimate" for e in events):
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the camera worker recorded no estimate within 30 s: {server.log()}")


def record(server: RunningHall, people: int | None = None, online: bool | None = None) -> None:
    """What the demo camera's worker records, in the server's database."""
    ctx = open_context(load_config(server.config_path), server.database_url, migrate_schema=False)
    try:
        actor = devices.printer_actor("demo", "waiting-area")
        if online is not None:
            cameras.report_camera(ctx, "demo", actor, "waiting-area", online)
        if people is not None:
            cameras.record_crowd(ctx, "demo", actor, "waiting-area", people)
    finally:
        ctx.store.engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[RunningHall]:
    running = crowd_server(tmp_path_factory.mktemp("crowd"))
    try:
        yield running
    finally:
        running.stop()


def test_the_board_says_the_people_in_each_area(server: RunningHall) -> None:
    manager = Client(server.url, server.login("mgr"))
    board = manager.ok("GET", "/halls/demo/board")
    assert board["crowd"] == [{"camera": "waiting-area", "area": {"zh": "等候区", "en": "Waiting area"},
                               "people": 0, "at": board["crowd"][0]["at"], "online": True}]
    record(server, people=9)
    board = manager.ok("GET", "/halls/demo/board")
    assert (board["crowd"][0]["people"], board["crowd"][0]["online"]) == (9, True)
    events = manager.ok("GET", "/halls/demo/events", params={"after": 0, "limit": 1000})["events"]
    estimate = [e for e in events if e["type"] == "crowd.estimate"][-1]
    assert estimate["data"] == {"camera": "waiting-area", "people": 9}
    assert board["crowd"][0]["at"] == estimate["at"]

    record(server, online=False)
    offline = manager.ok("GET", "/halls/demo/board")["crowd"][0]
    assert (offline["people"], offline["online"]) == (None, False)
    record(server, online=True)
    assert manager.ok("GET", "/halls/demo/board")["crowd"][0]["people"] == 9

    north = Client(server.url, server.login("mgr-north")).ok("GET", "/halls/north/board")
    assert [c["camera"] for c in north["crowd"]] == ["waiting-area"]  # its own camera, counting nobody yet
    assert_error(Client(server.url, server.login("mgr-north")).get("/halls/demo/board"), 403)
    kiosk = Client(server.url, server.tokens["kiosk"]).ok("GET", "/halls/demo/board")
    assert kiosk["crowd"][0]["people"] == 9


def test_the_day_has_the_people_per_slot_and_the_schema_says_so(server: RunningHall) -> None:
    manager = Client(server.url, server.login("mgr"))
    day = manager.ok("GET", "/halls/demo/board/day")
    assert [c["camera"] for c in day["crowd"]] == ["waiting-area"]
    people = day["crowd"][0]["people"]
    assert len(people) == len(day["slots"]) and people[-1] is not None
    spec = requests.get(f"{server.url}{API}/openapi.json", timeout=10).json()["components"]["schemas"]
    assert spec["BoardOut"]["properties"]["crowd"]["items"]["$ref"].endswith("/AreaCrowdOut")
    assert set(spec["AreaCrowdOut"]["required"]) == {"camera", "area", "people", "at", "online"}
    assert "crowd" in spec["DayFiguresOut"]["properties"]
