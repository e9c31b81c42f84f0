"""The hall's devices over HTTP: what a kiosk's print agent reads and reports
(devices/link.py HttpLink), and the manager's word to drop a printer's jobs.

A kiosk device may run only the printers that print its own tickets (the printer's
`kiosks`); managers and admins any printer of their halls.
"""
from dataclasses import asdict

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, DateTime, Integer, List, Nested, String
from apiflask.validators import OneOf, Range
from flask import current_app, request

from ..domain.actors import Role
from ..services import devices
from . import schemas as s
from .auth import current_actor, token_auth
from .permissions import MANAGERS, require

devices_api = APIBlueprint("devices", __name__, url_prefix="/api/v1", tag="devices")
#: who may run a printer (the service checks that a kiosk runs its own)
PRINTER_USERS = MANAGERS | {Role.KIOSK}
ERRORS = [401, 403, 404]


class DeviceStatus(Schema):
    device = s.Id
    kind = String(required=True, validate=OneOf(["printer"]))
    online = Boolean(required=True)
    paper = String(required=True, validate=OneOf(devices.PAPER_STATES))
    cover_open = Boolean(required=True)
    fault = String(required=True, allow_none=True, validate=OneOf(devices.FAULTS))
    pending = Integer(required=True, validate=Range(0, 1_000_000))


class PrinterOut(Schema):
    name = String(required=True)
    port = String(required=True, metadata={"description": "a serial device, or `simulated`"})
    baudrate = Integer(required=True)
    codepage = String(required=True)
    raster = Boolean(required=True)
    paper_mm = Integer(required=True)
    kiosks = List(String(), required=True)
    host = String(required=True, validate=OneOf(["server", "kiosk"]))
    notice = Nested(s.Names, required=True, allow_none=True)
    status = Nested(DeviceStatus, required=True, allow_none=True,
                    metadata={"description": "its last reported status today, if any"})


class PrintJobOut(Schema):
    ticket = Integer(required=True)
    number = String(required=True)
    status = String(required=True, metadata={"description": "only a waiting ticket is printed"})
    hall_zh = String(required=True)
    hall_en = String(required=True)
    service_zh = String(required=True)
    service_en = String(required=True)
    ahead = Integer(required=True, allow_none=True)
    estimated_wait_s = Integer(required=True, allow_none=True)
    issued_at = DateTime(required=True, metadata={"description": "in the hall's timezone"})
    notice_zh = String(required=True)
    notice_en = String(required=True)
    tracking_url = String(required=True, metadata={"description": "the phone page's address (the QR code)"})


class PrintQueueOut(Schema):
    job = Nested(PrintJobOut, required=True, allow_none=True,
                 metadata={"description": "the next ticket to print; null: nothing to print"})
    pending = Integer(required=True)


class PrintedIn(Schema):
    printer = s.Id
    bytes = Integer(required=True, validate=Range(0, 10_000_000))
    skipped = Boolean(load_default=False, metadata={"description": "passed over: the ticket no longer waits"})


class PrintedOut(Schema):
    ticket = Integer(required=True)
    printer = String(required=True)
    recorded = Boolean(required=True, metadata={"description": "false: the printer was done with it already"})


class RecordedOut(Schema):
    recorded = Boolean(required=True, metadata={"description": "false: nothing changed since the last status"})


class DropIn(Schema):
    through = Integer(load_default=None, allow_none=True,
                      metadata={"description": "drop the jobs up to this ticket id; null: all of them"})


class DropOut(Schema):
    dropped = List(String(), required=True, metadata={"description": "the numbers whose tickets will not print"})


def _ctx():
    return current_app.extensions["hall"]


def _printer_user():
    actor = current_actor()
    require(actor, PRINTER_USERS, "run a printer")
    return actor


class PrintersOut(Schema):
    printers = List(Nested(PrinterOut), required=True)


@devices_api.get("/halls/<hall>/printers")
@devices_api.auth_required(token_auth)
@devices_api.output(PrintersOut)
@devices_api.doc(summary="The printers the caller runs (a kiosk: the one printing its tickets), with their "
                         "last status: `fault` not null means the ticket stays on screen only", responses=ERRORS)
def list_printers(hall: str) -> dict:
    found = devices.printers(_ctx(), hall, _printer_user())
    return {"printers": [{**printer.model_dump(), "status": status} for printer, status in found]}


@devices_api.get("/halls/<hall>/printers/<printer>")
@devices_api.auth_required(token_auth)
@devices_api.output(PrinterOut)
@devices_api.doc(summary="A printer's settings and last status (what its print agent runs with)", responses=ERRORS)
def get_printer(hall: str, printer: str) -> dict:
    ctx, actor = _ctx(), _printer_user()
    settings = devices.printer_config(ctx, hall, printer, actor)
    return {**settings.model_dump(), "status": devices.device_status(ctx, hall, printer, actor)}


@devices_api.get("/halls/<hall>/printers/<printer>/queue")
@devices_api.auth_required(token_auth)
@devices_api.output(PrintQueueOut)
@devices_api.doc(summary="The next ticket a printer prints, with what the ticket shows", responses=ERRORS)
def print_queue(hall: str, printer: str) -> dict:
    queue = devices.print_queue(_ctx(), hall, printer, _printer_user(), base=request.host_url)
    return {"job": asdict(queue.job) if queue.job else None, "pending": queue.pending}


@devices_api.post("/halls/<hall>/tickets/<int:ticket_id>/printed")
@devices_api.auth_required(token_auth)
@devices_api.input(PrintedIn, arg_name="body")
@devices_api.output(PrintedOut)
@devices_api.doc(summary="A printer printed a ticket (or passed it over); records `ticket.printed` once",
                 responses=ERRORS + [409, 422])
def printed(hall: str, ticket_id: int, body: dict) -> dict:
    recorded = devices.record_printed(_ctx(), hall, body["printer"], ticket_id, _printer_user(), body["bytes"],
                                      skipped=body["skipped"])
    return {"ticket": ticket_id, "printer": body["printer"], "recorded": recorded}


@devices_api.post("/halls/<hall>/devices/status")
@devices_api.auth_required(token_auth)
@devices_api.input(DeviceStatus, arg_name="body")
@devices_api.output(RecordedOut)
@devices_api.doc(summary="A device's status; records `device.status` when it changed", responses=ERRORS + [422])
def device_status(hall: str, body: dict) -> dict:
    body.pop("kind")
    return {"recorded": devices.report_status(_ctx(), hall, _printer_user(), body.pop("device"), **body)}


@devices_api.post("/halls/<hall>/printers/<printer>/drop")
@devices_api.auth_required(token_auth)
@devices_api.input(DropIn, arg_name="body")
@devices_api.output(DropOut)
@devices_api.doc(summary="Drop a printer's pending jobs (managers): those customers keep the number the kiosk "
                         "showed", responses=ERRORS)
def drop(hall: str, printer: str, body: dict) -> dict:
    actor = current_actor()
    require(actor, MANAGERS, "drop print jobs")
    return {"dropped": devices.drop_jobs(_ctx(), hall, printer, actor, through=body["through"])}
