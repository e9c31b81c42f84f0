"""Use cases of the administration's devices page (issue 13): a hall's devices and their
health, adding one, a pairing link for it, revoking it.

Admins may do all of it in every hall; a hall's manager sees the health of its devices and
adds, pairs and revokes its kiosks, displays and evaluators, but not booking systems (other
systems' integrations, admins only).

A pairing link made here is valid once and for PAIRING_LINK_TTL (the command line's stays
24 hours). A new link for a device forgets the device's unused links, so only the newest
one pairs; for a device already paired it also ends that pairing: the paired browser's token
dies (its page falls back to "not paired" and its live connection closes), so a device is
paired to one browser at a time. The token `add` returns (shown once, for a print agent or
another system) is not a pairing and stays.

Every add, link and revoke is a `device.changed` event in the hall's log, for "who did what";
it never holds a token or a link.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.actors import Actor, Role
from ..domain.errors import Forbidden, Invalid, NotFound
from ..domain.events import EventType as E
from ..storage.accounts import SeenDevice
from . import accounts, alert_snapshot, devices
from .context import HallContext

PAIRING_LINK_TTL = timedelta(minutes=10)
DEVICE_ADMINS = frozenset({Role.MANAGER, Role.ADMIN})
#: what a hall's manager may add, pair and revoke
MANAGED_KINDS = frozenset({Role.KIOSK, Role.DISPLAY, Role.EVALUATOR})


@dataclass(frozen=True)
class DeviceHealth:
    """One device of the hall as the page lists it. `online` None: nobody judges it (a
    booking system calls in when it needs to)."""

    name: str
    kind: str
    online: bool | None
    counter: int | None = None
    last_seen: datetime | None = None
    #: when its browser was paired (kiosks, displays, evaluators; None: not paired)
    paired_at: datetime | None = None
    paper: str | None = None
    cover_open: bool = False
    fault: str | None = None
    #: a printer's tickets still to print
    pending: int | None = None
    #: a camera's latest estimate of the people in its area (None: none, or offline)
    people: int | None = None


@dataclass(frozen=True)
class PairingLink:
    path: str
    expires_at: datetime
    #: a paired browser was signed out by this link
    ended_pairing: bool


@dataclass(frozen=True)
class NewDevice:
    name: str
    kind: str
    counter: int | None
    #: its bearer token, shown only this once
    token: str
    #: None for a booking system, which has no page to pair
    link: PairingLink | None


def hall_devices(ctx: HallContext, hall_id: str, actor: Actor) -> list[DeviceHealth]:
    """The hall's paired devices (kiosks, displays, evaluators, booking systems) and the
    printers, LED displays and cameras of its configuration, with their health now."""
    hall = _hall(ctx, hall_id, actor)
    now = ctx.clock.now()
    seen = {d.name: d for d in ctx.store.accounts.hall_devices(hall.id)}
    paired = ctx.store.accounts.paired_at(hall.id)
    crowd, _online = alert_snapshot.cameras_now(ctx, hall, now)
    found = []
    for device in alert_snapshot.devices_now(ctx, hall, now):
        extra = {}
        if device.name in seen and device.kind == seen[device.name].kind.value:
            extra = {"counter": seen[device.name].counter, "paired_at": paired.get(device.name)}
        elif device.kind == "printer":
            extra = {"pending": devices.print_queue(ctx, hall.id, device.name, actor).pending}
        elif device.kind == "camera" and crowd[device.name].steps:
            extra = {"people": crowd[device.name].steps[-1][1]}
        found.append(DeviceHealth(device.name, device.kind, device.online, last_seen=device.last_seen,
                                  paper=device.paper, cover_open=device.cover_open, fault=device.fault, **extra))
    found += [DeviceHealth(d.name, d.kind.value, None, d.counter, d.last_seen_at)
              for d in seen.values() if d.kind not in alert_snapshot.WATCHED_KINDS]
    return found


def add_device(ctx: HallContext, hall_id: str, actor: Actor, kind: str, name: str,
               counter: int | None = None) -> NewDevice:
    """A new device of the hall (the rules of `device add`), with a pairing link if it has a page."""
    _hall(ctx, hall_id, actor)
    if kind not in accounts.DEVICE_KINDS:
        raise Invalid(f"kind must be one of {', '.join(accounts.DEVICE_KINDS)}", "invalid_kind")
    _may_manage(actor, Role(kind))
    token = accounts.add_device(ctx, hall_id, kind, name, counter)
    _record(ctx, hall_id, actor, name, kind, "added")
    link = _link(ctx, hall_id, actor, name, kind) if Role(kind) in MANAGED_KINDS else None
    return NewDevice(name, kind, counter, token, link)


def pairing_link(ctx: HallContext, hall_id: str, actor: Actor, name: str) -> PairingLink:
    """A new one-time pairing link for the device; it ends the device's earlier pairing, if any."""
    device = _device(ctx, hall_id, actor, name)
    if device.kind not in MANAGED_KINDS:
        raise Invalid(f"a {device.kind.value} has no page to pair; it calls in with its token", "no_page")
    return _link(ctx, hall_id, actor, name, device.kind.value)


def revoke_device(ctx: HallContext, hall_id: str, actor: Actor, name: str) -> None:
    """The device's tokens die at once and its live connections close (as `device revoke`)."""
    device = _device(ctx, hall_id, actor, name)
    accounts.revoke_device(ctx, hall_id, name)
    _record(ctx, hall_id, actor, name, device.kind.value, "revoked")


def _hall(ctx: HallContext, hall_id: str, actor: Actor):
    if actor.role not in DEVICE_ADMINS:
        raise Forbidden(f"a {actor.role.value} may not administer devices", "forbidden")
    return ctx.hall(hall_id, actor)


def _may_manage(actor: Actor, kind: Role) -> None:
    if actor.role is not Role.ADMIN and kind not in MANAGED_KINDS:
        raise Forbidden(f"only an admin may manage a {kind.value} device", "admins_only")


def _device(ctx: HallContext, hall_id: str, actor: Actor, name: str) -> SeenDevice:
    """The hall's live device of that name, if the actor may manage its kind."""
    _hall(ctx, hall_id, actor)
    device = next((d for d in ctx.store.accounts.hall_devices(hall_id) if d.name == name), None)
    if device is None:
        raise NotFound(f"hall {hall_id} has no device named {name!r}", "unknown_device")
    _may_manage(actor, device.kind)
    return device


def _link(ctx: HallContext, hall_id: str, actor: Actor, name: str, kind: str) -> PairingLink:
    ended = ctx.store.accounts.end_pairing(hall_id, name)
    made = ctx.clock.now()  # no later than the link's own start: it expires no earlier than said
    path = accounts.pairing_link(ctx, hall_id, name, PAIRING_LINK_TTL)
    _record(ctx, hall_id, actor, name, kind, "pairing_renewed" if ended else "pairing_link")
    return PairingLink(path, made + PAIRING_LINK_TTL, ended)


def _record(ctx: HallContext, hall_id: str, actor: Actor, device: str, kind: str, change: str) -> None:
    with ctx.store.write(hall_id, ctx.clock) as tx:
        tx.record(E.DEVICE_CHANGED, actor=actor.name,
                  data={"device": device, "kind": kind, "change": change, "by": actor.name})
