"""The two display pages. They render the frame (hall, counter, fixed texts) and leave the
hall's state to the scripts, which read it from the API and the live connection."""
from flask import Blueprint, abort, current_app, render_template
from flask_babel import force_locale, gettext

from hall_server.config import Hall
from hall_server.domain.actors import Role
from hall_server.domain.announcements import DIGITS_ZH, LANGUAGES, call_template
from hall_server.domain.catalogue import N_
from hall_server.web.auth import device_page
from hall_server.web.i18n import js_strings

display = Blueprint("display", __name__, template_folder="templates", static_folder="static",
                    static_url_path="/display/static")

#: the line under the newest call on the hall display, in both languages
GO_TEXT = N_("Please go to counter %(counter)s")
#: minutes a pause of this kind usually lasts, from which the counter display tells when the
#: counter reopens; other pauses have no usual length, and the display says only "Paused"
PAUSE_BACK_MIN = {"break": 15, "meal": 30}
#: calls kept on the hall display, the newest first
RECENT_CALLS = 6
#: seconds the newest call stays highlighted
HIGHLIGHT_S = 8
#: a call caught up later than this after it was made is shown, not announced
ANNOUNCE_WITHIN_S = 60

PAUSE_REASONS = {
    "break": N_("Short break"), "meal": N_("Meal break"), "meeting": N_("In a meeting"),
    "back_office": N_("Back-office work"), "handover": N_("Shift handover"), "other": N_("Paused"),
}
STRINGS = (
    GO_TEXT, N_("Back at about %(time)s"),
    N_("Paused"), N_("Closed"), N_("Open"), N_("Badge %(badge)s"), N_("%(n)s waiting"), N_("Called again"),
    N_("Tap to enable sound"), *PAUSE_REASONS.values(),
)


def _page_data(hall: Hall, **settings) -> dict:
    """What both pages render with; `page_config` is what their scripts read (common.js)."""
    return {
        "js_strings": js_strings(*STRINGS),
        "hall_config": hall,
        "hall": hall.id,
        "page_config": {
            "hall": hall.id, "timezone": hall.timezone, "languages": list(hall.voice.languages),
            # what the browser says when the server's audio is unavailable: the voice's own words
            "call_texts": {lang: call_template(lang) for lang in LANGUAGES}, "digits_zh": DIGITS_ZH,
            "go_texts": {lang: _in(lang, GO_TEXT) for lang in LANGUAGES},
            "pause_back_min": PAUSE_BACK_MIN, "pause_reasons": PAUSE_REASONS, "highlight_s": HIGHLIGHT_S,
            **settings,
        },
    }


def _in(lang: str, msgid: str) -> str:
    with force_locale("zh_CN" if lang == "zh" else "en"):
        return gettext(msgid)


@display.get("/display/<hall>")
@device_page(Role.DISPLAY)
def hall_display(hall: str) -> str:
    config = current_app.extensions["hall"].config.by_id[hall]
    return render_template("display/hall.html", **_page_data(config, recent_calls=RECENT_CALLS,
                                                             announce_within_s=ANNOUNCE_WITHIN_S))


@display.get("/display/<hall>/counters/<int:number>")
@device_page(Role.DISPLAY)
def counter_display(hall: str, number: int) -> str:
    config = current_app.extensions["hall"].config.by_id[hall]
    counter = config.counters_by_number.get(number)
    if counter is None:
        abort(404)
    return render_template("display/counter.html", counter=counter, **_page_data(config, counter=number))
