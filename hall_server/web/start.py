"""The front door: the start page `/`, `/admin` (to the first administration section the
person may open) and, on the demo hall's own configuration only, the demo shortcut.

The start page reads the staff session cookie (as /login does): signed out it says what each
screen is for; signed in it lists the pages this person may open.

The demo shortcut (`/demo-as/<hall>/<kind>`) opens this browser as one of the hall's demo
devices: it makes (or reuses) the device and sends the browser through the device's one-time
pairing link, so the device cookie is set by `/pair/<code>` itself. It answers 404 unless the
server runs config/demo_hall.toml itself (demo.runs_demo_configuration), and 403 unless the
request comes from the server's own machine (a loopback address, through no proxy). The start
page links each device on a host name of its own under `localhost` (`kiosk.localhost`...):
browsers resolve those to this machine and keep each host's cookies apart, so one browser holds
every device at once, one tab each.
"""
import ipaddress
import os
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from ..demo import DEMO_DEVICE_KINDS, demo_device_link, runs_demo_configuration
from ..domain.actors import Actor, Role
from .auth import session_actor

start = Blueprint("start", __name__)
STAFF = (Role.CLERK, Role.MANAGER, Role.ADMIN)
MANAGING = (Role.MANAGER, Role.ADMIN)
#: proxies name the client they forward in these: such a request is not from this machine
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def _signed_in() -> Actor | None:
    """The staff member of this browser's session (None: nobody, or a dead session)."""
    actor = session_actor()
    return actor if actor is not None and actor.role in STAFF else None


def _from_this_machine() -> bool:
    """The request comes from the server's own machine and through no proxy."""
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False
    return loopback and not any(header in request.headers for header in PROXY_HEADERS)


def _demo_configuration() -> bool:
    return runs_demo_configuration(current_app.extensions["hall"].config, os.environ.get("HALL_CONFIG"))


def _device_host(label: str) -> str:
    """The address of a device's own host name under localhost (its own cookies), same port."""
    port = urlsplit(request.host_url).port
    return f"{request.scheme}://{label}.localhost" + (f":{port}" if port else "")


@start.get("/")
def index() -> str:
    ctx = current_app.extensions["hall"]
    actor = _signed_in()
    demo = _from_this_machine() and _demo_configuration()
    return render_template("start.html", user=actor, halls=ctx.config.halls,
                           my_halls=[h for h in ctx.config.halls if actor.may_act_in(h.id)] if actor else [],
                           managing=actor is not None and actor.role in MANAGING,
                           demo=demo, device_host=_device_host)


@start.get("/admin")
def admin() -> Response | tuple[str, int]:
    """The first administration section the person may open: users, for an admin or a manager
    (a manager sees their own halls' clerks there)."""
    actor = _signed_in()
    if actor is None:
        return redirect(url_for("signin.login", next="/admin"))
    if actor.role not in MANAGING:
        return render_template("login.html", forbidden=True, user=actor.name, next="/admin"), 403
    return redirect("/admin/users")


@start.get("/demo-as/<hall>/<kind>")
def demo_as(hall: str, kind: str) -> Response:
    """Open this browser as the hall's demo `kind` (`?counter=N` for a counter's display or an
    evaluator): through the device's pairing link, which sets the device cookie."""
    if not _demo_configuration() or kind not in DEMO_DEVICE_KINDS:
        abort(404)
    if not _from_this_machine():
        abort(403)
    counter = request.args.get("counter", type=int) if kind != "kiosk" else None
    return redirect(demo_device_link(current_app.extensions["hall"], hall, kind, counter), code=303)
