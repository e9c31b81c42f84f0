"""The ticket kiosk (取号机): the full-screen touch page of a paired kiosk device, `/kiosk/<hall>`.

The customer takes a number, with the green channel if they need it, or checks in an
appointment; the page does it all through the API and the live connection
(`static/kiosk.js`), so the rules stay in the service layer.

A kiosk PC opens its pairing link once (`device add --kind kiosk` prints it) in a browser
running full screen, e.g. `chromium --kiosk --disable-pinch --overscroll-history-navigation=0
http://SERVER:8000/pair/<code>`; the device cookie keeps it paired across reboots.
"""
from .views import kiosk

__all__ = ["kiosk"]
