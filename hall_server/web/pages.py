"""Pages of the server's own web layer: the customer's phone page, and the front-end packages
from npm that every page loads (`/vendor/<name>`, nothing from a CDN: halls run on closed
networks)."""
from flask import Blueprint, Response, abort, current_app, g, render_template, send_from_directory
from flask_babel import format_time

from ..domain.catalogue import N_
from ..domain.errors import NotFound
from ..services import tracking
from .i18n import REPO_ROOT, js_strings
from .schemas import TrackOut
from .serialize import track_json

pages = Blueprint("pages", __name__)

NODE_MODULES = REPO_ROOT / "node_modules"
#: what pages may load from node_modules (installed by `make setup` from package-lock.json)
VENDOR_FILES = {
    "socket.io.esm.min.js": "socket.io-client/dist/socket.io.esm.min.js",
    "echarts.esm.min.js": "echarts/dist/echarts.esm.min.js",
}
VENDOR_MAX_AGE_S = 24 * 3600

#: what the phone page's script says (i18n.js `t`)
PHONE_STRINGS = (
    N_("Your turn"), N_("Could not give up the number. Please try again."),
    N_("This number was already called, so it can no longer be given up."),
)


@pages.get("/vendor/<name>")
def vendor(name: str) -> Response:
    if name not in VENDOR_FILES:
        abort(404)
    return send_from_directory(NODE_MODULES, VENDOR_FILES[name], max_age=VENDOR_MAX_AGE_S)


@pages.get("/t/<token>")
def phone(token: str) -> Response:
    """The customer's ticket on their phone: no sign-in, the link is the key."""
    try:
        placed = tracking.tracked_ticket(current_app.extensions["hall"], token)
    except NotFound:
        response = Response(render_template("ticket_unknown.html"), status=404)
    else:
        g.hall_id = placed.ticket.hall
        response = Response(render_template(
            "phone.html", hall=placed.ticket.hall, ticket=TrackOut().dump(track_json(placed)),
            issued_at=format_time(placed.ticket.issued_at, "short"), js_strings=js_strings(*PHONE_STRINGS)))
    # the address is the ticket's key: keep it out of caches and other sites' logs
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
