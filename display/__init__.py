"""The hall's call displays (叫号屏): the hall display `/display/<hall>` on a large screen
(1920×1080) and the counter display `/display/<hall>/counters/<number>` above each window
(800×480).

Both start from a snapshot of the hall (GET /halls/{hall} and its board) and follow the
hall's events live (static/js/live.js): a call shows at once, and after a network drop or a
server restart the page catches up from `/events?after=`, showing every call it missed in
order. The hall display announces each call (static/announce.js): a chime, then the call in
each of the hall's `[halls.voice] languages`, from the server's audio, with the browser's
speech synthesis only as a fallback; a call caught up more than a minute late is shown, not
announced.

A display PC opens its pairing link once (`device add --kind display [--counter N]` prints
it) in Chromium running full screen, allowed to play sound without a touch first:

    chromium --kiosk --autoplay-policy=no-user-gesture-required --disable-pinch \\
        --overscroll-history-navigation=0 http://SERVER:8000/pair/<code>

Without `--autoplay-policy=no-user-gesture-required` the browser holds the sound back until
someone touches the screen; the hall display then asks for one tap ("点击开启声音").
"""
from .views import display

__all__ = ["display"]
