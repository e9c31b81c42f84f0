"""`/pair/<code>`: a device's one-time pairing link. Opened once in the device's browser, it
stores the device cookie (auth.py) and opens the device's page; revoking the device ends it."""
from flask import Blueprint, Response, current_app, redirect, render_template, request

from ..domain.actors import Role
from ..domain.errors import NotFound
from ..services import accounts
from ..storage.accounts import PairedDevice
from .auth import DEVICE_COOKIE

pairing = Blueprint("pairing", __name__)
#: the device cookie outlives any hardware: it ends when the device is revoked
COOKIE_MAX_AGE_S = 10 * 365 * 24 * 3600


def device_home(device: PairedDevice) -> str | None:
    """The page a paired device opens; None for a device with no page (a booking system)."""
    if device.kind is Role.KIOSK:
        return f"/kiosk/{device.hall}"
    if device.kind is Role.DISPLAY:
        counter = f"/counters/{device.counter}" if device.counter is not None else ""
        return f"/display/{device.hall}{counter}"
    if device.kind is Role.EVALUATOR:
        return f"/evaluator/{device.hall}/{device.counter}"
    return None


@pairing.get("/pair/<code>")
def pair(code: str) -> Response | tuple[str, int]:
    try:
        token, device = accounts.pair(current_app.extensions["hall"], code)
    except NotFound:
        return render_template("not_paired.html", reason="bad_link"), 404
    home = device_home(device)
    if home is None:
        return render_template("not_paired.html", reason="no_page", device=device.name), 400
    response = redirect(home, code=303)
    response.set_cookie(DEVICE_COOKIE, token, max_age=COOKIE_MAX_AGE_S, httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return response
