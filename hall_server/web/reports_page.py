"""The reports page (报表), `/reports/<hall>`, for the hall's managers and admins.

The page renders the frame; its script (`static/js/reports.js`) takes the figures from the
reports API for the range chosen: the hall's report for the charts and trends, with each
grouping's table (the same table the CSV and XLSX exports hold), the previous period's
summary for the trends, the halls side by side for whoever may see more than
one, and the complaint register (`_complaints.html`, `static/js/complaints.js`). The hall's
"today" is its business day on the server's clock, so the presets (today, this week from
Monday, this month) are the hall's and not the browser's.
"""
from flask import Blueprint, abort, current_app, g, render_template
from flask_babel import gettext

from ..domain.actors import Role
from ..domain.catalogue import N_
from ..domain.counters import PAUSE_LABELS
from ..domain.numbering import business_day
from .auth import staff_page
from .complaints_api import COMPLAINT_STRINGS
from .i18n import js_strings

reports_pages = Blueprint("reports_page", __name__)

#: the grouping tabs, in the order shown
GROUPINGS = {"service": N_("By service"), "counter": N_("By counter"), "clerk": N_("By clerk"),
             "day": N_("By day")}

#: what the script says (i18n.js `t`)
STRINGS = (
    N_("%(from)s to %(to)s"), N_("Previous period %(from)s to %(to)s"), N_("Previous: %(value)s"),
    N_("No previous figures"), N_("%(n)s min"), N_("%(n)s pt"), N_("No data in this range"),
    N_("Could not do that: %(message)s"), N_("From must not be after to"),
    N_("Served"), N_("Previous period"), N_("Mean wait"), N_("90th percentile wait"),
    N_("Mean handling"), N_("Within the handling limit"), N_("Serving customers"), N_("Idle"), N_("Paused: %(reason)s"),
    N_("Arrivals per day"), N_("Mean wait (min)"), N_("Minutes"), N_("Hours"), N_("Ratings"),
    N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"),
)


@reports_pages.get("/reports/<hall>")
@staff_page(Role.MANAGER, Role.ADMIN)
def page(hall: str) -> str:
    ctx = current_app.extensions["hall"]
    config = ctx.config.by_id.get(hall)
    if config is None:
        abort(404)
    actor = g.actor
    labels = {"pause": {key: gettext(msgid) for key, msgid in PAUSE_LABELS.items()}}
    return render_template(
        "reports.html", hall=hall, hall_config=config, user=actor.name, labels=labels,
        today=business_day(ctx.clock.now(), config.timezone),
        groupings={key: gettext(msgid) for key, msgid in GROUPINGS.items()},
        many_halls=sum(actor.may_act_in(other.id) for other in ctx.config.halls) > 1,
        js_strings=js_strings(*STRINGS, *COMPLAINT_STRINGS))
