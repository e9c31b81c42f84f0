"""Use cases of the hall's cameras (issue 12): the worker running a camera reports whether
its pictures come, and the estimate of the people in its waiting area; the board and the
alert rules read them (alert_snapshot.py follows the events).

A camera's health is a `device.status` of kind "camera", recorded when it changes, as a LED
display's is. Its estimate is a `crowd.estimate` event, recorded only when the count changes
(domain/crowd.py keeps it steady), so the log holds the day's curve and never a picture.
"""
from datetime import datetime

from ..config import Camera, Hall
from ..domain.actors import Actor
from ..domain.errors import Forbidden, Invalid, NotFound
from ..domain.events import EventType as E
from ..domain.numbering import business_day, day_start
from ..storage.store import Reader
from .context import HallContext
from .devices import ONLINE_WELL, PRINT_SUPERVISORS, record_status

#: more people than any waiting area holds: a count past it is a fault, not a crowd
MAX_PEOPLE = 10_000


def camera_config(ctx: HallContext, hall_id: str, name: str, actor: Actor) -> Camera:
    """The camera's settings, for the worker that runs it; NotFound for one the hall lacks."""
    return _camera(ctx.hall(hall_id, actor), name, actor)


def report_camera(ctx: HallContext, hall_id: str, actor: Actor, camera: str, online: bool) -> bool:
    """Whether the camera's pictures come; recorded (True) only if it changed today."""
    hall = ctx.hall(hall_id, actor)
    _camera(hall, camera, actor)
    return record_status(ctx, hall, actor, {"device": camera, "kind": "camera", "online": online}, ONLINE_WELL)


def record_crowd(ctx: HallContext, hall_id: str, actor: Actor, camera: str, people: int) -> bool:
    """The camera's estimate of the people in its area; recorded (True) only if it differs
    from its last one today."""
    hall = ctx.hall(hall_id, actor)
    _camera(hall, camera, actor)
    if not 0 <= people <= MAX_PEOPLE:
        raise Invalid(f"people must be 0-{MAX_PEOPLE}", "invalid_people")
    with ctx.store.write(hall.id, ctx.clock) as tx:
        if _last_people(tx, hall, camera, tx.at) == people:
            return False
        tx.record(E.CROWD_ESTIMATE, actor=actor.name, data={"camera": camera, "people": people})
        return True


def _camera(hall: Hall, name: str, actor: Actor) -> Camera:
    camera = hall.cameras_by_name.get(name)
    if camera is None:
        raise NotFound(f"hall {hall.id} has no camera {name!r}", "unknown_camera")
    if actor.role not in PRINT_SUPERVISORS:
        raise Forbidden(f"a {actor.role.value} may not run cameras", "forbidden")
    return camera


def _last_people(reader: Reader, hall: Hall, camera: str, now: datetime) -> int | None:
    """The camera's last estimate today (None: none yet today)."""
    since = day_start(business_day(now, hall.timezone), hall.timezone)
    event = reader.last_event(hall.id, E.CROWD_ESTIMATE, since, lambda e: e.data.get("camera") == camera)
    return event.data["people"] if event else None
