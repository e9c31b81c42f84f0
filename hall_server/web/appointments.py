"""Appointments (CONTRACT.md "Appointments") and the manager's service switches over HTTP,
and the kiosk's camera reading an appointment's QR code (`.../appointments/scan`).

Times of an appointment are given in the hall's own timezone (with its UTC offset), as a
booking system shows them to the customer; a `slot_start` sent without an offset is read as
the hall's local time.
"""
from datetime import time
from zoneinfo import ZoneInfo

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, Date, DateTime, Integer, List, Nested, String
from apiflask.validators import OneOf, Range, Regexp
from flask import current_app, request

from ..domain.actors import Role
from ..domain.appointments import NOT_AN_APPOINTMENT, OTHER_HALL, AppointmentStatus, code_in_payload
from ..domain.errors import Invalid
from ..services import appointments as cases
from ..services import switches
from ..services.appointments import AppointmentView
from ..services.off_loop import off_loop
from ..services.switches import HallIssuing, ServiceIssuing
from . import schemas as s
from .auth import current_actor, token_auth
from .permissions import APPOINTMENT_READERS, BOOKERS, MANAGERS, require

#: who may have a picture read for an appointment's QR code: the hall's kiosks (their camera),
#: managers and admins (trying it out)
SCANNERS = MANAGERS | {Role.KIOSK}
#: the pictures read: a kiosk's camera frame, JPEG as the page sends it, or PNG and WebP
SCAN_TYPES = ("image/jpeg", "image/png", "image/webp")
#: a 1280-wide JPEG frame is 100-300 kB; a picture past this is refused (413, too_large)
SCAN_MAX_BYTES = 2 * 1024 * 1024

appointments_api = APIBlueprint("appointments", __name__, url_prefix="/api/v1", tag="appointments")


class AppointmentIn(Schema):
    service = s.Id
    slot_start = DateTime(required=True, metadata={
        "description": "ISO 8601; without a UTC offset, the hall's local time"})
    name = s.Text(0, 64, load_default=None, allow_none=True)
    phone = String(load_default=None, allow_none=True,
                   validate=Regexp(r"^(\+?[0-9][0-9 -]{2,30})?$", error="digits, spaces, - and a leading +"))


class AppointmentOut(Schema):
    code = String(required=True, metadata={"description": "six characters, no 0/O/1/I"})
    hall = String(required=True)
    service = String(required=True)
    slot_start = DateTime(required=True)
    slot_end = DateTime(required=True)
    status = String(required=True, validate=OneOf([v.value for v in AppointmentStatus]))
    qr = String(required=True, metadata={"description": "the QR payload: HALLAPPT:<hall>:<code>"})
    check_in_from = DateTime(required=True)
    check_in_until = DateTime(required=True)
    ticket = Integer(required=True, allow_none=True, metadata={"description": "the ticket it checked in with"})
    booked_at = DateTime(required=True)
    name = String(allow_none=True, metadata={"description": "not shown to kiosks"})
    phone = String(allow_none=True, metadata={"description": "not shown to kiosks"})


class AppointmentsQuery(Schema):
    date = Date(required=True, validate=s.DAYS,
                metadata={"description": "a calendar day of the hall"})


class AppointmentsOut(Schema):
    appointments = List(Nested(AppointmentOut), required=True)


class ScanOut(Schema):
    payload = String(required=True, allow_none=True, metadata={"description": "the QR code's text; null: none read"})
    code = String(required=True, allow_none=True, metadata={
        "description": "the appointment code, when the payload is one of this hall's appointments"})
    reason = String(validate=OneOf([OTHER_HALL, NOT_AN_APPOINTMENT]), metadata={
        "description": "why a QR code read gives no code: another hall's appointment, or not an appointment"})


class SwitchIn(Schema):
    issuing = Boolean(required=True, truthy={True}, falsy={False})
    daily_cap = Integer(load_default=None, allow_none=True, strict=True, validate=Range(1, 99999),
                        metadata={"description": "numbers per day at most; null: the configured cap"})


class SwitchedOut(s.IssuingOut):
    code = String(required=True)


def _ctx():
    return current_app.extensions["hall"]


def appointment_json(found: AppointmentView, private: bool = True) -> dict:
    """The appointment in the hall's local time; `private` False leaves out name and phone."""
    a, zone = found.appointment, ZoneInfo(found.timezone)
    body = {"code": a.code, "hall": a.hall, "service": a.service, "slot_start": a.slot_start.astimezone(zone),
            "slot_end": a.slot_end.astimezone(zone), "status": found.status.value, "qr": found.qr,
            "check_in_from": found.check_in_from.astimezone(zone),
            "check_in_until": found.check_in_until.astimezone(zone), "ticket": a.ticket,
            "booked_at": a.booked_at.astimezone(zone)}
    if private:
        body |= {"name": a.name, "phone": a.phone}
    return body


def issuing_json(state: ServiceIssuing) -> dict:
    switch = state.switch
    return {"issuing": state.issuing, "stop_reason": state.stop_reason.value if state.stop_reason else None,
            "daily_cap": state.daily_cap, "issued_today": state.issued_today,
            "switch": {"issuing": switch.issuing, "daily_cap": switch.daily_cap, "changed_by": switch.changed_by,
                       "changed_at": switch.changed_at} if switch else None}


