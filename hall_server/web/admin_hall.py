"""Administration of one hall (issue 13): the configuration read-only (`/admin/<hall>/config`),
the manager's daily switches (`/admin/<hall>/switches`) and who did what (`/admin/<hall>/log`),
for the hall's managers and admins.

The switches page uses the existing API (GET /halls/{hall}, the service switch, the notice
line); the log page reads `GET /api/v1/halls/{hall}/log`, whose lines carry a sentence in
both languages made here from the catalogue (an event type without one is shown raw).
"""
from zoneinfo import ZoneInfo

from apiflask import APIBlueprint, Schema
from apiflask.fields import Date, DateTime, Integer, List, Nested, String
from apiflask.validators import Range
from flask import current_app, g, render_template
from flask_babel import force_locale, gettext

from ..config import Hall
from ..domain.actors import Role
from ..domain.catalogue import N_
from ..domain.counters import PAUSE_LABELS
from ..domain.events import Event, EventType
from ..services import hall_admin
from ..services.hall_admin import LogFilter, LogLine
from . import schemas as s
from .auth import current_actor, staff_page, token_auth
from .i18n import js_strings
from .permissions import MANAGERS, require

admin_hall = APIBlueprint("admin_hall", __name__, tag="administration: hall")

#: what each event says in the log, by type ({number}, {counter}, {service} ... from the event)
SENTENCES = {
    "ticket.issued": N_("Issued %(number)s for %(service)s"),
    "ticket.called": N_("Called %(number)s to counter %(counter)s"),
    "ticket.recalled": N_("Called %(number)s again at counter %(counter)s"),
    "ticket.started": N_("Started serving %(number)s at counter %(counter)s"),
    "ticket.finished": N_("Finished %(number)s at counter %(counter)s"),
    "ticket.no_show": N_("Marked %(number)s as not shown up at counter %(counter)s"),
    "ticket.transferred": N_("Transferred %(number)s to %(service)s"),
    "ticket.cancelled": N_("Cancelled %(number)s"),
    "ticket.reinstated": N_("Reinstated %(number)s"),
    "ticket.expired": N_("%(number)s expired when the day was closed"),
    "ticket.printed": N_("Printed %(number)s"),
    "ticket.flagged": N_("Flagged the customer of %(number)s"),
    "rating.given": N_("%(number)s was rated %(score)s"),
    "counter.signed_in": N_("Signed in at counter %(counter)s"),
    "counter.signed_out": N_("Signed out of counter %(counter)s"),
    "counter.paused": N_("Paused counter %(counter)s: %(reason)s"),
    "counter.resumed": N_("Reopened counter %(counter)s"),
    "alert.raised": N_("Alert raised: %(message)s"),
    "alert.updated": N_("Alert changed: %(message)s"),
    "alert.resolved": N_("Alert resolved: %(message)s"),
    "device.status": N_("Device %(device)s: online %(online)s"),
    "device.changed": N_("Changed device %(device)s: %(change)s"),
    "complaint.received": N_("Registered a complaint"),
    "complaint.moved": N_("Moved a complaint on"),
    "crowd.estimate": N_("Camera %(camera)s counts %(people)s people"),
}
STOPPED, RESUMED, CAPPED = (N_("Stopped issuing %(service)s"), N_("Resumed issuing %(service)s"),
                            N_("Issuing %(service)s with a daily cap of %(cap)s"))
NOTICE_SET, NOTICE_CLEARED = N_("Set the notice line: %(notice)s"), N_("Cleared the notice line")

#: what the pages' scripts say (i18n.js `t`)
SWITCH_STRINGS = (
    N_("Issuing"), N_("Stopped"), N_("Stop issuing"), N_("Resume issuing"), N_("Save cap"), N_("No cap"),
    N_("Issued today: %(n)s"), N_("Last changed by %(who)s at %(at)s"), N_("Never changed"),
    N_("Could not do that: %(message)s"), N_("Saved"), N_("Closed now"), N_("Daily cap reached"),
)
LOG_STRINGS = (N_("No events match"), N_("Could not do that: %(message)s"), N_("More"), N_("Badge %(badge)s"))


def _ctx():
    return current_app.extensions["hall"]


def _page(template: str, section: str, hall: str, **values) -> str:
    actor = g.actor
    halls = [h for h in _ctx().config.halls if actor.may_act_in(h.id)]
    return render_template(template, section=section, hall=hall, halls=halls, user=actor.name, **values)


@admin_hall.get("/admin/<hall>/config")
@admin_hall.doc(hide=True)
@staff_page(Role.MANAGER, Role.ADMIN)
def config_page(hall: str) -> str:
    state = hall_admin.hall_config(_ctx(), hall, g.actor)
    return _page("admin/config.html", "config", hall, state=state, h=state.hall, masked=hall_admin.masked_source)


@admin_hall.get("/admin/<hall>/switches")
@admin_hall.doc(hide=True)
@staff_page(Role.MANAGER, Role.ADMIN)
def switches_page(hall: str) -> str:
    _ctx().hall(hall, g.actor)
    return _page("admin/switches.html", "switches", hall, js_strings=js_strings(*SWITCH_STRINGS))


