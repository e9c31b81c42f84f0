"""The manager's live board (营业厅看板), `/board/<hall>`, and today's figures behind its charts,
`GET /api/v1/halls/<hall>/board/day`.

For the hall manager on a busy morning and for a wall screen (1920×1080): the services' queues
with the staffing advice, every counter with its handling timer, the open alerts to
acknowledge, note and resolve, and the day so far in charts. The page renders the frame; its
script (`static/js/board.js`) takes the board and the day's figures from the API and follows
the hall's events (live.js): queue and counter events and a camera's status fetch the board
again, alert events and the cameras' estimates are applied as they come.
"""
from apiflask import APIBlueprint, Schema
from apiflask.fields import Date, DateTime, Float, Integer, List, Nested, String
from flask import Blueprint, abort, current_app, g, render_template
from flask_babel import gettext

from ..domain.actors import Role
from ..domain.catalogue import N_
from ..domain.counters import PAUSE_LABELS
from ..domain.day_series import SLOT, DayFigures
from ..services import day_figures as figures
from .auth import current_actor, staff_page, token_auth
from .i18n import js_strings
from .permissions import MANAGERS, require

board_pages = Blueprint("board", __name__)
board_api = APIBlueprint("board_api", __name__, url_prefix="/api/v1", tag="board")

SEVERITY_LABELS = {"notice": N_("Notice"), "warning": N_("Warning"), "critical": N_("Critical")}
STATE_LABELS = {"closed": N_("Not signed in"), "idle": N_("Ready"), "serving": N_("Serving"),
                "paused": N_("Paused")}

#: what the script says (i18n.js `t`)
STRINGS = (
    N_("Live"), N_("Offline"), N_("Called: %(t)s"), N_("Staff no. %(badge)s"),
    N_("Served today %(n)s"), N_("Mean handling %(t)s"), N_("Over time by %(t)s"), N_("Budget %(t)s"),
    N_("%(reason)s for %(t)s"), N_("Counters to open: %(n)s"), N_("Counters that may pause: %(n)s"),
    N_("%(arrivals)s arrivals/h · mean handling %(handling)s · %(open)s open, %(needed)s needed"),
    N_("%(share)s would wait past the warning time"),
    N_("Escalated"), N_("Raised %(time)s"), N_("Acknowledged by %(who)s at %(time)s"),
    N_("Acknowledge"), N_("Resolve"), N_("Add a note…"), N_("Add note"), N_("No open alerts."),
    N_("Arrivals"), N_("Served"), N_("Could not do that: %(message)s"), N_("Sound on"),
    N_("Sound off: click to turn on"),
    N_("Camera offline: people are not counted"), N_("No count yet"), N_("Since %(time)s"),
    N_("Tickets waiting"), N_("%(area)s (people)"),
)


class ServiceDayOut(Schema):
    code = String(required=True)
    served_today = Integer(required=True, metadata={"description": "visits of the service finished today"})
    compliance_today = Float(required=True, allow_none=True, metadata={
        "description": "share of today's handled visits within their budget (limit × items); null: none yet"})
    arrivals = List(Integer(), required=True, metadata={"description": "tickets issued, per slot"})
    served = List(Integer(), required=True, metadata={"description": "visits finished, per slot"})
    waiting = List(Integer(), required=True, metadata={"description": "customers waiting at the end of each slot"})


class CounterDayOut(Schema):
    number = Integer(required=True)
    served_today = Integer(required=True)
    mean_handling_today_s = Float(required=True, allow_none=True)


class CrowdDayOut(Schema):
    camera = String(required=True)
    people = List(Integer(allow_none=True), required=True, metadata={
        "description": "people in the camera's area at the end of each slot; null before its first estimate or "
                       "while it was offline"})


class DayFiguresOut(Schema):
    day = Date(required=True, metadata={"description": "the hall's business day"})
    at = DateTime(required=True)
    slot_s = Integer(required=True, metadata={"description": "the length of a slot (15 minutes)"})
    slots = List(DateTime(), required=True, metadata={
        "description": "the start of each slot, from opening (or the first ticket, if earlier) to now"})
    services = List(Nested(ServiceDayOut), required=True)
    counters = List(Nested(CounterDayOut), required=True)
    crowd = List(Nested(CrowdDayOut), required=True, metadata={"description": "per camera of the hall"})


def day_json(day: DayFigures) -> dict:
    return {
        "day": day.day, "at": day.at, "slot_s": int(SLOT.total_seconds()), "slots": day.slots,
        "services": [{"code": s.code, "served_today": s.served, "compliance_today": s.compliance,
                      "arrivals": s.arrivals, "served": s.served_per_slot, "waiting": s.waiting}
                     for s in day.services],
        "counters": [{"number": c.number, "served_today": c.served, "mean_handling_today_s": c.mean_handling_s}
                     for c in day.counters],
        "crowd": [{"camera": c.camera, "people": c.people} for c in day.crowd],
    }


@board_api.get("/halls/<hall>/board/day")
@board_api.auth_required(token_auth)
@board_api.output(DayFiguresOut)
@board_api.doc(summary="Today's figures: served and compliance per service, served and mean handling per "
                       "counter, arrivals, served and waiting per 15 minutes, people per camera (managers, admins)",
               responses=[403, 404])
def today(hall: str) -> dict:
    actor = current_actor()
    require(actor, MANAGERS, "see the day's figures")
    return day_json(figures.day_figures(current_app.extensions["hall"], hall, actor))


@board_pages.get("/board/<hall>")
@staff_page(Role.MANAGER, Role.ADMIN)
def page(hall: str) -> str:
    config = current_app.extensions["hall"].config.by_id.get(hall)
    if config is None:
        abort(404)
    labels = {kind: {key: gettext(msgid) for key, msgid in names.items()}
              for kind, names in (("state", STATE_LABELS), ("severity", SEVERITY_LABELS), ("pause", PAUSE_LABELS))}
    # the areas' names and capacities, and the share past which the board shows them red, as the
    # alerts judge them
    cameras = {"critical_share": config.alerts.crowd_critical_share,
               "capacity": {camera.name: camera.capacity for camera in config.cameras},
               "area": {camera.name: camera.area_name.model_dump() for camera in config.cameras}}
    return render_template("board.html", hall=hall, hall_config=config, user=g.actor.name, labels=labels,
                           cameras=cameras, js_strings=js_strings(*STRINGS))
