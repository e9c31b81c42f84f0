"""The customer's ticket behind its tracking link: its JSON (no credentials, nothing about
other customers), giving it up, and the QR code that leads a phone to its page."""
from io import BytesIO

import qrcode
from apiflask import APIBlueprint
from flask import Response, current_app, request
from qrcode.image.svg import SvgPathImage

from ..services import tracking
from . import schemas as s
from .serialize import track_json

tracking_api = APIBlueprint("tracking", __name__, tag="customer")


@tracking_api.get("/api/v1/track/<token>")
@tracking_api.output(s.TrackOut)
@tracking_api.doc(summary="The customer's own ticket (no credentials)", responses=[404])
def track(token: str) -> dict:
    return track_json(tracking.tracked_ticket(current_app.extensions["hall"], token))


@tracking_api.post("/api/v1/track/<token>/cancel")
@tracking_api.output({}, status_code=204)
@tracking_api.doc(summary="The customer gives up their waiting ticket", responses=[404, 409])
def give_up(token: str) -> str:
    tracking.give_up(current_app.extensions["hall"], token)
    return ""


def qr_svg(text: str) -> bytes:
    """`text` as a QR code in SVG, for a screen: the phone page's address at the kiosk, a
    pairing link on the administrator's screen."""
    out = BytesIO()
    qrcode.make(text, image_factory=SvgPathImage, border=2).save(out)
    return out.getvalue()


@tracking_api.get("/t/<token>/qr.svg")
@tracking_api.doc(hide=True)
def qr_code(token: str) -> Response:
    """The phone page's full address as a QR code, for the kiosk's screen."""
    ctx = current_app.extensions["hall"]
    ticket = tracking.tracked_ticket(ctx, token).ticket
    url = tracking.tracking_url(ctx, ticket.hall, ticket.id, base=request.host_url)
    return Response(qr_svg(url), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=86400"})
