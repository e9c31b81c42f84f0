"""The clerk's counter screen (柜员窗口), `/counter/<hall>/<number>`.

The page renders the frame (the counter, the actions with their keys, the dialogs) and its
script (`static/js/counter.js`) does everything through the API and the live connection:
the counter's state and the queue come from the board, each action is a counter action.
A manager or admin of the hall may open it too (to stand in, or to look over a shoulder).
"""
from flask import Blueprint, abort, current_app, g, render_template

from ..domain.actors import Role
from ..domain.catalogue import N_
from ..domain.counters import PAUSE_LABELS, PAUSE_REASONS
from ..domain.tickets import FlagKind
from .auth import staff_page
from .i18n import js_strings

counter_pages = Blueprint("counter", __name__)

#: minutes before closing from which the screen shows who still waits (they are still served)
CLOSING_NOTICE_MIN = 15

FLAG_LABELS = {
    FlagKind.NEEDS_HELP: N_("Needs help (elderly, disabled)"),
    FlagKind.UPSET_CUSTOMER: N_("Upset customer: call the manager"),
    FlagKind.CALLBACK: N_("Callback needed"),
}
#: the service norms (国家电网供电服务规范 4.1.9): when the previous customer took too long,
#: apologise politely to the next one; the phrase combines it with standard phrase 6.1
APOLOGY = N_("Hello, I am sorry to have kept you waiting. How may I help you?")

#: what the script says (i18n.js `t`)
STRINGS = (
    APOLOGY, *PAUSE_LABELS.values(),
    N_("Not signed in"), N_("Ready"), N_("Serving"), N_("Paused: %(reason)s"),
    N_("Called, waiting for the customer"), N_("Being served"), N_("No customer at the counter"),
    N_("Nobody is waiting for this counter."), N_("%(n)s waiting"), N_("the next has waited %(t)s"),
    N_("Budget %(t)s"), N_("%(service)s × %(n)s"), N_("Signed in here: %(clerk)s"),
    N_("The last visit ran over its time. Apologise to this customer:"),
    N_("Closing time %(closes)s: %(n)s customers are still waiting. Serve them all as usual."),
    N_("Closing time %(closes)s: nobody is waiting any more."),
    N_("Flag sent: %(kind)s"), N_("Transferred %(number)s"), N_("Could not do that: %(message)s"),
    N_("The server cannot be reached. Please try again."), N_("Recalled %(number)s (%(n)s)"),
    N_("Enter the customer's phone number."), N_("Remove"), N_("Service"), N_("Count"),
    N_("Over time by %(t)s"), N_("Handled for %(t)s"),
    *FLAG_LABELS.values(),
)


@counter_pages.get("/counter/<hall>/<int:number>")
@staff_page(Role.CLERK, Role.MANAGER, Role.ADMIN)
def page(hall: str, number: int) -> str:
    config = current_app.extensions["hall"].config.by_id.get(hall)
    if config is None or number not in config.counters_by_number:
        abort(404)
    return render_template(
        "counter.html", hall=hall, hall_config=config, counter=config.counters_by_number[number],
        user=g.actor.name, pause_reasons=[(r, PAUSE_LABELS[r]) for r in PAUSE_REASONS],
        flags=[(k.value, label) for k, label in FLAG_LABELS.items()],
        closing_notice_min=CLOSING_NOTICE_MIN, js_strings=js_strings(*STRINGS))
