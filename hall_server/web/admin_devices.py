"""Administration, section "devices" (issue 13): the page `/admin/<hall>/devices` and its API
`/api/v1/halls/<hall>/devices...` (services/device_admin.py has the rules). The devices' own
API (printers, statuses) is web/devices.py.

A pairing link is answered with its full address and that address as a QR code (an SVG made
here; nothing from a CDN) for the device's camera or the admin's phone to read."""

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, DateTime, Integer, List, Nested, String
from apiflask.validators import OneOf, Range, Regexp
from flask import abort, current_app, g, render_template, request

from ..domain.actors import Role
from ..domain.catalogue import N_
from ..services import accounts, device_admin
from ..services.tracking import public_base
from .auth import current_actor, staff_page, token_auth
from .i18n import js_strings
from .tracking import qr_svg

admin_devices = APIBlueprint("admin_devices", __name__, tag="administration: devices")
ERRORS = [401, 403, 404]

#: what the page's script says (i18n.js `t`)
STRINGS = (
    N_("Kiosk"), N_("Display"), N_("Evaluator"), N_("Booking system"), N_("Printer"), N_("LED display"),
    N_("Camera"), N_("Online"), N_("Offline"), N_("Not judged"), N_("Never"), N_("Paired"), N_("Not paired"),
    N_("Counter %(n)s"), N_("Whole hall"), N_("Paper OK"), N_("Paper near end"), N_("Paper out"),
    N_("Cover open"), N_("Fault: %(fault)s"), N_("%(n)s to print"), N_("%(n)s people"),
    N_("New pairing link"), N_("Re-pair"), N_("Revoke"), N_("Revoke %(name)s? Its screen stops working at once."),
    N_("Pair %(name)s"), N_("Valid once, until %(time)s"), N_("The paired browser of this device was signed out."),
    N_("%(name)s revoked"), N_("Could not do that: %(message)s"), N_("Updated %(time)s"),
)


class DeviceOut(Schema):
    name = String(required=True)
    kind = String(required=True, validate=OneOf(["kiosk", "display", "evaluator", "booking", "printer", "led",
                                                 "camera"]))
    online = Boolean(required=True, allow_none=True,
                     metadata={"description": "as the alert rules judge it; null: not judged (booking systems)"})
    counter = Integer(required=True, allow_none=True, metadata={"description": "an evaluator's or a counter "
                                                                               "display's counter"})
    last_seen = DateTime(required=True, allow_none=True)
    paired_at = DateTime(required=True, allow_none=True,
                         metadata={"description": "when its browser was paired; null: no browser is"})
    paper = String(required=True, allow_none=True, metadata={"description": "printers: ok, near_end, out"})
    cover_open = Boolean(required=True)
    fault = String(required=True, allow_none=True)
    pending = Integer(required=True, allow_none=True, metadata={"description": "printers: tickets still to print"})
    people = Integer(required=True, allow_none=True,
                     metadata={"description": "cameras: the latest estimate of the people in the area"})


class DevicesOut(Schema):
    devices = List(Nested(DeviceOut), required=True)


class DeviceIn(Schema):
    kind = String(required=True, validate=OneOf([k.value for k in accounts.DEVICE_KINDS]))
    name = String(required=True, validate=Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
                                                 error="1-64 letters, digits, '-', '_' or '.'"))
    counter = Integer(load_default=None, allow_none=True, validate=Range(1, 999),
                      metadata={"description": "an evaluator's counter (required), or a counter display's"})


class PairingLinkOut(Schema):
    url = String(required=True, metadata={"description": "open once on the device, before expires_at"})
    expires_at = DateTime(required=True)
    qr_svg = String(required=True, metadata={"description": "the url as a QR code (SVG)"})
    ended_pairing = Boolean(required=True, metadata={"description": "the browser paired before was signed out"})


class NewDeviceOut(Schema):
    name = String(required=True)
    kind = String(required=True)
    counter = Integer(required=True, allow_none=True)
    token = String(required=True, metadata={"description": "its bearer token, shown only this once (for a "
                                                           "print agent or another system)"})
    link = Nested(PairingLinkOut, required=True, allow_none=True,
                  metadata={"description": "null for a booking system, which has no page"})


class RevokedOut(Schema):
    device = String(required=True)
    revoked = Boolean(required=True)


def _ctx():
    return current_app.extensions["hall"]


def _link_json(hall: str, link: device_admin.PairingLink) -> dict:
    url = public_base(_ctx(), hall, request.host_url) + link.path
    return {"url": url, "expires_at": link.expires_at, "qr_svg": qr_svg(url).decode(),
            "ended_pairing": link.ended_pairing}


@admin_devices.get("/admin/<hall>/devices")
@admin_devices.doc(hide=True)
@staff_page(Role.MANAGER, Role.ADMIN)
def page(hall: str) -> str:
    ctx, actor = _ctx(), g.actor
    config = ctx.config.by_id.get(hall)
    if config is None:
        abort(404)
    return render_template(
        "admin/devices.html", section="devices", hall=hall, hall_config=config, user=actor.name,
        halls=[h for h in ctx.config.halls if actor.may_act_in(h.id)], may_add_booking=actor.role is Role.ADMIN,
        js_strings=js_strings(*STRINGS))


@admin_devices.get("/api/v1/halls/<hall>/devices")
@admin_devices.auth_required(token_auth)
@admin_devices.output(DevicesOut)
@admin_devices.doc(summary="The hall's devices and their health (managers, admins)", responses=ERRORS)
def list_devices(hall: str) -> dict:
    return {"devices": device_admin.hall_devices(_ctx(), hall, current_actor())}


@admin_devices.post("/api/v1/halls/<hall>/devices")
@admin_devices.auth_required(token_auth)
@admin_devices.input(DeviceIn, arg_name="body")
@admin_devices.output(NewDeviceOut, status_code=201)
@admin_devices.doc(summary="Add a device, with a one-time pairing link valid 10 minutes (managers: kiosks, "
                           "displays, evaluators; admins: booking systems too)", responses=ERRORS + [409, 422])
def add_device(hall: str, body: dict) -> dict:
    new = device_admin.add_device(_ctx(), hall, current_actor(), body["kind"], body["name"], body["counter"])
    return {"name": new.name, "kind": new.kind, "counter": new.counter, "token": new.token,
            "link": _link_json(hall, new.link) if new.link else None}


@admin_devices.post("/api/v1/halls/<hall>/devices/<name>/pairing")
@admin_devices.auth_required(token_auth)
@admin_devices.output(PairingLinkOut, status_code=201)
@admin_devices.doc(summary="A new one-time pairing link valid 10 minutes; earlier links die, and a paired "
                           "browser of the device is signed out", responses=ERRORS + [422])
def new_link(hall: str, name: str) -> dict:
    return _link_json(hall, device_admin.pairing_link(_ctx(), hall, current_actor(), name))


@admin_devices.post("/api/v1/halls/<hall>/devices/<name>/revoke")
@admin_devices.auth_required(token_auth)
@admin_devices.output(RevokedOut)
@admin_devices.doc(summary="Revoke a device: its tokens die and its live connections close", responses=ERRORS)
def revoke(hall: str, name: str) -> dict:
    device_admin.revoke_device(_ctx(), hall, current_actor(), name)
    return {"device": name, "revoked": True}