def today_json(state: HallIssuing) -> dict:
    closes = "24:00" if state.closes == time.max else f"{state.closes:%H:%M}"
    return {"opens": f"{state.opens:%H:%M}", "closes": closes}


@appointments_api.post("/halls/<hall>/appointments")
@appointments_api.auth_required(token_auth)
@appointments_api.input(AppointmentIn, arg_name="body")
@appointments_api.output(AppointmentOut, status_code=201)
@appointments_api.doc(summary="Book an appointment (managers, admins, booking devices of the hall)",
                      responses={403: "", 404: "", 422: "unknown service, or a slot in the past or outside the "
                                                        "opening hours (`invalid_slot`)"})
def book(hall: str, body: dict) -> dict:
    actor = current_actor()
    require(actor, BOOKERS, "book appointments")
    return appointment_json(cases.book(_ctx(), hall, actor, body["service"], body["slot_start"],
                                       name=body["name"], phone=body["phone"]))


@appointments_api.get("/halls/<hall>/appointments")
@appointments_api.auth_required(token_auth)
@appointments_api.input(AppointmentsQuery, location="query", arg_name="query")
@appointments_api.output(AppointmentsOut)
@appointments_api.doc(summary="The appointments of a day, by slot", responses=[403, 404])
def day_list(hall: str, query: dict) -> dict:
    actor = current_actor()
    require(actor, BOOKERS, "list appointments")
    return {"appointments": [appointment_json(a) for a in cases.on_day(_ctx(), hall, query["date"], actor)]}


@appointments_api.get("/halls/<hall>/appointments/<code>")
@appointments_api.auth_required(token_auth)
@appointments_api.output(AppointmentOut)
@appointments_api.doc(summary="An appointment (a kiosk of the hall sees it without name and phone)",
                      responses=[403, 404])
def get_appointment(hall: str, code: str) -> dict:
    actor = current_actor()
    require(actor, APPOINTMENT_READERS, "read appointments")
    return appointment_json(cases.get(_ctx(), hall, code, actor), private=actor.role is not Role.KIOSK)


@appointments_api.delete("/halls/<hall>/appointments/<code>")
@appointments_api.auth_required(token_auth)
@appointments_api.output({}, status_code=204)
@appointments_api.doc(summary="Cancel an appointment (again: no change)",
                      responses={403: "", 404: "", 409: "checked in (`appointment_used`) or its slot is over "
                                                        "(`appointment_missed`)"})
def cancel_appointment(hall: str, code: str) -> str:
    actor = current_actor()
    require(actor, BOOKERS, "cancel appointments")
    cases.cancel(_ctx(), hall, code, actor)
    return ""


@appointments_api.post("/halls/<hall>/appointments/scan")
@appointments_api.auth_required(token_auth)
@appointments_api.output(ScanOut)
@appointments_api.doc(
    summary="Read an appointment's QR code in a picture from the kiosk's camera (the hall's kiosks, managers, "
            "admins). The body is the picture itself (Content-Type image/jpeg, image/png or image/webp, 2 MB at "
            "most); it is read in memory and never kept. Check the code in as a typed one "
            "(POST .../tickets with `appointment`).",
    responses={403: "", 404: "", 413: "a picture over 2 MB (`too_large`)",
               422: "not image/jpeg, png or webp (`unsupported_image`), or not a picture (`not_an_image`)"})
def scan_appointment(hall: str) -> dict:
    actor = current_actor()
    require(actor, SCANNERS, "read appointment codes")
    _ctx().hall(hall, actor)
    if request.mimetype not in SCAN_TYPES:
        raise Invalid(f"send the picture as {', '.join(SCAN_TYPES)}, not {request.mimetype or 'nothing'}",
                      "unsupported_image")
    request.max_content_length = SCAN_MAX_BYTES  # the app's 64 kB is for JSON
    picture = request.get_data(cache=False)
    from devices.camera.qr import NotAnImage, decode_bytes  # OpenCV loads with the first picture, not at start

    try:
        payload = off_loop(decode_bytes, picture)
    except NotAnImage as error:
        raise Invalid(str(error), "not_an_image") from error
    if payload is None:
        return {"payload": None, "code": None}
    code, reason = code_in_payload(payload, hall)
    return {"payload": payload, "code": code} | ({"reason": reason} if reason else {})


@appointments_api.post("/halls/<hall>/services/<code>/switch")
@appointments_api.auth_required(token_auth)
@appointments_api.input(SwitchIn, arg_name="body")
@appointments_api.output(SwitchedOut)
@appointments_api.doc(summary="Stop or resume issuing a service, or set its daily cap (managers, admins)",
                      responses=[403, 404, 422])
def switch_service(hall: str, code: str, body: dict) -> dict:
    actor = current_actor()
    require(actor, MANAGERS, "switch services")
    state = switches.switch_service(_ctx(), hall, code, actor, issuing=body["issuing"], daily_cap=body["daily_cap"])
    return {"code": state.code, **issuing_json(state)}