@admin_hall.get("/admin/<hall>/log")
@admin_hall.doc(hide=True)
@staff_page(Role.MANAGER, Role.ADMIN)
def log_page(hall: str) -> str:
    config = _ctx().hall(hall, g.actor)
    return _page("admin/log.html", "log", hall, h=config, types=[kind.value for kind in EventType],
                 js_strings=js_strings(*LOG_STRINGS))


class LogQuery(Schema):
    actor = s.Text(1, 64, metadata={"description": "who acted: a user name, a device name, or system"})
    counter = Integer(validate=Range(1, 999))
    number = s.Text(2, 6, metadata={"description": "a ticket number such as A012 (on `day`, else today)"})
    day = Date(metadata={"description": "a business day of the hall"})
    type = s.Text(1, 32, metadata={"description": "an event type such as ticket.called"})
    from_ = DateTime(data_key="from", metadata={"description": "from this time (the hall's local time "
                                                               "when it has no offset)"})
    to = DateTime(metadata={"description": "before this time"})
    before = Integer(validate=Range(1, 2**31 - 1), metadata={"description": "the next page: `next_before`"})
    limit = Integer(load_default=hall_admin.LOG_PAGE, validate=Range(1, hall_admin.LOG_PAGE))


class LogLineOut(Schema):
    seq = Integer(required=True)
    at = DateTime(required=True, metadata={"description": "the hall's local time"})
    type = String(required=True)
    actor = String(required=True, allow_none=True)
    name = String(required=True, allow_none=True, metadata={"description": "the user's name, if known"})
    badge = String(required=True, allow_none=True)
    ticket = Integer(required=True, allow_none=True)
    number = String(required=True, allow_none=True)
    counter = Integer(required=True, allow_none=True)
    text = Nested(s.Names, required=True, metadata={"description": "what happened, in Chinese and English"})


class LogOut(Schema):
    lines = List(Nested(LogLineOut), required=True)
    next_before = Integer(required=True, allow_none=True, metadata={"description": "null: the last page"})


@admin_hall.get("/api/v1/halls/<hall>/log")
@admin_hall.auth_required(token_auth)
@admin_hall.input(LogQuery, location="query", arg_name="query")
@admin_hall.output(LogOut)
@admin_hall.doc(summary="Who did what: the hall's event log filtered, newest first, 100 a page (managers, admins)",
                responses={403: "", 404: "", 422: "a bad filter (`invalid_filter`, `unknown_counter`)"})
def hall_log(hall: str, query: dict) -> dict:
    actor = current_actor()
    require(actor, MANAGERS, "read the hall's log")
    config = _ctx().hall(hall, actor)
    wanted = LogFilter(actor=query.get("actor"), counter=query.get("counter"), number=query.get("number"),
                       day=query.get("day"), type=query.get("type"), start=query.get("from_"), end=query.get("to"),
                       before=query.get("before"), limit=query["limit"])
    page = hall_admin.hall_log(_ctx(), hall, actor, wanted)
    return {"lines": [line_json(config, line) for line in page.lines], "next_before": page.next_before}


def line_json(hall: Hall, line: LogLine) -> dict:
    e = line.event
    return {"seq": e.seq, "at": e.at.astimezone(ZoneInfo(hall.timezone)), "type": e.type.value, "actor": e.actor,
            "name": line.who.name if line.who else None, "badge": line.who.badge if line.who else None,
            "ticket": e.ticket, "number": line.number, "counter": e.counter,
            "text": {"zh": sentence(hall, line, "zh_CN", "zh"), "en": sentence(hall, line, "en", "en")}}


def sentence(hall: Hall, line: LogLine, locale: str, lang: str) -> str:
    """What the event says in one language; an event type without a sentence, raw."""
    e = line.event
    with force_locale(locale):
        return _sentence(hall, e, line.number or "", lang)


def _sentence(hall: Hall, e: Event, number: str, lang: str) -> str:
    data = e.data
    service = hall.services_by_code.get(data.get("service", ""))
    values = {"number": number or data.get("number", ""), "counter": e.counter or "",
              "service": getattr(service.name, lang) if service else data.get("service", ""),
              "reason": gettext(pause) if (pause := PAUSE_LABELS.get(data.get("reason", ""))) else "",
              "score": data.get("score", ""), "device": data.get("device", ""), "online": data.get("online", ""),
              "camera": data.get("camera", ""), "people": data.get("people", ""), "change": data.get("change", ""),
              "message": (data.get("message") or {}).get(lang, "") if isinstance(data.get("message"), dict) else ""}
    if e.type is EventType.SERVICE_SWITCHED:
        if not data.get("issuing"):
            return gettext(STOPPED, **values)
        return gettext(CAPPED, cap=data["daily_cap"], **values) if data.get("daily_cap") else gettext(RESUMED, **values)
    if e.type is EventType.HALL_NOTICE:
        notice = data.get(lang) or data.get("zh") or data.get("en")
        return gettext(NOTICE_SET, notice=notice) if notice else gettext(NOTICE_CLEARED)
    msgid = SENTENCES.get(e.type.value)
    return gettext(msgid, **values) if msgid else e.type.value
