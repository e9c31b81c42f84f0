"""The evaluator (服务评价器): a small tablet facing the customer at each counter.

When a visit ends at its counter (`ticket.finished`), it asks the customer to rate it with the
hall's rating levels, for a low one offers the hall's reasons, thanks the customer and goes
back to its welcome screen; nobody touching it for the hall's `rating_timeout_s` records
nothing. The page renders the frame (levels, reasons, texts in both languages); the script
follows the hall's events and posts the rating (`POST /api/v1/tickets/{id}/rating`).
"""
from flask import Blueprint, current_app, render_template

from ..domain.actors import Role
from ..domain.catalogue import N_
from .auth import device_page
from .i18n import js_strings

evaluator = Blueprint("evaluator", __name__)

#: seconds the thank-you screen shows before the welcome screen comes back
THANKS_SECONDS = 5

#: what the script says (i18n.js `t`)
STRINGS = (N_("Staff no. %(badge)s"), N_("%(n)s s"))


@evaluator.get("/evaluator/<hall>/<int:number>")
@device_page(Role.EVALUATOR)
def page(hall: str, number: int) -> tuple[str, int] | str:
    config = current_app.extensions["hall"].config.by_id.get(hall)
    counter = config.counters_by_number.get(number) if config else None
    if counter is None:
        return render_template("not_paired.html", reason="other_device"), 404
    return render_template("evaluator.html", hall=hall, hall_config=config, counter=counter,
                           thanks_seconds=THANKS_SECONDS, js_strings=js_strings(*STRINGS))
